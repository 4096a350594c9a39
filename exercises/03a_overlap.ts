/**
 * # 03a · Overlap three waits
 *
 * EN: Tasks A, B and C take 2, 1 and 3 units and need nothing from each
 * other. Make `main` run them at the same time, so that it takes 3 units,
 * not 6. Lesson 03 (lessons/03_gather.ts) shows how.
 *
 * ES: Las tareas A, B y C tardan 2, 1 y 3 unidades y no dependen entre sí.
 * Haz que `main` las ejecute a la vez, para que tarde 3 unidades y no 6. Lo
 * enseña la lección 03 (lessons/03_gather.ts).
 *
 * Check it · Compruébalo: `deno task exercise 03a` (`--hint` for a hint)
 *
 * @module
 */

/** Runs one task; it resolves when the task is done. */
export type Task = (name: "A" | "B" | "C") => Promise<void>;

/** Runs A, B and C; settles when all three are done. */
export async function main(task: Task): Promise<void> {
  await task("A");
  await task("B");
  await task("C");
}
