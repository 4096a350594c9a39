/**
 * @title The tools: what Deno has in place of asyncio, concurrent.futures, aiohttp and trio
 * @title:es Las herramientas: lo que Deno trae en lugar de asyncio, concurrent.futures, aiohttp y trio
 * @difficulty beginner
 * @tags event loop, Event, Worker, fetch, AbortSignal
 * @run deno run --allow-net=127.0.0.1 lessons/01_modules.ts
 * @resource {https://docs.deno.com/runtime/reference/web_platform_apis/#web-workers} Deno: Web Workers
 * @resource {https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API} MDN: Fetch API
 * @resource {https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal} MDN: AbortSignal
 * @section 1 — Módulos principales para asincronía
 * @guide docs/es/01-modulos.md
 * @exercises 01a
 *
 * Python needs a module for each of these; Deno has most of them built in,
 * and the course's library fills the gaps (Event here, Executor and
 * TaskGroup later). A tour: skim it now, since each part names the lesson
 * that explains it, and come back to it after lesson 5.
 *
 * Output:
 *
 * ```text
 * asyncio → event loop: a timer fired after 0.5 seconds
 * asyncio → Event: one task set the event after 0.5 seconds
 * asyncio → Event: the task waiting for it went on
 * concurrent.futures → Worker: 1 + 2 + … + 1,000,000 = 500000500000
 * aiohttp → fetch: 200 "¡hola!"
 * trio → AbortSignal: the 10-second wait was cancelled (TimeoutError)
 * trio → AbortSignal: a 1-second wait not handed the signal ran to its end
 * ```
 */
import { delay } from "@std/async/delay";
import { Event } from "../lib/event.ts";
import { defineLesson, type Lesson } from "../course/lesson.ts";

// What every lesson shares (course/lesson.ts), explained once: its function
// gets a run's `print`, console.log that also keeps each line, for the tests
// and the site; its `unit`, one "second" of the notes in milliseconds (1000,
// or what --unit says), so `delay(unit / 2)` waits half a second; and its
// `timeline`, whose `track(name, work)` runs the work and only notes when it
// began and ended, for --timeline. `defineLesson` at the bottom starts each
// run and makes the file a command. Leave them out and the code is plain Deno.
export async function modules({ unit, print, timeline }: Lesson) {
  // asyncio: the event loop (lessons 2 and 3). Deno always runs one, and
  // the program ends when it has no work: no asyncio.run() is needed.
  await timeline.track("event loop", async () => {
    await delay(unit / 2);
    print("asyncio → event loop: a timer fired after 0.5 seconds");
  });

  // asyncio's events: an Event (asyncio.Event) lets tasks wait until another
  // task says "now". One task waits; the other sets the event half a second
  // later, which wakes every waiter. (This Event is the library's, not the
  // web's Event class, which is a message that an EventTarget dispatches.
  // Only this lesson shows it; exercise 01a practises it.)
  const ready = new Event();
  const waiter = timeline.track("waits for the event", async () => {
    await ready.wait();
    print("asyncio → Event: the task waiting for it went on");
  });
  await timeline.track("sets the event", async () => {
    await delay(unit / 2);
    print("asyncio → Event: one task set the event after 0.5 seconds");
    ready.set();
  });
  await waiter;

  // concurrent.futures: a pool of threads or of processes. In CPython's
  // default build one lock, the GIL, lets one thread at a time run Python
  // code: threads help while code waits, but CPU-bound Python code needs
  // processes to use more cores. (C code that lets go of the GIL, as
  // hashlib, zlib and NumPy do, runs in parallel on threads; a build without
  // the GIL came in 3.13, experimental, and is supported since 3.14.)
  // Deno's threads are Workers: each is a V8 isolate of its own (its own
  // heap, garbage collector and event loop) on its own thread of the same
  // process. They share no objects and talk by messages, so no lock stops
  // them computing on several cores at once (lessons 6 and 9). This one is
  // built from a string, so it needs no permission to load.
  await timeline.track("worker", async () => {
    const source = `self.onmessage = (e) => {
      let sum = 0;
      for (let i = 1; i <= e.data; i++) sum += i;
      self.postMessage(sum);
    };`;
    const url = URL.createObjectURL(
      new Blob([source], { type: "text/javascript" }),
    );
    const worker = new Worker(url, { type: "module" });
    try {
      const sum = await new Promise<number>((resolve, reject) => {
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(event.message));
        worker.postMessage(1_000_000);
      });
      print(`concurrent.futures → Worker: 1 + 2 + … + 1,000,000 = ${sum}`);
    } finally {
      // An idle Worker keeps a Deno process alive: always end it.
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  });

  // aiohttp: HTTP without blocking (lesson 8). `fetch` is built in; so is a
  // server. We start one on 127.0.0.1, port 0 (any free port), ask it for a
  // page, and shut it down.
  await timeline.track("fetch", async () => {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response("¡hola!"),
    );
    try {
      const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
      print(`aiohttp → fetch: ${response.status} "${await response.text()}"`);
    } finally {
      await server.shutdown();
    }
  });

  // trio and curio: cancellation you can rely on. trio cancels a cancel
  // scope (move_on_after, a nursery): whatever runs inside it gets Cancelled
  // at its next checkpoint, one of trio's own blocking calls (trio.sleep, a
  // socket read), without checking anything itself. Awaiting a plain
  // coroutine is not a checkpoint, and a loop that reaches none is never
  // cancelled. The web's AbortSignal is cooperative: it stops only code that
  // is handed the signal and checks it, as std's delay() does. A 10-second
  // wait handed a signal that times out after 0.5 seconds stops then; a
  // 1-second wait started beside it, not handed the signal, runs to its end.
  // A TaskGroup (lesson 5) hands one signal to every task it starts, like a
  // trio nursery.
  const signal = AbortSignal.timeout(unit / 2);
  const unaware = timeline.track("not handed the signal", () => delay(unit));
  try {
    await timeline.track(
      "handed the signal",
      () => delay(10 * unit, { signal }),
    );
  } catch (error) {
    print(
      `trio → AbortSignal: the 10-second wait was cancelled (${
        (error as Error).name
      })`,
    );
  }
  await unaware;
  print(
    "trio → AbortSignal: a 1-second wait not handed the signal ran to its end",
  );
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, modules);
