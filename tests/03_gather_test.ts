import { assertEquals, assertGreaterOrEqual, assertLess } from "@std/assert";
import { gather } from "../lessons/03_gather.ts";

const UNIT = 40;

Deno.test("Lesson 03 prints the notes' lines in completion order B, A, C", async () => {
  const logged: string[] = [];
  const { lines, timeline } = await gather({
    unit: UNIT,
    log: (l) => logged.push(l),
  });
  assertEquals(lines, [
    "Start",
    "End",
    "Task B completed after 1 seconds",
    "Task A completed after 2 seconds",
    "Task C completed after 3 seconds",
    "Task D is running while main goes on",
    "Task D completed after 1 seconds",
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
  assertEquals(timeline.maxConcurrency(), 3);
  // ...so the gather lasts at least 3 units and well under the 6 of a sequence.
  const total = c!.end! - Math.min(a!.start, b!.start);
  assertGreaterOrEqual(total, 3 * UNIT - 1);
  assertLess(total, 5 * UNIT);
  // main waited its 2 units before the gather began.
  const main = timeline.span("main")!;
  assertGreaterOrEqual(main.end! - main.start, 2 * UNIT - 1);
  assertGreaterOrEqual(a!.start, main.end!);
});

Deno.test("Lesson 03's created task runs while main goes on", async () => {
  const { lines, timeline } = await gather({ unit: UNIT, log: () => {} });
  const d = timeline.span("D")!;
  // D started before main printed the line in between, and ended after it.
  assertEquals(lines.indexOf("Task D is running while main goes on"), 5);
  assertGreaterOrEqual(d.end! - d.start, UNIT - 1);
});
