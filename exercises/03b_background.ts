/**
 * # 03b · Finish background work before returning
 *
 * EN: `main` must start "save" (3 units) in the background, meanwhile do
 * "fetch" then "render" (1 unit each; render needs fetch), and return only
 * once save is done too. Lesson 03 (lessons/03_gather.ts, task D).
 *
 * ES: `main` debe lanzar «save» (3 unidades) en segundo plano, hacer mientras
 * tanto «fetch» y luego «render» (1 unidad cada una; render necesita fetch),
 * y terminar solo cuando save también acabe. Lección 03 (tarea D).
 *
 * Check it · Compruébalo: `deno task exercise 03b` (`--hint` for a hint)
 *
 * @module
 */

/** Runs one task; it resolves when the task is done. */
export type Task = (name: "save" | "fetch" | "render") => Promise<void>;

/** Saves in the background while it fetches and renders. */
export async function main(task: Task): Promise<void> {
  task("save"); // started, and then forgotten
  await task("fetch");
  await task("render");
}
