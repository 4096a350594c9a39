/**
 * The servers the fetch tests run against, each its own and shut down after
 * the test, so that the counts it reports belong to that test; and a few
 * small helpers they share.
 *
 * @module
 */
import { assertEquals } from "@std/assert";
import { deadline as untypedDeadline } from "@std/async/deadline";
import { type LessonServer, startServer } from "../../lessons/_server.ts";

/** Runs `fn` against a lesson server of its own. */
export async function withServer(
  fn: (server: LessonServer) => Promise<void>,
): Promise<void> {
  await using server = startServer();
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
