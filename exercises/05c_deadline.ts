/**
 * # 05c · Give up after a deadline
 *
 * EN: Return the report, or "unavailable" if it takes over 2 units, cancelling
 * the request and leaving no timer; let any other failure through. Lesson 05
 * (lessons/05_task_groups.ts, its last parts) shows timeouts.
 *
 * ES: Devuelve el informe, o «unavailable» si tarda más de 2 unidades, cancelando
 * la petición y sin dejar temporizadores; deja pasar cualquier otro fallo. La
 * lección 05 (lessons/05_task_groups.ts, sus últimas partes) enseña los plazos.
 *
 * Check it · Compruébalo: `deno task exercise 05c` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** Fetches the report; it stops, and rejects with the reason, once `signal` aborts. */
  fetchReport(signal?: AbortSignal): Promise<string>;
  /** How many milliseconds one unit lasts. */
  unit: number;
}

/** The report, or "unavailable" after 2 units. */
export async function main(tools: Tools): Promise<string> {
  return await tools.fetchReport();
}
