/**
 * # 04b · Protect a read-await-write counter — a solution
 *
 * EN: Only the read and the write need the lock: hold it around them (a
 * `using` block gives it back however the block ends), not around the work.
 *
 * ES: Solo la lectura y la escritura necesitan el cerrojo: tenlo alrededor
 * de ellas (un bloque `using` lo devuelve acabe como acabe), no del trabajo.
 *
 * @module
 */
import { Lock } from "@asincronia/asincronia";

/** What the checker hands you. */
export interface Tools {
  workers: number[];
  work(worker: number): Promise<void>;
  read(worker: number): Promise<number>;
  write(worker: number, value: number): Promise<void>;
}

/** Runs every worker: work, then one more on the counter. */
export async function main(tools: Tools): Promise<void> {
  const lock = new Lock();
  await Promise.all(tools.workers.map(async (worker) => {
    await tools.work(worker);
    using _held = await lock.acquire();
    const value = await tools.read(worker);
    await tools.write(worker, value + 1);
  }));
}
