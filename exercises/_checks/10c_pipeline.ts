/** The check of exercise 10c. @module */
import {
  define,
  describe,
  EPSILON,
  num,
  type Scene,
  type Text,
  text,
  textIf,
  toldAgain,
  toldSame,
  units,
} from "../_harness.ts";
import { Queue } from "../../lib/queue.ts";

const FIRST = { items: 8, maxsize: 2 };
/** Each run's tools.items and tools.maxsize: the same again (state kept at module level fails), more items, then a smaller queue (no number written in passes). */
const RUNS = [FIRST, FIRST, { ...FIRST, items: 10 }, { ...FIRST, maxsize: 1 }];
const CONSUMERS = ["A", "B"];
const FOR_AWAIT = "`for await (const item of queue)`";

type Notes = {
  consumedBy: Record<string, string[]>;
  left: number;
  timers: number;
};

export const exercise = define<Notes[]>({
  slug: "10c_pipeline",
  words: { make: "fabricación", item: "elemento" },
  // One run after the other: a world has the clock to itself.
  observe: (session) =>
    Array.fromAsync(RUNS, async ({ items, maxsize }) => {
      await using world = session.open();
      const consumedBy: Record<string, string[]> = {};
      const refuse = (what: string) => Promise.reject(new RangeError(what));
      const tools = {
        items,
        maxsize,
        consumers: [...CONSUMERS],
        make: (i: number) =>
          Number.isInteger(i) && i >= 0 && i < items
            ? world.task(`make ${i}`, 1, { value: `item ${i}` })
            : refuse(
              `There is no item ${describe(i)}; make items 0 to ${items - 1}`,
            ),
        consume: (consumer: string, item: string) => {
          if (!CONSUMERS.includes(consumer)) {
            return refuse(
              `There is no consumer ${describe(consumer)}; they are A and B`,
            );
          }
          const made = /^item (\d+)$/.exec(String(item))?.[1]; // or undefined
          if (world.span(`make ${made}`)?.end === undefined) {
            return refuse(`${describe(item)} is not an item that was made`);
          }
          (consumedBy[String(item)] ??= []).push(consumer);
          return world.task(`${consumer}: ${item}`, 4);
        },
      };
      // The learner's queue (its put() shows it), to count who still waits;
      // its timers that went off after a wait (simulated: a poll whose
      // period divides the unit is never late, so it is told by them; a
      // watchdog cleared in time polls nothing, a 0 ms poll is a busy loop).
      const [put, once, every] = [Queue.prototype.put, setTimeout, setInterval];
      let queue: Queue<unknown> | undefined, timers = 0;
      Queue.prototype.put = function (...args) {
        return put.apply(queue = this, args);
      };
      const count = (set: typeof every) =>
        ((fn: (...a: unknown[]) => void, ms = 0, ...args: unknown[]) =>
          set((...a) => (timers += +(ms > 0), fn(...a)), ms, ...args)) as never;
      globalThis.setTimeout = count(once);
      globalThis.setInterval = count(every);
      try {
        await world.run(() => session.export(tools), 60);
      } finally {
        Queue.prototype.put = put;
        [globalThis.setTimeout, globalThis.setInterval] = [once, every];
      }
      return { consumedBy, left: queue?.waitingGetters ?? 0, timers };
    }),
  judge: (_, notes, runs) =>
    runs.forEach((run, r) => {
      const key = RUNS[r]!.items === FIRST.items ? "maxsize" : "items";
      const judged = () => judge(run, notes[r]!, RUNS[r]!);
      if (r === 1) return toldSame(judged);
      toldAgain(judged, [RUNS[r]![key], FIRST[key]], `tools.${key}`);
    }),
});

/** Fails if anything is wrong in `run`, where the learner's code was handed `setup`. */
function judge(run: Scene, notes: Notes, setup: typeof FIRST) {
  const [{ consumedBy, left }, { items: count, maxsize }] = [notes, setup];
  const problems: Text[] = [];
  const taken = run.spans.filter((s) => /^[AB]: /.test(s.name));
  const madeAt = (i: number) => run.span(`make ${i}`)?.end ?? Infinity;
  const takenAt = (i: number) =>
    taken.find((s) => s.name.endsWith(`: item ${i}`))?.start ?? Infinity;
  const items = Array.from({ length: count }, (_, i) => i);
  const waiting = (t: number) =>
    items.filter((i) => madeAt(i) <= t + EPSILON && takenAt(i) > t + EPSILON);
  const busy = (c: string, t: number) =>
    taken.filter((s) =>
      s.name.startsWith(`${c}: `) && s.start <= t + EPSILON &&
      (s.end ?? Infinity) > t + EPSILON
    );
  const times = [
    ...new Set(run.spans.flatMap((s) => [s.start, s.end ?? s.start])),
  ].sort((a, b) => a - b);
  // A consumer works on one item at a time.
  for (const consumer of CONSUMERS) {
    const at = times.find((t) => busy(consumer, t).length > 1);
    if (at === undefined) continue;
    problems.push(text(
      "Consumer {consumer} was consuming two items at once at {start}: a consumer takes the next item only when it is done with the last one.",
      "El consumidor {consumer} consumía dos elementos a la vez en {start}: un consumidor toma el siguiente solo cuando acaba con el anterior.",
      { consumer, start: units(at) },
    ));
  }
  if (notes.timers > 0) {
    problems.push(text(
      "Your code waited on a timer (setTimeout or setInterval): a consumer that checks the queue every so often takes an item late whenever its timer does not line up. Wait on the queue itself: {loop} (or await queue.get()) wakes the moment an item is put.",
      "Tu código esperó a un temporizador (setTimeout o setInterval): un consumidor que mira la cola cada cierto tiempo toma un elemento tarde siempre que su temporizador no coincide. Espera en la propia cola: {loop} (o await queue.get()) despierta en cuanto se añade un elemento.",
      { loop: FOR_AWAIT },
    ));
  }
  // Nobody idles while an item is ready.
  const idle = problems.length > 0
    ? undefined
    : times.slice(0, -1).find((t) =>
      waiting(t).length > 0 && CONSUMERS.some((c) => busy(c, t).length === 0)
    );
  if (idle !== undefined) {
    const i = waiting(idle)[0]!;
    problems.push(text(
      "At {t} consumer {free} was free while item {i} was ready (made at {made}) {until}: a free consumer should take the next item at once.",
      "En {t} el consumidor {free} estaba libre mientras el elemento {i} estaba listo (hecho en {made}) {until}: un consumidor libre debe tomar el siguiente en el acto.",
      {
        t: units(idle),
        free: CONSUMERS.find((c) => busy(c, idle).length === 0),
        i,
        made: num(madeAt(i)),
        until: takenAt(i) === Infinity
          ? text("and nobody ever took it", "y nadie llegó a tomarlo")
          : text("and was taken only at {at}", "y no se tomó hasta {at}", {
            at: num(takenAt(i)),
          }),
      },
    ));
  }
  // The producer never runs more than the queue (plus the item in its hands) ahead.
  const full = times.find((t) => waiting(t).length > maxsize + 1);
  if (full !== undefined) {
    problems.push(text(
      "At {t}, {n} items were made and waiting for a consumer: with a queue of {maxsize}, the producer should be waiting by then (await queue.put) instead of making more.",
      "En {t} había {n} elementos hechos esperando a un consumidor: con una cola de {maxsize}, el productor ya debería estar esperando (await queue.put) en vez de fabricar más.",
      { t: units(full), n: waiting(full).length, maxsize },
    ));
  }
  // Every item made and consumed exactly once.
  for (const i of items) {
    run.spanOf(`make ${i}`);
    const by = consumedBy[`item ${i}`] ?? [];
    if (by.length === 0 && run.outcome.status !== "late") {
      problems.push(textIf(run.outcome.status === "fulfilled", [
        "Item {i} was made, but your function returned at {at}, before any consumer took it: return only once every item is consumed (await the consumers).",
        "El elemento {i} se hizo, pero tu función terminó en {at}, antes de que un consumidor lo tomara: termina solo cuando todo esté consumido (espera a los consumidores).",
      ], [
        "Item {i} was made but never consumed.",
        "El elemento {i} se hizo pero nunca se consumió.",
      ], { i, at: units(run.outcome.at) }));
    } else if (by.length > 1) {
      problems.push(text(
        "Item {i} was consumed {n} times (by {by}); each item goes to one consumer.",
        "El elemento {i} se consumió {n} veces (por {by}); cada elemento va a un solo consumidor.",
        { i, n: by.length, by: by.join(", ") },
      ));
    }
  }
  // A consumer that loops on get() meets the queue closed and empty.
  if (/^QueueClosedError: Cannot get/.test(describe(run.outcome.error))) {
    problems.unshift(text(
      "A consumer's queue.get() threw QueueClosedError at {at}: get() rejects once the queue is closed and empty. Loop with {loop}, which ends there instead.",
      "El queue.get() de un consumidor lanzó QueueClosedError en {at}: get() se rechaza en cuanto la cola está cerrada y vacía. Recorre la cola con {loop}, que en ese punto termina.",
      { at: units(run.outcome.at), loop: FOR_AWAIT },
    ));
  }
  const done = taken.every((s) => s.end !== undefined) &&
    Object.keys(consumedBy).length === count;
  const last = Math.max(...taken.map((s) => s.end!));
  if (run.outcome.status === "stuck" && done) {
    problems.push(text(
      "Everything was consumed by {last}, but your function was still waiting: the consumers wait for items that will never come. Close the queue once the producer is done (queue.close()): a {loop} loop ends once the queue is closed and empty.",
      "Todo estaba consumido en {last}, pero tu función seguía esperando: los consumidores esperan elementos que nunca llegarán. Cierra la cola cuando el productor acabe (queue.close()): un bucle {loop} termina cuando la cola está cerrada y vacía.",
      { last: units(last), loop: FOR_AWAIT },
    ));
    run.fail([...problems, ...run.twice()]);
  }
  const { status, at } = run.outcome;
  if (done && status === "fulfilled" && at > last + EPSILON) {
    problems.push(text(
      "Everything was consumed by {last}, but your function returned only at {at}: return as soon as all is consumed. Close the queue once the producer is done (queue.close()): a {loop} loop ends then, with no time-out to wait for.",
      "Todo estaba consumido en {last}, pero tu función no terminó hasta {at}: termina en cuanto todo esté consumido. Cierra la cola cuando el productor acabe (queue.close()): un bucle {loop} termina entonces, sin plazo que esperar.",
      { last: units(last), at: units(at), loop: FOR_AWAIT },
    ));
  }
  if (left > 0 && run.outcome.status === "fulfilled") {
    problems.push(text(
      "Your function returned at {at}, but queue.get() was still waiting for items that will never come: once the producer is done, close the queue (queue.close()), and wait for the consumers to finish.",
      "Tu función terminó en {at}, pero queue.get() seguía esperando elementos que nunca llegarán: cuando el productor acabe, cierra la cola (queue.close()) y espera a que los consumidores terminen.",
      { at: units(run.outcome.at) },
    ));
  }
  run.judge(problems);
}
