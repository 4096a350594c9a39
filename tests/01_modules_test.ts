import { assertEquals, assertGreaterOrEqual } from "@std/assert";
import { modules } from "../lessons/01_modules.ts";

const UNIT = 40;

Deno.test("Lesson 01 runs each counterpart for real, in order", async () => {
  const { lines, timeline } = await modules({ unit: UNIT, log: () => {} });
  assertEquals(lines, [
    "asyncio → event loop: a timer fired after 0.5 seconds",
    "concurrent.futures → Worker: 1 + 2 + … + 1,000,000 = 500000500000",
    'aiohttp → fetch: 200 "¡hola!"',
    "trio → AbortSignal: the 10-second wait was cancelled (TimeoutError)",
  ]);
  assertEquals(timeline.completionOrder(), [
    "event loop",
    "worker",
    "fetch",
    "cancel",
  ]);
  assertEquals(timeline.maxConcurrency(), 1);
});

Deno.test("Lesson 01's cancelled wait ends at the signal's timeout, not after 10 units", async () => {
  const { timeline } = await modules({ unit: UNIT, log: () => {} });
  const cancel = timeline.span("cancel")!;
  const timer = timeline.span("event loop")!;
  assertGreaterOrEqual(timer.end! - timer.start, UNIT / 2 - 1);
  assertGreaterOrEqual(cancel.end! - cancel.start, UNIT / 2 - 1);
  assertEquals(cancel.end! - cancel.start < 5 * UNIT, true);
});
