import { assert, assertEquals, assertGreaterOrEqual } from "@std/assert";
import { startServer } from "../lessons/_server.ts";

Deno.test("The lesson server binds 127.0.0.1 on an ephemeral port and answers its routes", async () => {
  await using server = startServer();
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
  await using server = startServer();
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

Deno.test("The lesson server shuts down at once with slow requests in flight", async () => {
  const server = startServer();
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
