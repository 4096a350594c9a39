/** The check of exercise 03b. @module */
import { EPSILON, exercise as define, num, text, units } from "../_harness.ts";

const DURATIONS: Record<string, number> = { save: 3, fetch: 1, render: 1 };

export const exercise = define({
  slug: "03b_background",
  export: "main",
  title: text(
    "Finish background work before returning",
    "Termina el trabajo de fondo antes de volver",
  ),
  success: text(
    "save ran in the background from 0.0 to 3.0 while fetch and render ran one after the other, and main returned at 3.0, with nothing left behind.",
    "save corrió de fondo de 0,0 a 3,0 mientras fetch y render iban una tras otra, y main terminó en 3,0 sin dejar nada atrás.",
  ),
  hints: [
    text(
      "The stub starts save and throws its promise away: nothing can wait for it any more. Keep it in a variable.",
      "El esqueleto lanza save y tira su promesa: ya nada puede esperarla. Guárdala en una variable.",
    ),
    text(
      "Do not await save where you start it, or fetch waits 3 units for nothing; await it after render.",
      "No esperes a save donde la lanzas, o fetch esperará 3 unidades para nada; espérala después de render.",
    ),
    text(
      '`const saving = task("save");` first, then fetch and render with await, then `await saving;`.',
      'Primero `const saving = task("save");`, luego fetch y render con await, y al final `await saving;`.',
    ),
  ],
  async observe(session) {
    await using world = session.open();
    await world.run(() => session.export(world.tasks(DURATIONS)), 20);
  },
  judge(run) {
    const problems = run.startedLate(
      ["save", "fetch"],
      text("Task", "La tarea"),
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
  },
});
