import { assert, assertEquals } from "@std/assert";
import { semaphore } from "../lessons/04_semaphore.ts";

Deno.test("Lesson 04 semaphore: five tasks, never more than two at once", async () => {
  const unit = 25;
  const started = performance.now();
  const { lines, timeline } = await semaphore({ unit, log: () => {} });
  const elapsed = performance.now() - started;

  // The order of the lines is the Output block's (tests/lessons_output_test.ts):
  // the task handed a freed permit starts before the other task of its
  // round finishes.
  // On the timeline too: task 3 started before task 2 ended.
  assert(
    timeline.span("task 3")!.start <= timeline.span("task 2")!.end!,
    "task 3 started only after task 2 ended",
  );
  // At no point in the printed lines are more than two tasks running, and
  // two do run at once.
  let running = 0;
  let most = 0;
  for (const line of lines) {
    running += line === "Task started" ? 1 : -1;
    most = Math.max(most, running);
    assert(running >= 0 && running <= 2, `running = ${running}`);
  }
  assertEquals(most, 2);
  assertEquals(timeline.maxConcurrency(), 2);
  // First come, first served.
  assertEquals(timeline.completionOrder(), [
    "task 1",
    "task 2",
    "task 3",
    "task 4",
    "task 5",
  ]);
  // Three rounds of two seconds: at least 6 units (two at a time, not
  // five), and nowhere near the 10 of one at a time.
  assert(elapsed >= 6 * unit - 2, `elapsed ${elapsed}`);
  assert(elapsed < 6 * unit + 2000, `elapsed ${elapsed}`);
});
