import { assert, assertEquals } from "@std/assert";
import { bestPractices } from "../lessons/07_best_practices.ts";

Deno.test("Lesson 07 best practices: blocking, bounding and unhandled rejections", async () => {
  const unit = 300;
  const result = await bestPractices({ unit, log: () => {} });
  const { lines, lag, peak, unhandled, timeline } = result;

  // A busy loop of 1 unit stalls the heartbeat by about that long; awaiting
  // the same time does not (a generous bound: the machine may be loaded).
  assert(lag.blocking >= 0.9 * unit, `blocking lag ${lag.blocking}`);
  assert(lag.awaiting < 0.5 * unit, `awaiting lag ${lag.awaiting}`);
  assert(lag.awaiting < lag.blocking / 2);

  assertEquals(peak, { unbounded: 10, semaphore: 3, pooledMap: 3 });
  assertEquals(timeline.spans().length, 32);
  assert(
    timeline.span("blocking")!.end! - timeline.span("blocking")!.start >=
      unit - 1,
  );

  assertEquals(unhandled, "An error occurred!");
  assertEquals(lines.length, 8);
  assertEquals(
    lines[0]!.startsWith("Blocking for 1 s: the heartbeat stalled for"),
    true,
  );
  assertEquals(lines[2]!.startsWith("Unbounded: 10 in flight at most"), true);
  assertEquals(lines[3]!.startsWith("Semaphore(3): 3 in flight at most"), true);
  assertEquals(lines[4]!.startsWith("pooledMap(3): 3 in flight at most"), true);
  assertEquals(lines.slice(5), [
    "Caught an exception: An error occurred!",
    "Unhandled rejection seen by the listener: An error occurred!",
    "Without the listener's preventDefault(), Deno would exit with code 1",
  ]);
});
