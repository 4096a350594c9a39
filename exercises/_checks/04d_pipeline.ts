/** The check of exercise 04d. @module */
import {
  describe,
  EPSILON,
  type Exercise,
  num,
  type Text,
  text,
  units,
} from "../_harness.ts";

const ITEMS = 8;
const MAXSIZE = 2;
const CONSUMERS = ["A", "B"] as const;

interface Tools {
  items: number;
  maxsize: number;
  consumers: ("A" | "B")[];
  make(i: number): Promise<string>;
  consume(consumer: "A" | "B", item: string): Promise<void>;
}

export const exercise: Exercise<Record<string, string[]>> = {
  id: "04d",
  slug: "04d_pipeline",
  export: "main",
  lesson: "lessons/04_semaphore.ts",
  title: text(
    "A producer and two consumers over a bounded Queue",
    "Un productor y dos consumidores con una Queue acotada",
  ),
  success: text(
    "Both consumers took each item the moment one was free, the producer waited whenever the queue was full, and everything was consumed by 18.0 units, with nobody left waiting.",
    "Ambos consumidores tomaron cada elemento en cuanto quedaban libres, el productor esperó cuando la cola estaba llena, y todo quedó consumido en 18,0 unidades, sin nadie esperando.",
  ),
  hints: [
    text(
      "Consumer B never works in the stub, and A waits for the producer to make all eight. Run the producer and both consumers at the same time, with a Queue between them.",
      "En el esqueleto B nunca trabaja, y A espera a que se fabriquen los ocho. Ejecuta el productor y los dos consumidores a la vez, con una Queue entre ellos.",
    ),
    text(
      '`new Queue<string>({ maxsize: tools.maxsize })` (from "@asincronia/asincronia"): `await queue.put(item)` waits while it is full; each consumer is `for await (const item of queue) await tools.consume(name, item);`.',
      '`new Queue<string>({ maxsize: tools.maxsize })` (de "@asincronia/asincronia"): `await queue.put(item)` espera mientras está llena; cada consumidor es `for await (const item of queue) await tools.consume(name, item);`.',
    ),
    text(
      "Start the consumers first and keep their promises; after the producer's loop, `queue.close()` ends their loops, then `await Promise.all(consumers)`.",
      "Lanza primero los consumidores y guarda sus promesas; tras el bucle del productor, `queue.close()` acaba sus bucles, y luego `await Promise.all(consumers)`.",
    ),
  ],
  words: { make: "fabrica", item: "elemento" },
  async observe(session) {
    await using world = session.open();
    const consumedBy: Record<string, string[]> = {};
    const tools: Tools = {
      items: ITEMS,
      maxsize: MAXSIZE,
      consumers: [...CONSUMERS],
      make: (i) =>
        Number.isInteger(i) && i >= 0 && i < ITEMS
          ? world.task(`make ${i}`, 1, { value: `item ${i}` })
          : Promise.reject(
            new RangeError(
              `There is no item ${describe(i)}; make items 0 to ${ITEMS - 1}`,
            ),
          ),
      consume: (consumer, item) => {
        if (!CONSUMERS.includes(consumer)) {
          return Promise.reject(
            new RangeError(
              `There is no consumer ${describe(consumer)}; they are A and B`,
            ),
          );
        }
        const match = /^item (\d+)$/.exec(String(item));
        if (
          !match || world.span(`make ${match[1]}`)?.end === undefined
        ) {
          return Promise.reject(
            new RangeError(`${describe(item)} is not an item that was made`),
          );
        }
        (consumedBy[String(item)] ??= []).push(consumer);
        return world.task(`${consumer}: ${item}`, 4);
      },
    };
    await world.run(() => session.export(tools), 60);
    return consumedBy;
  },
  judge(run, consumedBy) {
    const problems: Text[] = [];
    const made = run.spansOf((name) => name.startsWith("make "));
    const taken = run.spansOf((name) => /^[AB]: /.test(name));
    const takenAt = (i: number) =>
      taken.find((span) => span.name.endsWith(`: item ${i}`))?.start ??
        Infinity;
    const madeAt = (i: number) =>
      made.find((span) => span.name === `make ${i}`)?.end ?? Infinity;
    // A consumer works on one item at a time.
    for (const consumer of CONSUMERS) {
      const mine = taken.filter((span) =>
        span.name.startsWith(`${consumer}: `)
      );
      for (const a of mine) {
        const b = mine.find((b) =>
          b !== a && b.start >= a.start &&
          b.start < (a.end ?? Infinity) - EPSILON
        );
        if (b) {
          problems.push(text(
            "Consumer {consumer} was consuming two items at once at {start}: a consumer takes the next item only when it is done with the last one.",
            "El consumidor {consumer} consumía dos elementos a la vez en {start}: un consumidor toma el siguiente solo cuando acaba con el anterior.",
            { consumer, start: units(b.start) },
          ));
          break;
        }
      }
    }
    // Nobody idles while an item is ready.
    const times = [
      ...new Set(
        [...made, ...taken].flatMap((s) => [s.start, s.end ?? s.start]),
      ),
    ].sort((a, b) => a - b);
    for (let k = 0; k + 1 < times.length && problems.length === 0; k++) {
      const t = times[k]!;
      const busy = CONSUMERS.filter((c) =>
        taken.some((s) =>
          s.name.startsWith(`${c}: `) && s.start <= t + EPSILON &&
          (s.end ?? Infinity) > t + EPSILON
        )
      );
      const free = CONSUMERS.filter((c) => !busy.includes(c));
      const ready = Array.from({ length: ITEMS }, (_, i) => i).filter((i) =>
        madeAt(i) <= t + EPSILON && takenAt(i) > t + EPSILON
      );
      if (free.length > 0 && ready.length > 0) {
        const i = ready[0]!;
        const start = takenAt(i);
        const until = start === Infinity
          ? text("and nobody ever took it", "y nadie llegó a tomarlo")
          : text("and was taken only at {at}", "y no se tomó hasta {at}", {
            at: num(start),
          });
        problems.push(text(
          "At {t} consumer {free} was free while item {i} was ready (made at {made}) {until}: a free consumer should take the next item at once.",
          "En {t} el consumidor {free} estaba libre mientras el elemento {i} estaba listo (hecho en {made}) {until}: un consumidor libre debe tomar el siguiente en el acto.",
          { t: units(t), free: free[0], i, made: num(madeAt(i)), until },
        ));
      }
    }
    // The producer never runs more than the queue (plus the item in its hands) ahead.
    for (const t of times) {
      const waiting = Array.from({ length: ITEMS }, (_, i) => i).filter((i) =>
        madeAt(i) <= t + EPSILON && takenAt(i) > t + EPSILON
      );
      if (waiting.length > MAXSIZE + 1) {
        problems.push(text(
          "At {t}, {n} items were made and waiting for a consumer: with a queue of {maxsize}, the producer should be waiting by then (await queue.put) instead of making more.",
          "En {t} había {n} elementos hechos esperando a un consumidor: con una cola de {maxsize}, el productor ya debería estar esperando (await queue.put) en vez de fabricar más.",
          { t: units(t), n: waiting.length, maxsize: MAXSIZE },
        ));
        break;
      }
    }
    // Every item made and consumed exactly once.
    for (let i = 0; i < ITEMS; i++) {
      run.spanOf(`make ${i}`);
      const by = consumedBy[`item ${i}`] ?? [];
      if (by.length === 0 && run.outcome.status !== "late") {
        problems.push(
          text(
            "Item {i} was made but never consumed.",
            "El elemento {i} se hizo pero nunca se consumió.",
            { i },
          ),
        );
      } else if (by.length > 1) {
        problems.push(text(
          "Item {i} was consumed {n} times (by {by}); each item goes to one consumer.",
          "El elemento {i} se consumió {n} veces (por {by}); cada elemento va a un solo consumidor.",
          { i, n: by.length, by: by.join(", ") },
        ));
      }
    }
    const done = taken.every((s) => s.end !== undefined) &&
      Object.keys(consumedBy).length === ITEMS;
    if (run.outcome.status === "stuck" && done) {
      const last = Math.max(...taken.map((s) => s.end!));
      problems.push(text(
        "Everything was consumed by {last}, but your function was still waiting: the consumers wait for items that will never come. Close the queue once the producer is done (queue.close()), so that their loops end.",
        "Todo estaba consumido en {last}, pero tu función seguía esperando: los consumidores esperan elementos que nunca llegarán. Cierra la cola cuando el productor acabe (queue.close()), para que sus bucles terminen.",
        { last: units(last) },
      ));
    } else {
      problems.push(...run.common());
    }
    problems.push(...run.twice());
    run.verdict(problems);
  },
};
