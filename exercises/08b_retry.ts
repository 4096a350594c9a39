/**
 * # 08b · Retry politely: backoff and Retry-After
 *
 * EN: `getWithRetry(url)` returns the text of a 2xx answer. It retries only
 * 429 and 503, 4 attempts in all, waiting first what `Retry-After` says (in
 * units here) or else 0.5 unit doubled at each retry (0.5, 1, 2); any other
 * status, or the last failure, throws an error naming the status. Cancel
 * every body you discard. Lesson 08 (lessons/08_fetch.ts) retries too.
 *
 * ES: `getWithRetry(url)` devuelve el texto de una respuesta 2xx. Reintenta
 * solo 429 y 503, 4 intentos en total, esperando antes lo que diga
 * `Retry-After` (aquí en unidades) o si no 0,5 unidades dobladas en cada
 * reintento (0,5, 1, 2); cualquier otro estado, o el último fallo, lanza un
 * error que nombra el estado. Cancela cada cuerpo que descartes. Lección 08.
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

/** The text of `url`'s body, retrying 429 and 503 answers politely. */
export async function getWithRetry(
  url: string,
  _tools: Tools,
): Promise<string> {
  const response = await fetch(url);
  return await response.text();
}
