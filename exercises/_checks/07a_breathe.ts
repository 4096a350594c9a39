/** The check of exercise 07a. @module */
import {
  again,
  define,
  describe,
  type Text,
  text,
  units,
} from "../_harness.ts";
import type { Checking } from "../_world.ts";

/** Each run's tools.items: 400, then 170, so that no count written in passes. */
const ITEMS = [400, 170];
const EVERY = 50;

type Notes = { seen: unknown[]; ticks: number[]; returned: number };

export const exercise = define<Notes[]>({
  slug: "07a_breathe",
  // One run after the other: a world has the clock to itself.
  observe: (session) => Array.fromAsync(ITEMS, (n) => observe(session, n)),
  judge: (_, notes, runs) =>
    runs.forEach((run, i) => {
      const [{ seen, ticks, returned }, items] = [notes[i]!, ITEMS[i]!];
      const problems: Text[] = [];
      const { status, at } = run.outcome;
      const wrong = seen.findIndex((item, i) => item !== i);
      const count = ticks.at(-1)!;
      if (wrong !== -1) {
        problems.push(text(
          "Item {item} was processed where item {index} should be: process the items once each, in order.",
          "Se procesó el elemento {item} donde tocaba el {index}: procesa cada elemento una vez, en orden.",
          { item: describe(seen[wrong]), index: wrong },
        ));
      } else if (status === "fulfilled" && returned < count) {
        problems.push(text(
          "Your function returned at {at} with {returned} of the {items} items processed, and the rest were processed after it: await the work it starts, so that it returns once every item is done.",
          "Tu función terminó en {at} con {returned} de los {items} elementos procesados, y el resto se procesó después: espera con await el trabajo que lanza, para que termine cuando todos estén hechos.",
          { at: units(at), returned, items },
        ));
      } else if (status === "fulfilled" && count !== items) {
        problems.push(text(
          "Items processed: {count}; there are {items} (0 to {last}), each to be processed once.",
          "Elementos procesados: {count}; hay {items} (del 0 al {last}), y cada uno se procesa una vez.",
          { count, items, last: items - 1 },
        ));
      }
      const gaps = ticks.slice(1).map((to, i) => ({ from: ticks[i]!, to }));
      const most = gaps.reduce((a, b) => b.to - b.from > a.to - a.from ? b : a);
      if (most.to - most.from > EVERY) {
        problems.push(text(
          "Items {from} to {to} were processed in one go: the heartbeat could not get a turn in between. Let the event loop run other things at least every {every} items (an await on something already done, like Promise.resolve(), does not count).",
          "Los elementos {from} a {to} se procesaron de una tirada: el latido no pudo tener su turno entre medias. Deja que el bucle de eventos atienda otras cosas al menos cada {every} elementos (un await sobre algo ya resuelto, como Promise.resolve(), no cuenta).",
          { from: most.from, to: most.to - 1, every: EVERY },
        ));
      }
      if (status === "fulfilled" && at > 0.5) {
        problems.push(text(
          "Your function took {at} of waiting: a turn of the event loop costs no waiting at all, so wait 0 ms, not more.",
          "Tu función pasó {at} esperando: un turno del bucle de eventos no cuesta ninguna espera, así que espera 0 ms, no más.",
          { at: units(at) },
        ));
      }
      run.judge(again(problems, [items, ITEMS[0]!], "tools.items"));
    }),
});

/** Runs the learner's code on `items` items: what it processed, and when. */
async function observe(session: Checking, items: number): Promise<Notes> {
  await using world = session.open();
  const seen: number[] = [];
  // The heartbeat: how many items were done each time it got a turn. It
  // asks for a turn (a timer of 0 ms) as soon as an item is processed, so
  // its timer is always older than any the learner's code sets after it.
  const ticks = [0];
  let asking = false;
  const process = (item: number) => {
    seen.push(item);
    if (asking) return;
    asking = true;
    world.sleep(0, "heartbeat").then(() => {
      asking = false;
      ticks.push(seen.length);
    });
  };
  const tools = { items, process, unit: world.unit };
  let returned = 0; // items processed when the code returned
  const run = async () => (await session.export(tools), returned = seen.length);
  await world.run(run, 10, 10); // then what it left running, 10 units more
  asking = true; // No more beats.
  const done = [...ticks, seen.length];
  return { seen: seen.slice(0, items + 1), ticks: done, returned };
}
