/**
 * The Executor against the npm worker pools, all under Deno, in one run:
 *
 * deno bench --allow-read=bench,lib --allow-env=PISCINA_DISABLE_ATOMICS,PISCINA_ENABLE_ASYNC_ATOMICS --allow-sys=cpus bench/executor_bench.ts
 *
 * - spawn: from creating the pool to the first result, against a bare Worker;
 * - throughput: 20,000 trivial calls on 2 workers, ours also with every call
 *   sharing one signal, against one bare Worker that gets one message per
 *   call (what batching saves);
 * - abort: 20,000 calls on one signal, aborted once the first went out;
 * - one heavy call, then 1,000 trivial ones, on 2 workers: how long until
 *   the trivial ones are done (a pool that let them wait behind the heavy
 *   call would need its 100 ms);
 * - cpu: the same prime count on the main thread and on every pool.
 *
 * Pools are started and warm (one call per worker) before the clock runs,
 * but in "spawn". Peers read two environment variables (piscina) and the CPU
 * count (tinypool), hence the narrow --allow-env and --allow-sys.
 */
import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
import workerpool from "workerpool";
import { Executor } from "../lib/executor.ts";
import { piscinaLike, type Pool } from "./_pools.ts";
import { countPrimes } from "./_tasks.ts";

const TASKS = 20_000;
const WORKERS = 2;
const tasks = new URL("./_tasks.ts", import.meta.url);
const peerWorker = new URL("./_peer_worker.ts", import.meta.url).href;
const bareWorker = new URL("./_bare_worker.ts", import.meta.url);
const bareImportWorker = new URL("./_bare_import_worker.ts", import.meta.url);

/** Our Executor on WORKERS threads; every call with `signal`, if given. */
function ours(module: string | URL = tasks, signal?: AbortSignal): Pool {
  const executor = new Executor({ workers: WORKERS });
  const call = <T>(name: string, args: unknown[]) =>
    executor.run<T>(module, name, args, { signal });
  return {
    add: (a, b) => call("add", [a, b]),
    burn: (ms) => call("burn", [ms]),
    countPrimes: (from, to) => call("countPrimes", [from, to]),
    close: () => executor.shutdown(),
  };
}

/** Each pool on WORKERS threads, started on demand. */
const threads = { minThreads: WORKERS, maxThreads: WORKERS };
const pools: Record<string, () => Pool> = {
  "asincronia Executor": () => ours(),
  "piscina@5": () =>
    piscinaLike(new Piscina({ filename: peerWorker, ...threads })),
  // With its default Atomics wake-ups, tinypool@1 under Deno 2.9.6 stalls
  // for good after a few thousand tasks (seen on every run).
  "tinypool@1": () =>
    piscinaLike(
      new Tinypool({ filename: peerWorker, ...threads, useAtomics: false }),
    ),
  "workerpool@9": () => {
    const script = new URL("./_workerpool_worker.ts", import.meta.url);
    const pool = workerpool.pool(script.pathname, {
      minWorkers: WORKERS,
      maxWorkers: WORKERS,
      workerType: "thread",
    });
    return {
      add: (a, b) => pool.exec("add", [a, b]),
      burn: (ms) => pool.exec("burn", [ms]),
      countPrimes: (from, to) => pool.exec("countPrimes", [from, to]),
      close: async () => await pool.terminate(),
    };
  },
};

/** Starts `pool` and has each of its workers run `warm`, clock stopped. */
async function started(
  make: () => Pool,
  warm: (pool: Pool) => Promise<unknown>,
): Promise<Pool> {
  const pool = make();
  await Promise.all(Array.from({ length: WORKERS }, () => warm(pool)));
  return pool;
}

/** Starts a bare Worker and waits until it answers. */
async function startBare(url = bareWorker): Promise<Worker> {
  const worker = new Worker(url, { type: "module" });
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
    const worker = await startBare(bareImportWorker);
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

const throughput = { group: "throughput", n: 10, warmup: 2 };
const variants: [string, () => Pool][] = [
  ...Object.entries(pools),
  [
    "asincronia Executor, every call with one shared signal",
    () => ours(tasks, new AbortController().signal),
  ],
  ["asincronia Executor, module given as a string", () => ours(tasks.href)],
];
for (const [name, make] of variants) {
  Deno.bench({
    name,
    ...throughput,
    baseline: name === "asincronia Executor",
    async fn(b) {
      const pool = await started(make, (pool) => pool.add(0, 0));
      b.start();
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < TASKS; i++) all.push(pool.add(i, 1));
      await Promise.all(all);
      b.end();
      await pool.close();
    },
  });
}

// Reference points: one bare Worker, one message per call, every message
// posted at once (pipelined) or one round trip at a time (sequential).
Deno.bench({
  name: "bare Worker, one message per call, pipelined (reference)",
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

// 20,000 calls on one signal, aborted once the first batches went out: a
// call on a worker is taken back from its claim slot, a queued one dropped,
// each in O(1).
Deno.bench({
  name: "asincronia Executor: 20,000 calls, then one abort",
  group: "abort",
  n: 5,
  warmup: 1,
  async fn(b) {
    const executor = new Executor({ workers: WORKERS });
    await Promise.all([
      executor.run(tasks, "add", [0, 0]),
      executor.run(tasks, "add", [0, 0]),
    ]);
    const controller = new AbortController();
    const { signal } = controller;
    b.start();
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < TASKS; i++) {
      all.push(executor.run(tasks, "add", [i, 1], { signal }));
    }
    const settled = Promise.allSettled(all);
    await new Promise((resolve) => setTimeout(resolve, 0)); // sent
    controller.abort();
    await settled;
    b.end();
    await executor.shutdown();
  },
});

// One call of 100 ms, then 1,000 trivial ones at once: the clock stops when
// the trivial ones are done. Ours sends half of them to the worker that runs
// the heavy call, and takes them back once the other worker is free.
const heavy = { group: "1 heavy + 1,000 trivial calls", n: 10, warmup: 1 };
for (const [name, make] of Object.entries(pools)) {
  Deno.bench({
    name,
    ...heavy,
    baseline: name === "asincronia Executor",
    async fn(b) {
      const pool = await started(make, (pool) => pool.burn(0));
      await Promise.all([pool.add(0, 0), pool.add(0, 0)]);
      b.start();
      const long = pool.burn(100);
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < 1000; i++) all.push(pool.add(i, 1));
      await Promise.all(all);
      b.end();
      await long;
      await pool.close();
    },
  });
}

// CPU-bound: count the primes below 2,000,000 in 64 chunks.
const LIMIT = 2_000_000;
const CHUNKS = 64;
const chunks = Array.from({ length: CHUNKS }, (_, i) => {
  const cut = (k: number) => Math.round(LIMIT * (k / CHUNKS) ** (2 / 3));
  return [cut(i), cut(i + 1)] as const;
});
const cpu = { group: `cpu-bound on ${WORKERS} workers`, n: 5, warmup: 1 };

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

for (const [name, make] of Object.entries(pools)) {
  Deno.bench({
    name,
    ...cpu,
    async fn(b) {
      // Warm: each worker has compiled countPrimes, as the main thread has
      // after its warm-up iteration.
      const pool = await started(make, (pool) => pool.countPrimes(0, 300_000));
      b.start();
      const counts = await Promise.all(
        chunks.map(([from, to]) => pool.countPrimes(from, to)),
      );
      b.end();
      await pool.close();
      const found = counts.reduce((a, c) => a + c, 0);
      if (found !== 148933) throw new Error(`Wrong count: ${found}`);
    },
  });
}
