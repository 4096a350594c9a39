/** The check of exercise 06a. @module */
import { again, define, num, type Text, text, units } from "../_harness.ts";
import { type Checking, REAL } from "../_world.ts";
import { blockFor, calls } from "../_tasks.ts";
import { cpuUsage } from "node:process";

/** Real milliseconds per unit, at least; then units 7/4 as long: no duration in ms is 6 units in both. */
const [UNIT, AGAIN] = [50, 7 / 4];
/** A heartbeat gap at least this long (in units) means the thread was blocked. */
const STALL = 4;

/** When the heartbeat ticked, in units, and the process's CPU time then (ms); the ms blockFor was asked for, on any thread; how many times it ran on the learner's thread. */
type Beat = { ticks: number[]; cpu: number[]; asked: number[]; here: number };

export const exercise = define<Beat[]>({
  slug: "06a_heartbeat",
  real: true,
  needs: "tasks",
  async observe(session) {
    const beats: Beat[] = [];
    // A busy machine can hold any process up for a moment: a stall the
    // learner's thread did not cause (blockFor never ran on it) is given
    // two more runs (their Runs dropped) before it counts, each of a fresh
    // copy of the module (a right main may shut a module's executor: it can
    // run only once). Then all that again with units 7/4 as long.
    for (let n = 0, tries = 0; beats.length < 2; n++) {
      const main = n === 0
        ? session.export
        : (await import(`${session.url}?run=${n}`)).main;
      const first = session.runs[0]?.unit ?? 0;
      const unit = Math.round(first * AGAIN) || await session.realUnit(UNIT);
      const beat = await heartbeat(session, main, unit);
      if (beat.here > 0 || stall(beat.ticks).gap < STALL || ++tries === 3) {
        [beats[beats.length], tries] = [beat, 0];
      } else session.runs.pop();
    }
    return beats;
  },
  judge: (_, beats, runs) =>
    beats.forEach(({ ticks, cpu, here, asked }, i) => {
      const run = runs[i]!;
      const { gap, from, at } = stall(ticks);
      // A stall for under a quarter of which the process used the CPU
      // was the machine's (the process stopped or not scheduled), not code
      // of the learner's that kept the thread busy: the run is held up.
      const held = (cpu[at + 1]! - cpu[at]!) / run.run.unit < gap / 4;
      const values = { gap: units(gap), from: num(from) };
      const problems: Text[] = [];
      if (here > 0) {
        problems.push(text(
          "blockFor ran on your code's own thread, so the heartbeat could not tick for {gap} (from {from}). Run it on an Executor's worker instead.",
          "blockFor corrió en el propio hilo de tu código, así que el latido no pudo sonar durante {gap} (desde {from}). Ejecútala en un worker de un Executor.",
          values,
        ));
      } else if (!asked.length && run.outcome.status === "fulfilled") {
        problems.push(text(
          'Your function returned {value}, but blockFor never ran: neither here nor on a worker. Run it on an Executor: executor.run(tools.tasks, "blockFor", [6 * tools.unit]).',
          'Tu función devolvió {value}, pero blockFor nunca se ejecutó: ni aquí ni en un worker. Ejecútala en un Executor: executor.run(tools.tasks, "blockFor", [6 * tools.unit]).',
          { value: run.show(run.outcome.value) },
        ));
      } else if (gap >= STALL && held) Object.assign(run.run, { held: 1 });
      else if (gap >= STALL) {
        problems.push(text(
          "The heartbeat could not tick for {gap} (from {from}): something blocked your thread.",
          "El latido no pudo sonar durante {gap} (desde {from}): algo bloqueó tu hilo.",
          values,
        ));
      }
      const { status, value } = run.outcome;
      const total = asked.reduce((a, b) => a + b, 0) / run.run.unit;
      if (status === "fulfilled" && value !== "Finished blocking task") {
        problems.push(text(
          'Your function returned {value}; return what blockFor returns ("Finished blocking task").',
          "Tu función devolvió {value}; devuelve lo que devuelve blockFor («Finished blocking task»).",
          { value: run.show(value) },
        ));
      } else if (
        asked.length > 1 || asked.length && !(Math.abs(total - 6) < 1e-9)
      ) {
        problems.push(text(
          "blockFor ran for {ms} ms ({n}); run it once, with 6 * tools.unit ms (6.0 units).",
          "blockFor se ejecutó durante {ms} ms ({n}); ejecútala una vez, con 6 * tools.unit ms (6,0 unidades).",
          { ms: asked.map((ms) => run.show(ms)).join(" + "), n: units(total) },
        ));
      }
      run.judge(again(problems, [run.run.unit, runs[0]!.run.unit]));
    }),
});

/** The longest wait between two ticks, when it began, and its first tick's index. */
function stall(ticks: readonly number[]) {
  return ticks.map((from, at) => ({
    gap: (ticks[at + 1] ?? from) - from,
    from,
    at,
  }))
    .reduce((a, b) => b.gap > a.gap ? b : a, { gap: 0, from: 0, at: 0 });
}

/** One run of `main` with `unit` ms per unit, the checker's heartbeat beside it. */
async function heartbeat(s: Checking, main: Checking["export"], unit: number) {
  const before = calls();
  await using world = s.open({ virtual: false, unit });
  const [ticks, cpu, asked]: [number[], number[], number[]] = [[], [], []];
  const tick = (at: number, { user, system } = cpuUsage()) =>
    [ticks[ticks.length], cpu[cpu.length]] = [at, (user + system) / 1000];
  const heard = new BroadcastChannel("blockFor");
  heard.onmessage = (event) => asked.push(event.data);
  let timer = 0;
  const beat = () => {
    tick(world.now());
    timer = REAL.setTimeout(beat, unit / 4);
  };
  beat();
  const tasks = new URL("../_tasks.ts", import.meta.url);
  try {
    tick((await world.run(() => main({ blockFor, tasks, unit }), 40)).at);
    // blockFor's word comes on a timer turn of its own: a thread held up
    // may take the worker's answer first (seen at load 30). Wait a unit.
    if (!asked.length) await new Promise((r) => REAL.setTimeout(r, unit));
  } finally {
    REAL.clearTimeout(timer);
    heard.close();
  }
  return { ticks, cpu, asked, here: calls() - before } satisfies Beat;
}
