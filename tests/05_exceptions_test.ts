import { assert, assertEquals } from "@std/assert";
import { exceptions } from "../lessons/05_exceptions.ts";
import { TaskGroup } from "../lib/task_group.ts";

const UNIT = 40;

Deno.test("Lesson 05 shows what each tool does to the other tasks", async (t) => {
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
    result = await exceptions({ unit: UNIT, log: () => {} });
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
    "Promise.all: A and C ran their full time after B failed",
    () => {
      assertEquals(span("all B").outcome, "rejected");
      for (const [name, seconds] of [["all A", 2], ["all C", 3]] as const) {
        assertEquals(span(name).outcome, "fulfilled");
        assert(span(name).took >= seconds * unit - 2);
        assert(span(name).end > span("all B").end);
      }
      // And the lesson went on only after they ended: no task leaks out.
      assert(span("allSettled A").start >= span("all C").end);
    },
  );

  await t.step(
    "Promise.allSettled: every task settled, as it would alone",
    () => {
      assertEquals(
        ["A", "B", "C"].map((n) => span(`allSettled ${n}`).outcome),
        ["fulfilled", "rejected", "fulfilled"],
      );
      assert(span("allSettled C").took >= 3 * unit - 2);
    },
  );

  await t.step(
    "AbortController: D stopped when aborted, after 1 of its 3 seconds",
    () => {
      assertEquals(span("cancel D").outcome, "rejected");
      assert(span("cancel D").took >= unit - 2);
      assert(span("cancel D").took < 2 * unit, "D ran on after the abort");
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
