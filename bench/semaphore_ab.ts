/**
 * The A/B groups of sync_bench.ts, timed in alternation on CPU time: today's
 * Semaphore against the one of commit 78abbaf (bench/_semaphore_78abbaf.ts),
 * and the floor of never calling fn inside run() (a bare async function of
 * three hops, no semaphore; and the same as a class's method that counts
 * its permit). Each round runs every side once, in a random
 * order; the figure is the median over the rounds of today's time ÷
 * 78abbaf's in the same round, which a loaded machine disturbs far less than
 * `deno bench`'s wall-clock averages.
 *
 * Run: deno run --config bench/deno.json bench/semaphore_ab.ts [rounds] [case]
 * (only the cases whose name contains `case`, e.g. `uncontended`).
 *
 * @module
 */
import process from "node:process";
import { Semaphore } from "../lib/semaphore.ts";
import { Semaphore as Semaphore78 } from "./_semaphore_78abbaf.ts";

type Run = (fn: () => unknown, options?: { signal?: AbortSignal }) => unknown;
type Side = (permits: number) => { run: Run };

const noop = (): Promise<void> => Promise.resolve();
const DONE = Promise.resolve();
/** No semaphore: wait one microtask, then await fn's promise. */
const floor: Side = () => ({
  run: async (fn) => {
    await DONE;
    return await fn();
  },
});
/**
 * The floor as a semaphore's method would have it, with nothing to check:
 * a permit count, the method (declaring the one argument it is given)
 * handing over to an async one, the permit given back in a `finally`.
 */
class MethodFloor {
  #available = 1;
  run(fn: () => unknown): Promise<unknown> {
    this.#available--;
    return this.#now(fn);
  }
  async #now(fn: () => unknown): Promise<unknown> {
    await DONE;
    try {
      return await fn();
    } finally {
      this.#available++;
    }
  }
}
const sides: Record<string, Side> = {
  "78abbaf": (n) => new Semaphore78(n),
  today: (n) => new Semaphore(n),
};

/** Starts `n` calls at once and resolves when all have settled. */
function many(n: number, call: () => unknown): Promise<unknown> {
  return Promise.all(Array.from({ length: n }, call));
}

/** A workload: how many times to repeat it per sample, and what it does. */
const cases: Record<string, [number, (side: Side) => Promise<unknown>]> = {
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
};

const rounds = Number(Deno.args[0] ?? 41);
const only = Deno.args[1] ?? "";
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values: number[]) =>
  values.toSorted((a, b) => a - b)[values.length >> 1]!;

for (const [name, [repeat, workload]] of Object.entries(cases)) {
  if (!name.includes(only)) continue;
  const all: Record<string, Side> = name.includes("run(noop), uncontended")
    ? { ...sides, floor, "floor as a method": () => new MethodFloor() }
    : sides;
  const times: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    const order = Object.keys(all).sort(() => Math.random() - 0.5);
    for (const side of order) {
      const start = cpu();
      for (let k = 0; k < repeat; k++) await workload(all[side]!);
      (times[side] ??= []).push((cpu() - start) / repeat);
    }
  }
  const base = times["78abbaf"]!;
  const ratios = Object.keys(all).filter((side) => side !== "78abbaf").map(
    (side) => {
      const ratio = median(times[side]!.map((t, i) => t / base[i]!));
      return `${side} ${ratio.toFixed(2)}x`;
    },
  );
  console.log(`${name}: ${ratios.join(", ")} (÷ 78abbaf, ${rounds} rounds)`);
}
