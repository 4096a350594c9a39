/**
 * @title Five downloads at once
 * @difficulty intermediate
 * @tags fetch, streams, Promise.all, progress, concurrency
 * @run deno run --allow-net=127.0.0.1 lessons/10_downloads.ts --timeline
 * @resource {https://developer.mozilla.org/en-US/docs/Web/API/Streams_API/Using_readable_streams} MDN: using readable streams
 * @resource {https://docs.python.org/3/library/asyncio-task.html#asyncio.gather} Python: asyncio.gather
 * @section 10 — Ejemplo Completo
 *
 * The notes' complete example pretends to download five files with
 * `asyncio.sleep`. Here the downloads are real: five files stream from a
 * local server at the same time, each taking 1 to 3 seconds chosen at
 * random, and each finishes when its last byte arrives. On a terminal, a
 * progress bar per download shows them advancing together. The default
 * draw finishes in the notes' order; `--seed N` draws other durations, the
 * same ones every time for the same N.
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
 * ```
 */
import { fetchWithRetry } from "../lib/fetch.ts";
import {
  begin,
  cli,
  integerOption,
  type LessonCommand,
  type LessonOptions,
  type LessonResult,
} from "./_lesson.ts";
import { progressBars } from "./_progress.ts";
import { type LessonServer, startServer } from "./_server.ts";

/** Options of lesson 10. */
export interface DownloadsOptions extends LessonOptions {
  /**
   * Picks the random durations. The default draw finishes in the notes'
   * order. @default {1871}
   */
  seed?: number;
  /**
   * Where to draw the progress bars. @default {standard output when it is a
   * terminal and `log` is console.log; otherwise nowhere}
   */
  progress?: (text: string) => void;
  /** The server to download from. @default {a fresh one, shut down at the end} */
  server?: LessonServer;
}

export async function downloads(
  options: DownloadsOptions = {},
): Promise<LessonResult> {
  const seed = integerOption(options.seed, "seed", 1871, 0, 2 ** 32 - 1);
  const bars = progressBars({ draw: options.progress, log: options.log });
  const lesson = begin({ ...options, log: bars.log });
  const { unit, print, timeline } = lesson;
  await using own = options.server ? undefined : startServer();
  const server = (options.server ?? own)!;
  const seconds = drawDurations(seed);

  // download_file from the notes. Instead of sleeping, it asks the server
  // for a file that takes `seconds` to stream, and reads it chunk by chunk
  // as the bytes arrive; awaiting each chunk lets the other downloads run.
  async function downloadFile(fileId: number) {
    print(`Starting download ${fileId}`);
    const ms = seconds[fileId]! * unit;
    const bytes = Math.round(seconds[fileId]! * 100_000);
    const url = server.at(
      `/file?bytes=${bytes}&ms=${ms}&chunks=30&from=${started}`,
    );
    // fetchWithRetry (lesson 8) tries again if the server is briefly unwell.
    const response = await fetchWithRetry(url);
    const total = Number(response.headers.get("content-length"));
    let received = 0;
    for await (const chunk of response.body!) {
      received += chunk.byteLength;
      bars.update(fileId, received, total);
    }
    print(`Finished download ${fileId}`);
  }

  // main from the notes: start all five, then wait for all of them, with
  // Promise.all in the part of asyncio.gather. Each call starts at once and
  // prints its "Starting" line before the next call begins. The server counts
  // each file's time from `started`, as the notes' five sleeps all count from
  // the gather: a request that reaches the server a little late still ends on time.
  const started = Date.now();
  const files = [0, 1, 2, 3, 4].map((i) =>
    timeline.track(`download ${i}`, () => downloadFile(i))
  );
  try {
    await Promise.all(files);
  } finally {
    bars.done();
  }
  return lesson;
}

// Python's random.randint(1, 3) draws whole seconds, and ties would finish
// in any order over a network. We draw tenths of a second between 1 and 3
// from a small seeded generator (mulberry32), so that a seed always gives
// the same durations, hence the same order.
export function drawDurations(seed: number): number[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: 5 }, () => 1 + Math.round(random() * 20) / 10);
}

/** How `deno run` runs this lesson. */
export const command: LessonCommand<DownloadsOptions> = {
  summary: "Lesson 10: five real downloads at once, from a local server.",
  run: downloads,
  flags: {
    seed: {
      type: "number",
      help:
        "picks the random durations: an integer from 0 to 4294967295 (default 1871)",
    },
  },
  permissions: { net: ["127.0.0.1"] },
  // Below this, two downloads 0.3 seconds apart may swap on a busy machine.
  minUnit: 100,
};

if (import.meta.main) await cli(import.meta, command);
