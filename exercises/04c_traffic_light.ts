/**
 * # 04c · Wait for an Event: a traffic light
 *
 * EN: Write a traffic light: it starts red; `pass()` resolves when the light
 * is green (at once if it already is, or as soon as it turns green), and
 * rejects when the car's `signal` aborts first. Use an `Event` (lib/event.ts,
 * asyncio.Event; lesson 04 covers synchronisation).
 *
 * ES: Escribe un semáforo: empieza en rojo; `pass()` se cumple cuando está
 * en verde (en el acto si ya lo está, o en cuanto se ponga verde), y se
 * rechaza si la `signal` del coche aborta antes. Usa un `Event`
 * (lib/event.ts, el asyncio.Event de Python; la lección 04 trata la
 * sincronización).
 *
 * Check it · Compruébalo: `deno task exercise 04c` (`--hint` for a hint)
 *
 * @module
 */

/** A traffic light that cars wait at. */
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
