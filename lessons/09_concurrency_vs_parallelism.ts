/**
 * @title Concurrency vs parallelism: one thread waiting, many cores working
 * @title:es Concurrencia frente a paralelismo: un hilo que espera, muchos núcleos que trabajan
 * @difficulty intermediate
 * @tags concurrency, parallelism, Worker, subprocess, CPU-bound, I/O-bound, GIL
 * @run deno run --allow-read=lessons,lib,course --allow-run=deno lessons/09_concurrency_vs_parallelism.ts --timeline
 * @resource {https://docs.deno.com/runtime/reference/web_platform_apis/#web-workers} Deno: Web Workers
 * @resource {https://docs.deno.com/api/deno/~/Deno.Command} Deno: Deno.Command
 * @resource {https://docs.python.org/3/library/concurrent.futures.html} Python: concurrent.futures
 * @section 9 — Comparación entre concurrencia y paralelismo
 * @guide docs/es/09-concurrencia-y-paralelismo.md
 * @exercises 09a
 *
 * Concurrency: ten waits on one thread take about as long as the longest,
 * since waiting costs no CPU. Parallelism: counting primes only gets faster
 * on more cores: CPython's default build needs processes (the GIL), Deno
 * has Workers or processes. The lesson times each way, and starting each.
 *
 * Output (the times vary with the machine and its load):
 *
 * ```text
 * I/O-bound: 10 waits of 0.2 to 2 seconds took ~2.0 seconds on one thread
 * CPU-bound, in real time: the primes below 3000000
 *   on the main thread: 216816 in ~0.54 s
 *   on ~2 workers: 216816 in ~0.34 s (starting a worker takes ~0.03 s)
 *   on ~2 processes: 216816 in ~0.30 s (starting a process takes ~0.02 s)
 * Speedup on ~2 cores: ~1.7x with workers, ~1.8x with processes
 * ```
 */
import { delay } from "@std/async/delay";
import { Executor } from "../lib/executor.ts";
import { defineLesson, integerFlag, type Lesson } from "../course/lesson.ts";
import { runProgram } from "../course/deno.ts";
import { timed } from "./_measure.ts";

/** Its own flag: min, max, default, --help line; the function gets its value. */
const FLAGS = {
  limit: integerFlag(2, 1e8, 3_000_000, "count the primes below this"),
};

// CPU-bound work: count the primes in [from, to) by trial division. Every
// step is arithmetic; there is nothing to wait for, so only another core can
// make it go faster. Exported so that workers and processes can import it.
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

// What each process runs: import countPrimes from this very file, count
// the ranges given as arguments, print the total.
const CHILD = `import { countPrimes } from ${JSON.stringify(import.meta.url)};
let count = 0;
for (let i = 0; i < Deno.args.length; i += 2) {
  count += countPrimes(Number(Deno.args[i]), Number(Deno.args[i + 1]));
}
console.log(count);`;

export async function concurrencyVsParallelism(
  { unit, print, timeline, limit }: Lesson<typeof FLAGS>,
) {
  // 1. I/O-bound, concurrent. Ten waits of 0.2 to 2 seconds stand in for
  // ten network requests. One thread starts them all; while they wait, the
  // thread is free, so the whole takes about as long as the longest. Waits
  // are in the notes' seconds, which --unit scales.
  const io = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => {
      const wait = ((i + 1) / 5) * unit;
      return timeline.track(`wait ${i + 1}`, () => delay(wait));
    }),
  );
  const took = ((performance.now() - io) / unit).toFixed(1);
  print(
    `I/O-bound: 10 waits of 0.2 to 2 seconds took ${took} seconds on one thread`,
  );

  // 2. CPU-bound, sequential: the count split into chunks, one after the
  // other on the main thread. Concurrency cannot help: there is no waiting
  // to overlap. CPU work takes the time it takes, whatever --unit says, so
  // from here on the printed times are real seconds (the --timeline chart
  // keeps one axis, in the notes' seconds, for every bar). `timed` also
  // notes whether the main thread stayed free: here it cannot.
  const cores = navigator.hardwareConcurrency;
  const chunks = split(limit, cores * 4);
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  const main = await timed(() =>
    timeline.track("main thread", () => {
      let found = 0;
      for (const [from, to] of chunks) found += countPrimes(from, to);
      return Promise.resolve(found);
    })
  );
  print(`CPU-bound, in real time: the primes below ${limit}`);
  print(`  on the main thread: ${main.value} in ${seconds(main.ms)} s`);

  // 3. CPU-bound on Workers: threads of this process, each a V8 isolate of
  // its own (its own heap and event loop). No lock like Python's GIL holds
  // them back: one per core computes on every core at once. Each takes
  // tens of ms to start (it loads its modules): timed alone, and in the run.
  const url = import.meta.url;
  const workerStart = await timed(async () => {
    await using one = new Executor({ workers: 1 });
    await one.run(url, "countPrimes", [0, 0]);
  });
  const workers = await timed(() =>
    timeline.track("workers", async () => {
      await using pool = new Executor({ workers: cores });
      const counts = await Promise.all(
        chunks.map(([from, to]) =>
          pool.run<number>(url, "countPrimes", [from, to])
        ),
      );
      return counts.reduce((a, b) => a + b, 0);
    })
  );
  print(
    `  on ${cores} workers: ${workers.value} in ${seconds(workers.ms)} s ` +
      `(starting a worker takes ${seconds(workerStart.ms)} s)`,
  );

  // 4. CPU-bound in processes, as Python's ProcessPoolExecutor does: each is a
  // whole new deno, which costs the memory of a whole runtime where a worker
  // costs an isolate. runProgram (course/deno.ts) pipes the CHILD program above
  // to `deno run -` with its share of the chunks as arguments, and resolves
  // with what it printed: its count. A child is not bound by this script's
  // permissions: it has only the flags it is given (none here). So
  // --allow-run=deno asks for trust: a child deno could be given any flag.
  const countInProcess = async (ranges: [number, number][]) =>
    Number(await runProgram(CHILD, ranges.flat().map(String)));
  const processStart = await timed(() => countInProcess([]));
  const processes = await timed(() =>
    timeline.track("processes", async () => {
      const shares = Array.from(
        { length: cores },
        (_, k) => chunks.filter((_, i) => i % cores === k),
      );
      const counts = await Promise.all(shares.map(countInProcess));
      return counts.reduce((a, b) => a + b, 0);
    })
  );
  const processLine = `  on ${cores} processes: ${processes.value} in`;
  print(
    `${processLine} ${seconds(processes.ms)} s ` +
      `(starting a process takes ${seconds(processStart.ms)} s)`,
  );

  // The speedup moves from run to run: the workers share the cores with
  // every other program. Idle, N cores give a little under N; busy, less,
  // and the lesson says so (`timed` measures the cores' CPU time they had).
  const speedup = (ms: number) => (main.ms / ms).toFixed(1);
  print(
    `Speedup on ${cores} cores: ${speedup(workers.ms)}x with workers, ` +
      `${speedup(processes.ms)}x with processes`,
  );
  if (workers.cores < 0.75 * cores) {
    const had = `${workers.cores.toFixed(1)} of the ${cores} cores`;
    print(`The workers had ${had}: other programs had the rest.`);
  }

  // For its test: each way's count and time (`timed` measures), and how
  // many workers and processes ran: one per core.
  return { main, workers, processes, cores };
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

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, concurrencyVsParallelism, {
  flags: FLAGS,
  minUnit: 20,
});
