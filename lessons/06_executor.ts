/**
 * @title Blocking code off the event loop: run_in_executor on Workers
 * @title:es Código bloqueante fuera del bucle de eventos: run_in_executor con Workers
 * @difficulty intermediate
 * @tags Worker, Atomics.wait, blocking, executor
 * @run deno run --allow-read=lessons,lib,course lessons/06_executor.ts --timeline
 * @resource {https://docs.deno.com/runtime/reference/web_platform_apis/#web-workers} Deno: Web Workers
 * @resource {https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Atomics/wait} MDN: Atomics.wait
 * @resource {https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_in_executor} Python: loop.run_in_executor
 * @section 6 — Integración con funciones sincrónicas
 * @guide docs/es/06-funciones-sincronicas.md
 * @exercises 06a
 *
 * A function that blocks its thread for two seconds, run through an
 * Executor, leaves the main thread free: a heartbeat keeps ticking while it
 * blocks. The same call made directly on the main thread freezes the
 * heartbeat for the whole two seconds.
 *
 * Output:
 *
 * ```text
 * Finished blocking task
 * Heartbeat ticked ~8 times while a worker blocked
 * Finished blocking task
 * Heartbeat ticked 0 times while the main thread blocked
 * ```
 */
import { Executor } from "../lib/executor.ts";
import { defineLesson, type Lesson } from "../course/lesson.ts";

// The blocking function of the notes. Python's time.sleep() parks the thread;
// Atomics.wait() on a value that never changes does exactly that in
// JavaScript. (A busy loop would block too, but would also burn a core.
// Browsers forbid Atomics.wait on a page's main thread, where it throws;
// Deno allows it.) It is exported so that a worker can import this module
// and call it.
export function blockingFunction(ms: number): string {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return "Finished blocking task";
}

export async function executor({ unit, print, timeline }: Lesson) {
  // A heartbeat on the main thread: a timer that ticks four times a second.
  // It can only tick while the main thread is free to run its event loop.
  // `using` (lesson 4) stops it when the function ends, even by an error.
  let ticks = 0;
  const heartbeat = setInterval(() => ticks++, unit / 4);
  using _stop = { [Symbol.dispose]: () => clearInterval(heartbeat) };

  // The notes first ask for the running loop (asyncio.get_running_loop()),
  // because run_in_executor is a method of the loop. Deno's event loop is
  // not an object to fetch: there is one per thread, always running. The
  // pool of threads that run_in_executor hands work to is an object of its
  // own here, an Executor. loop.run_in_executor(None, blocking_function)
  // becomes executor.run(): the module and the export name travel to a
  // worker, which imports the module and calls the function.
  //
  // Python's default executor is a pool of threads. That suits
  // time.sleep(), which lets go of the GIL while it waits; a function that
  // computes in Python holds the GIL (on the default build), so in a thread
  // it still shares one core with the event loop, and CPU-bound Python code
  // goes to a ProcessPoolExecutor instead. (C code that lets go of the GIL,
  // as hashlib and zlib do, runs in parallel on threads.) A Worker is a V8
  // isolate of its own, on its own thread of this process, with no shared
  // lock, so one Executor serves both kinds (lesson 9).
  //
  // Stopping differs too. Python cannot stop a thread: cancelling what
  // run_in_executor or to_thread returned only stops the waiting, the
  // function runs to its end, and asyncio.run waits for it before it
  // returns. `pool.run(…, { signal })` rejects at once when the signal
  // aborts and ends that worker, but Deno ends a worker only when its code
  // gets back to the event loop: a loop that never does keeps a core busy,
  // and the process alive.
  await using pool = new Executor();
  const url = import.meta.url;
  ticks = 0;
  const result = await timeline.track(
    "in a worker",
    () => pool.run<string>(url, "blockingFunction", [2 * unit]),
  );
  const worker = ticks;
  print(result);
  print(`Heartbeat ticked ${worker} times while a worker blocked`);

  // The same call on the main thread. Nothing else runs until it returns:
  // not the heartbeat, not a timer, not a network callback.
  ticks = 0;
  const direct = await timeline.track(
    "on the main thread",
    () => blockingFunction(2 * unit),
  );
  const main = ticks;
  print(direct);
  print(`Heartbeat ticked ${main} times while the main thread blocked`);

  return { ticks: { worker, main } };
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, executor);
