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
 * Each side calls `run` from its own copy of the workloads (see
 * _semaphore_cases.ts); `--shared` gives all one copy instead, whose call
 * sites then see every side's class.
 *
 * Run: deno run --config bench/deno.json bench/semaphore_ab.ts [rounds] [case]
 * [--shared] (only the cases whose name contains `case`, e.g. `uncontended`).
 * `--shapes` (with `--allow-read=bench`) adds to the `run(noop)` case the
 * other ways to take the hop, in bench/_semaphore_shapes.ts.
 *
 * @module
 */
import process from "node:process";
import { Semaphore } from "../lib/semaphore.ts";
import { Semaphore as Semaphore78 } from "./_semaphore_78abbaf.ts";

import { type Side } from "./_semaphore_cases.ts";
import * as old from "./_semaphore_cases.ts?78abbaf";
import * as now from "./_semaphore_cases.ts?today";
import * as bare from "./_semaphore_cases.ts?floor";
import * as method from "./_semaphore_cases.ts?method";
import { shapes } from "./_semaphore_shapes.ts";

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
/** Each side: how it makes a semaphore, and its own copy of the workloads. */
const sides: Record<string, [Side, typeof now.cases]> = {
  "78abbaf": [(n) => new Semaphore78(n), old.cases],
  today: [(n) => new Semaphore(n), now.cases],
};
/** Beside them in the case they are for. */
const floors: typeof sides = {
  floor: [floor, bare.cases],
  "floor as a method": [() => new MethodFloor(), method.cases],
};

const shared = Deno.args.includes("--shared");
if (Deno.args.includes("--shapes")) {
  for (const [name, make] of Object.entries(shapes)) {
    const copy = await import(`./_semaphore_cases.ts?${encodeURI(name)}`);
    floors[name] = [make, copy.cases];
  }
}
const [rounds = 41, only = ""] = Deno.args.filter((a) => !a.startsWith("--"))
  .map((arg, i) => i === 0 ? Number(arg) : arg) as [number?, string?];
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values: number[]) =>
  values.toSorted((a, b) => a - b)[values.length >> 1]!;

for (const [name, [repeat]] of Object.entries(now.cases)) {
  if (!name.includes(only)) continue;
  const all = name.includes("run(noop), uncontended")
    ? { ...sides, ...floors }
    : sides;
  const times: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    const order = Object.keys(all).sort(() => Math.random() - 0.5);
    for (const side of order) {
      const start = cpu();
      const [make, cases] = all[side]!;
      const workload = (shared ? now.cases : cases)[name]![1];
      for (let k = 0; k < repeat; k++) await workload(make);
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
  const ms = median(base).toFixed(2);
  console.log(
    `${name}: ${ratios.join(", ")} (÷ 78abbaf: ${ms} ms, ${rounds} rounds)`,
  );
}
