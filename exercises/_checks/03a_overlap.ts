/** The check of exercise 03a. @module */
import {
  EPSILON,
  type Exercise,
  exported,
  spanOf,
  type Text,
  text,
  twice,
  units,
  unknownTask,
  verdict,
  World,
} from "../_harness.ts";

const DURATIONS: Record<string, number> = { A: 2, B: 1, C: 3 };
const NAMES = Object.keys(DURATIONS);

export const exercise: Exercise = {
  id: "03a",
  slug: "03a_overlap",
  export: "main",
  lesson: "lessons/03_gather.ts",
  title: text("Overlap three waits", "Solapa tres esperas"),
  success: text(
    "A, B and C all started at 0.0 and everything took 3.0 units: as long as the longest task, not the sum.",
    "A, B y C empezaron en 0,0 y todo tardó 3,0 unidades: lo que la tarea más larga, no la suma.",
  ),
  hints: [
    text(
      '`await task("A")` stops main until A is done, so B cannot start before. Start all three first, wait afterwards.',
      '`await task("A")` detiene main hasta que A termina, así que B no puede empezar antes. Lanza las tres primero y espera después.',
    ),
    text(
      "Calling task() starts the task and gives you a promise. Keep the three promises, then wait for them together.",
      "Llamar a task() pone la tarea en marcha y te da una promesa. Guarda las tres promesas y espéralas juntas.",
    ),
    text(
      '`await Promise.all([task("A"), task("B"), task("C")]);` is Python\'s asyncio.gather.',
      '`await Promise.all([task("A"), task("B"), task("C")]);` es el asyncio.gather de Python.',
    ),
  ],
  async check(context) {
    const main = exported<
      (task: (name: string) => Promise<void>) => Promise<void>
    >(context, "main");
    await using world = World.open({ learnerUrl: context.learnerUrl });
    const task = (name: string) =>
      name in DURATIONS
        ? world.task(name, DURATIONS[name]!)
        : Promise.reject(unknownTask(name, NAMES));
    const outcome = await world.run(() => main(task), 20);
    const problems: Text[] = [];
    let last = 0;
    for (const name of NAMES) {
      const span = spanOf(world, name);
      last = Math.max(last, span.end ?? Infinity);
      if (span.start > EPSILON) {
        problems.push(text(
          `Task ${name} started at ${
            units(span.start).en
          }; it could have started at 0.0: it needs nothing from the other tasks.`,
          `La tarea ${name} empezó en ${
            units(span.start).es
          }; podía haber empezado en 0,0: no necesita nada de las otras.`,
        ));
      }
    }
    const total = Math.max(last === Infinity ? 0 : last, outcome.at);
    if (problems.length > 0 && total > 3 + EPSILON) {
      problems.push(text(
        `Everything took ${
          units(total).en
        }; the best possible is 3.0, the longest task.`,
        `Todo tardó ${
          units(total).es
        }; lo mejor posible es 3,0, la tarea más larga.`,
      ));
    }
    problems.push(...twice(world), ...world.common(outcome));
    verdict(world, problems);
  },
};
