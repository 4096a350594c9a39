/**
 * # 07a · Give the event loop a turn — a solution
 *
 * EN: An await on a promise that is already settled resumes in the same turn
 * (a microtask): timers still cannot run. `await delay(0)` waits for a real
 * turn of the event loop, so the heartbeat's timer runs first.
 *
 * ES: Un await sobre una promesa ya resuelta sigue en el mismo turno (una
 * microtarea): los temporizadores siguen sin poder correr. `await delay(0)`
 * espera un turno real del bucle de eventos, y el del latido corre antes.
 *
 * @module
 */
import { delay } from "@std/async/delay";

/** What the checker hands you. */
export interface Tools {
  items: number;
  process(item: number): void;
  unit: number;
}

/** Processes every item, letting other work run now and then. */
export async function main(tools: Tools): Promise<void> {
  for (let item = 0; item < tools.items; item++) {
    tools.process(item);
    if (item % 50 === 49) await delay(0);
  }
}
