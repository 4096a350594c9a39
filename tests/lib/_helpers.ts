/**
 * Helpers that the lib tests share: letting promise callbacks run, a seeded
 * random source for repeatable stress tests, a look at a promise's state,
 * std's delay with its types, a promise for a signal's abort, and the
 * garbage collector.
 *
 * @module
 */
import { delay as stdDelay } from "@std/async/delay";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** std's `delay` with its signature (deno-std from npm has no types). */
export const delay = stdDelay as (
  ms: number,
  options?: { signal?: AbortSignal },
) => Promise<void>;

/** Resolves when `signal` aborts (at once if it already has). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}

/** Lets every pending promise callback run (a few hops deep). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/** A small seeded PRNG (mulberry32), so stress tests and shuffles repeat. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `items` in place (Fisher–Yates) with `rand`, and returns them. */
export function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Records whether a promise has settled, how, and with what value. */
export function track<T>(
  promise: Promise<T>,
): { state: string; value?: T } {
  const box: { state: string; value?: T } = { state: "pending" };
  promise.then(
    (value) => {
      box.state = "fulfilled";
      box.value = value;
    },
    () => box.state = "rejected",
  );
  return box;
}

/** A primitive with waiters, as {@linkcode assertAbortCostFlat} drives it. */
export interface Waitable {
  /** Starts one wait, with `signal` or without one. */
  wait(signal?: AbortSignal): Promise<unknown>;
  /** How many callers wait now. */
  waiting(): number;
  /** Ends every wait left (set the event, close the queue). */
  release(): void;
}

/**
 * Asserts that aborting a waiter costs the same whatever else waits: 10,000
 * waiters with signals are aborted in random order, once alone and once
 * spread among 200,000 waiters without signals. Deno's own abort costs the
 * same in both; a primitive that searched or shifted its waiters on each
 * abort would make about 10^9 more steps in the second (seconds). Each side
 * is the best of three runs, so that one collection cannot decide it.
 */
export async function assertAbortCostFlat(
  make: () => Waitable,
  seed: number,
): Promise<void> {
  const rand = random(seed);
  const abortAmong = async (aborted: number, others: number) => {
    const waitable = make();
    const controllers: AbortController[] = [];
    const waits: Promise<unknown>[] = [];
    for (let left = aborted + others; left > 0; left--) {
      if (rand() * left < aborted - controllers.length) {
        const controller = new AbortController();
        controllers.push(controller);
        waits.push(waitable.wait(controller.signal).catch(() => 0));
      } else {
        waits.push(waitable.wait().catch(() => 0));
      }
    }
    const started = performance.now();
    for (const controller of shuffle(controllers, rand)) controller.abort();
    const elapsed = performance.now() - started;
    if (waitable.waiting() !== others) {
      throw new Error(`${waitable.waiting()} waiting, not ${others}`);
    }
    waitable.release();
    await Promise.all(waits);
    return elapsed;
  };
  await abortAmong(1_000, 1_000); // warm up
  const best = async (others: number) => {
    let ms = Infinity;
    for (let run = 0; run < 3; run++) {
      ms = Math.min(ms, await abortAmong(10_000, others));
    }
    return ms;
  };
  const alone = await best(0);
  const among = await best(200_000);
  if (!(among < 4 * alone + 150)) {
    throw new Error(
      `10,000 aborts took ${alone.toFixed(0)} ms alone, ${
        among.toFixed(0)
      } ms among 200,000 waiters`,
    );
  }
}

/**
 * The engine's garbage collector, reached without a command-line flag (the
 * test task has none): `--expose-gc` set at run time exposes `gc` in every
 * context created afterwards.
 */
export function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Whether the object behind `ref` was collected, after a full collection. */
export async function collected(ref: WeakRef<object>): Promise<boolean> {
  // A WeakRef's target is kept until the current job ends: collect after a
  // macrotask.
  await new Promise((resolve) => setTimeout(resolve, 0));
  collector()();
  return ref.deref() === undefined;
}

/**
 * How many bytes of heap `make` leaves behind once collected: what the
 * object it returns still holds (it is kept alive until after the count).
 */
export function heapKept(make: () => unknown): number {
  const gc = collector();
  gc();
  const before = Deno.memoryUsage().heapUsed;
  const kept = make();
  gc();
  const after = Deno.memoryUsage().heapUsed;
  if (kept === undefined) throw new Error("nothing kept");
  return after - before;
}
