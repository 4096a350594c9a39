/** The check of exercise 05b. @module */
import {
  badSignal,
  carries,
  describe,
  EPSILON,
  type Exercise,
  listOf,
  num,
  type Scene,
  type Session,
  type Text,
  text,
  Thrown,
  units,
  unknownTask,
} from "../_harness.ts";

const DURATIONS: Record<string, number> = { A: 3, B: 1, C: 4 };
const NAMES = Object.keys(DURATIONS);
const STOP = 0.5;

type Main = (
  job: (name: string, signal?: AbortSignal) => Promise<string>,
) => Promise<string[]>;

export const exercise: Exercise = {
  id: "05b",
  slug: "05b_cancel_siblings",
  export: "main",
  lesson: "lessons/05_exceptions.ts",
  title: text(
    "Cancel the siblings when one fails",
    "Cancela a los hermanos cuando uno falla",
  ),
  success: text(
    "When B failed at 1.0, A and C were told at once, stopped by 1.5, and only then did your function throw B's error; with no failure, all three results came back.",
    "Cuando B falló en 1,0, A y C se enteraron en el acto, pararon en 1,5, y solo entonces tu función lanzó el error de B; sin fallos, volvieron los tres resultados.",
  ),
  hints: [
    text(
      "Promise.all throws at B's failure and walks away: A and C run on, unwatched, to the end. They stop only if you hand them a signal that aborts.",
      "Promise.all lanza al fallar B y se desentiende: A y C siguen, sin vigilancia, hasta el final. Solo paran si les das una señal que aborte.",
    ),
    text(
      'A TaskGroup (from "@asincronia/asincronia") does all of it: `TaskGroup.run((group) => ...)` gives you a group, `group.spawn((signal) => job(name, signal))` passes each job its signal, the first failure aborts it, and run settles only once every job has.',
      'Un TaskGroup (de "@asincronia/asincronia") lo hace todo: `TaskGroup.run((grupo) => ...)` te da un grupo, `grupo.spawn((signal) => job(nombre, signal))` pasa a cada trabajo su señal, el primer fallo la aborta, y run no termina hasta que todos han acabado.',
    ),
    text(
      "Return `TaskGroup.run((group) => Promise.all(names.map((name) => group.spawn((signal) => job(name, signal)))))`: Promise.all gives the results in job order, and run waits for every job even after B fails.",
      "Devuelve `TaskGroup.run((grupo) => Promise.all(nombres.map((nombre) => grupo.spawn((signal) => job(nombre, signal)))))`: Promise.all da los resultados en orden, y run espera a todos incluso tras el fallo de B.",
    ),
  ],
  async observe(session) {
    await scenario(session, true);
    await scenario(session, false);
  },
  judge(_, _notes, [failed, succeeded]) {
    failing(failed!);
    succeeding(succeeded!);
  },
};

/** Runs the learner's main on three jobs, B failing at 1.0 when `fail`. */
async function scenario(session: Session, fail: boolean): Promise<void> {
  await using world = session.open();
  const job = (name: string, signal?: AbortSignal) => {
    if (!(name in DURATIONS)) return Promise.reject(unknownTask(name, NAMES));
    const refused = badSignal(signal);
    if (refused !== undefined) return Promise.reject(refused);
    return name === "B" && fail
      ? world.task<string>(name, DURATIONS[name]!, {
        fail: session.mark(new Error("B broke"), "B"),
        signal,
        stopUnits: STOP,
      })
      : world.task(name, DURATIONS[name]!, {
        value: name.toLowerCase(),
        signal,
        stopUnits: STOP,
      });
  };
  await world.run(() => session.export(job), 20);
}

function failing(run: Scene): void {
  const problems = run.startedLate(
    NAMES,
    text("Job", "El trabajo"),
    text(
      "the jobs need nothing from each other",
      "los trabajos no dependen entre sí",
    ),
  );
  const failedAt = DURATIONS.B!;
  for (const name of ["A", "C"]) {
    const span = run.spanOf(name);
    if (!run.cancelled.has(name)) {
      const until = span.end === undefined
        ? ""
        : text(" (until {end})", " (hasta {end})", { end: num(span.end) });
      problems.push(text(
        "Job {name} kept running after job B failed at {failedAt}{until}: hand it a signal that aborts when a sibling fails.",
        "El trabajo {name} siguió tras el fallo de B en {failedAt}{until}: dale una señal que aborte cuando falle un hermano.",
        { name, failedAt: units(failedAt), until },
      ));
    } else if (span.end !== undefined && span.end > failedAt + STOP + EPSILON) {
      problems.push(text(
        "Job {name} stopped at {end}; it could have been told at {failedAt}, when B failed, and stopped by {stop}.",
        "El trabajo {name} paró en {end}; podía haberse enterado en {failedAt}, al fallar B, y parar en {stop}.",
        {
          name,
          end: units(span.end),
          failedAt: num(failedAt),
          stop: num(failedAt + STOP),
        },
      ));
    }
  }
  if (run.outcome.status === "fulfilled") {
    problems.push(text(
      "Your function returned {value} at {at} although job B failed: let B's error out.",
      "Tu función devolvió {value} en {at} aunque el trabajo B falló: deja salir el error de B.",
      { value: describe(run.outcome.value), at: units(run.outcome.at) },
    ));
  } else if (run.outcome.status === "rejected") {
    const error = run.outcome.error;
    if (error instanceof Thrown && error.name === "SuppressedError") {
      problems.push(text(
        "Your function threw a SuppressedError: with `await using`, an error thrown in the block (here B's, passed on by Promise.all) and the group's AggregateError come out wrapped together. Use `TaskGroup.run`, where an error in the body joins the group's AggregateError, or await the results after the block.",
        "Tu función lanzó un SuppressedError: con `await using`, un error lanzado en el bloque (aquí el de B, que pasa Promise.all) y el AggregateError del grupo salen envueltos juntos. Usa `TaskGroup.run`, donde un error del cuerpo se une al AggregateError del grupo, o espera los resultados después del bloque.",
      ));
    } else if (!carries(error, "B")) {
      problems.push(text(
        "Your function threw {error}; throw B's error (Error: B broke), alone or in an AggregateError.",
        "Tu función lanzó {error}; lanza el error de B (Error: B broke), solo o en un AggregateError.",
        { error: run.show(error) },
      ));
    }
    const stopping = run.outcome.running.filter((r) =>
      run.cancelled.has(r.name)
    );
    if (stopping.length > 0) {
      const names = stopping.map((r) => r.name);
      const until = Math.max(...stopping.map((r) => r.until ?? 0));
      const values = {
        at: units(run.outcome.at),
        names: listOf(names),
        until: num(until),
      };
      problems.push(
        names.length > 1
          ? text(
            "Your function threw at {at} while jobs {names} were still stopping (done at {until}): wait for every job to settle before you throw.",
            "Tu función lanzó en {at} mientras los trabajos {names} aún se detenían (hasta {until}): espera a que todos acaben antes de lanzar.",
            values,
          )
          : text(
            "Your function threw at {at} while job {names} was still stopping (done at {until}): wait for every job to settle before you throw.",
            "Tu función lanzó en {at} mientras el trabajo {names} aún se detenía (hasta {until}): espera a que todos acaben antes de lanzar.",
            values,
          ),
      );
    }
  }
  // Jobs still stopping were reported above.
  const rest = {
    ...run.outcome,
    running: run.outcome.running.filter((r) => !run.cancelled.has(r.name)),
  };
  run.verdict([...problems, ...run.twice(), ...run.common(rest, "rejected")]);
}

function succeeding(run: Scene): void {
  const problems: Text[] = [];
  for (const name of NAMES) {
    run.spanOf(name);
    if (run.cancelled.has(name)) {
      problems.push(text(
        "When no job fails, nothing should be cancelled, but job {name} was.",
        "Si ningún trabajo falla no hay que cancelar nada, pero el trabajo {name} se canceló.",
        { name },
      ));
    }
  }
  if (run.outcome.status === "fulfilled") {
    const value = run.outcome.value;
    if (!Array.isArray(value) || value.join() !== "a,b,c") {
      problems.push(text(
        'When no job fails, return their results in job order, ["a", "b", "c"]; you returned {value}.',
        'Si ningún trabajo falla, devuelve sus resultados en orden, ["a", "b", "c"]; devolviste {value}.',
        { value: describe(value) },
      ));
    }
  }
  run.verdict([...problems, ...run.twice(), ...run.common()]);
}
