/**
 * @title Stopping tasks: AbortController, TaskGroup and timeouts
 * @title:es Detener tareas: AbortController, TaskGroup y tiempos de espera
 * @difficulty intermediate
 * @tags async, cancellation, AbortController, TaskGroup, AbortSignal, timeout
 * @run deno run lessons/05_task_groups.ts --timeline
 * @resource {https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static} MDN: AbortSignal.timeout()
 * @resource {https://docs.python.org/3/library/asyncio-task.html#task-groups} Python: asyncio.TaskGroup
 * @section 5 — Manejo de excepciones en asincronía
 * @guide docs/es/05-excepciones.md
 * @exercises 05b, 05c
 *
 * A promise cannot be cancelled: a task stops when the signal it was handed
 * aborts. `TaskGroup.run` aborts one when a task or its own body fails, and
 * `deadline` and `AbortSignal.timeout` give up after a timeout.
 *
 * Output:
 *
 * ```text
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
import { defineLesson, type Lesson } from "../course/lesson.ts";
import { ValueError } from "./05_exceptions.ts";

export async function taskGroups({ unit, print, timeline }: Lesson) {
  // A task waits `seconds` and may fail at the end. Handing the signal to
  // delay() is what makes it cancellable; it says so when it is cancelled.
  const task = (
    part: string,
    name: string,
    seconds: number,
    { fail = false, signal }: { fail?: boolean; signal?: AbortSignal } = {},
  ) =>
    timeline.track(`${part} ${name}`, async () => {
      await delay(seconds * unit, { signal });
      if (fail) throw new ValueError(`Task ${name} failed`);
    }).catch((error) => {
      if (signal?.aborted) print(`Task ${name} was cancelled`);
      throw error;
    });

  // asyncio's task.cancel() raises CancelledError at the await where the
  // task is suspended, with no check on its part; the task may catch it,
  // even ignore it, and one that never awaits is not interrupted. A promise
  // is only the receipt for a result: nothing can cancel it. Cancelling is
  // cooperative: the task takes an AbortController's signal and passes it
  // to what it awaits (delay, fetch); we abort. One that ignores it runs on.
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

  // TaskGroup.run is `async with asyncio.TaskGroup() as tg:`. Each task gets
  // the group's signal; B's failure aborts it, so A and C stop at once, and
  // run settles once all three have. AggregateError plays ExceptionGroup.
  print("--- TaskGroup.run, like asyncio.TaskGroup ---");
  try {
    await TaskGroup.run((group) => {
      group.spawn((signal) => task("group", "A", 2, { signal }));
      group.spawn((signal) => task("group", "B", 1, { fail: true, signal }));
      group.spawn((signal) => task("group", "C", 3, { signal }));
    });
  } catch (error) {
    const { errors } = error as AggregateError;
    print(`Caught an AggregateError: ${errors.join(", ")}`);
  }

  // An error in the body (the code inside `async with`) cancels the tasks
  // too and joins the AggregateError. `await using group = new TaskGroup()`
  // cannot: JavaScript does not tell the group that its block threw.
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
    print(`Caught an AggregateError: ${errors.join(", ")}`);
  }

  // deadline() is asyncio.wait_for, except that wait_for cancels the task
  // in time and deadline() only stops waiting: we abort E's signal ourselves.
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

  // AbortSignal.timeout() plays `async with asyncio.timeout():`, a scope
  // that cancels what the task awaits in it (CancelledError inside, then
  // TimeoutError); a signal is a value that stops only what it is handed.
  print("--- AbortSignal.timeout, like asyncio.timeout ---");
  try {
    await task("timeout", "F", 3, { signal: AbortSignal.timeout(1.5 * unit) });
  } catch (error) {
    print(`Timed out: ${(error as DOMException).name} after 1.5 seconds`);
  }
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, taskGroups, {
  // Below this, a busy machine's few-ms pause may reorder the 1-3 s timers.
  minUnit: 20,
});
