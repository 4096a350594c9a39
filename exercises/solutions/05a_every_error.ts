/**
 * # 05a · Collect every error — a solution
 *
 * EN: `Promise.allSettled` waits for every job and reports each outcome in
 * input order (Python's `gather(return_exceptions=True)`); keep the reasons
 * of the rejected ones.
 *
 * ES: `Promise.allSettled` espera a todos y da cada resultado en el orden de
 * entrada (el `gather(return_exceptions=True)` de Python); quédate con los
 * motivos de los rechazados.
 *
 * @module
 */

/** Runs one job; it rejects if the job fails. */
export type Job = (name: "A" | "B" | "C" | "D") => Promise<string>;

/**
 * Runs the four jobs; resolves with the errors of those that failed, in job
 * order (A's before B's), once every job is done.
 * ES: Ejecuta los cuatro trabajos; devuelve los errores de los que fallen, en
 * su orden (los de A antes que los de B), cuando todos hayan acabado.
 */
export async function main(job: Job): Promise<unknown[]> {
  const results = await Promise.allSettled([
    job("A"),
    job("B"),
    job("C"),
    job("D"),
  ]);
  return results
    .filter((result) => result.status === "rejected")
    .map((result) => result.reason);
}
