/**
 * # 08b · Retry politely: backoff and Retry-After — a solution
 *
 * EN: A loop of attempts: a 2xx ends it, 429 and 503 wait and go round
 * again, anything else ends it with an error. The server's Retry-After wins
 * over our own backoff; every discarded body is cancelled.
 *
 * ES: Un bucle de intentos: un 2xx lo acaba, 429 y 503 esperan y dan otra
 * vuelta, cualquier otra cosa lo acaba con un error. El Retry-After del
 * servidor manda sobre nuestra espera; cada cuerpo descartado se cancela.
 *
 * @module
 */
import { delay } from "@std/async/delay";

/** What the checker hands you. */
export interface Tools {
  unit: number;
}

const ATTEMPTS = 4;
const RETRIED = [429, 503];

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
export async function getWithRetry(url: string, tools: Tools): Promise<string> {
  for (let attempt = 1;; attempt++) {
    const response = await fetch(url);
    if (response.ok) return await response.text();
    await response.body?.cancel();
    if (!RETRIED.includes(response.status) || attempt === ATTEMPTS) {
      throw new Error(
        `${url} answered ${response.status} after ${attempt} attempts`,
      );
    }
    const after = Number(response.headers.get("retry-after") ?? NaN);
    const units = Number.isFinite(after) && after >= 0
      ? after
      : 0.5 * 2 ** (attempt - 1);
    await delay(units * tools.unit);
  }
}
