/**
 * # 05b · Cancel the siblings when one fails
 *
 * EN: Run jobs A, B and C at once and resolve with their results in job
 * order. If one fails, stop the others at once (each job stops when its
 * signal aborts, which takes it half a unit) and throw only once every job
 * has stopped. Lesson 05 (lessons/05_exceptions.ts) shows a TaskGroup.
 *
 * ES: Ejecuta los trabajos A, B y C a la vez y devuelve sus resultados en
 * orden. Si uno falla, para los demás en el acto (cada trabajo se detiene
 * cuando su señal aborta, y tarda media unidad) y lanza el error solo cuando
 * todos se hayan detenido. Lo enseña la lección 05 (un TaskGroup).
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

/** Runs A, B and C; resolves with their results, or throws once all have stopped. */
export async function main(job: Job): Promise<string[]> {
  return await Promise.all([job("A"), job("B"), job("C")]);
}
