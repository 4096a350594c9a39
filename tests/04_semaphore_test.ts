import { assert, assertEquals } from "@std/assert";
import { semaphore } from "../lessons/04_semaphore.ts";

Deno.test("Lesson 04 semaphore: five tasks, never more than two at once", async () => {
  const unit = 25;
  const started = performance.now();
  const { lines, timeline } = await semaphore({ unit, log: () => {} });
  const elapsed = performance.now() - started;

  assertEquals(lines.filter((l) => l === "Task started").length, 5);
  assertEquals(lines.filter((l) => l === "Task finished").length, 5);
  assertEquals(lines.length, 10);
  // Two start before the first finishes, and the last line is a finish.
  assertEquals(lines.slice(0, 3), [
    "Task started",
    "Task started",
    "Task finished",
  ]);
  assertEquals(lines.at(-1), "Task finished");
  // At no point in the printed lines are more than two tasks running.
  let running = 0;
  for (const line of lines) {
    running += line === "Task started" ? 1 : -1;
    assert(running >= 0 && running <= 2, `running = ${running}`);
  }

  assertEquals(timeline.maxConcurrency(), 2);
  assertEquals(timeline.completionOrder(), [
    "task 1",
    "task 2",
    "task 3",
    "task 4",
    "task 5",
  ]);
  // Three rounds of two seconds: at least 6 units, and nowhere near 10.
  assert(elapsed >= 6 * unit - 2, `elapsed ${elapsed}`);
  assert(elapsed < 6 * unit + 2000, `elapsed ${elapsed}`);
});
