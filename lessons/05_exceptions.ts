/**
 * @title Errors in async code: try/catch, Promise.all, TaskGroup and timeouts
 * @title:es Errores en código asíncrono: try/catch, Promise.all, TaskGroup y tiempos de espera
 * @difficulty intermediate
 * @tags async, errors, Promise.all, Promise.allSettled, TaskGroup, AbortSignal, timeout
 * @run deno run lessons/05_exceptions.ts --timeline
 * @resource {https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/allSettled} MDN: Promise.allSettled
 * @resource {https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static} MDN: AbortSignal.timeout()
 * @resource {https://docs.python.org/3/library/asyncio-task.html#task-groups} Python: asyncio.TaskGroup
 * @section 5 — Manejo de excepciones en asincronía
 * @guide docs/es/05-excepciones.md
 * @exercises 05a, 05b, 05c
 *
 * An awaited rejection is caught with try/catch, as an awaited exception is in
 * Python. With many tasks it gets harder: `Promise.all` rejects at the first
 * failure while the others run on, `Promise.allSettled` collects every
 * outcome. A promise cannot be cancelled, so cancelling is done with an
 * `AbortController` whose signal the task checks, and `TaskGroup.run` uses
 * one to cancel the tasks when one of them, or its own body, fails. Last,
 * two ways to give up after a timeout: `deadline` and `AbortSignal.timeout`.
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
 * --- AbortController, like task.cancel() ---
 * Task D was cancelled
 * Caught an exception: AbortError
 * --- TaskGroup.run, like asyncio.TaskGroup ---
 * Task A was cancelled
 * Task C was cancelled
 * Caught an AggregateError: ValueError: Task B failed
 * --- An error in the body cancels the tasks too ---
 * Task A was cancelled
 * Task C was cancelled
 * Caught an AggregateError: ValueError: The body failed
 * --- deadline, like asyncio.wait_for ---
 * Timed out: TimeoutError after 1.5 seconds
 * Task E was cancelled
 * --- AbortSignal.timeout, like asyncio.timeout ---
 * Task F was cancelled
 * Timed out: TimeoutError after 1.5 seconds
 * ```
 */
import { deadline } from "@std/async/deadline";
import { delay } from "@std/async/delay";
import { TaskGroup } from "../lib/task_group.ts";
import {
  begin,
  defineLesson,
  type LessonOptions,
  type LessonResult,
} from "../course/lesson.ts";

// Python has ValueError built in; JavaScript does not (its nearest are
// TypeError and RangeError), so we make one to keep the notes' name.
class ValueError extends Error {
  override name = "ValueError";
}

export async function exceptions(
  options: LessonOptions = {},
): Promise<LessonResult> {
  const lesson = begin(options);
  const { unit, print, timeline } = lesson;

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
  // C takes 3. A task says when it completes or is cancelled.
  async function task(
    part: string,
    name: string,
    seconds: number,
    { fail = false, signal }: { fail?: boolean; signal?: AbortSignal } = {},
  ): Promise<string> {
    try {
      await timeline.track(`${part} ${name}`, async () => {
        // Passing the signal to delay() is what makes the task cancellable.
        await delay(seconds * unit, { signal });
        if (fail) throw new ValueError(`Task ${name} failed`);
      });
    } catch (error) {
      if (signal?.aborted && error === signal.reason) {
        print(`Task ${name} was cancelled`);
      }
      throw error;
    }
    print(`Task ${name} completed after ${seconds} seconds`);
    return name;
  }

  // Promise.all, like asyncio.gather, rejects with the first failure at once.
  // Like gather, it cancels nothing: A and C run on, and print after the
  // error has been caught.
  print("--- Promise.all, like asyncio.gather ---");
  const started = [
    task("all", "A", 2),
    task("all", "B", 1, { fail: true }),
    task("all", "C", 3),
  ];
  try {
    await Promise.all(started);
  } catch (error) {
    print(`Caught an exception: ${(error as Error).message}`);
  }
  // Nobody waits for A and C any more. We do, or their lines would land in
  // the next part (and a test would find their timers still running).
  await Promise.allSettled(started);

  // gather(..., return_exceptions=True) returns errors among the results;
  // Promise.allSettled returns {status, value} or {status, reason} for each.
  print("--- Promise.allSettled, like gather(return_exceptions=True) ---");
  const results = await Promise.allSettled([
    task("allSettled", "A", 2),
    task("allSettled", "B", 1, { fail: true }),
    task("allSettled", "C", 3),
  ]);
  const shown = results.map((result) =>
    result.status === "fulfilled" ? result.value : String(result.reason)
  );
  print(`Results: ${shown.join(", ")}`);

  // asyncio's task.cancel() raises CancelledError inside the task at its
  // next await, whatever the task does. A JavaScript promise cannot be
  // cancelled: it is only the receipt for a result, with no hold on the code
  // that will settle it, and there is no task.cancel(). Cancelling is
  // cooperative: keep an AbortController, hand its signal to the task, which
  // passes it to what it awaits (delay, fetch), and abort. A task that
  // ignores its signal runs on.
  print("--- AbortController, like task.cancel() ---");
  const controller = new AbortController();
  const cancellable = task("cancel", "D", 3, { signal: controller.signal });
  await delay(1 * unit);
  controller.abort();
  try {
    await cancellable;
  } catch (error) {
    print(`Caught an exception: ${(error as DOMException).name}`);
  }

  // TaskGroup.run is `async with asyncio.TaskGroup() as tg:`. It hands the
  // body a group, and the group hands each task a signal; B's failure aborts
  // it, A and C stop at once, and run settles when all three have.
  // AggregateError plays the part of ExceptionGroup.
  print("--- TaskGroup.run, like asyncio.TaskGroup ---");
  try {
    await TaskGroup.run((group) => {
      group.spawn((signal) => task("group", "A", 2, { signal }));
      group.spawn((signal) => task("group", "B", 1, { fail: true, signal }));
      group.spawn((signal) => task("group", "C", 3, { signal }));
    });
  } catch (error) {
    const { errors } = error as AggregateError;
    print(`Caught an AggregateError: ${errors.map(String).join(", ")}`);
  }

  // An error in the body (the code inside `async with`) cancels the tasks
  // too, and joins the AggregateError. `await using group = new TaskGroup()`
  // cannot do that: JavaScript does not tell the group that its block threw,
  // so A and C would run to their end.
  print("--- An error in the body cancels the tasks too ---");
  try {
    await TaskGroup.run(async (group) => {
      group.spawn((signal) => task("body", "A", 2, { signal }));
      group.spawn((signal) => task("body", "C", 3, { signal }));
      await delay(1 * unit, { signal: group.signal });
      throw new ValueError("The body failed");
    });
  } catch (error) {
    const { errors } = error as AggregateError;
    print(`Caught an AggregateError: ${errors.map(String).join(", ")}`);
  }

  // deadline() is asyncio.wait_for with one difference: wait_for cancels
  // the task when time runs out, deadline() only stops waiting for it. To
  // really stop E we give it a signal and abort it ourselves.
  print("--- deadline, like asyncio.wait_for ---");
  const stopE = new AbortController();
  const slow = task("deadline", "E", 3, { signal: stopE.signal });
  try {
    await deadline(slow, 1.5 * unit);
  } catch (error) {
    print(`Timed out: ${(error as DOMException).name} after 1.5 seconds`);
    stopE.abort(error);
  }
  await slow.catch(() => {});

  // AbortSignal.timeout() is `async with asyncio.timeout(1.5):` — the signal
  // aborts by itself, and the work that listens to it stops.
  print("--- AbortSignal.timeout, like asyncio.timeout ---");
  try {
    await task("timeout", "F", 3, { signal: AbortSignal.timeout(1.5 * unit) });
  } catch (error) {
    print(`Timed out: ${(error as DOMException).name} after 1.5 seconds`);
  }

  return lesson;
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, exceptions, {
  // Below this, the 1, 1.5, 2 and 3-second timers may fire out of order.
  minUnit: 5,
});
