/**
 * @title The tools: what Deno has in place of asyncio, concurrent.futures, aiohttp and trio
 * @difficulty beginner
 * @tags event loop, Worker, fetch, AbortSignal
 * @run deno run --allow-net=127.0.0.1 lessons/01_modules.ts
 * @resource {https://docs.deno.com/runtime/manual/runtime/workers} Deno: Workers
 * @resource {https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API} MDN: Fetch API
 * @resource {https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal} MDN: AbortSignal
 * @section 1 — Modulos Principales para Asincronia
 *
 * Python needs a module for each of these; Deno has them built in. Each part
 * below runs the Deno counterpart for real, in a few lines.
 */
import { delay } from "@std/async/delay";
import {
  begin,
  cli,
  type LessonOptions,
  type LessonResult,
} from "./_lesson.ts";

export async function modules(
  options: LessonOptions = {},
): Promise<LessonResult> {
  const lesson = begin(options);
  const { unit, print, timeline } = lesson;

  // asyncio: the event loop. Deno always runs one; a timer is a task on it.
  // No asyncio.run() is needed: the program ends when the loop has no work.
  await timeline.track("event loop", async () => {
    await delay(unit / 2);
    print("asyncio → event loop: a timer fired after 0.5 seconds");
  });

  // concurrent.futures: a pool of threads or processes. Deno's threads are
  // Workers: each has its own event loop and talks by messages. This one is
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

  // aiohttp: HTTP without blocking. `fetch` is built in; so is a server. We
  // start one on 127.0.0.1, port 0 (any free port), ask it for a page, and
  // shut it down.
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

  // trio and curio: cancellation you can rely on. The web's answer is the
  // AbortSignal: whoever holds it can stop the work that was given it. Here a
  // wait of 10 seconds is cancelled by a signal that times out after 0.5.
  await timeline.track("cancel", async () => {
    const signal = AbortSignal.timeout(unit / 2);
    try {
      await delay(10 * unit, { signal });
    } catch (error) {
      print(
        `trio → AbortSignal: the 10-second wait was cancelled (${
          (error as Error).name
        })`,
      );
    }
  });

  return lesson;
}

if (import.meta.main) {
  await cli(
    import.meta,
    "Lesson 1: Deno's counterparts of Python's async modules.",
    modules,
  );
}
