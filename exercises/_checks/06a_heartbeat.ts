/** The check of exercise 06a. @module */
import { define, describe, num, type Text, text, units } from "../_harness.ts";
import { REAL } from "../_world.ts";
import { blockFor, calls } from "../_tasks.ts";

/** Real milliseconds per unit, at least. */
const UNIT = 50;
const BLOCK = 6;
/** A heartbeat gap at least this long (in units) means the thread was blocked. */
const STALL = 4;

/** When the heartbeat ticked, in units; how many times blockFor ran on the learner's thread; whether its code started a worker or read tools.tasks. */
type Heartbeat = { ticks: number[]; here: number; away: boolean };

export const exercise = define<Heartbeat>({
  slug: "06a_heartbeat",
  real: true,
  needs: "tasks",
  async observe(session) {
    // A busy machine can hold any process up for a moment: a stall the
    // learner's thread did not cause (blockFor never ran on it) is given
    // two more runs before it counts, each of a fresh copy of the module
    // (a right main may shut a module's executor: it can run only once).
    let heartbeat: Heartbeat = { ticks: [], here: 0, away: false };
    for (let attempt = 0; attempt < 3; attempt++) {
      const main = attempt === 0
        ? session.export
        : (await import(`${session.url}?run=${attempt}`)).main;
      const before = calls();
      const unit = await session.realUnit(UNIT);
      await using world = session.open({ virtual: false, unit });
      const ticks: number[] = [];
      let timer = 0;
      const beat = () => {
        ticks.push(world.now());
        timer = REAL.setTimeout(beat, unit / 4);
      };
      beat();
      const url = new URL("../_tasks.ts", import.meta.url);
      let asked = false; // a worker started before the run is not seen
      const tools = { blockFor, tasks: url, unit };
      Object.defineProperty(tools, "tasks", { get: () => (asked = true, url) });
      try {
        ticks.push((await world.run(() => main(tools), 40)).at);
      } finally {
        REAL.clearTimeout(timer);
      }
      const away = asked || world.workers > 0;
      heartbeat = { ticks, here: calls() - before, away };
      if (heartbeat.here > 0 || stall(ticks).gap < STALL) break;
    }
    return heartbeat;
  },
  judge(_, { ticks, here, away }, runs) {
    const run = runs.at(-1)!;
    const { gap, from } = stall(ticks);
    const values = { gap: units(gap), from: num(from) };
    const problems: Text[] = [];
    if (here > 0) {
      problems.push(text(
        "blockFor ran on your code's own thread, so the heartbeat could not tick for {gap} (from {from}). Run it on an Executor's worker instead.",
        "blockFor corrió en el propio hilo de tu código, así que el latido no pudo sonar durante {gap} (desde {from}). Ejecútala en un worker de un Executor.",
        values,
      ));
    } else if (!away && run.outcome.status === "fulfilled") {
      problems.push(text(
        'Your function returned {value}, but blockFor never ran: neither here nor on a worker. Run it on an Executor: executor.run(tools.tasks, "blockFor", [6 * tools.unit]).',
        'Tu función devolvió {value}, pero blockFor nunca se ejecutó: ni aquí ni en un worker. Ejecútala en un Executor: executor.run(tools.tasks, "blockFor", [6 * tools.unit]).',
        { value: describe(run.outcome.value) },
      ));
    } else if (gap >= STALL) {
      problems.push(text(
        "The heartbeat could not tick for {gap} (from {from}): something blocked your thread.",
        "El latido no pudo sonar durante {gap} (desde {from}): algo bloqueó tu hilo.",
        values,
      ));
    }
    const { status, value, at } = run.outcome;
    if (status === "fulfilled" && value !== "Finished blocking task") {
      problems.push(text(
        'Your function returned {value}; return what blockFor returns ("Finished blocking task").',
        "Tu función devolvió {value}; devuelve lo que devuelve blockFor («Finished blocking task»).",
        { value: describe(value) },
      ));
    } else if (status === "fulfilled" && at < BLOCK - 0.5) {
      problems.push(text(
        "Your function returned at {at}, but blockFor alone takes {block}: did it run with {blockUnits} units (6 * tools.unit)?",
        "Tu función terminó en {at}, pero blockFor sola tarda {block}: ¿se ejecutó con {blockUnits} unidades (6 * tools.unit)?",
        { at: units(at), block: num(BLOCK), blockUnits: BLOCK },
      ));
    }
    run.judge(problems);
  },
});

/** The longest wait between two ticks, and when it began. */
function stall(ticks: readonly number[]): { gap: number; from: number } {
  return ticks.slice(1).reduce(
    (worst, tick, i) =>
      tick - ticks[i]! > worst.gap
        ? { gap: tick - ticks[i]!, from: ticks[i]! }
        : worst,
    { gap: 0, from: 0 },
  );
}
