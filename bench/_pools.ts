// What executor_bench.ts and runtimes_bench.ts drive every worker pool
// through.

/** One pool, as the benches drive it. */
export interface Pool {
  add(a: number, b: number): Promise<unknown>;
  burn(ms: number): Promise<unknown>;
  countPrimes(from: number, to: number): Promise<number>;
  close(): Promise<unknown>;
}

/** piscina and tinypool share one API: a task object, an export's name. */
export function piscinaLike(pool: {
  run(task: object, options?: { name: string }): Promise<unknown>;
  destroy(): Promise<unknown>;
}): Pool {
  return {
    add: (a, b) => pool.run({ a, b }),
    burn: (ms) => pool.run({ ms }, { name: "burn" }),
    countPrimes: (from, to) =>
      pool.run({ from, to }, { name: "countPrimes" }) as Promise<number>,
    close: () => pool.destroy(),
  };
}
