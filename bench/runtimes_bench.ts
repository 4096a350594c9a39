/**
 * The Executor and the Semaphore against their npm peers in the runtime that
 * runs this file (Node 24 or Bun, the peers' home; Deno has
 * executor_bench.ts and sync_bench.ts), each pair in one run:
 *
 * node bench/runtimes_bench.ts   (or bun; `deno task bench:runtimes` runs
 * both, after installing the peers into .tools/bench/)
 *
 * - 20,000 trivial calls on 2 workers: the Executor, piscina@5, tinypool@1,
 *   workerpool@9, each started and warm (a call per worker) before the clock;
 * - one call of 100 ms, then 1,000 trivial ones: until those are done;
 * - CPU-bound: the primes below 2,000,000 in 64 chunks on the same pools;
 * - 10,000 no-op tasks through a limit of 4: the Semaphore, p-limit@7 and
 *   async-mutex@0.5.0's Semaphore.
 *
 * Every round times every side once, in an order that turns from round to
 * round; a side's figure is its median, a ratio the median of the rounds'
 * ratios (peer ÷ ours: above 1, ours is faster). Prints one Markdown row per
 * peer.
 *
 * @module
 */
import { Executor } from "../lib/executor.ts";
import { Semaphore } from "../lib/semaphore.ts";
import { peer } from "./_peers.ts";
import { piscinaLike, type Pool } from "./_pools.ts";

const WORKERS = 2;
const CALLS = 20_000;
const tasks = new URL("./_tasks.ts", import.meta.url);
const peerWorker = new URL("./_peer_worker.ts", import.meta.url).href;
const workerpoolWorker = new URL(
  "./_workerpool_peer_worker.ts",
  import.meta.url,
);

const scope = globalThis as unknown as {
  Bun?: { version: string };
  process: { versions: { node: string } };
};
const runtime = scope.Bun
  ? `Bun ${scope.Bun.version}`
  : `Node ${scope.process.versions.node}`;

const threads = { minThreads: WORKERS, maxThreads: WORKERS };
const pools: Record<string, () => Pool> = {
  "asincronia Executor": () => {
    const executor = new Executor({ workers: WORKERS });
    return {
      add: (a, b) => executor.run(tasks, "add", [a, b]),
      burn: (ms) => executor.run(tasks, "burn", [ms]),
      countPrimes: (from, to) =>
        executor.run<number>(tasks, "countPrimes", [from, to]),
      close: () => executor.shutdown(),
    };
  },
  "piscina@5": () =>
    piscinaLike(
      new (peer("piscina").Piscina)({ filename: peerWorker, ...threads }),
    ),
  "tinypool@1": () =>
    piscinaLike(
      new (peer("tinypool").Tinypool)({ filename: peerWorker, ...threads }),
    ),
  "workerpool@9": () => {
    const pool = peer("workerpool").pool(workerpoolWorker.pathname, {
      minWorkers: WORKERS,
      maxWorkers: WORKERS,
      // Under Bun its "thread" workers never answer (their side takes the
      // Web Worker API, which Bun also gives worker_threads, while the pool
      // listens on worker_threads): Bun gets its Web Workers.
      workerType: scope.Bun ? "web" : "thread",
    });
    return {
      add: (a, b) => pool.exec("add", [a, b]),
      burn: (ms) => pool.exec("burn", [ms]),
      countPrimes: (from, to) => pool.exec("countPrimes", [from, to]),
      close: () => pool.terminate(),
    };
  },
};

/** A side: runs its workload once and gives the milliseconds it took. */
type Side = () => Promise<number>;

/** The median of `values`. */
function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Times every side `rounds` times, after one round unrecorded, and prints a
 * row per side but the first (ours): its median and ours, and the ratio.
 */
async function compare(
  group: string,
  sides: Record<string, Side>,
  rounds: number,
): Promise<void> {
  const names = Object.keys(sides);
  const times = new Map(names.map((name) => [name, [] as number[]]));
  for (let round = -1; round < rounds; round++) {
    const shift = Math.max(round, 0) % names.length;
    for (const name of [...names.slice(shift), ...names.slice(0, shift)]) {
      const ms = await sides[name]!();
      if (round >= 0) times.get(name)!.push(ms);
    }
  }
  const ours = times.get(names[0]!)!;
  for (const name of names.slice(1)) {
    const theirs = times.get(name)!;
    const ratio = median(theirs.map((ms, i) => ms / ours[i]!));
    console.log(
      `| ${runtime} | ${group} | ${names[0]} ${
        median(ours).toFixed(1)
      } ms | ${name} ${median(theirs).toFixed(1)} ms | ${ratio.toFixed(2)}x |`,
    );
  }
}

/**
 * A pool's side: started and warm, then `work` timed, then closed once the
 * calls `work` hands back (still running when the clock stopped) are done.
 */
function poolSide(
  make: () => Pool,
  work: (pool: Pool) => Promise<unknown>,
): Side {
  return async () => {
    const pool = make();
    await Promise.all(
      Array.from({ length: WORKERS }, () => pool.countPrimes(0, 10_000)),
    );
    const start = performance.now();
    const left = await work(pool);
    const ms = performance.now() - start;
    if (Array.isArray(left)) await Promise.all(left);
    await pool.close();
    return ms;
  };
}

const each = <T>(make: (name: string, build: () => Pool) => T) =>
  Object.fromEntries(
    Object.entries(pools).map(([name, build]) => [name, make(name, build)]),
  );

await compare(
  `${CALLS.toLocaleString("en")} trivial calls, ${WORKERS} workers`,
  each((_, build) =>
    poolSide(build, (pool) => {
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < CALLS; i++) all.push(pool.add(i, 1));
      return Promise.all(all);
    })
  ),
  7,
);

// One call of 100 ms, then 1,000 trivial ones: until the trivial ones are
// done (a pool that kept them behind the heavy call would need its 100 ms).
await compare(
  "1 call of 100 ms + 1,000 trivial ones, until those are done",
  each((_, build) =>
    poolSide(build, async (pool) => {
      const heavy = pool.burn(100);
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < 1000; i++) all.push(pool.add(i, 1));
      await Promise.all(all);
      return [heavy];
    })
  ),
  7,
);

const LIMIT = 2_000_000;
const CHUNKS = 64;
const chunks = Array.from({ length: CHUNKS }, (_, i) => {
  const cut = (k: number) => Math.round(LIMIT * (k / CHUNKS) ** (2 / 3));
  return [cut(i), cut(i + 1)] as const;
});
await compare(
  `primes below 2,000,000 in ${CHUNKS} chunks, ${WORKERS} workers`,
  each((_, build) =>
    poolSide(build, async (pool) => {
      const counts = await Promise.all(
        chunks.map(([from, to]) => pool.countPrimes(from, to)),
      );
      const found = counts.reduce((a, c) => a + c, 0);
      if (found !== 148933) throw new Error(`Wrong count: ${found}`);
    })
  ),
  9,
);

const TASKS = 10_000;
const noop = () => Promise.resolve();
/** A limiter's side: TASKS no-op tasks through it, 4 at a time. */
function limiterSide(
  make: () => (fn: () => Promise<void>) => Promise<unknown>,
): Side {
  return async () => {
    const limit = make();
    const start = performance.now();
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < TASKS; i++) all.push(limit(noop));
    await Promise.all(all);
    return performance.now() - start;
  };
}
const pLimit = peer("p-limit").default;
const AsyncMutexSemaphore = peer("async-mutex").Semaphore;
await compare(`${TASKS.toLocaleString("en")} no-op tasks, 4 at a time`, {
  "asincronia Semaphore": limiterSide(() => {
    const semaphore = new Semaphore(4);
    return (fn) => semaphore.run(fn);
  }),
  "p-limit@7": limiterSide(() => pLimit(4)),
  "async-mutex@0.5.0 Semaphore": limiterSide(() => {
    const semaphore = new AsyncMutexSemaphore(4);
    return (fn) => semaphore.runExclusive(fn);
  }),
}, 41);
