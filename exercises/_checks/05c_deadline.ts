/** The check of exercise 05c. @module */
import {
  again,
  badSignal,
  carries,
  define,
  describe,
  EPSILON,
  num,
  staleSignal,
  type Text,
  text,
  textIf,
  units,
} from "../_harness.ts";

const DEADLINE = 2;
/** How long the report takes in each scenario: the slow case first, where the stub goes wrong; in the third it fails; then the first again, in units of 90 ms, not 125: no wait in ms passes both. */
const [TAKES, FAILS, UNITS] = [[5, 1, 1, 5], 2, [125, 125, 125, 90]];

export const exercise = define<(number | "stale")[]>({
  slug: "05c_deadline",
  async observe(session) {
    const calls: (number | "stale")[] = []; // or stale: handed an aborted signal
    for (const [i, takes] of TAKES.entries()) {
      await using world = session.open({ unit: UNITS[i] });
      let [n, stale] = [0, false];
      const down = session.mark(new Error("the server is down"), "down");
      const ends = i === FAILS ? { fail: down } : { value: "report" };
      const fetchReport = (signal?: AbortSignal) => {
        stale ||= i > 0 && signal?.aborted === true;
        const name = ++n === 1 ? "fetchReport" : `fetchReport (${n})`;
        return badSignal(signal) ??
          world.task(name, takes, { ...ends, signal });
      };
      const tools = { fetchReport, unit: world.unit };
      await world.run(() => session.export(tools), 20);
      calls.push(stale ? "stale" : n);
    }
    return calls;
  },
  judge: (_, calls, runs) =>
    runs.forEach((run, i) => {
      const { status, value, error, at, running } = run.outcome;
      const problems: Text[] = [];
      const n = calls[i]!;
      if (n === "stale") return run.judge([staleSignal("fetchReport")]);
      const takes = TAKES[i]!;
      if (i === FAILS) {
        if (status === "fulfilled") {
          problems.push(text(
            'When the request fails at 1.0 unit (Error: the server is down), your function returned {value}; let that error through: only the deadline means "unavailable".',
            "Cuando la petición falla en 1,0 unidades (Error: the server is down), tu función devolvió {value}; deja pasar ese error: solo el plazo significa «unavailable».",
            { value: describe(value) },
          ));
        } else if (status === "rejected" && !carries(error, "down")) {
          problems.push(text(
            "When the request fails at 1.0 unit (Error: the server is down), your function threw {shown}; throw that error itself, so that the caller learns what went wrong.",
            "Cuando la petición falla en 1,0 unidades (Error: the server is down), tu función lanzó {shown}; lanza ese mismo error, para que quien llama sepa qué falló.",
            { shown: run.show(error) },
          ));
        }
        return run.judge(problems, "rejected");
      }
      const slow = takes > DEADLINE;
      const want = slow ? "unavailable" : "report";
      const when = slow ? DEADLINE : takes;
      const story = text(
        "When the report takes {takes}",
        "Cuando el informe tarda {takes}",
        { takes: units(takes) },
      );
      if (n > 1) {
        problems.push(text(
          "{story}, you asked for it {calls} times; ask once.",
          "{story}, lo pediste {calls} veces; pídelo una vez.",
          { story, calls: n },
        ));
      }
      if (status === "fulfilled" && value !== want) {
        problems.push(text(
          '{story}, your function returned {value}; it should return "{want}".',
          "{story}, tu función devolvió {value}; debería devolver «{want}».",
          { story, value: describe(value), want },
        ));
      }
      if (status === "fulfilled" && Math.abs(at - when) > EPSILON) {
        problems.push(text(
          "{story}, your function returned at {at}; it should return at {when}{why}.",
          "{story}, tu función terminó en {at}; debería terminar en {when}{why}.",
          {
            story,
            at: units(at),
            when: num(when),
            why: textIf(slow, [
              ": give up after 2 units (2 * tools.unit ms)",
              ": ríndete tras 2 unidades (2 * tools.unit ms)",
            ], [", as soon as the report is there", ", al llegar el informe"]),
          },
        ));
      } else if (status === "rejected") {
        problems.push(text(
          '{story}, your function threw {shown} at {at}; it should return "{want}"{timeout}.',
          "{story}, tu función lanzó {shown} en {at}; debería devolver «{want}»{timeout}.",
          {
            story,
            shown: run.show(error),
            at: units(at),
            want,
            timeout: slow
              ? text(": catch the timeout", ": captura el timeout")
              : "",
          },
        ));
      }
      const settled = status === "fulfilled" || status === "rejected";
      if (slow && settled && running.length > 0) {
        problems.push(text(
          "You gave up at {at}, but the request went on (until {takes}): pass fetchReport a signal that aborts at the deadline, so that it stops.",
          "Te rendiste en {at}, pero la petición siguió (hasta {takes}): pasa a fetchReport una señal que aborte en el plazo, para que pare.",
          { at: units(at), takes: num(takes) },
        ));
      }
      const outcome = slow ? { ...run.outcome, running: [] } : run.outcome;
      run.judge(again(problems, [UNITS[i]!, UNITS[0]!]), "either", outcome);
    }),
});
