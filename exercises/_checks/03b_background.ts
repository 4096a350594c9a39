/** The check of exercise 03b. @module */
import { define, EPSILON, num, text, units } from "../_harness.ts";

/** The task's text's durations, then others where save does not end last. */
const [DURATIONS, AGAIN] = [
  { save: 3, fetch: 1, render: 1 },
  { save: 1.5, fetch: 1, render: 1 },
];

export const exercise = define({
  slug: "03b_background",
  observe: (session) => session.withTasks(DURATIONS, AGAIN),
  judge(run, _, [, again]) {
    const problems = run.startedLate(
      ["save", "fetch"],
      text("it needs nothing from the others", "no necesita nada de las otras"),
    );
    const { end } = run.spanOf("fetch");
    const { start } = run.spanOf("render");
    const values = { start: units(start), end: num(end ?? 0) };
    if (end !== undefined && start < end - EPSILON) {
      problems.push(text(
        "Task render started at {start}, before fetch, which it needs, was done at {end}.",
        "La tarea render empezó en {start}, antes de que fetch, que ella necesita, terminara en {end}.",
        values,
      ));
    } else if (end !== undefined && start > end + EPSILON) {
      problems.push(text(
        "Task render started at {start}; everything it needed (fetch) was done at {end}.",
        "La tarea render empezó en {start}; todo lo que necesitaba (fetch) estaba listo en {end}.",
        values,
      ));
    }
    run.judge(problems);
    again!.retimed(AGAIN);
  },
});
