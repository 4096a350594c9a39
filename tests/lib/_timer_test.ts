import { assertEquals } from "@std/assert";
import { MAX_TIMEOUT, setLongTimeout } from "../../lib/_timer.ts";

Deno.test("setLongTimeout() waits past 2^31 ms in steps instead of firing at once", () => {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const armed: { fn: () => void; ms: number; id: number }[] = [];
  const cleared: number[] = [];
  // Record what the helper asks of setTimeout, and fire by hand.
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    armed.push({ fn, ms, id: armed.length + 1 });
    return armed.length;
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((id: number) => {
    cleared.push(id);
  }) as unknown as typeof clearTimeout;
  try {
    let fired = 0;
    const timer = setLongTimeout(() => fired++, 3e9);
    assertEquals(armed.map((a) => a.ms), [MAX_TIMEOUT]);
    armed[0]!.fn();
    assertEquals(fired, 0);
    assertEquals(armed.map((a) => a.ms), [MAX_TIMEOUT, 3e9 - MAX_TIMEOUT]);
    timer.clear();
    assertEquals(cleared, [2]);

    armed.length = 0;
    const days40 = 40 * 24 * 3600 * 1000;
    setLongTimeout(() => fired++, days40);
    armed[0]!.fn();
    armed[1]!.fn();
    assertEquals(fired, 1);
    assertEquals(armed.map((a) => a.ms), [MAX_TIMEOUT, days40 - MAX_TIMEOUT]);

    armed.length = 0;
    setLongTimeout(() => fired++, 5);
    assertEquals(armed.map((a) => a.ms), [5]);

    armed.length = 0;
    setLongTimeout(() => fired++, Infinity).clear();
    assertEquals(armed.length, 0);
  } finally {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
  }
});

Deno.test("setLongTimeout() fires a short timer and clear() stops it", async () => {
  const { promise, resolve } = Promise.withResolvers<string>();
  const stopped = setLongTimeout(() => resolve("cleared timer fired"), 1);
  stopped.clear();
  setLongTimeout(() => resolve("fired"), 2);
  assertEquals(await promise, "fired");
});
