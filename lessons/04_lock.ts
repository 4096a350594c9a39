/**
 * @title Protecting shared state with a lock
 * @title:es Proteger el estado compartido con un cerrojo
 * @difficulty beginner
 * @tags async, Lock, race condition, critical section, using
 * @run deno run lessons/04_lock.ts --timeline
 * @resource {https://docs.python.org/3/library/asyncio-sync.html#asyncio.Lock} Python: asyncio.Lock
 * @resource {https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Statements/using} MDN: using
 * @section 4 — Sincronización en asincronía (locks)
 * @guide docs/es/04-sincronizacion.md
 * @exercises 04b
 *
 * Three tasks want the same resource; the lock lets them in one at a time.
 * Then why a lock matters on a single thread: a counter that is read, then
 * awaited on, then written loses updates without the lock and none with it.
 *
 * Output:
 *
 * ```text
 * Resource in use
 * Resource in use
 * Resource in use
 * Without a lock: 10 increments, counter = 1
 * With a lock: 10 increments, counter = 10
 * ```
 */
import { delay } from "@std/async/delay";
import { Lock } from "../lib/lock.ts";
import { defineLesson, integerFlag, type Lesson } from "../course/lesson.ts";

/** Its own flag: min, max, default, --help line; the function gets its value. */
const FLAGS = {
  tasks: integerFlag(1, 10_000, 10, "how many tasks increment each counter"),
};

export async function lock(
  { unit, print, timeline, tasks: increments }: Lesson<typeof FLAGS>,
) {
  // Part 1: the critical section. The notes' example is mis-indented: its
  // print and sleep sit level with `async with lock:` (an IndentationError in
  // Python) when they belong inside it, held by the lock, as `using` keeps
  // them here until the function returns. It also never runs: there is no
  // main and no asyncio.run(), so critical_section is never called. We run
  // three of them at once.
  const resource = new Lock();
  async function criticalSection(name: string) {
    using _held = await resource.acquire();
    await timeline.track(name, async () => {
      print("Resource in use");
      await delay(1 * unit);
    });
  }
  await Promise.all(["A", "B", "C"].map(criticalSection));

  // Part 2: why a lock on one thread? JavaScript never interrupts code that
  // does not await, but every `await` lets other tasks run. Read, await (a
  // database round trip, say), write back: every task reads the same old
  // value, and all but one update are lost.
  let unlocked = 0;
  async function unsafeIncrement() {
    const seen = unlocked;
    await delay(0.01 * unit);
    unlocked = seen + 1;
  }
  await Promise.all(Array.from({ length: increments }, unsafeIncrement));
  print(`Without a lock: ${increments} increments, counter = ${unlocked}`);

  // The same steps holding a lock: the next task reads only after the
  // previous one wrote. `lock.run(fn)` acquires, runs and releases.
  let locked = 0;
  const counterLock = new Lock();
  const safeIncrement = () =>
    counterLock.run(async () => {
      const seen = locked;
      await delay(0.01 * unit);
      locked = seen + 1;
    });
  await Promise.all(Array.from({ length: increments }, safeIncrement));
  print(`With a lock: ${increments} increments, counter = ${locked}`);

  // For its test: how many increments each counter got, and the counters.
  return { increments, unlocked, locked };
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, lock, { flags: FLAGS });
