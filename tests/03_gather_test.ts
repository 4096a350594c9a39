// What lesson 3's Output block cannot say (tests/lessons_output_test.ts
// checks its lines): when each task ran.
import { assertEquals, assertGreaterOrEqual, assertLess } from "@std/assert";
import { gather } from "../lessons/03_gather.ts";

const UNIT = 40;

Deno.test("Lesson 03: gather takes about the longest task, and the created task runs while main goes on", async () => {
  const { lines, timeline } = await gather({ unit: UNIT, log: () => {} });
  const [a, b, c] = ["A", "B", "C"].map((name) => timeline.span(name)!);
  assertEquals(
    timeline.completionOrder().filter((name) => "ABC".includes(name)),
    ["B", "A", "C"],
  );
  // All three start together, before the first of them ends...
  assertLess(Math.max(a!.start, b!.start, c!.start), b!.end!);
  // ...so the gather lasts at least 3 units and well under the 6 of a sequence.
  const total = c!.end! - Math.min(a!.start, b!.start);
  assertGreaterOrEqual(total, 3 * UNIT - 1);
  assertLess(total, 5 * UNIT);
  // main waited its 2 units before the gather began.
  const main = timeline.span("main")!;
  assertGreaterOrEqual(main.end! - main.start, 2 * UNIT - 1);
  assertGreaterOrEqual(a!.start, main.end!);
  // The call ran D's body up to its first await before main printed its
  // line (Python's create_task would print main's line first), and D
  // completed only after main's line: main did not wait for it.
  assertEquals(lines.slice(5, 7), [
    "Task D started",
    "Task D is running while main goes on",
  ]);
  const d = timeline.span("D")!;
  assertGreaterOrEqual(d.start, c!.end!);
  assertGreaterOrEqual(d.end! - d.start, UNIT - 1);
});
