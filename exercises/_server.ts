/**
 * A small HTTP server on 127.0.0.1 for the checks of exercises 08a and 08b:
 * each check gives it a handler, and it notes when each request arrived.
 * Learners can skip this file.
 *
 * @module
 */
import { REAL } from "./_clock.ts";

/** One request the server received. */
export interface Hit {
  /** The path, with its query. */
  readonly path: string;
  /** When it arrived, in `performance.now()` milliseconds. */
  readonly at: number;
}

/** A running checker server. */
export interface CheckServer extends AsyncDisposable {
  /** The absolute URL of `path` on this server. */
  url(path: string): string;
  /** Every request so far, in arrival order. */
  readonly hits: readonly Hit[];
}

/** Waits `ms` real milliseconds, or until `signal` aborts (then resolves false). */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const id = REAL.setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve(true);
    }, ms);
    const stop = () => {
      REAL.clearTimeout(id);
      resolve(false);
    };
    signal.addEventListener("abort", stop, { once: true });
  });
}

/**
 * Serves `handler` on 127.0.0.1, on a port the system picks. The handler
 * gets a signal that aborts when the server closes (not `request.signal`:
 * Deno aborts that one after every response, and warns about it).
 */
export function serve(
  handler: (
    path: string,
    count: number,
    closing: AbortSignal,
  ) => Response | Promise<Response>,
): CheckServer {
  const closing = new AbortController();
  const hits: Hit[] = [];
  const counts = new Map<string, number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, (request) => {
    const url = new URL(request.url);
    const path = url.pathname + url.search;
    hits.push({ path, at: REAL.now() });
    const count = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, count);
    return handler(url.pathname, count, closing.signal);
  });
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hits,
    async [Symbol.asyncDispose]() {
      closing.abort();
      await server.shutdown();
    },
  };
}
