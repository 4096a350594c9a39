/** The check of exercise 08b. @module */
import {
  again,
  define,
  describe,
  heldUp,
  type Scene,
  type Text,
  text,
  textIf,
  units,
} from "../_harness.ts";
import { REAL, type World } from "../_world.ts";
import { serve } from "../../course/http.ts";

/** Real milliseconds per unit, at least; /flaky again with units 7/4 as long (a wait for Retry-After: 2 passes from 1.9 to 3 units; 3 / 1.9 < 7/4), so that none in ms passes both. */
const [UNIT, AGAIN] = [40, 7 / 4];
const ATTEMPTS = 4;
// Waits may be this much shorter (clocks) or longer, in units; any longer
// on a held-up run (10.6 where 1 was asked, at a load of 20): its note.
const [EARLY, LATE] = [0.1, 1];

type Answer = { status: number; body: string; retryAfter?: number };

/** When each attempt came, and in the learner's code (World.fetches), in units; its answer. */
type Attempt =
  & { at: number }
  & Partial<ReturnType<World["fetches"]>[0]>
  & Answer;

/** What each route answers to its n-th request (1-based); /flaky, in turns of four. */
const ROUTES: Record<string, (n: number) => Answer> = {
  "/flaky": (n) =>
    [
      { status: 503, body: "busy", retryAfter: 2 },
      { status: 429, body: "slow down" },
      { status: 429, body: "now", retryAfter: 0 }, // not the first's 2 again
    ][(n - 1) % 4] ?? { status: 200, body: "done" },
  "/down": () => ({ status: 503, body: "down" }),
  "/gone": () => ({ status: 404, body: "gone" }),
  "/broken": () => ({ status: 500, body: "oops" }), // not retried either
};

const PATHS = [...Object.keys(ROUTES), "/flaky"];
const retried = (status: number) => status === 429 || status === 503;

export const exercise = define<Attempt[][]>({
  slug: "08b_retry",
  export: "getWithRetry",
  real: true,
  needs: "net",
  words: { attempt: "intento" },
  async observe(session) {
    const unit = await session.realUnit(UNIT);
    // What a wait of 0.5 units where Retry-After asks 2 misses by.
    const margin = 2 - EARLY - 0.5;
    let record = (_path: string, _answer: Answer) => {};
    await using server = serve(async (path, n) => {
      const answer = ROUTES[path]?.(n) ??
        { status: 500, body: "no such route" };
      record(path, answer);
      const after = answer.retryAfter;
      // Late, so that a wait counted from the request always misses.
      if (after) await new Promise((done) => REAL.setTimeout(done, unit / 2));
      const headers = after === undefined
        ? undefined
        : { "retry-after": `${after}` };
      return new Response(answer.body, { status: answer.status, headers });
    }, session.port);
    const attempts: Attempt[][] = [];
    for (const [i, path] of PATHS.entries()) {
      const ms = i < 4 ? unit : Math.round(unit * AGAIN); // /flaky again
      await using world = session.open({ virtual: false, unit: ms, margin });
      const these: Attempt[] = [];
      attempts.push(these);
      record = (hit, answer) => {
        if (hit !== path) return;
        const n = these.push({ at: world.now(), ...answer });
        const name = world.start(`attempt ${n} (${answer.status})`);
        world.end(name, answer.status < 400 ? "fulfilled" : "rejected");
      };
      await world.run(() => session.export(server.url(path), { unit: ms }), 50);
      // Give a retry that comes late a chance to show up.
      await new Promise((resolve) => REAL.setTimeout(resolve, ms));
      record = () => {};
      const fetches = world.fetches(path); // one per attempt, or not used
      const each = fetches.length === these.length;
      these.forEach((attempt, i) => Object.assign(attempt, each && fetches[i]));
    }
    return attempts;
  },
  judge: (_, attempts, runs) =>
    PATHS.forEach((path, i) => {
      // Unsaid if the first run was held up: it may have hidden the same fault.
      const [now, first] = [runs[i]!.run.unit, runs[0]!.run];
      const ms = [now, heldUp(first) ? now : first.unit];
      runs[i]!.judge(again(judge(path, attempts[i]!, runs[i]!), ms), "either");
    }),
});

function judge(path: string, attempts: readonly Attempt[], run: Scene): Text[] {
  const call = `getWithRetry("${path}")`;
  // The waits between attempts.
  for (const [k, before] of attempts.slice(0, -1).entries()) {
    // In the learner's code if it can be: a slow round trip makes up nothing,
    // nor does a held-up process that fired the wait's timer late.
    const next = attempts[k + 1]!;
    const gap = before.answered !== undefined && next.sent !== undefined
      ? next.sent - before.answered - (next.late ?? 0)
      : next.at - before.at;
    const want = before.retryAfter ?? 0.5 * 2 ** k;
    // Hold-ups that could make up for a wait too short: the run is held up.
    const bent = gap - (next.lost ?? 0) < want - EARLY && gap >= want - EARLY;
    if (bent) Object.assign(run.run, { held: 1 });
    const values = {
      call,
      path,
      gap: units(gap),
      next: k + 2,
      k: k + 1,
      status: before.status,
      want: units(want),
      why: textIf(before.retryAfter !== undefined, [
        "the server answered {status} with Retry-After: {after} ({after} * tools.unit ms)",
        "el servidor respondió {status} con Retry-After: {after} ({after} * tools.unit ms)",
      ], [
        "the server answered {status} with no Retry-After, so back off 0.5 × 2^{retry}",
        "el servidor respondió {status} sin Retry-After, así que espera 0,5 × 2^{retry}",
      ], { status: before.status, after: before.retryAfter, retry: k }),
    };
    const short = gap < want - EARLY;
    if (!retried(before.status)) {
      return [text(
        "{call} tried again after a {status}: only a 429 or a 503 says to come back later; retry those alone, and throw an error for the rest.",
        "{call} reintentó tras un {status}: solo las respuestas 429 y 503 piden volver más tarde; reintenta solo esas, y lanza un error con los demás.",
        values,
      )];
    } else if (short || !heldUp(run.run) && gap > want + LATE) {
      return [textIf(short, [
        "Attempt {next} on {path} came {gap} after attempt {k}; it should have waited {want}, as {why}.",
        "El intento {next} a {path} llegó {gap} después del {k}; debía esperar {want}, porque {why}.",
      ], [
        "Attempt {next} on {path} came {gap} after attempt {k}; it needed to wait only {want}, as {why}.",
        "El intento {next} a {path} llegó {gap} después del {k}; bastaba con esperar {want}, porque {why}.",
      ], values)];
    }
  }
  const problems: Text[] = [];
  const ok = attempts.findIndex((a) => a.status < 300);
  const sent = attempts.length;
  if (ok !== -1 && sent > ok + 1) {
    problems.push(text(
      "{call} sent {sent} requests, but attempt {ok} succeeded: stop there.",
      "{call} envió {sent} peticiones, pero el intento {ok} tuvo éxito: para ahí.",
      { call, sent, ok: ok + 1 },
    ));
  } else if (ok === -1 && sent > ATTEMPTS) {
    problems.push(text(
      "{call} sent {sent} requests; give up after {attempts} attempts.",
      "{call} envió {sent} peticiones; ríndete tras {attempts} intentos.",
      { call, sent, attempts: ATTEMPTS },
    ));
  }
  const last = attempts.at(-1);
  if (last === undefined) return problems;
  const { status, value, error } = run.outcome;
  const values = {
    call,
    value: describe(value),
    error: run.show(error),
    status: last.status,
    n: sent,
  };
  if (status === "fulfilled" && last.status >= 300) {
    problems.push(text(
      "{call} returned {value}, the body of a {status} answer{fix}.",
      "{call} devolvió {value}, el cuerpo de una respuesta {status}{fix}.",
      {
        ...values,
        fix: textIf(retried(last.status) && sent < ATTEMPTS, [
          ": retry 429 and 503 answers, up to {n} attempts",
          ": reintenta las respuestas 429 y 503, hasta {n} intentos",
        ], [
          ": throw an error that names the status instead",
          ": lanza en su lugar un error que nombre el estado",
        ], { n: ATTEMPTS }),
      },
    ));
  } else if (status === "fulfilled" && value !== last.body) {
    problems.push(text(
      "{call} returned {value}; the server's answer was {body}.",
      "{call} devolvió {value}; la respuesta del servidor fue {body}.",
      { ...values, body: describe(last.body) },
    ));
  } else if (status === "rejected" && last.status < 300) {
    problems.push(text(
      "{call} threw {error} although attempt {n} succeeded: return its text.",
      "{call} lanzó {error} aunque el intento {n} tuvo éxito: devuelve su texto.",
      values,
    ));
  } else if (status === "rejected" && retried(last.status) && sent < ATTEMPTS) {
    problems.push(text(
      "{call} gave up after {n} {attempts} (the last answered {status}); a 429 or a 503 deserves up to {most}.",
      "{call} se rindió tras {n} {attempts} (el último respondió {status}); un 429 o un 503 merece hasta {most}.",
      {
        ...values,
        attempts: sent === 1
          ? text("attempt", "intento")
          : text("attempts", "intentos"),
        most: ATTEMPTS,
      },
    ));
  } else if (
    status === "rejected" && !describe(error).includes(`${last.status}`)
  ) {
    problems.push(text(
      "{call} threw {error}; say the last status ({status}) in the error's message.",
      "{call} lanzó {error}; di el último estado ({status}) en el mensaje del error.",
      values,
    ));
  }
  // A needless last wait is 4 units; `after` holds a round trip too: 3 tell.
  const after = run.outcome.at - last.at;
  if (status === "rejected" && !heldUp(run.run) && after > 3 * LATE) {
    problems.push(text(
      "{call} threw {after} after its last attempt: with no retry left, there is nothing to wait for; throw at once.",
      "{call} lanzó {after} después de su último intento: sin más reintentos, no hay nada que esperar; lanza en el acto.",
      { call, after: units(after) },
    ));
  }
  return problems;
}
