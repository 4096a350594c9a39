/**
 * # 05b · Cancel the siblings when one fails
 *
 * EN: Run jobs A, B and C at once; if one fails, stop the others at once and
 * throw only once all have stopped. Lesson 05
 * (lessons/05_task_groups.ts) shows a TaskGroup.
 *
 * ES: Ejecuta A, B y C a la vez; si uno falla, detén a los demás en el acto y
 * lanza el error solo cuando todos hayan parado. La lección 05
 * (lessons/05_task_groups.ts) enseña un TaskGroup.
 *
 * Check it · Compruébalo: `deno task exercise 05b` (`--hint` for a hint)
 *
 * @module
 */

/** Runs one job; it stops, and rejects, once `signal` aborts. */
export type Job = (
  name: "A" | "B" | "C",
  signal?: AbortSignal,
) => Promise<string>;

/**
 * Runs A, B and C; resolves with their results in job order. If one fails,
 * aborts the others' signal (a job takes half a unit to stop) and throws its
 * error once every job has stopped.
 * ES: Ejecuta A, B y C; devuelve sus resultados en orden. Si uno falla, aborta
 * la señal de los demás (un trabajo tarda media unidad en parar) y lanza su
 * error cuando todos hayan parado.
 */
export async function main(job: Job): Promise<string[]> {
  return await Promise.all([job("A"), job("B"), job("C")]);
}
