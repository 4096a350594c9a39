/**
 * @title Running tasks concurrently: gather and create_task
 * @difficulty beginner
 * @tags async, Promise.all, concurrency
 * @run deno run lessons/03_gather.ts --timeline
 * @resource {https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/all} MDN: Promise.all
 * @resource {https://docs.python.org/3/library/asyncio-task.html#asyncio.gather} Python: asyncio.gather
 * @section 3 — Funciones y Estructuras Asincronicas
 *
 * Three waits of 2, 1 and 3 seconds started together finish in about 3
 * seconds, not 6, and in the order their timers fire: B, A, C. `Promise.all`
 * plays the part of `asyncio.gather`; a promise kept in a variable plays the
 * part of `asyncio.create_task`.
 */
import { delay } from "@std/async/delay";
import {
  begin,
  cli,
  type LessonOptions,
  type LessonResult,
} from "./_lesson.ts";

export async function gather(
  options: LessonOptions = {},
): Promise<LessonResult> {
  const lesson = begin(options);
  const { unit, print, timeline } = lesson;

  // The first coroutine of the notes: print, wait two seconds, print. There is
  // no asyncio.run() in Deno: a module may `await` at its top level, and the
  // event loop runs until no timer, request or promise callback is left.
  async function main() {
    print("Start");
    await delay(2 * unit);
    print("End");
  }
  await timeline.track("main", main);

  // A task waits `seconds`, then says so.
  async function task(name: string, seconds: number) {
    await timeline.track(name, () => delay(seconds * unit));
    print(`Task ${name} completed after ${seconds} seconds`);
  }

  // asyncio.gather(...) becomes Promise.all([...]). Calling task() already
  // starts it, so all three timers run at once: the whole takes 3 seconds.
  await Promise.all([task("A", 2), task("B", 1), task("C", 3)]);

  // asyncio.create_task() starts a coroutine now and lets us await it later.
  // An async function call does exactly that: the promise is the task.
  const background = task("D", 1);
  print("Task D is running while main goes on");
  await background;

  return lesson;
}

if (import.meta.main) {
  await cli(
    import.meta,
    "Lesson 3: gather and create_task with Promise.all.",
    gather,
  );
}
