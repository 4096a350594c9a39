// Lesson 08, and the local server it fetches from (lessons/_server.ts, which
// lesson 10 uses too; here with the counts of tests/lib/_fetch_server.ts):
// one module for both, since a test module costs ~0.08 CPU-s to start in the
// suite, whatever it holds.
import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertMatch,
  assertRejects,
} from "@std/assert";
import { command } from "../lessons/08_fetch.ts";
import type { LessonServer } from "../lessons/_server.ts";
import { startTestServer } from "./lib/_fetch_server.ts";
import { listLessons } from "../course/header.ts";
import { runCli } from "../course/lesson.ts";

const UNIT = 60;

Deno.test("Lesson 08's timeout and retry happen on the server as they say", async () => {
  await using server = startTestServer();
  const { timeline } = await command.run({
    unit: UNIT,
    log: () => {},
    server,
  });
  assertEquals(server.hits("/"), 1);
  assertEquals(server.hits(`/delay?ms=${3 * UNIT}`), 1);
  assertEquals(server.hits("/flaky?key=lesson&fail=2"), 3);

  // The timeout gave up after one unit, before the server's three: had it
  // waited for the server, whose answer is a 200, the span would have
  // fulfilled. (No upper bound on the time: that is the bench's business.)
  const timeout = timeline.span("timeout")!;
  assertEquals(timeout.outcome, "rejected");
  assertGreaterOrEqual(timeout.end! - timeout.start, UNIT - 1);

  // Two waits of half a unit between three attempts.
  const retry = timeline.span("retry")!;
  assertEquals(retry.outcome, "fulfilled");
  assertGreaterOrEqual(retry.end! - retry.start, UNIT - 1);
});

Deno.test("Lesson 08 on the command line: attempts that all time out end in one line and status 1", async () => {
  await using server = startTestServer();
  // A server whose flaky route never answers in time: every attempt of the
  // retry times out, which a tiny --unit used to turn into a stack trace.
  const hanging: LessonServer = Object.assign(Object.create(server), {
    at: (path: string) =>
      server.at(path.startsWith("/flaky") ? "/delay?ms=60000" : path),
  });
  const err: string[] = [], out: string[] = [];
  const status = await runCli(
    {
      ...command,
      run: (options) =>
        command.run({ ...options, server: hanging, log: (l) => out.push(l) }),
    },
    ["--unit", "5"],
    (await listLessons()).find((lesson) => lesson.id === "08_fetch")!,
    { out: () => {}, err: (line) => err.push(line) },
  );
  assertEquals(status, 1);
  assertEquals(err.length, 2, err.join("\n"));
  assertEquals(
    err[0],
    "Warning: --unit 5 is below 20, the smallest this lesson is written for: lines may differ from its Output.",
  );
  assertMatch(
    err[1]!,
    /^Lesson failed: TimeoutError: [^\n]+ \(--unit 5 is below 20, the smallest this lesson is written for\)$/,
  );
  // Every attempt was made: three retries, each told (a count of the
  // server's hits misses an attempt that times out before it arrives).
  const retries = out.filter((line) =>
    /^Attempt \d failed with TimeoutError/.test(line)
  );
  assertEquals(retries.length, 3, out.join("\n"));
});

Deno.test("lesson 08 prints why each attempt failed, a status or an error", async () => {
  await using server = startTestServer();
  // The lesson's flaky route answers after ten seconds here: every attempt
  // of the retry times out.
  const slow: LessonServer = Object.create(server, {
    at: {
      value: (path: string) =>
        server.at(path.startsWith("/flaky") ? "/delay?ms=10000" : path),
    },
  });
  const lines: string[] = [];
  const error = await assertRejects(
    () => command.run({ unit: 20, log: (l) => lines.push(l), server: slow }),
    DOMException,
  );
  assertEquals(error.name, "TimeoutError");
  assertEquals(lines.slice(-3), [
    "Attempt 1 failed with TimeoutError, retrying",
    "Attempt 2 failed with TimeoutError, retrying",
    "Attempt 3 failed with TimeoutError, retrying",
  ]);
});

// The lessons' server.
Deno.test("The lesson server binds 127.0.0.1 on an ephemeral port and answers its routes", async () => {
  await using server = startTestServer();
  assertEquals(server.url.hostname, "127.0.0.1");
  assert(Number(server.url.port) > 0);
  const page = await fetch(server.at("/"));
  assertEquals(page.headers.get("content-type"), "text/html; charset=utf-8");
  assert((await page.text()).includes("<h1>"));
  const missing = await fetch(server.at("/nowhere"));
  assertEquals(missing.status, 404);
  await missing.body?.cancel();
  const limited = await fetch(server.at("/limited?key=x&after=7"));
  assertEquals([limited.status, limited.headers.get("retry-after")], [
    429,
    "7",
  ]);
  await limited.body?.cancel();
  assertEquals(server.hits(), 3);
  assertEquals(server.requests, ["/", "/nowhere", "/limited?key=x&after=7"]);
});

Deno.test("The lesson server streams a file of N bytes over the time asked, with Content-Length", async () => {
  await using server = startTestServer();
  const start = performance.now();
  const response = await fetch(server.at("/file?bytes=1001&ms=200&chunks=4"));
  assertEquals(response.headers.get("content-length"), "1001");
  const sizes: number[] = [];
  for await (const chunk of response.body!) sizes.push(chunk.byteLength);
  assertEquals(sizes.reduce((a, b) => a + b, 0), 1001);
  assertGreaterOrEqual(performance.now() - start, 195);
  assertEquals(server.peak, 1);
  assertEquals(server.inFlight, 0);
});

Deno.test("The lesson server, held up past a file's end, sends the rest at once, not a chunk a turn", async () => {
  // One chunk a turn, five files of 30 chunks on a loaded machine ended in
  // the order they began, not in that of their durations (lesson 10).
  await using server = startTestServer();
  const response = await fetch(server.at("/file?bytes=3000&ms=100&chunks=30"));
  // This thread, and so the server, held up for longer than the file takes.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
  const sizes: number[] = [];
  for await (const chunk of response.body!) sizes.push(chunk.byteLength);
  assertEquals(sizes.reduce((a, b) => a + b, 0), 3000);
  assert(sizes.length <= 3, `${sizes.length} pieces`);
});

Deno.test("The lesson server shuts down at once with slow requests in flight", async () => {
  const server = startTestServer();
  const slow = fetch(server.at("/delay?ms=60000")).then(
    (r) => r.body?.cancel(),
    () => {},
  );
  const file = await fetch(server.at("/file?bytes=100&ms=60000"));
  const reading = file.bytes().catch(() => {});
  const start = performance.now();
  await server.shutdown();
  await Promise.all([slow, reading]);
  assert(performance.now() - start < 5_000);
  assertEquals(server.inFlight, 0);
});
