/**
 * # 04c · Wait for an Event: a traffic light
 *
 * EN: Write a traffic light whose `pass()` waits while it is red and lets every
 * waiting car go when it turns green, with an `Event` (lib/event.ts,
 * asyncio.Event). Lesson 04 (lessons/04_lock.ts) covers synchronisation.
 *
 * ES: Escribe un semáforo cuyo `pass()` espera mientras está en rojo y deja ir a
 * todos los coches al ponerse verde, con un `Event` (lib/event.ts,
 * asyncio.Event). La lección 04 (lessons/04_lock.ts) trata la sincronización.
 *
 * Check it · Compruébalo: `deno task exercise 04c` (`--hint` for a hint)
 *
 * @module
 */

/**
 * A traffic light that cars wait at. It starts red.
 * ES: Un semáforo donde esperan los coches. Empieza en rojo.
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
