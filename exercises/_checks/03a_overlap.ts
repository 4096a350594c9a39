/** The check of exercise 03a. @module */
import { EPSILON, exercise as define, text, units } from "../_harness.ts";

const DURATIONS: Record<string, number> = { A: 2, B: 1, C: 3 };

export const exercise = define({
  slug: "03a_overlap",
  export: "main",
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
  async observe(session) {
    await using world = session.open();
    await world.run(() => session.export(world.tasks(DURATIONS)), 20);
  },
  judge(run) {
    const problems = run.startedLate(
      Object.keys(DURATIONS),
      text("Task", "La tarea"),
      text(
        "it needs nothing from the other tasks",
        "no necesita nada de las otras",
      ),
    );
    const ends = run.spans.map((s) => s.end ?? 0);
    const total = Math.max(run.outcome.at, ...ends);
    if (problems.length > 0 && total > 3 + EPSILON) {
      problems.push(text(
        "Everything took {total}; the best possible is 3.0, the longest task.",
        "Todo tardó {total}; lo mejor posible es 3,0, la tarea más larga.",
        { total: units(total) },
      ));
    }
    run.judge(problems);
  },
});
