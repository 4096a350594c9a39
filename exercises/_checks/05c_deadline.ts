/** The check of exercise 05c. @module */
import {
  badSignal,
  describe,
  EPSILON,
  type Exercise,
  num,
  type Scene,
  type Session,
  type Text,
  text,
  units,
} from "../_harness.ts";

const DEADLINE = 2;

interface Tools {
  fetchReport(signal?: AbortSignal): Promise<string>;
  unit: number;
}

export const exercise: Exercise<number[]> = {
  id: "05c",
  slug: "05c_deadline",
  export: "main",
  lesson: "lessons/05_exceptions.ts",
  title: text("Give up after a deadline", "Ríndete tras un plazo"),
  success: text(
    'A report that came at 1.0 was returned at 1.0 with no timer left behind; one that would take 5.0 was cancelled at 2.0 and you returned "unavailable".',
    'Un informe que llegó en 1,0 se devolvió en 1,0 sin dejar temporizador; uno que tardaría 5,0 se canceló en 2,0 y devolviste "unavailable".',
  ),
  hints: [
    text(
      "Two things must race: the report, and a deadline 2 units away. Whichever comes first decides; the loser must be stopped, not left running.",
      "Dos cosas compiten: el informe y un plazo de 2 unidades. La primera que llega decide; la perdedora hay que pararla, no dejarla suelta.",
    ),
    text(
      "`AbortSignal.timeout(2 * tools.unit)` is a deadline that cleans up after itself; hand it to fetchReport and the request stops when time is up. A setTimeout you start yourself must be cleared.",
      "`AbortSignal.timeout(2 * tools.unit)` es un plazo que se limpia solo; pásaselo a fetchReport y la petición se detiene al acabarse el tiempo. Un setTimeout propio hay que cancelarlo.",
    ),
    text(
      '`try { return await tools.fetchReport(AbortSignal.timeout(2 * tools.unit)); } catch (error) { if (error instanceof DOMException && error.name === "TimeoutError") return "unavailable"; throw error; }`',
      '`try { return await tools.fetchReport(AbortSignal.timeout(2 * tools.unit)); } catch (error) { if (error instanceof DOMException && error.name === "TimeoutError") return "unavailable"; throw error; }`',
    ),
  ],
  async observe(session) {
    // The slow case first: it is where the stub goes wrong.
    return [await scenario(session, 5), await scenario(session, 1)];
  },
  judge(_, calls, runs) {
    judge(runs[0]!, 5, calls[0]!);
    judge(runs[1]!, 1, calls[1]!);
  },
};

/** Runs the learner's main with a report that takes `takes` units; how many times it was asked for. */
async function scenario(session: Session, takes: number): Promise<number> {
  await using world = session.open();
  let calls = 0;
  const tools: Tools = {
    fetchReport: (signal) => {
      calls++;
      const refused = badSignal(signal);
      if (refused !== undefined) return Promise.reject(refused);
      return world.task(
        calls === 1 ? "fetchReport" : `fetchReport (${calls})`,
        takes,
        { value: "report", signal },
      );
    },
    unit: world.unit,
  };
  await world.run(() => session.export(tools), 20);
  return calls;
}

function judge(run: Scene, takes: number, calls: number): void {
  const outcome = run.outcome;
  const problems: Text[] = [];
  const slow = takes > DEADLINE;
  const want = slow ? "unavailable" : "report";
  const when = slow ? DEADLINE : takes;
  const story = text(
    "When the report takes {takes}",
    "Cuando el informe tarda {takes}",
    { takes: units(takes) },
  );
  if (calls > 1) {
    problems.push(text(
      "{story}, you asked for it {calls} times; ask once.",
      "{story}, lo pediste {calls} veces; pídelo una vez.",
      { story, calls },
    ));
  }
  if (outcome.status === "fulfilled") {
    if (outcome.value !== want) {
      problems.push(text(
        '{story}, your function returned {value}; it should return "{want}".',
        '{story}, tu función devolvió {value}; debería devolver "{want}".',
        { story, value: describe(outcome.value), want },
      ));
    }
    if (Math.abs(outcome.at - when) > EPSILON) {
      problems.push(text(
        "{story}, your function returned at {at}; it should return at {when}{why}.",
        "{story}, tu función terminó en {at}; debería terminar en {when}{why}.",
        {
          story,
          at: units(outcome.at),
          when: num(when),
          why: slow
            ? text(": give up after 2 units", ": ríndete tras 2 unidades")
            : text(
              ", as soon as the report is there",
              ", en cuanto llega el informe",
            ),
        },
      ));
    }
  } else if (outcome.status === "rejected") {
    const shown = run.show(outcome.error);
    problems.push(text(
      '{story}, your function threw {shown} at {at}; it should return "{want}"{timeout}.',
      '{story}, tu función lanzó {shown} en {at}; debería devolver "{want}"{timeout}.',
      {
        story,
        shown,
        at: units(outcome.at),
        want,
        timeout: slow
          ? text(": catch the timeout", ": captura el timeout")
          : "",
      },
    ));
  }
  if (
    slow && outcome.running.length > 0 &&
    (outcome.status === "fulfilled" || outcome.status === "rejected")
  ) {
    problems.push(text(
      "You gave up at {at}, but the request went on (until {takes}): pass fetchReport a signal that aborts at the deadline, so that it stops.",
      "Te rendiste en {at}, pero la petición siguió (hasta {takes}): pasa a fetchReport una señal que aborte en el plazo, para que pare.",
      { at: units(outcome.at), takes: num(takes) },
    ));
    problems.push(...run.common({ ...outcome, running: [] }, "either"));
  } else {
    problems.push(...run.common(outcome, "either"));
  }
  run.verdict(problems);
}
