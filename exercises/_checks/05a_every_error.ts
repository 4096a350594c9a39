/** The check of exercise 05a. @module */
import {
  carries,
  define,
  describe,
  JOBS_APART,
  listOf,
  refOf,
  type Text,
  text,
  textIf,
  units,
  unknownTask,
} from "../_harness.ts";

/** A fails last, B first: job order and failure order differ; C, between, does not. */
const JOBS: Record<string, { units: number; fails: boolean }> = {
  A: { units: 3, fails: true },
  B: { units: 1, fails: true },
  C: { units: 2, fails: false },
  D: { units: 2.5, fails: true },
};
const NAMES = Object.keys(JOBS);
const FAILED = NAMES.filter((name) => JOBS[name]!.fails);

export const exercise = define({
  slug: "05a_every_error",
  async observe(session) {
    await using world = session.open();
    const job = (name: string) => {
      const spec = Object.hasOwn(JOBS, name) ? JOBS[name] : undefined;
      if (spec === undefined) return unknownTask(name, NAMES);
      return world.task(
        name,
        spec.units,
        spec.fails
          ? { fail: session.mark(new Error(`${name} broke`), name) }
          : { value: name.toLowerCase() },
      );
    };
    await world.run(() => session.export(job), 20);
  },
  judge(run) {
    const problems: Text[] = run.startedLate(NAMES, ...JOBS_APART);
    const { status, value, error, at } = run.outcome;
    const refs = Array.isArray(value) ? value.map(refOf) : [];
    const missing = FAILED.filter((n) => !refs.includes(n));
    // Any item but the first error of each job that failed, in its place.
    const extra = (Array.isArray(value) ? value : []).filter((_, i) =>
      !FAILED.includes(refs[i]!) || refs.indexOf(refs[i]) < i
    );
    if (status === "rejected") {
      const lost = FAILED.filter((n) => !carries(error, n));
      problems.push(text(
        "Your function threw {shown} at {at}; it should not throw, but return every error once all jobs are done{lost}.",
        "Tu función lanzó {shown} en {at}; no debe lanzar, sino devolver todos los errores al acabar todos{lost}.",
        {
          shown: run.show(error),
          at: units(at),
          lost: lost.length === 0 ? "" : text(
            ": job {jobs} failed too, and that error was lost",
            ": el trabajo {jobs} también falló, y ese error se perdió",
            { jobs: listOf(lost) },
          ),
        },
      ));
    } else if (status === "fulfilled" && !Array.isArray(value)) {
      problems.push(text(
        "Your function returned {got}; return an array of the errors.",
        "Tu función devolvió {got}; devuelve un array con los errores.",
        { got: describe(value) },
      ));
    } else if (status === "fulfilled" && missing.length > 0) {
      problems.push(text(
        "You returned {got}, and {which} among them: {failed} jobs failed{how}.",
        "Devolviste {got}, y {which}: fallaron {failed} trabajos{how}.",
        {
          got: describe(value),
          which: textIf(missing.length === 1, [
            "the error of job {jobs} is not",
            "el error del trabajo {jobs} no está",
          ], [
            "the errors of jobs {jobs} are not",
            "los errores de los trabajos {jobs} no están",
          ], { jobs: listOf(missing) }),
          failed: FAILED.length,
          how: textIf(refs.length >= FAILED.length, [
            "; return the errors the jobs rejected with, not their text",
            "; devuelve los errores con que fallaron los trabajos, no su texto",
          ], ["", ""]),
        },
      ));
    } else if (status === "fulfilled" && extra.length > 0) {
      problems.push(text(
        "You returned {count} items, but only {failed} jobs failed: return each error once, and nothing else (what you added: {added}).",
        "Devolviste {count} elementos, pero solo fallaron {failed} trabajos: devuelve cada error una vez, y nada más (sobran: {added}).",
        {
          count: refs.length,
          failed: FAILED.length,
          added: extra.map((e) => describe(e)).join(", "),
        },
      ));
    } else if (status === "fulfilled" && refs.join() !== FAILED.join()) {
      problems.push(text(
        "You returned the errors in the order they happened (B's at 1.0 before A's at 3.0); return them in job order: A's, then B's.",
        "Devolviste los errores en el orden en que ocurrieron (el de B en 1,0 antes que el de A en 3,0); devuélvelos en el orden de los trabajos: el de A y luego el de B.",
      ));
    }
    run.judge(problems, "either");
  },
});
