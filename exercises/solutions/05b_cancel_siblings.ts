/**
 * # 05b · Cancel the siblings when one fails — a solution
 *
 * EN: `TaskGroup.run` hands each job its own signal, aborts it at the first
 * failure, and settles only once every job has: the body's `Promise.all`
 * rejects at B's failure, but run still waits for A and C to stop, then
 * throws an AggregateError of the failures (B's error, once).
 *
 * ES: `TaskGroup.run` da a cada trabajo su señal, la aborta al primer fallo,
 * y no termina hasta que todos han acabado: el `Promise.all` del cuerpo
 * rechaza al fallar B, pero run espera aún a que A y C paren, y luego lanza
 * un AggregateError con los fallos (el de B, una vez).
 *
 * @module
 */
import { TaskGroup } from "@asincronia/asincronia";

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
export function main(job: Job): Promise<string[]> {
  return TaskGroup.run((group) =>
    Promise.all(
      (["A", "B", "C"] as const).map((name) =>
        group.spawn((signal) => job(name, signal))
      ),
    )
  );
}
