/**
 * # 01a · Wait for an Event: a traffic light — a solution
 *
 * EN: An Event is a flag that can be waited for: `set()` wakes every waiter,
 * `clear()` makes the next ones wait again, and `wait({ signal })` gives up
 * when the signal aborts. A plain promise can only be resolved once.
 *
 * ES: Un Event es una bandera que se puede esperar: `set()` despierta a todos,
 * `clear()` hace que los siguientes vuelvan a esperar, y `wait({ signal })`
 * se rinde si la señal aborta. Una promesa normal solo se cumple una vez.
 *
 * @module
 */
import { Event } from "@asincronia/asincronia";

/**
 * A traffic light that cars wait at. It starts red.
 * ES: Un semáforo de tráfico en el que esperan los coches. Empieza en rojo.
 */
export class TrafficLight {
  #isGreen = new Event();

  green(): void {
    this.#isGreen.set();
  }

  red(): void {
    this.#isGreen.clear();
  }

  pass(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#isGreen.wait(options);
  }
}
