/**
 * @title Errors in async code: try/catch, Promise.all and Promise.allSettled
 * @title:es Errores en código asíncrono: try/catch, Promise.all y Promise.allSettled
 * @difficulty intermediate
 * @tags async, errors, Promise.all, Promise.allSettled
 * @run deno run lessons/05_exceptions.ts --timeline
 * @resource {https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/allSettled} MDN: Promise.allSettled
 * @resource {https://docs.python.org/3/library/asyncio-task.html#asyncio.gather} Python: asyncio.gather
 * @section 5 — Manejo de excepciones en asincronía
 * @guide docs/es/05-excepciones.md
 * @exercises 05a
 *
 * An awaited rejection is caught with try/catch, as an awaited exception is in
 * Python. With many tasks it gets harder: `Promise.all` rejects at the first
 * failure while the others run on, `Promise.allSettled` collects every
 * outcome. How to stop the others is the next lesson, 05_task_groups.ts.
 *
 * Output:
 *
 * ```text
 * Caught an exception: An error occurred!
 * --- Promise.all, like asyncio.gather ---
 * Caught an exception: Task B failed
 * Task A completed after 2 seconds
 * Task C completed after 3 seconds
 * --- Promise.allSettled, like gather(return_exceptions=True) ---
 * Task A completed after 2 seconds
 * Task C completed after 3 seconds
 * Results: A, ValueError: Task B failed, C
 * ```
 */
import { delay } from "@std/async/delay";
import { defineLesson, type Lesson } from "../course/lesson.ts";

// Python has ValueError built in; JavaScript does not (its nearest are
// TypeError and RangeError), so we make one to keep the notes' name.
export class ValueError extends Error {
  override name = "ValueError";
}

export async function exceptions({ unit, print, timeline }: Lesson) {
  // The notes' faulty task. (The notes spell the message "ocurred"; fixed.)
  // It awaits nothing, but `async` matters: the throw becomes a rejected
  // promise, which `await` turns back into an exception below.
  // deno-lint-ignore require-await
  async function faultyTask(): Promise<void> {
    throw new ValueError("An error occurred!");
  }

  // `except ValueError as e` catches one class only. `catch` catches
  // everything, so we check the class ourselves and rethrow the rest.
  try {
    await faultyTask();
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    print(`Caught an exception: ${error.message}`);
  }

  // From here on, three tasks at a time: A takes 2 seconds, B fails after 1,
  // C takes 3. A task says when it completes.
  async function task(
    part: string,
    name: string,
    seconds: number,
    fail = false,
  ) {
    await timeline.track(`${part} ${name}`, async () => {
      await delay(seconds * unit);
      if (fail) throw new ValueError(`Task ${name} failed`);
    });
    print(`Task ${name} completed after ${seconds} seconds`);
    return name;
  }

  // Promise.all, like asyncio.gather, rejects with the first failure at once.
  // Like gather, it cancels nothing: A and C run on, and print after the
  // error has been caught. One difference: gather wraps each coroutine in a
  // Task, so cancelling the gather itself cancels every child still
  // running; Promise.all holds only promises, and has nothing to cancel.
  print("--- Promise.all, like asyncio.gather ---");
  const started = [
    task("all", "A", 2),
    task("all", "B", 1, true),
    task("all", "C", 3),
  ];
  try {
    await Promise.all(started);
  } catch (error) {
    print(`Caught an exception: ${(error as Error).message}`);
  }
  // Nobody waits for A and C any more. We do, or they would print after
  // the next part began (and a test would find their timers still running).
  await Promise.allSettled(started);

  // gather(..., return_exceptions=True) returns errors among the results;
  // Promise.allSettled returns {status, value} or {status, reason} for each.
  print("--- Promise.allSettled, like gather(return_exceptions=True) ---");
  const results = await Promise.allSettled([
    task("allSettled", "A", 2),
    task("allSettled", "B", 1, true),
    task("allSettled", "C", 3),
  ]);
  const shown = results.map((result) =>
    result.status === "fulfilled" ? result.value : String(result.reason)
  );
  print(`Results: ${shown.join(", ")}`);
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, exceptions, {
  // Below this, a busy machine's few-ms pause may reorder the 1-3 s timers.
  minUnit: 20,
});
