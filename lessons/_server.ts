/**
 * The local HTTP server of lessons 08 and 10. These machines reach no other
 * host, and a real server on 127.0.0.1 makes every behaviour of the fetch
 * helpers observable: a slow answer, a route that fails a few times, a
 * large file that trickles in. Learners can skip this file.
 *
 * Routes (every query parameter is optional):
 *
 * | route | answers |
 * | --- | --- |
 * | `/` | a small HTML page |
 * | `/delay?ms=200` | `200 OK` after `ms` milliseconds |
 * | `/flaky?key=k&fail=2&status=503` | `status` for the first `fail` hits of `key`, then `200 OK` |
 * | `/file?bytes=1000&ms=1000&chunks=10&from=` | `bytes` bytes in `chunks` chunks spread over `ms` milliseconds from now (or from `from`, a `Date.now()` value), with `Content-Length` |
 *
 * The fetch tests serve more routes, and count what clients did, around
 * these ({@linkcode lessonRoutes}; tests/lib/_fetch_server.ts).
 *
 * @module
 */
import { delay } from "@std/async/delay";
import { serve } from "../course/http.ts";

/** Answers a request; `stop` aborts when the server shuts down. */
export type Routes = (request: Request, stop: AbortSignal) => Promise<Response>;

/** A running lesson server: see {@linkcode startServer}. */
export type LessonServer = ReturnType<typeof startServer>;

/** Starts a server of `routes` on 127.0.0.1, on a port the system picks. */
export function startServer(routes: Routes = lessonRoutes()) {
  // `stop` aborts at shutdown, so that slow routes end at once instead of
  // holding the server open.
  const server = serve((_, __, stop, request) =>
    routes(request, stop).catch(() => new Response("aborted", { status: 503 }))
  );
  const base = new URL(server.url("/"));
  return {
    /** `http://127.0.0.1:<port>/`. */
    url: base,
    /** The URL of `path` (with its query) on this server. */
    at: (path: string) => new URL(path, base).href,
    /** Stops listening, ends what is in flight, and resolves once the server is gone. */
    shutdown: server.close,
    [Symbol.asyncDispose]: server.close,
  };
}

/** The routes of the module's table, each `/flaky` key counted from its first hit. */
export function lessonRoutes(): Routes {
  const flakyHits = new Map<string, number>();
  return async (request, stop) => {
    const url = new URL(request.url);
    const q = (name: string, fallback: number) =>
      Number(url.searchParams.get(name) ?? fallback);
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
        const key = url.searchParams.get("key") ?? "";
        const n = (flakyHits.get(key) ?? 0) + 1;
        flakyHits.set(key, n);
        if (n <= q("fail", 2)) {
          return new Response(`failure ${n}`, { status: q("status", 503) });
        }
        return new Response(`success after ${n - 1} failures`);
      }
      case "/file":
        return file(q("bytes", 1000), q("ms", 1000), q("chunks", 10), {
          from: q("from", NaN),
          stop,
        });
      default:
        return new Response("not found", { status: 404 });
    }
  };
}

/**
 * A body of `bytes` bytes in `chunks` pieces spread over `ms`, cut short
 * when `stop` aborts; a client that goes away cancels it.
 */
function file(
  bytes: number,
  ms: number,
  chunks: number,
  { from, stop }: { from: number; stop: AbortSignal },
): Response {
  const type = "application/octet-stream";
  const length = String(bytes > 0 ? bytes : 0);
  const init = { headers: { "content-type": type, "content-length": length } };
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
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const due = start + (ms * (index + 1)) / count;
        await delay(Math.max(0, due - performance.now()), { signal: stop });
      } catch {
        return controller.close();
      }
      // All that is due goes at once: one chunk a turn, a server held up
      // ends every file after as many turns, in the order they began (five
      // files of 30 chunks did so under a load of 28).
      const due = Math.floor(((performance.now() - start) * count) / ms);
      index = Math.max(index + 1, Math.min(count, due));
      const length = (index === count ? bytes : index * size) - sent;
      controller.enqueue(new Uint8Array(length).fill(97));
      sent += length;
      if (sent >= bytes) controller.close();
    },
  }, { highWaterMark: 0 });
  return new Response(body, init);
}

const PAGE = `<!doctype html>
<html lang="es">
<head><title>Asincronía</title></head>
<body><h1>Hola desde el servidor local</h1></body>
</html>
`;
