/** The check of exercise 03a. @module */
import { define, EPSILON, retimed, text, units } from "../_harness.ts";

/** The task's text's durations, then others where C does not end last. */
const DURATIONS: Record<string, number>[] = [
  { A: 2, B: 1, C: 3 },
  { A: 3, B: 2, C: 1 },
];

export const exercise = define({
  slug: "03a_overlap",
  async observe(session) {
    for (const durations of DURATIONS) {
      await using world = session.open();
      await world.run(() => session.export(world.tasks(durations)), 20);
    }
  },
  judge(_, _notes, runs) {
    runs.forEach((run, i) => {
      if (i > 0) run.story = retimed(DURATIONS[i]!);
      const problems = run.startedLate(
        Object.keys(DURATIONS[i]!),
        text(
          "it needs nothing from the other tasks",
          "no necesita nada de las otras",
        ),
      );
      const end = Math.max(run.outcome.at, ...run.spans.map((s) => s.end ?? 0));
      if (problems.length > 0 && end > 3 + EPSILON) {
        problems.push(text(
          "Everything took {total}; the best possible is 3.0, the longest task.",
          "Todo tardó {total}; lo mejor posible es 3,0, la tarea más larga.",
          { total: units(end) },
        ));
      }
      run.judge(problems);
    });
  },
});
