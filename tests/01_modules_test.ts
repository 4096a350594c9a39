import { assert, assertEquals, assertGreaterOrEqual } from "@std/assert";
import { modules } from "../lessons/01_modules.ts";

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
  // The wait handed the signal ended at its timeout (half a unit), not
  // after its 10 units.
  const handed = timeline.span("handed the signal")!;
  assertEquals(handed.outcome, "rejected");
  assertGreaterOrEqual(handed.end! - handed.start, UNIT / 2 - 1);
  assert(handed.end! - handed.start < 5 * UNIT, "the 10-unit wait ran on");
  // The other wait ran its full unit, though the signal had fired.
  const unaware = timeline.span("not handed the signal")!;
  assertEquals(unaware.outcome, "fulfilled");
  assertGreaterOrEqual(unaware.end! - unaware.start, UNIT - 1);
  assert(unaware.end! > handed.end!);
});
