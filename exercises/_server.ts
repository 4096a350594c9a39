/** A small HTTP server for the checks of 08a and 08b. Learners can skip this file. @module */

/**
 * Serves `handler` on 127.0.0.1, on a port the system picks. The handler
 * gets the path, how many requests for it came so far (this one included),
 * and a signal that aborts when the server closes (not `request.signal`:
 * Deno aborts that one after every response, and warns about it).
 */
export function serve(
  handler: (path: string, count: number, closing: AbortSignal) =>
    | Response
    | Promise<Response>,
): { url(path: string): string } & AsyncDisposable {
  const closing = new AbortController();
  const counts = new Map<string, number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, (request) => {
    const path = new URL(request.url).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    return handler(path, counts.get(path)!, closing.signal);
  });
  return {
    url: (path) => `http://127.0.0.1:${server.addr.port}${path}`,
    async [Symbol.asyncDispose]() {
      closing.abort();
      await server.shutdown();
    },
  };
}
