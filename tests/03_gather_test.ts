import { assertEquals, assertGreaterOrEqual, assertLess } from "@std/assert";
import { gather } from "../lessons/03_gather.ts";

const UNIT = 40;

Deno.test("Lesson 03 prints the notes' lines in completion order B, A, C", async () => {
  const logged: string[] = [];
  const { lines, timeline } = await gather({
    unit: UNIT,
    log: (l) => logged.push(l),
  });
  assertEquals(lines.slice(0, 5), [
    "Start",
    "End",
    "Task B completed after 1 seconds",
    "Task A completed after 2 seconds",
    "Task C completed after 3 seconds",
  ]);
  assertEquals(logged, lines);
  assertEquals(
    timeline.completionOrder().filter((name) => "ABC".includes(name)),
    ["B", "A", "C"],
  );
});

Deno.test("Lesson 03's gather takes about the longest task, not the sum", async () => {
  const { timeline } = await gather({ unit: UNIT, log: () => {} });
  const [a, b, c] = ["A", "B", "C"].map((name) => timeline.span(name)!);
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
});

Deno.test("Lesson 03's created task starts at the call and runs while main goes on", async () => {
  const { lines, timeline } = await gather({ unit: UNIT, log: () => {} });
  // The call ran D's body up to its first await before main printed its
  // line (Python's create_task would print main's line first), and D
  // completed only after main's line: main did not wait for it.
  assertEquals(lines.slice(5), [
    "Task D started",
    "Task D is running while main goes on",
    "Task D completed after 1 seconds",
  ]);
  const d = timeline.span("D")!;
  assertGreaterOrEqual(d.end! - d.start, UNIT - 1);
});
