import { assert, assertEquals } from "@std/assert";
import { taskGroups } from "../lessons/05_task_groups.ts";
import { TaskGroup } from "../lib/task_group.ts";

// Upper bounds below are a unit or more: at 100 ms a unit, a machine busy
// with the rest of the suite stays inside them.
const UNIT = 100;

Deno.test("Lesson 05_task_groups stops the tasks each tool should stop, and only those", async (t) => {
  // How each TaskGroup.run body itself ended: the error of the body part
  // must be the body's own, not that of a task it spawned.
  const bodies: string[] = [];
  const { run } = TaskGroup;
  TaskGroup.run = <T>(
    body: (group: TaskGroup) => T | PromiseLike<T>,
    options?: Parameters<typeof run>[1],
  ): Promise<T> =>
    run(async (group) => {
      try {
        const value = await body(group);
        bodies.push("returned");
        return value;
      } catch (error) {
        bodies.push(`threw ${error}`);
        throw error;
      }
    }, options);
  let result;
  try {
    result = await taskGroups({ unit: UNIT, log: () => {} });
  } finally {
    TaskGroup.run = run;
  }
  const { timeline, unit } = result;
  const span = (name: string) => {
    const found = timeline.span(name);
    if (found?.end === undefined) throw new Error(`${name} never ended`);
    const { start, end, outcome } = found;
    return { start, end, outcome, took: end - start };
  };

  await t.step(
    "AbortController: D stopped when aborted, after 1 of its 3 seconds",
    () => {
      // Rejected: stopped before its own 3-second timer could fulfil it.
      assertEquals(span("cancel D").outcome, "rejected");
      assert(span("cancel D").took >= unit - 2);
    },
  );

  await t.step("TaskGroup: A and C were cancelled when B failed", () => {
    for (const name of ["group A", "group C"]) {
      // A task of this lesson rejects only if it fails or is cancelled.
      assertEquals(span(name).outcome, "rejected");
      // Cancelled in the same turn of the event loop as B's failure, not
      // when its own timer would have fired.
      assert(span(name).end >= span("group B").end);
      assert(span(name).end - span("group B").end < unit);
    }
  });

  await t.step(
    "TaskGroup.run: the body's error cancelled A and C after 1 second",
    () => {
      // The first body only spawned its tasks; the second threw its own error.
      assertEquals(bodies, ["returned", "threw ValueError: The body failed"]);
      for (const name of ["body A", "body C"]) {
        // Rejected, so stopped before their own 2 and 3 seconds were up, and
        // not before the body failed, after 1 second.
        assertEquals(span(name).outcome, "rejected");
        assert(span(name).took >= unit - 2);
        assert(span(name).took < 2 * unit, `${name} ran on`);
      }
      // Both at the same moment: the group cancelled them together.
      assert(Math.abs(span("body A").end - span("body C").end) < unit / 2);
      // The next part began only after both had stopped.
      assert(span("deadline E").start >= span("body C").end);
    },
  );

  await t.step("timeouts: E and F stopped after 1.5 of their 3 seconds", () => {
    for (const name of ["deadline E", "timeout F"]) {
      // Rejected (not fulfilled at 3 seconds), and not before 1.5.
      assertEquals(span(name).outcome, "rejected");
      assert(span(name).took >= 1.5 * unit - 2);
      assert(span(name).took < 2.5 * unit, `${name} ran on`);
    }
  });
});
