import { assert, assertEquals, assertGreaterOrEqual } from "@std/assert";
import { modules } from "../lessons/01_modules.ts";
import { Event } from "../lib/event.ts";

const UNIT = 40;

Deno.test("Lesson 01 computes the sum on a Worker, and ends the Worker", async () => {
  // Count the Workers the lesson starts and ends.
  const RealWorker = globalThis.Worker;
  const counts = { started: 0, terminated: 0 };
  globalThis.Worker = class extends RealWorker {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      counts.started++;
    }
    override terminate() {
      counts.terminated++;
      super.terminate();
    }
  };
  try {
    const { lines } = await modules({ unit: UNIT, log: () => {} });
    assert(lines.includes(
      "concurrent.futures → Worker: 1 + 2 + … + 1,000,000 = 500000500000",
    ));
  } finally {
    globalThis.Worker = RealWorker;
  }
  assertEquals(counts, { started: 1, terminated: 1 });
});

Deno.test("Lesson 01's signal stops only the wait it was handed", async () => {
  const { timeline } = await modules({ unit: UNIT, log: () => {} });
  const timer = timeline.span("event loop")!;
  assertGreaterOrEqual(timer.end! - timer.start, UNIT / 2 - 1);
  // The wait handed the signal ended at its timeout (half a unit after the
  // signal was made, which a busy machine may make long before the wait
  // starts), not after its 10 units.
  const handed = timeline.span("handed the signal")!;
  assertEquals(handed.outcome, "rejected");
  assert(handed.end! - handed.start < 5 * UNIT, "the 10-unit wait ran on");
  // The other wait ran its full unit, though the signal had fired while it
  // ran: it started beside the handed wait, not after it.
  const unaware = timeline.span("not handed the signal")!;
  assertEquals(unaware.outcome, "fulfilled");
  assert(
    unaware.start <= handed.start,
    "the unaware wait started after the handed one",
  );
  assertGreaterOrEqual(unaware.end! - unaware.start, UNIT - 1);
  assert(unaware.end! > handed.end!);
});

Deno.test("Lesson 01's Event wakes the waiting task only after the other task set it", async () => {
  // Record each set() among the lesson's Event lines.
  const seen: string[] = [];
  const { set } = Event.prototype;
  Event.prototype.set = function (this: Event) {
    seen.push("set()");
    set.call(this);
  };
  let timeline;
  try {
    ({ timeline } = await modules({
      unit: UNIT,
      log: (line) => line.includes("→ Event") && seen.push(line),
    }));
  } finally {
    Event.prototype.set = set;
  }
  // The setter's line, then set(), then (and only then) the waiter's line.
  assertEquals(seen, [
    "asyncio → Event: one task set the event after 0.5 seconds",
    "set()",
    "asyncio → Event: the task waiting for it went on",
  ]);
  // On the timeline: the waiter was waiting before the setter's half unit
  // began, and ended only once the setter had ended.
  const waits = timeline.span("waits for the event")!;
  const sets = timeline.span("sets the event")!;
  assert(waits.start <= sets.start, "the waiter started after the setter");
  assertGreaterOrEqual(sets.end! - sets.start, UNIT / 2 - 1);
  assertGreaterOrEqual(waits.end!, sets.end!);
});
