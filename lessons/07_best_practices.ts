/**
 * @title Best practices: don't block, bound concurrency, handle every error
 * @title:es Buenas prácticas: no bloquear, acotar la concurrencia, atender todos los errores
 * @difficulty intermediate
 * @tags async, event loop, Semaphore, pooledMap, unhandledrejection
 * @run deno run lessons/07_best_practices.ts --timeline
 * @resource {https://docs.deno.com/api/web/~/PromiseRejectionEvent} Deno: PromiseRejectionEvent
 * @resource {https://docs.python.org/3/library/asyncio-dev.html} Python: developing with asyncio
 * @section 7 — Buenas prácticas
 * @guide docs/es/07-buenas-practicas.md
 * @exercises 07a
 *
 * The notes' three practices, each measured: blocking freezes a heartbeat and
 * awaiting does not, and sliced work lets it beat only if each slice yields to
 * a timer, not a microtask; a bound (Semaphore, pooledMap) caps the jobs in
 * flight; a rejection nobody handled meets an `unhandledrejection` listener.
 *
 * Output:
 *
 * ```text
 * Blocking for 1 s: the heartbeat stalled for ~1.0 s
 * Awaiting for 1 s: the heartbeat stalled for ~0.0 s
 * Slicing 1 s of work with await Promise.resolve(): the heartbeat stalled for ~1.0 s
 * Slicing 1 s of work with await delay(0): the heartbeat stalled for ~0.0 s
 * Unbounded: 10 in flight at most, ~0.2 s
 * Semaphore(3): 3 in flight at most, ~0.8 s
 * pooledMap(3): 3 in flight at most, ~0.8 s
 * Caught an exception: An error occurred!
 * Unhandled rejection seen by the listener: An error occurred!
 * Without the listener's preventDefault(), Deno would exit with code 1
 * ```
 */
import { delay } from "@std/async/delay";
import { pooledMap as stdPooledMap } from "@std/async/pool";
import { Semaphore } from "../lib/semaphore.ts";
import { heartbeatLag } from "./_measure.ts";
import { defineLesson, type Lesson } from "../course/lesson.ts";

// The npm build of std has no types, so we say what pooledMap is.
const pooledMap = stdPooledMap as <T, R>(
  poolLimit: number,
  items: Iterable<T> | AsyncIterable<T>,
  fn: (item: T) => Promise<R>,
) => AsyncIterableIterator<R>;

export async function bestPractices({ unit, print, timeline }: Lesson) {
  const seconds = (ms: number) => (ms / unit).toFixed(1);

  // 1. Avoid blocking. A heartbeat ticks every 0.05 s and we note how late
  // it got (heartbeatLag, in _measure.ts). A blocking call, here a busy
  // loop, keeps the one thread to itself: no tick, no request, no timer
  // runs meanwhile. (Python's time.sleep() blocks too, though it parks the
  // thread instead of spinning: the event loop stalls either way.)
  // `await delay()` gives the thread back. The notes say to use `await` for
  // calls that could block; `await` alone unblocks nothing: awaiting a
  // function that blocks still blocks. What helps is an asynchronous API
  // (delay, fetch) or moving the call off the thread: a Worker (lesson 6),
  // as run_in_executor or asyncio.to_thread do in Python.
  const lag = (name: string, work: () => Promise<void> | void) =>
    heartbeatLag(0.05 * unit, 0.2 * unit, () => timeline.track(name, work));
  const stalled = (what: string, ms: number) =>
    print(`${what}: the heartbeat stalled for ${seconds(ms)} s`);
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* spin: the event loop is stuck */ }
  };
  const blocking = await lag("blocking", () => spin(1 * unit));
  stalled("Blocking for 1 s", blocking);
  const awaiting = await lag("awaiting", () => delay(1 * unit));
  stalled("Awaiting for 1 s", awaiting);

  // Work that must stay on this thread can be cut into slices that yield
  // in between, but what an `await` lets run depends on what it waits for.
  // The loop keeps promise callbacks (microtasks) apart from timers and I/O,
  // and runs every microtask that is ready before the next timer or I/O
  // event. `await Promise.resolve()` resumes in a microtask, so the
  // heartbeat, a timer, never gets in: 50 slices of 0.02 s stall it as one
  // whole second would. `await delay(0)` waits for a timer of its own, which
  // fires on a later turn of the loop, after the heartbeat. Python's way is
  // `await asyncio.sleep(0)`; there, awaiting a coroutine that never
  // suspends yields nothing at all. Exercise 07a needs this.
  const sliced = (name: string, pause: () => Promise<unknown>) =>
    lag(name, async () => {
      for (let slice = 0; slice < 50; slice++) {
        spin(0.02 * unit);
        await pause();
      }
    });
  const microtask = await sliced("slices, microtask", () => Promise.resolve());
  stalled("Slicing 1 s of work with await Promise.resolve()", microtask);
  const timer = await sliced("slices, timer", () => delay(0));
  stalled("Slicing 1 s of work with await delay(0)", timer);

  // 2. Limit concurrent tasks. Ten jobs of 0.2 s each: started all at once
  // they all hit the (pretend) server together; through Semaphore(3) or
  // pooledMap(3, …) never more than three do, and it takes four rounds.
  let inFlight = 0;
  let peak = 0;
  const job = (name: string) =>
    timeline.track(name, async () => {
      peak = Math.max(peak, ++inFlight);
      await delay(0.2 * unit);
      inFlight--;
    });
  const ids = Array.from({ length: 10 }, (_, i) => i + 1);
  const measure = async (label: string, run: () => Promise<unknown>) => {
    peak = 0;
    const started = performance.now();
    await run();
    const took = seconds(performance.now() - started);
    print(`${label}: ${peak} in flight at most, ${took} s`);
    return peak;
  };
  const unbounded = await measure(
    "Unbounded",
    () => Promise.all(ids.map((i) => job(`all ${i}`))),
  );
  const sem = new Semaphore(3);
  const semaphore = await measure(
    "Semaphore(3)",
    () => Promise.all(ids.map((i) => sem.run(() => job(`sem ${i}`)))),
  );
  const pooled = await measure(
    "pooledMap(3)",
    () => Array.fromAsync(pooledMap(3, ids, (i) => job(`pool ${i}`))),
  );

  // 3. Handle errors. A rejection we await inside try/catch is an ordinary
  // exception, as in the notes' try/except.
  async function faultyTask(): Promise<never> {
    await delay(0);
    throw new Error("An error occurred!");
  }
  try {
    await faultyTask();
  } catch (error) {
    print(`Caught an exception: ${(error as Error).message}`);
  }

  // A promise that rejects with nobody to catch it is worse than in Python,
  // where asyncio only logs "Task exception was never retrieved": Deno
  // prints "error: Uncaught (in promise)" and exits with code 1. Before
  // that, it fires an `unhandledrejection` event; a listener that calls
  // preventDefault() marks the rejection handled and the process lives on.
  // (Node's process.on("unhandledRejection"), which Deno supports too, also
  // keeps it alive.) Here we watch for it once.
  const unhandled = await new Promise<string>((resolve) => {
    const listener = (event: PromiseRejectionEvent) => {
      event.preventDefault();
      globalThis.removeEventListener("unhandledrejection", listener);
      resolve((event.reason as Error).message);
    };
    globalThis.addEventListener("unhandledrejection", listener);
    faultyTask(); // started, never awaited, never caught: the mistake
  });
  print(`Unhandled rejection seen by the listener: ${unhandled}`);
  print("Without the listener's preventDefault(), Deno would exit with code 1");

  // What it measured, for its test: how late the heartbeat got (ms) in each
  // of part 1's runs, the most jobs in flight at once unbounded and bounded
  // both ways, and the message of the rejection the listener saw.
  return {
    lag: { blocking, awaiting, microtask, timer },
    peak: { unbounded, semaphore, pooledMap: pooled },
    unhandled,
  };
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, bestPractices, {
  // Below this, the 0.05-second heartbeat runs into the timers' 1 ms grain.
  minUnit: 50,
});
