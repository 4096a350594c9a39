/**
 * # 05a · Collect every error
 *
 * EN: Run jobs A to D at once and return every error they throw, in job order,
 * once all are done; never throw. Lesson 05 (lessons/05_exceptions.ts)
 * compares Promise.all and Promise.allSettled.
 *
 * ES: Ejecuta los trabajos A, B, C y D a la vez y devuelve todos sus errores, en
 * el orden de los trabajos, cuando acaben todos; no lances nada. La lección 05
 * (lessons/05_exceptions.ts) compara Promise.all y Promise.allSettled.
 *
 * Check it · Compruébalo: `deno task exercise 05a` (`--hint` for a hint)
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
  try {
    await Promise.all([job("A"), job("B"), job("C"), job("D")]);
    return [];
  } catch (error) {
    return [error];
  }
}
