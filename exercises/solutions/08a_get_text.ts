/**
 * # 08a · Fetch a page: check the status, give up in time — a solution
 *
 * EN: `fetch` resolves for any status, like aiohttp by default
 * (raise_for_status=False); but fetch has no raise_for_status switch: check
 * `response.ok` yourself. `AbortSignal.timeout` aborts the request, and
 * `fetch` rejects with its TimeoutError.
 *
 * ES: `fetch` se resuelve con cualquier estado, como aiohttp por defecto
 * (raise_for_status=False); pero fetch no tiene un interruptor
 * raise_for_status: mira tú `response.ok`. `AbortSignal.timeout` aborta la
 * petición, y `fetch` se rechaza con su TimeoutError.
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
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
export async function getText(url: string, tools: Tools): Promise<string> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(2 * tools.unit),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(
      `${url} answered ${response.status} ${response.statusText}`,
    );
  }
  return await response.text();
}
