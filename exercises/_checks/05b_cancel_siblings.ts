/** The check of exercise 05b. @module */
import {
  badSignal,
  carries,
  define,
  describe,
  EPSILON,
  JOBS_APART,
  listOf,
  num,
  type Scene,
  staleSignal,
  type Text,
  text,
  textIf,
  units,
  unknownTask,
} from "../_harness.ts";

const DURATIONS: Record<string, number> = { A: 3, B: 1, C: 4 };
const NAMES = Object.keys(DURATIONS);
const STOP = 0.5;

export const exercise = define({
  slug: "05b_cancel_siblings",
  async observe(session) {
    let stale: { run: number; name: string } | undefined; // already aborted
    // B fails at 1.0, then A at 3.0 (a fixed B is not enough), then none.
    for (const [run, fail] of ["B", "A", ""].entries()) {
      await using world = session.open();
      const job = (name: string, signal?: AbortSignal) => {
        if (run > 0 && signal?.aborted) stale ??= { run, name };
        return !Object.hasOwn(DURATIONS, name)
          ? unknownTask(name, NAMES)
          : badSignal(signal) ??
            world.task(name, DURATIONS[name]!, {
              signal,
              stopUnits: STOP,
              ...name === fail
                ? { fail: session.mark(new Error(`${name} broke`), name) }
                : { value: name.toLowerCase() },
            });
      };
      await world.run(() => session.export(job), 20);
    }
    return stale;
  },
  judge(_, stale, [failedB, failedA, succeeded]) {
    failing(failedB!, "B");
    if (stale) {
      const job = text("job {name}", "el trabajo {name}", stale);
      [failedA, succeeded][stale.run - 1]!.judge([staleSignal(job)]);
    }
    failing(failedA!, "A");
    const problems: Text[] = [];
    for (const name of NAMES.filter((n) => succeeded!.cancelled.has(n))) {
      problems.push(text(
        "When no job fails, nothing should be cancelled, but job {name} was.",
        "Si ningún trabajo falla no hay que cancelar nada, pero el trabajo {name} se canceló.",
        { name },
      ));
    }
    const { status, value } = succeeded!.outcome;
    if (status === "fulfilled" && describe(value) !== '["a", "b", "c"]') {
      problems.push(text(
        'When no job fails, return their results in job order, ["a", "b", "c"]; you returned {value}.',
        'Si ningún trabajo falla, devuelve sus resultados en orden, ["a", "b", "c"]; devolviste {value}.',
        { value: describe(value) },
      ));
    }
    NAMES.forEach((name) => succeeded!.spanOf(name));
    succeeded!.judge(problems);
  },
});

/** Judges the run where job `failed` fails, the others running on. */
function failing(run: Scene, failed: string): void {
  NAMES.forEach((name) => run.spanOf(name, "rejected")); // its error is due
  const problems = run.startedLate(NAMES, ...JOBS_APART);
  const failedAt = DURATIONS[failed]!;
  for (const name of NAMES.filter((n) => DURATIONS[n]! > failedAt)) {
    const { end } = run.spanOf(name);
    if (!run.cancelled.has(name)) {
      problems.push(text(
        "Job {name} kept running after job {failed} failed at {failedAt}{until}: hand it a signal that aborts when a sibling fails.",
        "El trabajo {name} siguió tras el fallo de {failed} en {failedAt}{until}: dale una señal que aborte cuando falle un hermano.",
        {
          name,
          failed,
          failedAt: units(failedAt),
          until: end === undefined
            ? ""
            : text(" (until {end})", " (hasta {end})", { end: num(end) }),
        },
      ));
    } else if (end !== undefined && end > failedAt + STOP + EPSILON) {
      problems.push(text(
        "Job {name} stopped at {end}; it could have been told at {failedAt}, when {failed} failed, and stopped by {stop}.",
        "El trabajo {name} paró en {end}; podía haberse enterado en {failedAt}, al fallar {failed}, y parar en {stop}.",
        {
          name,
          failed,
          end: units(end),
          failedAt: num(failedAt),
          stop: num(failedAt + STOP),
        },
      ));
    }
  }
  const { status, value, error, at, running } = run.outcome;
  const stopping = running.filter((r) => run.cancelled.has(r.name));
  if (status === "fulfilled") {
    problems.push(text(
      "Your function returned {value} at {at} although job {failed} failed: let {failed}'s error out.",
      "Tu función devolvió {value} en {at} aunque el trabajo {failed} falló: deja salir el error de {failed}.",
      { value: describe(value), at: units(at), failed },
    ));
  } else if (
    status === "rejected" && describe(error).startsWith("SuppressedError")
  ) {
    problems.push(text(
      "Your function threw a SuppressedError: with `await using`, an error thrown in the block (here {failed}'s, passed on by Promise.all) and the group's AggregateError come out wrapped together. Use `TaskGroup.run`, where an error in the body joins the group's AggregateError, or await the results after the block.",
      "Tu función lanzó un SuppressedError: con `await using`, un error lanzado en el bloque (aquí el de {failed}, que pasa Promise.all) y el AggregateError del grupo salen envueltos juntos. Usa `TaskGroup.run`, donde un error del cuerpo se une al AggregateError del grupo, o espera los resultados después del bloque.",
      { failed },
    ));
  } else if (status === "rejected" && !carries(error, failed)) {
    problems.push(text(
      "Your function threw {error}; throw {failed}'s error (Error: {failed} broke), alone or in an AggregateError.",
      "Tu función lanzó {error}; lanza el error de {failed} (Error: {failed} broke), solo o en un AggregateError.",
      { error: run.show(error), failed },
    ));
  }
  if (status === "rejected" && stopping.length > 0) {
    const values = {
      at: units(at),
      names: listOf(stopping.map((r) => r.name)),
      until: num(Math.max(...stopping.map((r) => r.until ?? 0))),
    };
    problems.push(textIf(stopping.length > 1, [
      "Your function threw at {at} while jobs {names} were still stopping (done at {until}): wait for every job to settle before you throw.",
      "Tu función lanzó en {at} mientras los trabajos {names} aún se detenían (hasta {until}): espera a que todos acaben antes de lanzar.",
    ], [
      "Your function threw at {at} while job {names} was still stopping (done at {until}): wait for every job to settle before you throw.",
      "Tu función lanzó en {at} mientras el trabajo {names} aún se detenía (hasta {until}): espera a que todos acaben antes de lanzar.",
    ], values));
  }
  // Jobs still stopping were reported above.
  const rest = running.filter((r) => !run.cancelled.has(r.name));
  run.judge(problems, "rejected", { ...run.outcome, running: rest });
}
