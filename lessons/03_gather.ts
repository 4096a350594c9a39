/**
 * @title Running tasks concurrently: gather and create_task
 * @title:es Tareas concurrentes: gather y create_task
 * @difficulty beginner
 * @tags async, Promise.all, concurrency
 * @run deno run lessons/03_gather.ts --timeline
 * @resource {https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Promise/all} MDN: Promise.all
 * @resource {https://docs.python.org/3/library/asyncio-task.html#asyncio.gather} Python: asyncio.gather
 * @section 3 — Funciones y estructuras asincrónicas
 * @guide docs/es/03-funciones-y-estructuras.md
 * @exercises 03a, 03b
 *
 * Three waits of 2, 1 and 3 seconds started together finish in about 3
 * seconds, not 6, and in the order their timers fire: B, A, C. `Promise.all`
 * plays the part of `asyncio.gather`; a promise kept in a variable plays the
 * part of `asyncio.create_task`, with one difference in when its body starts.
 *
 * Output:
 *
 * ```text
 * Start
 * End
 * Task B completed after 1 seconds
 * Task A completed after 2 seconds
 * Task C completed after 3 seconds
 * Task D started
 * Task D is running while main goes on
 * Task D completed after 1 seconds
 * ```
 */
import { delay } from "@std/async/delay";
import { defineLesson, type Lesson } from "../course/lesson.ts";

export async function gather({ unit, print, timeline }: Lesson) {
  // The first coroutine of the notes: print, wait two seconds, print.
  // `asyncio.run(main())` starts an event loop, runs main on it and closes
  // it. Deno's loop is always running: a plain `await main()` is all it
  // takes (at a module's top level too), and the program ends when the loop
  // has no timer, request, server, worker or child process left (a pending
  // promise does not count: nothing may ever settle it).
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

  // asyncio.create_task(coro) schedules the coroutine: its body starts once
  // main yields to the loop with an `await` that really suspends (awaiting a
  // coroutine that never suspends yields nothing), so in Python "Task D is
  // running…" prints before "Task D started". Calling an async function
  // schedules nothing: it runs the body at once up to its first `await`
  // (lesson 2), so here "Task D started" comes first. Python can start the
  // body inside create_task too, like this call: with
  // loop.set_task_factory(asyncio.eager_task_factory) (3.12+), or with
  // create_task(coro, eager_start=True) (3.14). After that both run the
  // same way: D waits while main goes on, and `await` collects it.
  async function createdTask() {
    print("Task D started");
    await timeline.track("D", () => delay(unit));
    print("Task D completed after 1 seconds");
  }
  const background = createdTask();
  print("Task D is running while main goes on");
  await background;
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, gather, {
  // Below this, a busy machine's few-ms pause may swap timers a unit apart.
  minUnit: 20,
});
