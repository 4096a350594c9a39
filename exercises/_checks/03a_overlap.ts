/** The check of exercise 03a. @module */
import { define, EPSILON, text, units } from "../_harness.ts";

/** The task's text's durations, then others where A, then B, ends last. */
const [DURATIONS, ...AGAIN] = [
  { A: 2, B: 1, C: 3 },
  { A: 3, B: 2, C: 1 },
  { A: 1, B: 3, C: 2 },
];

export const exercise = define({
  slug: "03a_overlap",
  observe: (session) => session.withTasks(DURATIONS, ...AGAIN),
  judge(run, _, [, ...again]) {
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
    again.forEach((scene, i) => scene.retimed(AGAIN[i]!));
  },
});
