/**
 * The workloads of bench/semaphore_ab.ts. That runner imports this module
 * once per side (`./_semaphore_cases.ts?today`, …): each side then calls
 * `run` from call sites of its own, which see one class, as in a program
 * that uses one semaphore. Shared call sites would see four classes, and
 * V8's dispatch on them would cost every side the same extra time, which
 * shrinks every ratio towards 1 (or more, with more sides).
 *
 * @module
 */

/** What a side must offer: `run` as a semaphore has it. */
export type Side = (permits: number) => {
  run(fn: () => unknown, options?: { signal?: AbortSignal }): unknown;
};

const noop = (): Promise<void> => Promise.resolve();

/** Starts `n` calls at once and resolves when all have settled. */
function many(n: number, call: () => unknown): Promise<unknown> {
  return Promise.all(Array.from({ length: n }, call));
}

/** A workload: how many times to repeat it per sample, and what it does. */
export const cases: Record<
  string,
  [number, (side: Side) => Promise<unknown>]
> = {
  "Semaphore(4).run, 10^4 tasks at once": [2, (side) => {
    const sem = side(4);
    return many(10_000, () => sem.run(noop));
  }],
  "1,000 × await run(noop), uncontended": [50, async (side) => {
    const sem = side(1);
    for (let i = 0; i < 1000; i++) await sem.run(noop);
  }],
  "1,000 × await run(() => i), uncontended": [50, async (side) => {
    const sem = side(1);
    for (let i = 0; i < 1000; i++) await sem.run(() => i);
  }],
  "Semaphore(4).run, 10^4 tasks, a signal each": [1, (side) => {
    const sem = side(4);
    const signal = () => new AbortController().signal;
    return many(10_000, () => sem.run(noop, { signal: signal() }));
  }],
  "1,000 × await run(noop, { signal }), uncontended": [50, async (side) => {
    const sem = side(1);
    const signal = new AbortController().signal;
    for (let i = 0; i < 1000; i++) await sem.run(noop, { signal });
  }],
};
