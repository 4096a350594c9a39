/**
 * # 04d · A producer and two consumers over a bounded Queue
 *
 * EN: One producer makes items 0 to 7 (1 unit each) and hands them over
 * through a Queue that holds at most 2; consumers A and B take them (4 units
 * each). Nobody idles while an item waits, the producer never runs more than
 * the queue ahead, and `main` returns once all are consumed, leaving nobody
 * waiting. Use a `Queue` (lib/queue.ts, asyncio.Queue; lesson 04 covers
 * synchronisation).
 *
 * ES: Un productor fabrica los elementos 0 a 7 (1 unidad cada uno) y los
 * pasa por una Queue de 2 como mucho; los consumidores A y B los toman (4
 * unidades cada uno). Nadie está ocioso si un elemento espera, el productor
 * no se adelanta más que la cola, y `main` termina cuando todo está
 * consumido, sin dejar a nadie esperando. Usa una `Queue` (lib/queue.ts, el
 * asyncio.Queue de Python; la lección 04 trata la sincronización).
 *
 * Check it · Compruébalo: `deno task exercise 04d` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** How many items to make: 8. */
  items: number;
  /** How many items the queue may hold: 2. */
  maxsize: number;
  /** The consumers' names. */
  consumers: ("A" | "B")[];
  /** Makes item `i`. */
  make(i: number): Promise<string>;
  /** Consumes an item, as consumer A or B. */
  consume(consumer: "A" | "B", item: string): Promise<void>;
}

/** Makes every item and has them consumed; settles once all are consumed. */
export async function main(tools: Tools): Promise<void> {
  const made: string[] = [];
  for (let i = 0; i < tools.items; i++) made.push(await tools.make(i));
  for (const item of made) await tools.consume("A", item);
}
