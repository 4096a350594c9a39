/** The check of exercise 08b. @module */
import {
  describe,
  type Exercise,
  num,
  type Outcome,
  type Scene,
  type Text,
  text,
  units,
} from "../_harness.ts";
import { REAL } from "../_clock.ts";
import { serve } from "../_server.ts";

/** Real milliseconds per unit. */
const UNIT = 40;
const ATTEMPTS = 4;
/** Waits may be this much shorter (clocks) or this much longer (a loaded machine), in units. */
const EARLY = 0.1;
const LATE = 6;

type GetWithRetry = (url: string, tools: { unit: number }) => Promise<string>;

interface Attempt {
  at: number;
  answer: Answer;
}

interface Answer {
  status: number;
  body: string;
  retryAfter?: number;
}

/** What each route answers to its n-th request (1-based). */
const ROUTES: Record<string, (n: number) => Answer> = {
  "/flaky": (n) =>
    n === 1
      ? { status: 503, body: "busy", retryAfter: 2 }
      : n === 2
      ? { status: 429, body: "slow down" }
      : { status: 200, body: "done" },
  "/down": () => ({ status: 503, body: "down" }),
  "/gone": () => ({ status: 404, body: "gone" }),
};

export const exercise: Exercise<Attempt[][]> = {
  id: "08b",
  slug: "08b_retry",
  export: "getWithRetry",
  lesson: "lessons/08_fetch.ts",
  real: true,
  needs: ["net"],
  title: text(
    "Retry politely: backoff and Retry-After",
    "Reintenta con educación: espera y Retry-After",
  ),
  success: text(
    "You waited what Retry-After asked (2.0), backed off 0.5, 1 and 2 units otherwise, gave up after 4 attempts, never retried a 404, and cancelled every body you dropped.",
    "Esperaste lo que pedía Retry-After (2,0), si no 0,5, 1 y 2 unidades, te rendiste tras 4 intentos, nunca reintentaste un 404, y cancelaste cada cuerpo descartado.",
  ),
  hints: [
    text(
      "Write a loop of up to 4 attempts. After each answer: 2xx → return the text; 429 or 503 → wait, then go round again; anything else → throw.",
      "Escribe un bucle de hasta 4 intentos. Tras cada respuesta: 2xx → devuelve el texto; 429 o 503 → espera y da otra vuelta; cualquier otra → lanza.",
    ),
    text(
      '`response.headers.get("retry-after")` is a string or null: when it is a number, wait that many units (`Number(value) * tools.unit` ms); else wait `0.5 * 2 ** retry` units, retry counting from 0.',
      '`response.headers.get("retry-after")` es un texto o null: si es un número, espera esas unidades (`Number(valor) * tools.unit` ms); si no, espera `0.5 * 2 ** reintento` unidades, contando desde 0.',
    ),
    text(
      'Before you wait or throw, `await response.body?.cancel();` so the connection is freed. Wait with `await delay(ms)` from "@std/async/delay". Rename `_tools` to `tools`.',
      'Antes de esperar o lanzar, `await response.body?.cancel();` para liberar la conexión. Espera con `await delay(ms)` de "@std/async/delay". Renombra `_tools` a `tools`.',
    ),
  ],
  words: { attempt: "intento" },
  async observe(session) {
    const unit = await session.realUnit(UNIT);
    let record: ((path: string, n: number, answer: Answer) => void) | undefined;
    await using server = serve((path, n) => {
      const route = ROUTES[path];
      const answer = route ? route(n) : { status: 500, body: "no such route" };
      record?.(path, n, answer);
      const headers = answer.retryAfter === undefined
        ? undefined
        : { "retry-after": String(answer.retryAfter) };
      return new Response(answer.body, { status: answer.status, headers });
    });
    const attempts: Attempt[][] = [];
    for (const path of Object.keys(ROUTES)) {
      await using world = session.open({ virtual: false, unit });
      const these: Attempt[] = [];
      attempts.push(these);
      record = (hit, n, answer) => {
        if (hit !== path) return;
        these.push({ at: world.now(), answer });
        const name = world.start(`attempt ${n} (${answer.status})`);
        world.end(name, answer.status < 400 ? "fulfilled" : "rejected");
      };
      await world.run(
        () => session.export(server.url(path), { unit }),
        100,
      );
      // Give a retry that comes late a chance to show up.
      await new Promise((resolve) => REAL.setTimeout(resolve, unit));
      record = undefined;
    }
    return attempts;
  },
  judge(_, attempts, runs) {
    Object.keys(ROUTES).forEach((path, i) => {
      const run = runs[i]!;
      run.verdict([
        ...judge(path, attempts[i]!, run.outcome, run),
        ...run.common(run.outcome, "either"),
      ]);
    });
  },
};

function judge(
  path: string,
  attempts: readonly Attempt[],
  { status, value, error }: Outcome,
  run: Scene,
): Text[] {
  const problems: Text[] = [];
  const call = `getWithRetry("${path}")`;
  // The waits between attempts.
  for (let k = 1; k < attempts.length && problems.length === 0; k++) {
    const before = attempts[k - 1]!.answer;
    const gap = attempts[k]!.at - attempts[k - 1]!.at;
    const retry = k - 1;
    const want = before.retryAfter ?? 0.5 * 2 ** retry;
    const why = before.retryAfter !== undefined
      ? text(
        "the server answered {status} with Retry-After: {after}",
        "el servidor respondió {status} con Retry-After: {after}",
        { status: before.status, after: before.retryAfter },
      )
      : text(
        "the server answered {status} with no Retry-After, so back off 0.5 × 2^{retry}",
        "el servidor respondió {status} sin Retry-After, así que espera 0,5 × 2^{retry}",
        { status: before.status, retry },
      );
    if (before.status !== 429 && before.status !== 503) {
      problems.push(text(
        "{call} tried again after a {status}: a {status} does not change by asking again; retry only 429 and 503, and throw an error for the rest.",
        "{call} reintentó tras un {status}: un {status} no cambia por volver a pedir; reintenta solo 429 y 503, y lanza un error con los demás.",
        { call, status: before.status },
      ));
    } else if (gap < want - EARLY) {
      problems.push(text(
        "Attempt {next} on {path} came {gap} after attempt {k}, but {why}: wait {want}.",
        "El intento {next} a {path} llegó {gap} después del {k}, pero {why}: espera {want}.",
        { next: k + 1, path, gap: units(gap), k, why, want: units(want) },
      ));
    } else if (gap > want + LATE) {
      problems.push(text(
        "Attempt {next} on {path} came {gap} after attempt {k}; {why}: {want} is enough.",
        "El intento {next} a {path} llegó {gap} después del {k}; {why}: con {want} basta.",
        { next: k + 1, path, gap: units(gap), k, why, want: num(want) },
      ));
    }
  }
  if (problems.length > 0) return problems;
  const ok = attempts.findIndex((a) => a.answer.status < 300);
  if (ok !== -1 && attempts.length > ok + 1) {
    problems.push(text(
      "{call} sent {sent} requests, but attempt {ok} succeeded: stop there.",
      "{call} envió {sent} peticiones, pero el intento {ok} tuvo éxito: para ahí.",
      { call, sent: attempts.length, ok: ok + 1 },
    ));
  } else if (ok === -1 && attempts.length > ATTEMPTS) {
    problems.push(text(
      "{call} sent {sent} requests; give up after {attempts} attempts.",
      "{call} envió {sent} peticiones; ríndete tras {attempts} intentos.",
      { call, sent: attempts.length, attempts: ATTEMPTS },
    ));
  }
  const last = attempts.at(-1)?.answer;
  if (status === "fulfilled") {
    if (last && last.status >= 300) {
      const retried = last.status === 429 || last.status === 503;
      problems.push(text(
        "{call} returned {value}, the body of a {status} answer{fix}.",
        "{call} devolvió {value}, el cuerpo de una respuesta {status}{fix}.",
        {
          call,
          value: describe(value),
          status: last.status,
          fix: retried && attempts.length < ATTEMPTS
            ? text(
              ": retry 429 and 503 answers, up to {n} attempts",
              ": reintenta las respuestas 429 y 503, hasta {n} intentos",
              { n: ATTEMPTS },
            )
            : text(
              ": throw an error that names the status instead",
              ": lanza en su lugar un error que nombre el estado",
            ),
        },
      ));
    } else if (last && value !== last.body) {
      problems.push(text(
        "{call} returned {value}; the server's answer was {body}.",
        "{call} devolvió {value}; la respuesta del servidor fue {body}.",
        { call, value: describe(value), body: describe(last.body) },
      ));
    }
  } else if (status === "rejected" && last) {
    if (last.status < 300) {
      problems.push(text(
        "{call} threw {error} although attempt {n} succeeded: return its text.",
        "{call} lanzó {error} aunque el intento {n} tuvo éxito: devuelve su texto.",
        { call, error: run.show(error), n: attempts.length },
      ));
    } else if (
      (last.status === 429 || last.status === 503) && attempts.length < ATTEMPTS
    ) {
      problems.push(text(
        "{call} gave up after {n} {attempts} (the last answered {status}); a 429 or a 503 deserves up to {most}.",
        "{call} se rindió tras {n} {attempts} (el último respondió {status}); un 429 o un 503 merece hasta {most}.",
        {
          call,
          n: attempts.length,
          attempts: attempts.length === 1
            ? text("attempt", "intento")
            : text("attempts", "intentos"),
          status: last.status,
          most: ATTEMPTS,
        },
      ));
    } else if (
      !String((error as Error)?.message).includes(String(last.status))
    ) {
      problems.push(text(
        "{call} threw {error}; say the last status ({status}) in the error's message.",
        "{call} lanzó {error}; di el último estado ({status}) en el mensaje del error.",
        { call, error: run.show(error), status: last.status },
      ));
    }
  }
  return problems;
}
