/**
 * The servers the fetch tests run against, each its own and shut down after
 * the test, so that the counts it reports belong to that test; and a few
 * small helpers they share.
 *
 * @module
 */
import { assertEquals } from "@std/assert";
import { deadline as untypedDeadline } from "@std/async/deadline";
import { lessonRoutes, startServer } from "../../lessons/_server.ts";

/**
 * The lesson server (lessons/_server.ts) with what only tests ask of it.
 * Two more routes:
 *
 * | route | answers |
 * | --- | --- |
 * | `/limited?key=k&times=1&after=1&date=0` | `429` with `Retry-After: after` (seconds, or an HTTP date when `date=1`) for the first `times` hits of `key`, then `200 OK` |
 * | `/status?code=404` | that status, with a short body |
 *
 * With `stream=N`, the failures of `/flaky` and `/limited` carry a body of
 * `N` bytes that takes ten seconds to arrive, so that a client that does not
 * cancel a discarded body keeps the server busy, which `idle()` shows.
 *
 * It counts hits per path (with its query) and the requests in flight (a
 * streamed body, until its last byte is sent or the client cancels it), so
 * that tests can check on the server's side what a client did.
 */
export function startTestServer() {
  const lesson = lessonRoutes();
  const refusals = new Map<string, number>();
  const requests: string[] = [];
  let inFlight = 0;
  let peak = 0;
  let idle: PromiseWithResolvers<void> | undefined;
  const leave = () => {
    if (--inFlight > 0) return;
    idle?.resolve();
    idle = undefined;
  };

  /** The lesson's routes, the two above, and the failures' streamed bodies. */
  async function answer(url: URL, request: Request, stop: AbortSignal) {
    const q = (name: string, fallback: number) =>
      Number(url.searchParams.get(name) ?? fallback);
    let response: Response;
    if (url.pathname === "/status") {
      const code = q("code", 404);
      return new Response(`status ${code}`, { status: code });
    } else if (url.pathname === "/limited") {
      const key = url.searchParams.get("key") ?? "";
      const n = (refusals.get(key) ?? 0) + 1;
      refusals.set(key, n);
      if (n > q("times", 1)) {
        return new Response(`allowed after ${n - 1} refusals`);
      }
      const after = q("after", 1);
      const value = q("date", 0) === 1
        ? new Date(Date.now() + after * 1000).toUTCString()
        : String(after);
      const headers = { "retry-after": value };
      response = new Response("slow down", { status: 429, headers });
    } else response = await lesson(request, stop);
    const stream = q("stream", 0);
    if (stream <= 0 || response.ok || url.pathname === "/file") {
      return response;
    }
    // The failure's body: the lesson's /file, N bytes over ten seconds.
    await response.body?.cancel();
    const path = `/file?bytes=${stream}&ms=10000&chunks=100`;
    const file = await lesson(new Request(new URL(path, url)), stop);
    const headers = new Headers(response.headers);
    file.headers.forEach((value, name) => headers.set(name, value));
    return new Response(file.body, { status: response.status, headers });
  }

  const server = startServer(async (request, stop) => {
    const url = new URL(request.url);
    requests.push(url.pathname + url.search);
    peak = Math.max(peak, ++inFlight);
    let response;
    try {
      response = await answer(url, request, stop);
    } catch (error) {
      leave();
      throw error;
    }
    // A body of the lesson's /file stays in flight until its last byte goes
    // out (when the lesson's stream closes, before the client can see its
    // end) or the client cancels it; any other answer, once it is made.
    const type = response.headers.get("content-type");
    if (response.body === null || type !== "application/octet-stream") {
      leave();
      return response;
    }
    const length = Number(response.headers.get("content-length"));
    const reader = response.body.getReader();
    let sent = 0;
    let left = false;
    const done = () => {
      if (!left) leave();
      left = true;
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value } = await reader.read();
        if (value) controller.enqueue(value);
        sent += value?.byteLength ?? 0;
        if (value === undefined || sent >= length) {
          controller.close();
          done();
        }
      },
      cancel(reason) {
        done();
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
    return new Response(body, response);
  });

  return {
    ...server,
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
    /** Forgets the hit counts and the peak. */
    resetStats() {
      requests.length = 0;
      peak = inFlight;
    },
  };
}

/** A test server: see {@linkcode startTestServer}. */
export type TestServer = ReturnType<typeof startTestServer>;

/** Runs `fn` against a test server of its own. */
export async function withServer(
  fn: (server: TestServer) => Promise<void>,
): Promise<void> {
  await using server = startTestServer();
  await fn(server);
}

/** The settled result, checked rejected (untyped `assert` does not narrow). */
export function rejected<T>(
  result: PromiseSettledResult<T> | undefined,
): PromiseRejectedResult {
  assertEquals(result?.status, "rejected");
  return result as PromiseRejectedResult;
}

/** std's `deadline`, typed. */
export const deadline = untypedDeadline as <T>(
  p: Promise<T>,
  ms: number,
) => Promise<T>;

/** A backoff that tests want short and exact: no jitter. */
export const quick = (ms = 5) => () => ms;

/**
 * A server of the test's own, for what the lesson server cannot say: a
 * redirect loop, any Retry-After. It counts the requests it answered.
 */
export async function withRoutes(
  handler: (request: Request) => Response | Promise<Response>,
  fn: (at: (path: string) => string, hits: () => number) => Promise<void>,
): Promise<void> {
  let hits = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => (hits++, handler(request)),
  );
  try {
    await fn(
      (path) => `http://127.0.0.1:${server.addr.port}${path}`,
      () => hits,
    );
  } finally {
    await server.shutdown();
  }
}

/**
 * A raw TCP server that reads each request and answers with `answer` (or
 * hangs up without a word when it is empty), counting the connections.
 */
export async function withRawServer(
  answer: string,
  fn: (url: string, connections: () => number) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const accepting = (async () => {
    for await (const connection of listener) {
      connections++;
      await connection.read(new Uint8Array(4096));
      if (answer !== "") {
        await connection.write(new TextEncoder().encode(answer)).catch(
          () => {},
        );
      }
      connection.close();
    }
  })();
  try {
    await fn(`http://127.0.0.1:${listener.addr.port}/`, () => connections);
  } finally {
    listener.close();
    await accepting;
  }
}
