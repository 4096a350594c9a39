/**
 * # 10c · A producer and two consumers over a bounded Queue
 *
 * EN: A producer makes items and two consumers take them through a bounded
 * `Queue` (lib/queue.ts, asyncio.Queue): nobody idles while an item waits, and
 * nobody is left waiting at the end. Lesson 10 (lessons/10_downloads.ts) uses one.
 *
 * ES: Un productor fabrica elementos y dos consumidores los toman por una `Queue`
 * acotada: nadie está ocioso mientras haya un elemento esperando, y nadie
 * queda esperando al final. La usa la lección 10 (lessons/10_downloads.ts).
 *
 * Check it · Compruébalo: `deno task exercise 10c` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** How many items to make: 8 (the check also tries 10). */
  items: number;
  /** How many items the queue may hold: 2 (the check also tries 1). */
  maxsize: number;
  /** The consumers' names. */
  consumers: ("A" | "B")[];
  /** Makes item `i`. */
  make(i: number): Promise<string>;
  /** Consumes an item, as consumer A or B. */
  consume(consumer: "A" | "B", item: string): Promise<void>;
}

/**
 * Makes `tools.items` items (1 unit each) and has A and B consume them (4
 * units each) through a queue of `tools.maxsize`; settles once all are
 * consumed. ES: Fabrica `tools.items` elementos (1 unidad cada uno) y haz que
 * A y B los consuman (4 unidades cada uno) por una cola de `tools.maxsize`;
 * termina cuando todos estén consumidos.
 */
export async function main(tools: Tools): Promise<void> {
  const made: string[] = [];
  for (let i = 0; i < tools.items; i++) made.push(await tools.make(i));
  for (const item of made) await tools.consume("A", item);
}
