/**
 * The local HTTP server of lessons 08 and 10 and of the fetch tests. These
 * machines reach no other host, and a real server on 127.0.0.1 makes every
 * behaviour of the fetch helpers observable: a slow answer, a route that
 * fails a few times, a rate limit, a large file that trickles in.
 *
 * Routes (every query parameter is optional):
 *
 * | route | answers |
 * | --- | --- |
 * | `/` | a small HTML page |
 * | `/delay?ms=200` | `200 OK` after `ms` milliseconds |
 * | `/flaky?key=k&fail=2&status=503&stream=0` | `status` for the first `fail` hits of `key`, then `200 OK` |
 * | `/limited?key=k&times=1&after=1&date=0&stream=0` | `429` with `Retry-After: after` (seconds, or an HTTP date when `date=1`) for the first `times` hits of `key`, then `200 OK` |
 * | `/status?code=404` | that status, with a short body |
 * | `/file?bytes=1000&ms=1000&chunks=10&from=` | `bytes` bytes in `chunks` chunks spread over `ms` milliseconds from now (or from `from`, a `Date.now()` value), with `Content-Length` |
 *
 * With `stream=N`, the failures of `/flaky` and `/limited` carry a body of
 * `N` bytes that takes ten seconds to arrive, so that a client that does not
 * cancel a discarded body keeps the server busy, which `idle()` shows.
 *
 * The server counts hits per path (with its query) and the peak number of
 * requests in flight, so that tests can check on the server's side what a
 * client did. Learners can skip this file.
 *
 * @module
 */
import { delay } from "@std/async/delay";
import { serve } from "../course/http.ts";

/** A running lesson server: see {@linkcode startServer}. */
export type LessonServer = ReturnType<typeof startServer>;

/** Starts a lesson server on 127.0.0.1, on a port the system picks. */
export function startServer() {
  const keyHits = new Map<string, number>();
  const requests: string[] = [];
  let inFlight = 0;
  let peak = 0;

  const enter = () => void (peak = Math.max(peak, ++inFlight));
  let idle: PromiseWithResolvers<void> | undefined;
  const leave = () => {
    if (--inFlight > 0) return;
    idle?.resolve();
    idle = undefined;
  };

  // `stop` aborts at shutdown, so that slow routes end at once instead of
  // holding the server open; a client that leaves cancels the /file stream.
  async function handle(request: Request, stop: AbortSignal) {
    const url = new URL(request.url);
    const key = url.pathname + url.search;
    requests.push(key);
    const q = (name: string, fallback: number) =>
      Number(url.searchParams.get(name) ?? fallback);
    const nth = (route: string) => {
      const id = `${route}:${url.searchParams.get("key") ?? ""}`;
      const n = (keyHits.get(id) ?? 0) + 1;
      keyHits.set(id, n);
      return n;
    };

    switch (url.pathname) {
      case "/":
        return new Response(PAGE, {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      case "/delay": {
        const ms = q("ms", 200);
        await delay(ms, { signal: stop });
        return new Response(`waited ${ms} ms`);
      }
      case "/flaky": {
        const n = nth("flaky");
        if (n <= q("fail", 2)) {
          const status = q("status", 503);
          return q("stream", 0) > 0
            ? file(q("stream", 0), 10_000, 100, stop, { status })
            : new Response(`failure ${n}`, { status });
        }
        return new Response(`success after ${n - 1} failures`);
      }
      case "/limited": {
        const n = nth("limited");
        if (n <= q("times", 1)) {
          const after = q("after", 1);
          const value = q("date", 0) === 1
            ? new Date(Date.now() + after * 1000).toUTCString()
            : String(after);
          const headers = { "retry-after": value };
          return q("stream", 0) > 0
            ? file(q("stream", 0), 10_000, 100, stop, { status: 429, headers })
            : new Response("slow down", { status: 429, headers });
        }
        return new Response(`allowed after ${n - 1} refusals`);
      }
      case "/status": {
        const code = q("code", 404);
        return new Response(`status ${code}`, { status: code });
      }
      case "/file":
        return file(q("bytes", 1000), q("ms", 1000), q("chunks", 10), stop, {
          from: q("from", NaN),
        });
      default:
        return new Response("not found", { status: 404 });
    }
  }

  // A body of `bytes` bytes in `chunks` pieces, one every ms/chunks
  // milliseconds. It counts as in flight until the last byte is sent or the
  // client goes away (cancels the body), which is how tests see a client
  // that forgets a body: the server stays busy.
  function file(
    bytes: number,
    ms: number,
    chunks: number,
    stop: AbortSignal,
    { status = 200, headers = {}, from = NaN }: {
      status?: number;
      headers?: Record<string, string>;
      from?: number;
    } = {},
  ): Response {
    const type = "application/octet-stream";
    const length = String(bytes > 0 ? bytes : 0);
    const init = {
      status,
      headers: { ...headers, "content-type": type, "content-length": length },
    };
    if (!(bytes > 0)) return new Response(null, init);
    const count = Math.max(1, Math.min(chunks, bytes));
    const size = Math.floor(bytes / count);
    let sent = 0;
    let index = 0;
    // Chunk i is due at start + i * ms / count: deadlines, not gaps, so that
    // timer drift does not pile up and two files end in the order of their
    // `ms`. The clock starts now, or at `from` (a Date.now() value) if given,
    // so that a request that reached the server late does not end late.
    const start = Number.isFinite(from)
      ? performance.now() - (Date.now() - from)
      : performance.now();
    enter();
    let left = false;
    const done = () => {
      if (!left) leave();
      left = true;
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const due = start + (ms * (index + 1)) / count;
          await delay(Math.max(0, due - performance.now()), { signal: stop });
        } catch {
          controller.close(); // cut short: the client sees a truncated body
          done();
          return;
        }
        // All that is due goes at once: one chunk a turn, a server held up
        // ends every file after as many turns, in the order they began (five
        // files of 30 chunks did so under a load of 28).
        const due = Math.floor(((performance.now() - start) * count) / ms);
        index = Math.max(index + 1, Math.min(count, due));
        const length = (index === count ? bytes : index * size) - sent;
        controller.enqueue(new Uint8Array(length).fill(97));
        sent += length;
        if (sent >= bytes) {
          controller.close();
          done();
        }
      },
      cancel: done,
    }, { highWaterMark: 0 });
    return new Response(body, init);
  }

  const server = serve(async (path, _, closing, request) => {
    // /file counts itself in flight for as long as its body streams.
    if (path === "/file") return await handle(request, closing);
    enter();
    try {
      return await handle(request, closing);
    } catch {
      return new Response("aborted", { status: 503 });
    } finally {
      leave();
    }
  });
  const base = new URL(server.url("/"));

  return {
    /** `http://127.0.0.1:<port>/`. */
    url: base,
    /** The URL of `path` (with its query) on this server. */
    at: (path: string) => new URL(path, base).href,
    /** How many requests hit `path` (with its query), or the total without it. */
    hits: (path?: string) =>
      requests.filter((key) => path === undefined || key === path).length,
    /** Every request's path (with its query), in the order they arrived. */
    requests: requests as readonly string[],
    /** How many requests are being answered right now. */
    get inFlight() {
      return inFlight;
    },
    /** The most requests answered at once since start (or `resetStats()`). */
    get peak() {
      return peak;
    },
    /** Resolves once no request is being answered (at once when none is). */
    idle(): Promise<void> {
      if (inFlight === 0) return Promise.resolve();
      idle ??= Promise.withResolvers();
      return idle.promise;
    },
    /** Forgets the hit counts, the peak and the per-key state of `/flaky` and `/limited`. */
    resetStats() {
      keyHits.clear();
      requests.length = 0;
      peak = inFlight;
    },
    /** Stops listening, ends what is in flight, and resolves once the server is gone. */
    shutdown: server.close,
    [Symbol.asyncDispose]: server.close,
  };
}

const PAGE = `<!doctype html>
<html lang="es">
<head><title>Asincronía</title></head>
<body><h1>Hola desde el servidor local</h1></body>
</html>
`;
