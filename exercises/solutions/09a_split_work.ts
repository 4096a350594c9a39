/**
 * # 09a · Split the work over the workers — a solution
 *
 * EN: Send every chunk before awaiting any: each `run` goes to a free
 * worker, so the chunks compute on several cores at once (parallelism), and
 * `Promise.all` collects the counts.
 *
 * ES: Envía todos los trozos antes de esperar ninguno: cada `run` va a un
 * worker libre, así que los trozos se calculan en varios núcleos a la vez
 * (paralelismo), y `Promise.all` recoge las cuentas.
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  executor: {
    run<T>(module: URL, exportName: string, args: unknown[]): Promise<T>;
  };
  tasks: URL;
  limit: number;
  workers: number;
}

/** How many primes there are below `tools.limit`. */
export async function main(tools: Tools): Promise<number> {
  const chunks = tools.workers * 2;
  const size = Math.ceil(tools.limit / chunks);
  const count = (k: number) => {
    const [from, to] = [k * size, Math.min((k + 1) * size, tools.limit)];
    return tools.executor.run<number>(tools.tasks, "countPrimes", [from, to]);
  };
  const counts = await Promise.all([...Array(chunks).keys()].map(count));
  return counts.reduce((sum, count) => sum + count, 0);
}
