/**
 * # 05a · Collect every error
 *
 * EN: Run jobs A, B, C and D at the same time and return every error they
 * throw, in job order (A's before B's), once all have finished; never throw.
 * Lesson 05 (lessons/05_exceptions.ts) compares Promise.all and
 * Promise.allSettled.
 *
 * ES: Ejecuta los trabajos A, B, C y D a la vez y devuelve todos los errores
 * que lancen, en el orden de los trabajos (los de A antes que los de B), una
 * vez acabados todos; no lances nada. Lo enseña la lección 05
 * (lessons/05_exceptions.ts), que compara Promise.all y Promise.allSettled.
 *
 * Check it · Compruébalo: `deno task exercise 05a` (`--hint` for a hint)
 *
 * @module
 */

/** Runs one job; it rejects if the job fails. */
export type Job = (name: "A" | "B" | "C" | "D") => Promise<string>;

/** Runs the four jobs; resolves with the errors of those that failed, in job order. */
export async function main(job: Job): Promise<unknown[]> {
  try {
    await Promise.all([job("A"), job("B"), job("C"), job("D")]);
    return [];
  } catch (error) {
    return [error];
  }
}
