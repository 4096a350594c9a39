/**
 * # 10c · A producer and two consumers over a bounded Queue — a solution
 *
 * EN: `put` waits while the queue is full (back-pressure); each consumer
 * loops with `for await`, takes the next item as soon as it is free and
 * marks it done (`taskDone`, asyncio's `task_done`); `join()` waits until
 * every item put is done, and `close()` then ends the consumers' loops.
 *
 * ES: `put` espera mientras la cola está llena (contrapresión); cada
 * consumidor itera con `for await`, toma el siguiente elemento en cuanto
 * queda libre y lo marca como hecho (`taskDone`, el `task_done` de asyncio);
 * `join()` espera a que estén hechos todos los que se pusieron, y `close()`
 * acaba después los bucles de los consumidores.
 *
 * @module
 */
import { Queue } from "@asincronia/asincronia";

/** What the checker hands you. */
export interface Tools {
  items: number;
  maxsize: number;
  consumers: ("A" | "B")[];
  make(i: number): Promise<string>;
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
  const queue = new Queue<string>({ maxsize: tools.maxsize });
  const consumers = tools.consumers.map(async (name) => {
    for await (const item of queue) {
      await tools.consume(name, item);
      queue.taskDone();
    }
  });
  for (let i = 0; i < tools.items; i++) await queue.put(await tools.make(i));
  await queue.join(); // every item consumed
  queue.close(); // the consumers' loops end
  await Promise.all(consumers);
}
