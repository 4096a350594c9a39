/** The check of exercise 03a. @module */
import { define, EPSILON, text, units } from "../_harness.ts";

const DURATIONS: Record<string, number> = { A: 2, B: 1, C: 3 };

export const exercise = define({
  slug: "03a_overlap",
  async observe(session) {
    await using world = session.open();
    await world.run(() => session.export(world.tasks(DURATIONS)), 20);
  },
  judge(run) {
    const problems = run.startedLate(
      Object.keys(DURATIONS),
      text(
        "it needs nothing from the other tasks",
        "no necesita nada de las otras",
      ),
    );
    const total = Math.max(run.outcome.at, ...run.spans.map((s) => s.end ?? 0));
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
