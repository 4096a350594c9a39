import { assert, assertEquals } from "@std/assert";
import { exceptions } from "../lessons/05_exceptions.ts";

Deno.test("Lesson 05 shows what Promise.all and Promise.allSettled do to the other tasks", async (t) => {
  const unit = 40;
  const { timeline } = await exceptions({ unit, log: () => {} });
  const outcome = (name: string) => timeline.span(name)?.outcome;
  const end = (name: string) => timeline.span(name)!.end!;
  const took = (name: string) => end(name) - timeline.span(name)!.start;

  await t.step(
    "Promise.all: A and C ran their full time after B failed",
    () => {
      assertEquals(outcome("all B"), "rejected");
      for (const [name, seconds] of [["all A", 2], ["all C", 3]] as const) {
        assertEquals(outcome(name), "fulfilled");
        assert(took(name) >= seconds * unit - 2);
        assert(end(name) > end("all B"));
      }
      // And the lesson went on only after they ended: no task leaks out.
      assert(timeline.span("allSettled A")!.start >= end("all C"));
    },
  );

  await t.step(
    "Promise.allSettled: every task settled, as it would alone",
    () => {
      assertEquals(
        ["A", "B", "C"].map((n) => outcome(`allSettled ${n}`)),
        ["fulfilled", "rejected", "fulfilled"],
      );
      assert(took("allSettled C") >= 3 * unit - 2);
    },
  );
});
