import { assert, assertEquals, assertRejects } from "@std/assert";
import { lock } from "../lessons/04_lock.ts";

Deno.test("Lesson 04 lock: one holder at a time, and no lost updates", async (t) => {
  await t.step("default run", async () => {
    const unit = 20;
    const result = await lock({ unit, log: () => {} });
    assertEquals(result.lines, [
      "Resource in use",
      "Resource in use",
      "Resource in use",
      "Without a lock: 10 increments, counter = 1",
      "With a lock: 10 increments, counter = 10",
    ]);
    assertEquals([result.unlocked, result.locked], [1, 10]);
    // The three holders of the critical section never overlap, in FIFO order.
    assertEquals(result.timeline.maxConcurrency(), 1);
    assertEquals(result.timeline.completionOrder(), ["A", "B", "C"]);
    const spans = ["A", "B", "C"].map((n) => result.timeline.span(n)!);
    assert(spans[1]!.start >= spans[0]!.end!);
    assert(spans[2]!.start >= spans[1]!.end!);
  });

  await t.step(
    "with 50 tasks, 49 updates are lost without the lock",
    async () => {
      const result = await lock({ unit: 5, tasks: 50, log: () => {} });
      assertEquals([result.unlocked, result.locked], [1, 50]);
    },
  );

  await t.step("a bad task count is a RangeError", async () => {
    await assertRejects(
      () => lock({ tasks: 0, log: () => {} }),
      RangeError,
      "Cannot run lesson as 'tasks' must be a positive integer: current value is 0",
    );
  });
});
