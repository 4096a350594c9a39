import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import {
  concurrencyVsParallelism,
  countPrimes,
} from "../lessons/09_concurrency_vs_parallelism.ts";

Deno.test("lesson 09: countPrimes() counts primes in a range", () => {
  assertEquals(countPrimes(0, 10), 4);
  assertEquals(countPrimes(10, 100), 21);
  assertEquals(countPrimes(0, 2), 0);
});

Deno.test("lesson 09: waits overlap on one thread; CPU work spreads over workers", async () => {
  const unit = 50;
  const { lines, timeline, speedup, cores } = await concurrencyVsParallelism({
    unit,
    limit: 100_000,
    log: () => {},
  });
  assertEquals(lines.length, 4);
  assertMatch(
    lines[0]!,
    /^I\/O-bound: 10 waits of 0\.2 to 2 seconds took \d+\.\d\d seconds on one thread$/,
  );
  assertEquals(
    lines[1]!.replace(/in [\d.]+ seconds/, "in T seconds"),
    "CPU-bound on the main thread: 9592 primes below 100000 in T seconds",
  );
  assertEquals(
    lines[2]!.replace(/in [\d.]+ seconds/, "in T seconds"),
    `CPU-bound on ${cores} workers: 9592 primes below 100000 in T seconds`,
  );
  assertEquals(lines[3], `Speedup: ${speedup.toFixed(2)}x on ${cores} cores`);
  assertEquals(cores, navigator.hardwareConcurrency);
  assert(speedup > 0);

  // The ten waits ran at once: they finish in the order of their lengths,
  // all ten overlap, and the whole lasts about the longest (2 units).
  assertEquals(
    timeline.completionOrder().slice(0, 10),
    Array.from({ length: 10 }, (_, i) => `wait ${i + 1}`),
  );
  const waits = Array.from(
    { length: 10 },
    (_, i) => timeline.span(`wait ${i + 1}`)!,
  );
  const first = Math.min(...waits.map((s) => s.start));
  const last = Math.max(...waits.map((s) => s.end!));
  assertEquals(timeline.maxConcurrency(), 10);
  assert(last - first >= 2 * unit - 1);
  assert(last - first < 6 * unit, `waits took ${last - first} ms`);
});

Deno.test("lesson 09: rejects a bad limit", async () => {
  await assertRejects(
    () => concurrencyVsParallelism({ limit: 1, log: () => {} }),
    RangeError,
    "Cannot run lesson as 'limit' must be an integer of at least 2: current value is 1",
  );
});
