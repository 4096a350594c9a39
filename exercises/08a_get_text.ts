/**
 * # 08a · Fetch a page: check the status, give up in time
 *
 * EN: `getText(url)` resolves with the body of a 2xx answer; for any other
 * status it throws an error that names the status (and cancels the body it
 * will not read); if no answer has come after 2 units, it aborts the request
 * and throws. Lesson 08 (lessons/08_fetch.ts) shows `fetch`.
 *
 * ES: `getText(url)` devuelve el cuerpo de una respuesta 2xx; con cualquier
 * otro estado lanza un error que lo nombra (y cancela el cuerpo que no va a
 * leer); si tras 2 unidades no hay respuesta, aborta la petición y lanza. Lo
 * enseña la lección 08 (lessons/08_fetch.ts).
 *
 * Check it · Compruébalo: `deno task exercise 08a` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** How many milliseconds one unit lasts. */
  unit: number;
}

/** The text of `url`'s body, if the server answers 2xx within 2 units. */
export async function getText(url: string, _tools: Tools): Promise<string> {
  const response = await fetch(url);
  return await response.text();
}
