/**
 * # 07a · Give the event loop a turn
 *
 * EN: Process 400 items with a synchronous function, and let the event loop
 * run the checker's heartbeat at least every 50 items, without waiting real
 * time. Lesson 07 (lessons/07_best_practices.ts) shows what blocking costs.
 *
 * ES: Procesa 400 elementos con una función síncrona, y deja que el bucle de
 * eventos atienda el latido del comprobador al menos cada 50 elementos, sin
 * añadir esperas de tiempo real. Lo que cuesta bloquear: lección 07.
 *
 * Check it · Compruébalo: `deno task exercise 07a` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** How many items: 400 (170 when the check runs your code again). */
  items: number;
  /** Processes one item; it blocks for as long as it works. */
  process(item: number): void;
  /** How many milliseconds one unit lasts. */
  unit: number;
}

/** Processes every item, letting other work run now and then. */
export async function main(tools: Tools): Promise<void> {
  for (let item = 0; item < tools.items; item++) {
    tools.process(item);
    // Is this a break for the heartbeat?
    if (item % 50 === 49) await Promise.resolve();
  }
}
