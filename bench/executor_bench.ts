/**
 * The Executor against the npm worker pools, all under Deno, in one run:
 *
 * deno bench --allow-read=bench,lib --allow-env=PISCINA_DISABLE_ATOMICS,PISCINA_ENABLE_ASYNC_ATOMICS --allow-sys=cpus bench/executor_bench.ts
 *
 * - throughput: 20,000 trivial tasks on 2 workers (pools started and warm
 *   before the clock runs), ours also with every call sharing one signal;
 * - spawn: from creating the pool to the first result, against a bare Worker;
 * - cpu: the same prime count on the main thread and on one worker per core.
 *
 * Peers read two environment variables (piscina) and the CPU count
 * (tinypool), hence the narrow --allow-env and --allow-sys.
 */
import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
import workerpool from "workerpool";
import { Executor } from "../lib/executor.ts";
import { countPrimes } from "./_tasks.ts";

const TASKS = 20_000;
const tasks = new URL("./_tasks.ts", import.meta.url);
const peerWorker = new URL("./_peer_worker.ts", import.meta.url);
const workerpoolWorker = new URL("./_workerpool_worker.ts", import.meta.url);
const bareWorker = new URL("./_bare_worker.ts", import.meta.url);
const bareImportWorker = new URL("./_bare_import_worker.ts", import.meta.url);

/** Starts a bare Worker and waits until it answers. */
async function startBare(): Promise<Worker> {
  const worker = new Worker(bareWorker, { type: "module" });
  await new Promise((resolve) => {
    worker.onmessage = resolve;
    worker.postMessage(0);
  });
  return worker;
}

// Spawn first: the npm pools' threads may still be winding down after their
// own benches, which would slow whatever runs next.
const spawn = { group: "spawn to first result", n: 20, warmup: 2 };

Deno.bench({
  name: "bare Worker",
  ...spawn,
  baseline: true,
  async fn(b) {
    b.start();
    const worker = await startBare();
    b.end();
    worker.terminate();
  },
});

Deno.bench({
  name: "bare Worker that imports the task module (reference)",
  ...spawn,
  async fn(b) {
    b.start();
    const worker = new Worker(bareImportWorker, { type: "module" });
    await new Promise((resolve) => {
      worker.onmessage = resolve;
      worker.postMessage(0);
    });
    b.end();
    worker.terminate();
  },
});

Deno.bench({
  name: "asincronia Executor",
  ...spawn,
  async fn(b) {
    b.start();
    const executor = new Executor({ workers: 1 });
    await executor.run(tasks, "add", [1, 2]);
    b.end();
    await executor.shutdown();
  },
});

const throughput = { group: "throughput", n: 3, warmup: 1 };

/**
 * Runs `add(0, 0)` once on each of the two workers, so that both are up, then
 * times TASKS calls of `add(i, 1)` submitted at once.
 */
async function timeTasks(
  b: Deno.BenchContext,
  add: (a: number, b: number) => Promise<unknown>,
): Promise<void> {
  await Promise.all([add(0, 0), add(0, 0)]);
  b.start();
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < TASKS; i++) all.push(add(i, 1));
  await Promise.all(all);
  b.end();
}

Deno.bench({
  name: "asincronia Executor",
  ...throughput,
  baseline: true,
  async fn(b) {
    const executor = new Executor({ workers: 2 });
    await timeTasks(b, (x, y) => executor.run(tasks, "add", [x, y]));
    await executor.shutdown();
  },
});

Deno.bench({
  name: "asincronia Executor, every call with one shared signal",
  ...throughput,
  async fn(b) {
    const executor = new Executor({ workers: 2 });
    const { signal } = new AbortController();
    await timeTasks(
      b,
      (x, y) => executor.run(tasks, "add", [x, y], { signal }),
    );
    await executor.shutdown();
  },
});

Deno.bench({
  name: "piscina@5",
  ...throughput,
  async fn(b) {
    const pool = new Piscina({
      filename: peerWorker.href,
      minThreads: 2,
      maxThreads: 2,
    });
    await timeTasks(b, (a, y) => pool.run({ a, b: y }));
    await pool.destroy();
  },
});

Deno.bench({
  name: "tinypool@1",
  ...throughput,
  async fn(b) {
    const pool = new Tinypool({
      filename: peerWorker.href,
      minThreads: 2,
      maxThreads: 2,
      // With its default Atomics wake-ups, tinypool@1 under Deno 2.9.6
      // stalls for good after a few thousand tasks (seen on every run).
      useAtomics: false,
    });
    await timeTasks(b, (a, y) => pool.run({ a, b: y }));
    await pool.destroy();
  },
});

Deno.bench({
  name: "workerpool@9",
  ...throughput,
  async fn(b) {
    const pool = workerpool.pool(workerpoolWorker.pathname, {
      minWorkers: 2,
      maxWorkers: 2,
      workerType: "thread",
    });
    await timeTasks(b, (x, y) => pool.exec("add", [x, y]));
    await pool.terminate();
  },
});

// Reference points: one bare Worker, one message per task, every message
// posted at once (pipelined) or one round trip at a time (sequential).
Deno.bench({
  name: "bare Worker, pipelined (reference)",
  ...throughput,
  async fn(b) {
    const worker = await startBare();
    b.start();
    await new Promise<void>((resolve) => {
      let answered = 0;
      worker.onmessage = () => {
        if (++answered === TASKS) resolve();
      };
      for (let i = 0; i < TASKS; i++) worker.postMessage(i);
    });
    b.end();
    worker.terminate();
  },
});

Deno.bench({
  name: "bare Worker, sequential round trips (reference)",
  ...throughput,
  async fn(b) {
    const worker = await startBare();
    b.start();
    for (let i = 0; i < TASKS; i++) {
      await new Promise((resolve) => {
        worker.onmessage = resolve;
        worker.postMessage(i);
      });
    }
    b.end();
    worker.terminate();
  },
});

// CPU-bound: count the primes below 2,000,000 in 64 chunks.
const cores = navigator.hardwareConcurrency;
const LIMIT = 2_000_000;
const CHUNKS = 64;
const chunks = Array.from({ length: CHUNKS }, (_, i) => {
  const cut = (k: number) => Math.round(LIMIT * (k / CHUNKS) ** (2 / 3));
  return [cut(i), cut(i + 1)] as const;
});
const cpu = { group: `cpu-bound on ${cores} cores`, n: 5, warmup: 1 };

Deno.bench({
  name: "main thread, sequential",
  ...cpu,
  baseline: true,
  fn() {
    let found = 0;
    for (const [from, to] of chunks) found += countPrimes(from, to);
    if (found !== 148933) throw new Error(`Wrong count: ${found}`);
  },
});

Deno.bench({
  name: `asincronia Executor, ${cores} workers`,
  ...cpu,
  async fn(b) {
    const executor = new Executor({ workers: cores });
    // Warm: each worker has loaded the module and compiled countPrimes, as
    // the main thread has after its warm-up iteration.
    await Promise.all(
      Array.from(
        { length: cores },
        () => executor.run(tasks, "countPrimes", [0, 300_000]),
      ),
    );
    b.start();
    const counts = await Promise.all(
      chunks.map(([from, to]) =>
        executor.run<number>(tasks, "countPrimes", [from, to])
      ),
    );
    b.end();
    await executor.shutdown();
    const found = counts.reduce((a, c) => a + c, 0);
    if (found !== 148933) throw new Error(`Wrong count: ${found}`);
  },
});
