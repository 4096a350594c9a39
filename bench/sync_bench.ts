/**
 * Semaphore and Lock against the npm libraries people use for the same job:
 * `async-mutex` 0.5.0 and `p-limit` 7. Each group runs our code and the peers
 * in the same run, so read the ratios, not the absolute times.
 *
 * Run: deno bench bench/sync_bench.ts
 *
 * Every task is a no-op that returns a resolved promise, so what is measured
 * is the limiter's own cost per task: queueing, granting, settling.
 *
 * The last group has no peer (neither library takes a signal per call): it
 * compares callers that share one AbortSignal with callers that have one
 * each, to show that a shared signal costs O(1) per caller too.
 *
 * The groups named "A/B" run today's Semaphore beside the Semaphore of
 * commit 78abbaf (bench/_semaphore_78abbaf.ts), which called `fn` inside
 * `run` when a permit was free, did not carry the caller's async context,
 * and added one listener per caller to a signal. Today's never calls `fn`
 * inside `run` (one microtask later), carries the context, and shares one
 * listener per signal; the target is `run` at no more than 1.25× the old
 * cost. Only those: deno bench --config bench/deno.json --filter A/B
 * bench/sync_bench.ts
 *
 * @module
 */
import { Mutex, Semaphore as MutexSemaphore } from "async-mutex";
import pLimit from "p-limit";
import { Lock } from "../lib/lock.ts";
import { Semaphore } from "../lib/semaphore.ts";
import { Semaphore as Semaphore78 } from "./_semaphore_78abbaf.ts";

const TASKS = 10_000;
const CONCURRENCY = 4;
const noop = (): Promise<void> => Promise.resolve();

/**
 * Starts `n` no-op tasks at once through `run` and resolves when all have
 * settled. A counter rather than Promise.all, so the harness adds little.
 */
function many(
  n: number,
  run: (fn: () => Promise<void>) => Promise<unknown>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = n;
    const done = () => {
      if (--left === 0) resolve();
    };
    for (let i = 0; i < n; i++) run(noop).then(done, reject);
  });
}

/**
 * Pushes `n` no-op tasks through `run` while keeping at most `window` of them
 * outstanding: a long stream through a queue that stays `window` deep.
 */
function stream(
  n: number,
  window: number,
  run: (fn: () => Promise<void>) => Promise<unknown>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let submitted = 0;
    let left = n;
    const done = (): void => {
      if (--left === 0) resolve();
      else if (submitted < n) submitted++, run(noop).then(done, reject);
    };
    for (; submitted < window; submitted++) run(noop).then(done, reject);
  });
}

/** Hands out the resolve function of the promise being built. */
let kept: () => void;
const keep = (resolve: () => void): void => {
  kept = resolve;
};

/**
 * The floor: `n` pending promises, settled in order, four at a time, with no
 * limiter at all. Nothing that hands out `n` promises at once can cost less;
 * it shows how much of the cost at 10^6 is V8 holding a million promises.
 */
function floor(n: number): Promise<void> {
  return new Promise((resolveAll) => {
    const resolvers: ((value: void) => void)[] = [];
    let next = 0;
    let left = n;
    const settleNext = (): void => {
      const resolve = resolvers[next]!;
      resolvers[next++] = undefined as never;
      resolve();
    };
    const done = (): void => {
      if (--left === 0) resolveAll();
      else if (next < n) settleNext();
    };
    for (let i = 0; i < n; i++) {
      // The cheapest pending promise: one shared executor, no closure each.
      new Promise<void>(keep).then(done);
      resolvers.push(kept);
    }
    for (let i = 0; i < CONCURRENCY; i++) settleNext();
  });
}

Deno.bench({
  name: "asincronia Semaphore(4).run",
  group: "10,000 tasks, concurrency 4",
  baseline: true,
  async fn() {
    const sem = new Semaphore(CONCURRENCY);
    await many(TASKS, (fn) => sem.run(fn));
  },
});

Deno.bench({
  name: "async-mutex Semaphore(4).runExclusive",
  group: "10,000 tasks, concurrency 4",
  async fn() {
    const sem = new MutexSemaphore(CONCURRENCY);
    await many(TASKS, (fn) => sem.runExclusive(fn));
  },
});

Deno.bench({
  name: "p-limit(4)",
  group: "10,000 tasks, concurrency 4",
  async fn() {
    const limit = pLimit(CONCURRENCY);
    await many(TASKS, (fn) => limit(fn));
  },
});

Deno.bench({
  name: "asincronia Lock.run",
  group: "10,000 tasks, one at a time",
  baseline: true,
  async fn() {
    const lock = new Lock();
    await many(TASKS, (fn) => lock.run(fn));
  },
});

Deno.bench({
  name: "async-mutex Mutex.runExclusive",
  group: "10,000 tasks, one at a time",
  async fn() {
    const mutex = new Mutex();
    await many(TASKS, (fn) => mutex.runExclusive(fn));
  },
});

Deno.bench({
  name: "asincronia Semaphore: 1,000 × await acquire() + release()",
  group: "uncontended acquire and release",
  baseline: true,
  async fn() {
    const sem = new Semaphore(1);
    for (let i = 0; i < 1000; i++) (await sem.acquire()).release();
  },
});

Deno.bench({
  name: "asincronia Lock: 1,000 × tryAcquire() + release()",
  group: "uncontended acquire and release",
  fn() {
    const lock = new Lock();
    for (let i = 0; i < 1000; i++) lock.tryAcquire()!.release();
  },
});

Deno.bench({
  name: "async-mutex Mutex: 1,000 × await acquire() + release()",
  group: "uncontended acquire and release",
  async fn() {
    const mutex = new Mutex();
    for (let i = 0; i < 1000; i++) (await mutex.acquire())();
  },
});

// How the cost per task changes with the number of tasks. Each size is its
// own group with the floor as baseline, so the summary line reads "ours costs
// N× what bare pending promises cost" at that size: if the queue were not
// O(1), that ratio would grow from 10^4 to 10^6.

/** The runs at 10^6 take about a second each: a few suffice. */
const long = { n: 5, warmup: 1 };

for (
  const [exponent, tasks, runs] of [[4, 10_000, {}], [
    6,
    1_000_000,
    long,
  ]] as const
) {
  const group = `10^${exponent} tasks queued at once`;
  Deno.bench({
    name: `floor: 10^${exponent} pending promises, no limiter`,
    group,
    baseline: true,
    ...runs,
    async fn() {
      await floor(tasks);
    },
  });
  Deno.bench({
    name: `asincronia Semaphore(4).run, 10^${exponent} tasks`,
    group,
    ...runs,
    async fn() {
      const sem = new Semaphore(CONCURRENCY);
      await many(tasks, (fn) => sem.run(fn));
    },
  });
}

for (const [exponent, depth] of [[3, 1_000], [4, 10_000]] as const) {
  Deno.bench({
    name: `asincronia Semaphore(4).run, 10^6 tasks, queue 10^${exponent} deep`,
    group: "10^6 tasks streamed through a queue of fixed depth",
    baseline: exponent === 3,
    ...long,
    async fn() {
      const sem = new Semaphore(CONCURRENCY);
      await stream(1_000_000, depth, (fn) => sem.run(fn));
    },
  });
}

// One AbortSignal shared by every queued caller against a signal each: the
// library adds one listener per distinct signal, so both cost O(1) per
// caller. (Deno's addEventListener scans the listeners already there: one
// listener per caller on a shared signal made this quadratic.)
for (const shared of [false, true]) {
  Deno.bench({
    name: `asincronia Semaphore(4).run, 10^4 queued callers, ${
      shared ? "one shared signal" : "a signal each"
    }`,
    group: "10^4 queued callers with an AbortSignal",
    baseline: !shared,
    async fn() {
      const sem = new Semaphore(CONCURRENCY);
      const signal = new AbortController().signal;
      await many(
        TASKS,
        (fn) =>
          sem.run(fn, {
            signal: shared ? signal : new AbortController().signal,
          }),
      );
    },
  });
}

// The least that never calling fn inside run() can cost, uncontended: a
// bare async function that waits one microtask, then awaits fn's promise
// (three hops to the caller where 78abbaf took two). No semaphore at all.
const DONE = Promise.resolve();
async function threeHops(fn: () => Promise<void>): Promise<void> {
  await DONE;
  return await fn();
}
Deno.bench({
  name: "A/B floor: 1,000 × await threeHops(noop), no semaphore",
  group: "A/B: uncontended run",
  async fn() {
    for (let i = 0; i < 1000; i++) await threeHops(noop);
  },
});

// A/B: today's Semaphore against the one of commit 78abbaf, same workloads.
for (
  const [side, make] of [["78abbaf", Semaphore78], [
    "today",
    Semaphore,
  ]] as const
) {
  const baseline = side === "78abbaf";
  Deno.bench({
    name: `A/B ${side}: Semaphore(4).run, 10^4 tasks at once`,
    group: "A/B: 10^4 tasks, concurrency 4",
    baseline,
    async fn() {
      const sem = new make(CONCURRENCY);
      await many(TASKS, (fn) => sem.run(fn));
    },
  });
  Deno.bench({
    name: `A/B ${side}: 1,000 × await run(noop), uncontended`,
    group: "A/B: uncontended run",
    baseline,
    async fn() {
      const sem = new make(1);
      for (let i = 0; i < 1000; i++) await sem.run(noop);
    },
  });
  Deno.bench({
    name: `A/B ${side}: 1,000 × await run(() => i), fn returns a value`,
    group: "A/B: uncontended run, fn returns a value",
    baseline,
    async fn() {
      const sem = new make(1);
      for (let i = 0; i < 1000; i++) await sem.run(() => i);
    },
  });
  Deno.bench({
    name: `A/B ${side}: Semaphore(4).run, 10^4 tasks, a signal each`,
    group: "A/B: 10^4 tasks with a signal each",
    baseline,
    async fn() {
      const sem = new make(CONCURRENCY);
      await many(
        TASKS,
        (fn) => sem.run(fn, { signal: new AbortController().signal }),
      );
    },
  });
  Deno.bench({
    name: `A/B ${side}: 1,000 × await acquire() + release()`,
    group: "A/B: uncontended acquire",
    baseline,
    async fn() {
      const sem = new make(1);
      for (let i = 0; i < 1000; i++) (await sem.acquire()).release();
    },
  });
}
