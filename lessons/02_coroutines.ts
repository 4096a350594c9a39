/**
 * @title Async functions are not coroutines: they start at once
 * @title:es Las funciones async no son corrutinas: empiezan en el acto
 * @difficulty beginner
 * @tags async, await, promise, event loop
 * @run deno run lessons/02_coroutines.ts
 * @resource {https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Statements/async_function} MDN: async function
 * @resource {https://docs.python.org/3/library/asyncio-task.html#coroutines} Python: coroutines
 * @section 2 — Conceptos clave
 * @guide docs/es/02-conceptos-clave.md
 * @exercises 02a
 *
 * `async function` is the counterpart of `async def`, and `await` is written
 * the same way (what it hands the event loop differs: lesson 7). One
 * difference trips Python programmers: calling an async function runs its
 * body straight away, up to its first `await`.
 *
 * Output:
 *
 * ```text
 * Hello!
 * Goodbye!
 * Hello!
 * say_hello() returned; its promise is pending
 * Goodbye!
 * nothing has run yet: later() has not been called
 * Hello!
 * Goodbye!
 * ```
 */
import { delay } from "@std/async/delay";
import { defineLesson, type Lesson } from "../course/lesson.ts";

export async function coroutines({ unit, print, timeline }: Lesson) {
  // say_hello from the notes. `delay` from std is asyncio.sleep: it hands the
  // thread back to the event loop until its timer fires. (The notes define
  // say_hello and never call it, so their program prints nothing; we call
  // it three ways.)
  async function sayHello() {
    print("Hello!");
    await delay(unit);
    print("Goodbye!");
  }

  // Awaited right away, it behaves like `await say_hello()` in Python. One
  // difference hides here: Python's `await coro()` runs the coroutine inline,
  // like a call, and gives the loop nothing until it suspends; JavaScript's
  // `await` always resumes in a microtask, even on a value that is ready
  // (lesson 7 shows what that lets run, and what not).
  await timeline.track("awaited", sayHello);

  // Now call it without awaiting. In Python, `say_hello()` alone only builds
  // a coroutine object and prints nothing until someone awaits it. In
  // JavaScript the call has already printed "Hello!" by the time it returns a
  // promise: the body ran up to its first `await`.
  const pending = timeline.track("eager", sayHello());
  print("say_hello() returned; its promise is pending");

  // The rest of the body runs when the timer fires, whether or not we await.
  // We await so that the lesson ends after "Goodbye!".
  await pending;

  // To get Python's laziness, pass the function itself and call it later.
  // (asyncio.create_task() is different again: it schedules the body for
  // the loop's next turn. Lesson 3 shows it.)
  const later = () => sayHello();
  print("nothing has run yet: later() has not been called");
  await timeline.track("lazy", later);
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, coroutines);
