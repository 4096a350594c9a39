/** The course's servers on 127.0.0.1, and what they check first: that no page elsewhere sent the request. @module */

/**
 * Whether a Host header (or, after `scheme`, an Origin) names the server on
 * `port`: 127.0.0.1 or localhost at that port, or without it when it is
 * HTTP's default, 80, as browsers then send them. A page elsewhere that
 * points a name of its own at 127.0.0.1 (DNS rebinding) sends that name.
 */
export function ownHost(value: string | null, port: number, scheme = "") {
  return ["127.0.0.1", "localhost"].some((name) =>
    value === `${scheme}${name}:${port}` ||
    (port === 80 && value === scheme + name)
  );
}

/**
 * Whether `request` is addressed to the server on `port` (its Host) and came
 * from no page (a program's fetch, an address typed) or from one of that
 * server's, as its Origin and the Sec-Fetch-Site browsers add say.
 */
export function fromHere(request: Request, port: number): boolean {
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site") ?? "none";
  return ownHost(request.headers.get("host"), port) &&
    (origin === null || ownHost(origin, port, "http://")) &&
    (site === "same-origin" || site === "none");
}

/**
 * Serves `handler` quietly on 127.0.0.1 at `port` (0: any free one) to what
 * {@linkcode fromHere} lets in (the rest gets 403). The handler gets the
 * path, how many requests for it came (this one included), a signal that
 * aborts when the server closes (Deno aborts `request.signal` after every
 * response, and warns about it), and the request.
 */
export function serve(handler: Handler, port = 0) {
  const closing = new AbortController();
  const counts = new Map<string, number>();
  const quiet = { hostname: "127.0.0.1", port, onListen() {} };
  const server = Deno.serve(quiet, (request) => {
    if (!fromHere(request, server.addr.port)) {
      return new Response("Forbidden", { status: 403 });
    }
    const path = new URL(request.url).pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    return handler(path, counts.get(path)!, closing.signal, request);
  });
  /** Aborts `closing`, stops listening, and resolves once the server is gone. */
  const close = async () => {
    closing.abort();
    await server.shutdown();
    await server.finished;
  };
  return {
    url: (path: string) => `http://127.0.0.1:${server.addr.port}${path}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

type Handler = (
  ...args: [path: string, count: number, closing: AbortSignal, request: Request]
) => Response | Promise<Response>;
