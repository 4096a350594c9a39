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
 */
import { fetchWithRetry } from "../lib/fetch.ts";
import {
  begin,
  cli,
  type LessonOptions,
  type LessonResult,
} from "./_lesson.ts";
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
  const bars = progressBars(options);
  const lesson = begin({ ...options, log: bars.wrap(options.log) });
  const { unit, print, timeline } = lesson;
  await using own = options.server ? undefined : startServer();
  const server = (options.server ?? own)!;
  const seconds = drawDurations(options.seed ?? 1871);

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

// The progress bars: a block of lines at the bottom of the terminal, erased
// before each printed line and drawn again after it, and erased at the end,
// so that what stays on screen is exactly the notes' lines.
function progressBars(options: DownloadsOptions) {
  const draw = options.progress ??
    (options.log === undefined && Deno.stdout.isTerminal()
      ? (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text))
      : undefined);
  const state = new Map<number, { received: number; total: number }>();
  let shown = 0;
  let last = 0;
  const erase = () => {
    if (shown > 0) draw?.(`\x1b[${shown}F\x1b[0J`);
    shown = 0;
  };
  const render = () => {
    if (draw === undefined || state.size === 0) return;
    const rows = [...state].sort(([a], [b]) => a - b).map(([id, s]) => {
      const share = s.total > 0 ? s.received / s.total : 0;
      const full = Math.round(share * 30);
      return `download ${id} ${"█".repeat(full)}${"░".repeat(30 - full)} ${
        Math.floor(share * 100).toString().padStart(3)
      }%`;
    });
    erase();
    draw(rows.join("\n") + "\n");
    shown = rows.length;
    last = performance.now();
  };
  return {
    wrap: (log = console.log) =>
      draw === undefined ? log : (line: string) => {
        erase();
        log(line);
        render();
      },
    update(id: number, received: number, total: number) {
      if (draw === undefined) return;
      state.set(id, { received, total });
      if (received >= total || performance.now() - last > 50) render();
    },
    done: erase,
  };
}

if (import.meta.main) {
  await cli(
    import.meta,
    "Lesson 10: five real downloads at once, from a local server.",
    downloads,
    {
      seed: {
        type: "number",
        help: "picks the random durations (default 1871)",
      },
    },
  );
}
