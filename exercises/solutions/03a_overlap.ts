/**
 * # 03a · Overlap three waits — a solution
 *
 * EN: Calling `task()` starts it at once; `Promise.all` waits for the three
 * promises together (Python's `asyncio.gather`).
 *
 * ES: Llamar a `task()` la pone en marcha en el acto; `Promise.all` espera
 * las tres promesas juntas (el `asyncio.gather` de Python).
 *
 * @module
 */

/** Runs one task; it resolves when the task is done. */
export type Task = (name: "A" | "B" | "C") => Promise<void>;

/** Runs A, B and C; settles when all three are done. */
export async function main(task: Task): Promise<void> {
  await Promise.all([task("A"), task("B"), task("C")]);
}
