/** The check of exercise 05a. @module */
import {
  describe,
  type Exercise,
  listOf,
  num,
  refOf,
  text,
  units,
  unknownTask,
} from "../_harness.ts";

/** A fails last, B first: job order and failure order differ. */
const JOBS: Record<string, { units: number; fails: boolean }> = {
  A: { units: 3, fails: true },
  B: { units: 1, fails: true },
  C: { units: 2, fails: false },
  D: { units: 2.5, fails: false },
};
const NAMES = Object.keys(JOBS);

export const exercise: Exercise = {
  id: "05a",
  slug: "05a_every_error",
  export: "main",
  lesson: "lessons/05_exceptions.ts",
  title: text("Collect every error", "Recoge todos los errores"),
  success: text(
    "All four jobs ran at once, and you returned both errors, A's then B's, at 3.0 units, once the last job was done.",
    "Los cuatro trabajos fueron a la vez, y devolviste los dos errores, el de A y luego el de B, en 3,0 unidades, al acabar el último.",
  ),
  hints: [
    text(
      "Promise.all rejects as soon as one job fails (B, at 1.0): the other errors are lost and the other jobs are left running.",
      "Promise.all se rechaza en cuanto falla un trabajo (B, en 1,0): los demás errores se pierden y los demás trabajos siguen sueltos.",
    ),
    text(
      'Promise.allSettled waits for every job and gives one result per job, in job order: { status: "fulfilled", value } or { status: "rejected", reason }.',
      'Promise.allSettled espera a todos y da un resultado por trabajo, en su orden: { status: "fulfilled", value } o { status: "rejected", reason }.',
    ),
    text(
      '`(await Promise.allSettled([...])).filter((r) => r.status === "rejected").map((r) => r.reason)`; no try/catch needed.',
      '`(await Promise.allSettled([...])).filter((r) => r.status === "rejected").map((r) => r.reason)`; no hace falta try/catch.',
    ),
  ],
  async observe(session) {
    await using world = session.open();
    const job = (name: string) => {
      const spec = JOBS[name];
      if (spec === undefined) return Promise.reject(unknownTask(name, NAMES));
      return spec.fails
        ? world.task<string>(name, spec.units, {
          fail: session.mark(new Error(`${name} broke`), name),
        })
        : world.task(name, spec.units, { value: name.toLowerCase() });
    };
    await world.run(() => session.export(job), 20);
  },
  judge(run) {
    const problems = run.startedLate(
      NAMES,
      text("Job", "El trabajo"),
      text(
        "the jobs need nothing from each other",
        "los trabajos no dependen entre sí",
      ),
    );
    const outcome = run.outcome;
    const failedNames = NAMES.filter((name) => JOBS[name]!.fails);
    if (outcome.status === "rejected") {
      const which = refOf(outcome.error);
      const lost = failedNames.filter((n) => n !== which);
      const shown = run.show(outcome.error);
      problems.push(text(
        "Your function threw {shown} at {at}; it should not throw, but return every error once all jobs are done{lost}.",
        "Tu función lanzó {shown} en {at}; no debe lanzar, sino devolver todos los errores al acabar todos{lost}.",
        {
          shown,
          at: units(outcome.at),
          lost: lost.length === 0 ? "" : text(
            ": job {jobs} failed too, and that error was lost",
            ": el trabajo {jobs} también falló, y ese error se perdió",
            { jobs: listOf(lost) },
          ),
        },
      ));
    } else if (outcome.status === "fulfilled") {
      const got = outcome.value;
      if (!Array.isArray(got)) {
        problems.push(text(
          "Your function returned {got}; return an array of the errors.",
          "Tu función devolvió {got}; devuelve un array con los errores.",
          { got: describe(got) },
        ));
      } else {
        const refs = got.map(refOf);
        const missing = failedNames.filter((n) => !refs.includes(n));
        const extra = got.filter((e) => !failedNames.includes(refOf(e)!));
        if (missing.length > 0) {
          const which = listOf(
            missing.map((n) =>
              text('{n} ("{n} broke", at {at})', '{n} ("{n} broke", en {at})', {
                n,
                at: num(JOBS[n]!.units),
              })
            ),
          );
          problems.push(text(
            "You returned {count} {items}, and the error of job {which} is not among them: {failed} jobs failed.",
            "Devolviste {count} {items}, y el error del trabajo {which} no está: fallaron {failed} trabajos.",
            {
              count: got.length,
              items: got.length === 1
                ? text("item", "elemento")
                : text("items", "elementos"),
              which,
              failed: failedNames.length,
            },
          ));
        } else if (extra.length > 0) {
          problems.push(text(
            "You returned {count} items, but only {failed} jobs failed: return the errors only (what you added: {added}).",
            "Devolviste {count} elementos, pero solo fallaron {failed} trabajos: devuelve solo los errores (sobran: {added}).",
            {
              count: got.length,
              failed: failedNames.length,
              added: extra.map((e) => describe(e)).join(", "),
            },
          ));
        } else if (refs.some((ref, i) => ref !== failedNames[i])) {
          problems.push(text(
            `You returned the errors in the order they happened (B's at 1.0 before A's at 3.0); return them in job order: A's, then B's.`,
            `Devolviste los errores en el orden en que ocurrieron (el de B en 1,0 antes que el de A en 3,0); devuélvelos en el orden de los trabajos: el de A y luego el de B.`,
          ));
        }
      }
    }
    run.verdict([
      ...problems,
      ...run.twice(),
      ...run.common(outcome, "either"),
    ]);
  },
};
