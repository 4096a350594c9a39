/**
 * # 08a · Fetch a page: check the status, give up in time
 *
 * EN: Fetch a page's text: throw an error naming any status that is not 2xx
 * (cancelling its body), and give up after 2 units without an answer.
 * Lesson 08 (lessons/08_fetch.ts) shows `fetch`.
 *
 * ES: Pide el texto de una página: lanza un error que nombre cualquier estado que
 * no sea 2xx (cancelando su cuerpo), y ríndete tras 2 unidades sin respuesta.
 * La lección 08 (lessons/08_fetch.ts) enseña `fetch`.
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

/**
 * The text of `url`'s body when the answer is 2xx. Any other status: cancel
 * the body and throw an Error whose message has the status. No answer after
 * 2 units: abort the request and throw.
 * ES: El texto del cuerpo de `url` si la respuesta es 2xx. Con otro estado:
 * cancela el cuerpo y lanza un Error cuyo mensaje lleve el estado. Sin
 * respuesta tras 2 unidades: aborta la petición y lanza.
 */
export async function getText(url: string, _tools: Tools): Promise<string> {
  const response = await fetch(url);
  return await response.text();
}
