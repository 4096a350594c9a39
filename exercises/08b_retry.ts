/**
 * # 08b · Retry politely: backoff and Retry-After
 *
 * EN: Retry 429 and 503 answers politely: wait what `Retry-After` says, or back
 * off exponentially, and give up after 4 attempts. Lesson 08
 * (lessons/08_fetch.ts) retries too.
 *
 * ES: Reintenta con cortesía las respuestas 429 y 503: espera lo que indique
 * `Retry-After` o, si no lo indica, cada vez más (espera exponencial), y
 * ríndete tras 4 intentos. La lección 08 (lessons/08_fetch.ts) también reintenta.
 *
 * Check it · Compruébalo: `deno task exercise 08b` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** How many milliseconds one unit lasts. */
  unit: number;
}

/**
 * The text of `url`'s body when an answer is 2xx. A 429 or 503 is retried,
 * 4 attempts in all: first wait `Retry-After` units if the answer says so,
 * else 0.5 × 2^retry units (0.5, 1, 2). Any other status, or the last
 * failure, throws an Error whose message has the status. Cancel every body
 * you do not read.
 * ES: El texto del cuerpo de `url` cuando una respuesta es 2xx. Un 429 o 503
 * se reintenta, 4 intentos en total: espera antes `Retry-After` unidades si
 * la respuesta lo dice, si no 0,5 × 2^reintento (0,5, 1, 2). Otro estado, o
 * el último fallo, lanza un Error cuyo mensaje lleve el estado. Cancela cada
 * cuerpo que no leas.
 */
export async function getWithRetry(
  url: string,
  _tools: Tools,
): Promise<string> {
  const response = await fetch(url);
  return await response.text();
}
