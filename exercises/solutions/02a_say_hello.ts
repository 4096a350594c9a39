/**
 * # 02a · Say hello, wait, say goodbye — a solution
 *
 * EN: `await` pauses the async function until the wait is over; the promise
 * it returns settles when the body has run to its end.
 *
 * ES: `await` pausa la función async hasta que la espera termina; la promesa
 * que devuelve se cumple cuando el cuerpo llega a su final.
 *
 * @module
 */
import { delay } from "@std/async/delay";

/** What the checker hands you. */
export interface Tools {
  log(line: string): void;
  unit: number;
}

/** Says hello, waits one unit, says goodbye; settles once it is all done. */
export async function sayHello(tools: Tools): Promise<void> {
  tools.log("Hello!");
  await delay(tools.unit);
  tools.log("Goodbye!");
}
