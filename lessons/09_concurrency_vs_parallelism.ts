/**
 * @title Concurrency vs parallelism: one thread waiting, many cores working
 * @difficulty intermediate
 * @tags concurrency, parallelism, Worker, CPU-bound, I/O-bound
 * @run deno run --allow-read=lessons,lib lessons/09_concurrency_vs_parallelism.ts --timeline
 * @resource {https://docs.deno.com/runtime/reference/web_platform_apis/#web-workers} Deno: Web Workers
 * @resource {https://docs.python.org/3/library/concurrent.futures.html} Python: concurrent.futures
 * @section 9 — Comparacion entre Concurrencias y Paralelismo
 *
 * Concurrency: ten waits started together on one thread finish in about the
 * time of the longest, because waiting costs no CPU. Parallelism: a
 * computation that keeps a core busy only gets faster when it is spread over
 * several cores, here with an Executor of Workers. The lesson measures both.
 */
import { delay } from "@std/async/delay";
import { Executor } from "../lib/executor.ts";
import {
  begin,
  cli,
  type LessonOptions,
  type LessonResult,
} from "./_lesson.ts";

/** Options of lesson 9. */
export interface ParallelismOptions extends LessonOptions {
  /** Count the primes below this number. @default {3000000} */
  limit?: number;
}

// CPU-bound work: count the primes in [from, to) by trial division. Every
// step is arithmetic; there is nothing to wait for, so only another core can
// make it go faster. Exported so that workers can import and call it.
export function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

export async function concurrencyVsParallelism(
  options: ParallelismOptions = {},
): Promise<LessonResult & { speedup: number; cores: number }> {
  const lesson = begin(options);
  const { unit, print, timeline } = lesson;
  const limit = options.limit ?? 3_000_000;
  if (!Number.isInteger(limit) || limit < 2) {
    throw new RangeError(
      `Cannot run lesson as 'limit' must be an integer of at least 2: current value is ${limit}`,
    );
  }
  const seconds = (ms: number) => (ms / unit).toFixed(2);

  // 1. I/O-bound, concurrent. Ten waits of 0.2 to 2 seconds stand in for
  // ten network requests. One thread starts them all; while they wait, the
  // thread is free, so the whole takes about as long as the longest.
  const io = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => {
      const wait = ((i + 1) / 5) * unit;
      return timeline.track(`wait ${i + 1}`, () => delay(wait));
    }),
  );
  print(
    `I/O-bound: 10 waits of 0.2 to 2 seconds took ${
      seconds(performance.now() - io)
    } seconds on one thread`,
  );

  // 2. CPU-bound, sequential: the same count split into chunks, one after
  // the other on the main thread. Concurrency cannot help here: there is no
  // waiting to overlap.
  const cores = navigator.hardwareConcurrency;
  const chunks = split(limit, cores * 4);
  const sequential = performance.now();
  let found = 0;
  await timeline.track("CPU on main thread", () => {
    for (const [from, to] of chunks) found += countPrimes(from, to);
  });
  const sequentialMs = performance.now() - sequential;
  print(
    `CPU-bound on the main thread: ${found} primes below ${limit} in ${
      seconds(sequentialMs)
    } seconds`,
  );

  // 3. CPU-bound, parallel: the same chunks on a pool of one worker per
  // core. Starting workers costs tens of milliseconds each, paid once, so we
  // start them before the clock runs (Python's process pools pay the same).
  await using pool = new Executor({ workers: cores });
  const url = import.meta.url;
  await Promise.all(
    chunks.slice(0, cores).map(() => pool.run(url, "countPrimes", [0, 0])),
  );
  const parallel = performance.now();
  let foundInParallel = 0;
  await timeline.track("CPU on workers", async () => {
    const counts = await Promise.all(
      chunks.map(([from, to]) =>
        pool.run<number>(url, "countPrimes", [from, to])
      ),
    );
    for (const count of counts) foundInParallel += count;
  });
  const parallelMs = performance.now() - parallel;
  print(
    `CPU-bound on ${cores} workers: ${foundInParallel} primes below ${limit} in ${
      seconds(parallelMs)
    } seconds`,
  );
  const speedup = sequentialMs / parallelMs;
  print(`Speedup: ${speedup.toFixed(2)}x on ${cores} cores`);
  return { ...lesson, speedup, cores };
}

// Splits [0, limit) into `parts` ranges. Larger numbers cost more to test,
// so later ranges are narrower: each holds about the same work.
function split(limit: number, parts: number): [number, number][] {
  const ranges: [number, number][] = [];
  let from = 0;
  for (let i = 1; i <= parts; i++) {
    // Work up to n grows like n^1.5: cut where it reaches i/parts of it.
    const to = i === parts ? limit : Math.round(limit * (i / parts) ** (2 / 3));
    if (to > from) ranges.push([from, to]);
    from = to;
  }
  return ranges;
}

if (import.meta.main) {
  await cli(
    import.meta,
    "Lesson 9: concurrency (waits on one thread) vs parallelism (work on many cores).",
    concurrencyVsParallelism,
    { limit: { type: "number", help: "count the primes below this number" } },
  );
}
