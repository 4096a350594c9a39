/**
 * # 03b · Finish background work before returning — a solution
 *
 * EN: Keep the promise of the background task (Python's `create_task`) and
 * await it at the end: it ran all along, and main does not leave it behind.
 *
 * ES: Guarda la promesa de la tarea de fondo (el `create_task` de Python) y
 * espérala al final: corrió todo el rato, y main no la deja atrás.
 *
 * @module
 */

/** Runs one task; it resolves when the task is done. */
export type Task = (name: "save" | "fetch" | "render") => Promise<void>;

/** Saves in the background while it fetches and renders. */
export async function main(task: Task): Promise<void> {
  const saving = task("save");
  await task("fetch");
  await task("render");
  await saving;
}
