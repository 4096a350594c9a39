/**
 * @title Limiting concurrency with a semaphore
 * @title:es Limitar la concurrencia con un semáforo
 * @difficulty beginner
 * @tags async, Semaphore, concurrency limit, using
 * @run deno run lessons/04_semaphore.ts --timeline
 * @resource {https://docs.python.org/3/library/asyncio-sync.html#asyncio.Semaphore} Python: asyncio.Semaphore
 * @resource {https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Statements/using} MDN: using
 * @section 4 — Sincronización en asincronía (semáforos)
 * @guide docs/es/04-sincronizacion.md
 * @exercises 04a
 *
 * Five tasks of two seconds each share a semaphore of two permits: two run,
 * three wait their turn, and the whole takes six seconds instead of two. The
 * timeline never shows more than two bars at once.
 *
 * Output:
 *
 * ```text
 * Task started
 * Task started
 * Task finished
 * Task started
 * Task finished
 * Task started
 * Task finished
 * Task started
 * Task finished
 * Task finished
 * ```
 */
import { delay } from "@std/async/delay";
import { Semaphore } from "../lib/semaphore.ts";
import { defineLesson, type Lesson } from "../course/lesson.ts";

export async function semaphore({ unit, print, timeline }: Lesson) {
  // At most two tasks may hold a permit at a time, like asyncio.Semaphore(2).
  const sem = new Semaphore(2);

  // `using _permit = await sem.acquire()` is our `async with semaphore:`.
  // Both release the permit when their block is left, however it is left:
  // at its end, at a return, or as an exception passes through. Here the
  // block is the function's body, so the task holds its permit to the end.
  async function limitedTask(id: number) {
    using _permit = await sem.acquire();
    await timeline.track(`task ${id}`, async () => {
      print("Task started");
      await delay(2 * unit);
      print("Task finished");
    });
  }

  // All five start at once; the semaphore makes three of them wait in line
  // (first come, first served). `sem.run(fn)` would do the acquire and the
  // release in one call.
  //
  // The order differs from Python's in one place. After each timer, Deno
  // runs every promise callback that is ready (the microtask queue, lesson
  // 7) before the next timer, so the task handed a freed permit starts
  // before the other task of the same round finishes (started, started,
  // finished, started, finished, …); asyncio queues the woken task behind
  // those already ready and prints two finishes, then two starts. Never more
  // than two run.
  await Promise.all([1, 2, 3, 4, 5].map(limitedTask));
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, semaphore);
