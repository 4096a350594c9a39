/**
 * # 05b · Cancel the siblings when one fails — a solution
 *
 * EN: A TaskGroup hands each job its signal, aborts it at the first failure,
 * and `await using` waits at the end of the block until every job has
 * settled, then throws an AggregateError of the failures.
 *
 * ES: Un TaskGroup da a cada trabajo su señal, la aborta al primer fallo, y
 * `await using` espera al final del bloque a que todos acaben, y luego lanza
 * un AggregateError con los fallos.
 *
 * @module
 */
import { TaskGroup } from "../../mod.ts";

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
  let results: Promise<string>[];
  {
    await using group = new TaskGroup();
    results = (["A", "B", "C"] as const).map((name) =>
      group.spawn((signal) => job(name, signal))
    );
  }
  return await Promise.all(results);
}
