import { assertEquals, assertGreaterOrEqual } from "@std/assert";
import { fetchLesson } from "../lessons/08_fetch.ts";
import { startServer } from "../lessons/_server.ts";

const UNIT = 60;

Deno.test("Lesson 08 prints the page, then a timeout, then a retry that succeeds", async () => {
  const logged: string[] = [];
  const { lines } = await fetchLesson({
    unit: UNIT,
    log: (l) => logged.push(l),
  });
  assertEquals(lines, [
    "<!doctype html>",
    '<html lang="es">',
    "<head><title>Asincronía</title></head>",
    "<body><h1>Hola desde el servidor local</h1></body>",
    "</html>",
    "Gave up after 1 second: TimeoutError",
    "Attempt 1 failed with 503, retrying",
    "Attempt 2 failed with 503, retrying",
    "Attempt 3 answered 200: success after 2 failures",
  ]);
  assertEquals(logged, lines);
});

Deno.test("Lesson 08's timeout and retry happen on the server as they say", async () => {
  await using server = startServer();
  const { timeline } = await fetchLesson({
    unit: UNIT,
    log: () => {},
    server,
  });
  assertEquals(server.hits("/"), 1);
  assertEquals(server.hits(`/delay?ms=${3 * UNIT}`), 1);
  assertEquals(server.hits("/flaky?key=lesson&fail=2"), 3);
  assertEquals(timeline.completionOrder(), ["fetch_url", "timeout", "retry"]);

  // The timeout gave up after one unit. Its timer is due before the
  // server's three-unit one, so it always wins.
  const timeout = timeline.span("timeout")!;
  assertEquals(timeout.outcome, "rejected");
  assertGreaterOrEqual(timeout.end! - timeout.start, UNIT - 1);

  // Two waits of half a unit between three attempts.
  const retry = timeline.span("retry")!;
  assertEquals(retry.outcome, "fulfilled");
  assertGreaterOrEqual(retry.end! - retry.start, UNIT - 1);
});
