/**
 * # 07a · Give the event loop a turn
 *
 * EN: Process items 0 to 399, in order, with `tools.process` (synchronous,
 * like any CPU work). The checker's heartbeat must get a turn at least once
 * every 50 items, and the whole must not wait for any real time. Lesson 07
 * (lessons/07_best_practices.ts) shows what blocking costs.
 *
 * ES: Procesa los elementos 0 a 399, en orden, con `tools.process`
 * (síncrona, como cualquier trabajo de CPU). El latido del comprobador debe
 * tener su turno al menos cada 50 elementos, y el conjunto no debe esperar
 * ningún tiempo real. Lo enseña la lección 07 (lessons/07_best_practices.ts).
 *
 * Check it · Compruébalo: `deno task exercise 07a` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** How many items there are: 400. */
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
