/**
 * # 05c · Give up after a deadline — a solution
 *
 * EN: `AbortSignal.timeout` aborts by itself after the delay and needs no
 * cleaning up; handed to the request, it also stops it. Its reason is a
 * `TimeoutError`, which tells the deadline apart from other failures.
 *
 * ES: `AbortSignal.timeout` aborta solo tras el plazo y no hay que limpiarlo;
 * pasado a la petición, además la detiene. Su motivo es un `TimeoutError`,
 * que distingue el plazo de otros fallos.
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  fetchReport(signal?: AbortSignal): Promise<string>;
  unit: number;
}

/** The report, or "unavailable" after 2 units. */
export async function main(tools: Tools): Promise<string> {
  try {
    return await tools.fetchReport(AbortSignal.timeout(2 * tools.unit));
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      return "unavailable";
    }
    throw error;
  }
}
