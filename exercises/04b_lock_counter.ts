/**
 * # 04b · Protect a read-await-write counter
 *
 * EN: Four workers (`tools.workers`) work at once (2 units), then each adds one
 * to a shared counter by reading it and writing it back. Make it end at 4 with
 * the work still overlapping. Lesson 04 (lessons/04_lock.ts) shows a Lock.
 *
 * ES: Cuatro trabajadores (`tools.workers`) trabajan a la vez (2 unidades) y
 * luego suman uno a un contador compartido leyéndolo y escribiéndolo. Haz que
 * acabe en 4 sin dejar de solapar el trabajo. Lección 04 (lessons/04_lock.ts).
 *
 * Check it · Compruébalo: `deno task exercise 04b` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** The workers: [0, 1, 2, 3] (the check also tries [1, 2, 3, 4, 5]). */
  workers: number[];
  /** A worker's own work, which needs nothing shared. */
  work(worker: number): Promise<void>;
  /** Reads the counter for a worker. */
  read(worker: number): Promise<number>;
  /** Writes the counter for a worker. */
  write(worker: number, value: number): Promise<void>;
}

/** Runs every worker: work, then one more on the counter. */
export async function main(tools: Tools): Promise<void> {
  await Promise.all(tools.workers.map(async (worker) => {
    await tools.work(worker);
    const value = await tools.read(worker);
    await tools.write(worker, value + 1);
  }));
}
