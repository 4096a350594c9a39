/**
 * # 01a · Wait for an Event: a traffic light
 *
 * EN: Write a traffic light whose `pass()` waits while it is red and lets every
 * waiting car go when it turns green, with an `Event` (lib/event.ts,
 * asyncio.Event) like the one lesson 01 (lessons/01_modules.ts) uses.
 *
 * ES: Escribe un semáforo (no un `Semaphore`) cuyo `pass()` espere en rojo y
 * deje pasar a todos los coches en verde, con un `Event` (lib/event.ts,
 * asyncio.Event) como el de la lección 01 (lessons/01_modules.ts).
 *
 * Check it · Compruébalo: `deno task exercise 01a` (`--hint` for a hint)
 *
 * @module
 */

/**
 * A traffic light that cars wait at. It starts red.
 * ES: Un semáforo de tráfico en el que esperan los coches. Empieza en rojo.
 */
export class TrafficLight {
  /** Turns the light green: every waiting car goes, and new ones pass at once. */
  green(): void {
    // TODO
  }

  /** Turns the light red: cars that come now wait. */
  red(): void {
    // TODO
  }

  /** Resolves when a car may pass; rejects with the signal's reason if it gives up first. */
  pass(_options: { signal?: AbortSignal } = {}): Promise<void> {
    return Promise.resolve();
  }
}
