/**
 * # 09a · Split the work over the workers
 *
 * EN: Count the primes below a limit by splitting the range into chunks that run
 * at the same time on an Executor's 2 workers. Lesson 09
 * (lessons/09_concurrency_vs_parallelism.ts) does this.
 *
 * ES: Cuenta los primos menores que un límite dividiendo el rango en trozos que
 * se ejecuten a la vez en los 2 workers de un Executor. Lo hace la lección 09
 * (lessons/09_concurrency_vs_parallelism.ts).
 *
 * Check it · Compruébalo: `deno task exercise 09a` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** An Executor with `workers` workers; the checker shuts it down. */
  executor: {
    run<T>(module: URL, exportName: string, args: unknown[]): Promise<T>;
  };
  /** The URL of exercises/_tasks.ts, which exports countPrimes(from, to). */
  tasks: URL;
  /** Count the primes in [2, limit). */
  limit: number;
  /** How many workers the executor has: 2. */
  workers: number;
}

/** How many primes there are below `tools.limit`. */
export async function main(tools: Tools): Promise<number> {
  return await tools.executor.run<number>(tools.tasks, "countPrimes", [
    2,
    tools.limit,
  ]);
}
