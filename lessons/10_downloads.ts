/**
 * @title Five downloads at once, then through a queue
 * @title:es Cinco descargas a la vez, y después a través de una cola
 * @difficulty intermediate
 * @tags fetch, streams, Promise.all, Queue, join, asCompleted, consumers, progress
 * @run deno run --allow-net=127.0.0.1 lessons/10_downloads.ts --timeline
 * @resource {https://developer.mozilla.org/en-US/docs/Web/API/Streams_API/Using_readable_streams} MDN: using readable streams
 * @resource {https://docs.python.org/3/library/asyncio-task.html#asyncio.gather} Python: asyncio.gather
 * @resource {https://docs.python.org/3/library/asyncio-queue.html} Python: asyncio.Queue
 * @resource {https://docs.python.org/3/library/asyncio-task.html#asyncio.as_completed} Python: asyncio.as_completed
 * @section 10 — Ejemplo completo
 * @guide docs/es/10-ejemplo-completo.md
 * @exercises 10a, 10b, 10c
 *
 * The notes' five pretend downloads, made real: five files stream from a
 * local server, 1 to 3 seconds each (drawn by `--seed`), with a progress bar
 * each on a terminal. Part 1 is the notes' program, all five at once; part 2
 * pulls them from a queue, `--consumers` at a time, reporting each as it ends.
 *
 * Output:
 *
 * ```text
 * Starting download 0
 * Starting download 1
 * Starting download 2
 * Starting download 3
 * Starting download 4
 * Finished download 1
 * Finished download 0
 * Finished download 2
 * Finished download 3
 * Finished download 4
 * The same five through a queue, 2 at a time:
 * Finished download 1 (consumer 2, from ~0.0 s to ~1.1 s)
 * Finished download 0 (consumer 1, from ~0.0 s to ~1.8 s)
 * Finished download 2 (consumer 2, from ~1.1 s to ~3.3 s)
 * Finished download 3 (consumer 1, from ~1.8 s to ~4.4 s)
 * Finished download 4 (consumer 2, from ~3.3 s to ~6.2 s)
 * ```
 */
import { fetchWithRetry } from "../lib/fetch.ts";
import { Queue } from "../lib/queue.ts";
import { asCompleted } from "../lib/as_completed.ts";
import {
  downloadsFlags,
  type DownloadsOptions,
  drawDurations,
} from "./_downloads.ts";
import { defineLesson, type Lesson } from "../course/lesson.ts";
import { progressBars } from "./_progress.ts";
import { startServer } from "./_server.ts";

export async function downloads(
  lesson: Lesson<typeof downloadsFlags>,
  options: DownloadsOptions,
) {
  const { unit, timeline, seed, consumers, part } = lesson;
  // Every line is printed through the bars, which stay below the lines.
  const bars = progressBars(lesson.print, options);
  const print = bars.log;
  await using own = options.server ? undefined : startServer();
  const server = (options.server ?? own)!;
  // Python's random.randint(1, 3) draws whole seconds, and ties would end
  // in any order over a network: we draw tenths, the same for the same seed.
  const seconds = drawDurations(seed);

  // The transfer itself. Instead of sleeping, ask the server for a file
  // that takes `seconds` to stream, and read it chunk by chunk as the bytes
  // arrive; awaiting each chunk lets the other downloads run. The server
  // counts the file's time from `from` (a Date.now() value).
  async function fetchFile(fileId: number, from: number) {
    const ms = seconds[fileId]! * unit;
    const bytes = Math.round(seconds[fileId]! * 100_000);
    const url = server.at(
      `/file?bytes=${bytes}&ms=${ms}&chunks=30&from=${from}`,
    );
    // fetchWithRetry (lesson 8) tries again if the server is briefly unwell.
    const response = await fetchWithRetry(url);
    const total = Number(response.headers.get("content-length"));
    let received = 0;
    for await (const chunk of response.body!) {
      received += chunk.byteLength;
      bars.update(fileId, received, total);
    }
  }

  // Part 1, the notes' program. download_file prints, fetches, prints.
  async function downloadFile(fileId: number, started: number) {
    print(`Starting download ${fileId}`);
    await fetchFile(fileId, started);
    print(`Finished download ${fileId}`);
  }

  // main from the notes: start all five, then wait for all of them, with
  // Promise.all in the part of asyncio.gather. Each call starts at once and
  // prints its "Starting" line before the next call begins. Every file's
  // time counts from `started`, as the notes' five sleeps all count from
  // the gather: a request that reaches the server a little late still ends
  // on time.
  async function allAtOnce() {
    const started = Date.now();
    const files = [0, 1, 2, 3, 4].map((i) =>
      timeline.track(`download ${i}`, () => downloadFile(i, started))
    );
    await Promise.all(files);
  }

  // Part 2: the same five files, at most `consumers` at a time: asyncio's
  // worker pattern. The file numbers wait in a Queue; each consumer, an
  // async function on this thread (not a Worker), takes the next one when it
  // is free and marks it done (task_done). Its consumer settles each file's
  // promise (a Future), so that asCompleted (asyncio.as_completed) reports
  // the files as they end, where Promise.all would wait for all five. Then
  // join() confirms all are done, and closing the queue ends the consumers'
  // loops, where asyncio cancels its consumer tasks.
  async function throughQueue() {
    print(`The same five through a queue, ${consumers} at a time:`);
    const start = performance.now();
    const now = () => ((performance.now() - start) / unit).toFixed(1);
    const queue = new Queue<number>();
    for (const fileId of [0, 1, 2, 3, 4]) await queue.put(fileId);
    const results = [0, 1, 2, 3, 4].map(() => Promise.withResolvers<string>());
    async function consumer(n: number) {
      for await (const fileId of queue) {
        const from = now();
        try {
          const name = `consumer ${n}: download ${fileId}`;
          await timeline.track(name, () => fetchFile(fileId, Date.now()));
          const span = `from ${from} s to ${now()} s`;
          results[fileId]!.resolve(`consumer ${n}, ${span}`);
        } catch (error) {
          // Drop the files left; each fails with this download's error.
          const left = queue.close({ immediate: true });
          for (const id of [fileId, ...left]) results[id]!.reject(error);
        } finally {
          queue.taskDone();
        }
      }
    }
    const loops = Array.from({ length: consumers }, (_, i) => consumer(i + 1));
    // asCompleted yields settled results, whose index says which file.
    let failed: unknown;
    for await (const result of asCompleted(results.map((r) => r.promise))) {
      if (result.status === "rejected") failed ??= result.reason;
      else print(`Finished download ${result.index} (${result.value})`);
    }
    await queue.join(); // every file taken and marked done
    queue.close(); // no more will come: each consumer's loop ends
    await Promise.all(loops);
    if (failed !== undefined) throw failed;
  }

  try {
    if (part !== 2) await allAtOnce();
    bars.clear();
    if (part !== 1) await throughQueue();
  } finally {
    bars.done();
  }
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, downloads, {
  flags: downloadsFlags,
  // Below this, the shortest download's chunks come under 7 ms apart, and a
  // busy machine may swap two downloads (at 300, under a load of 19, it did).
  minUnit: 200,
});
