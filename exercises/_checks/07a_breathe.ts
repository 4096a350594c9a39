/** The check of exercise 07a. @module */
import {
  describe,
  type Exercise,
  type Text,
  text,
  units,
} from "../_harness.ts";

const ITEMS = 400;
const EVERY = 50;

interface Tools {
  items: number;
  process(item: number): void;
  unit: number;
}

export const exercise: Exercise<
  { seen: unknown[]; count: number; ticks: number[] }
> = {
  id: "07a",
  slug: "07a_breathe",
  export: "main",
  lesson: "lessons/07_best_practices.ts",
  title: text(
    "Give the event loop a turn",
    "Dale un turno al bucle de eventos",
  ),
  success: text(
    "All 400 items were processed in order, the heartbeat got a turn at least every 50 of them, and no real time was spent waiting.",
    "Los 400 elementos se procesaron en orden, el latido tuvo su turno al menos cada 50, y no se gastó tiempo real esperando.",
  ),
  hints: [
    text(
      "`await Promise.resolve()` resumes before anything else may run: the promise is already settled, so your code goes on in the same turn, and timers still wait.",
      "`await Promise.resolve()` sigue antes de que nada más pueda correr: la promesa ya está resuelta, así que tu código continúa en el mismo turno, y los temporizadores siguen esperando.",
    ),
    text(
      "Timers run between turns of the event loop. Wait for something that only a new turn brings: a timer of 0 ms.",
      "Los temporizadores corren entre turnos del bucle de eventos. Espera algo que solo trae un turno nuevo: un temporizador de 0 ms.",
    ),
    text(
      'Every 50 items, `await delay(0);` (import { delay } from "@std/async/delay"). A longer delay works too, but wastes real time.',
      'Cada 50 elementos, `await delay(0);` (import { delay } from "@std/async/delay"). Un delay más largo también vale, pero malgasta tiempo real.',
    ),
  ],
  async observe(session) {
    await using world = session.open();
    const seen: number[] = [];
    // The heartbeat: how many items were done each time it got a turn. It
    // asks for a turn (a timer of 0 ms) as soon as an item is processed, so
    // its timer is always older than any the learner's code sets after it.
    const ticks: number[] = [0];
    let asking = false;
    let beating = true;
    const tools: Tools = {
      items: ITEMS,
      process: (item) => {
        seen.push(item);
        if (asking || !beating) return;
        asking = true;
        world.sleep(0, undefined, "heartbeat").then(() => {
          asking = false;
          if (beating) ticks.push(seen.length);
        });
      },
      unit: world.unit,
    };
    await world.run(() => session.export(tools), 10);
    beating = false;
    return { seen: seen.slice(0, ITEMS + 1), count: seen.length, ticks };
  },
  judge(run, { seen, count, ticks }) {
    const problems: Text[] = [];
    const wrong = seen.findIndex((item, i) => item !== i);
    if (wrong !== -1) {
      problems.push(text(
        "Item {item} was processed where item {index} should be: process the items once each, in order.",
        "Se procesó el elemento {item} donde tocaba el {index}: procesa cada elemento una vez, en orden.",
        { item: describe(seen[wrong]), index: wrong },
      ));
    } else if (run.outcome.status === "fulfilled" && count !== ITEMS) {
      problems.push(text(
        "Only {count} of the {items} items were processed.",
        "Solo se procesaron {count} de los {items} elementos.",
        { count, items: ITEMS },
      ));
    }
    ticks.push(count);
    let worst = { from: 0, to: 0 };
    for (let i = 1; i < ticks.length; i++) {
      if (ticks[i]! - ticks[i - 1]! > worst.to - worst.from) {
        worst = { from: ticks[i - 1]!, to: ticks[i]! };
      }
    }
    if (worst.to - worst.from > EVERY) {
      problems.push(text(
        "Items {from} to {to} were processed in one go: the heartbeat could not get a turn in between. Let the event loop run other things at least every {every} items (an await on something already done, like Promise.resolve(), does not count).",
        "Los elementos {from} a {to} se procesaron de una tirada: el latido no pudo tener su turno entre medias. Deja que el bucle de eventos atienda otras cosas al menos cada {every} elementos (un await sobre algo ya resuelto, como Promise.resolve(), no cuenta).",
        { from: worst.from, to: worst.to - 1, every: EVERY },
      ));
    }
    if (run.outcome.status === "fulfilled" && run.outcome.at > 0.5) {
      problems.push(text(
        "Your function took {at} of waiting: a turn of the event loop costs no waiting at all, so wait 0 ms, not more.",
        "Tu función pasó {at} esperando: un turno del bucle de eventos no cuesta ninguna espera, así que espera 0 ms, no más.",
        { at: units(run.outcome.at) },
      ));
    }
    run.verdict([...problems, ...run.common()]);
  },
};
