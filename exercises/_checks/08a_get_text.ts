/** The check of exercise 08a. @module */
import {
  again,
  define,
  describe,
  heldUp,
  type Outcome,
  type Text,
  text,
  units,
} from "../_harness.ts";
import { serve } from "../../course/http.ts";

/** Real milliseconds per unit, at least: not 50, so that 100 ms is not 2 units; /slow again with units 7/4 as long (a give-up passes from 1.8 to 3 units; 3 / 1.8 < 7/4), so that none in ms passes both. */
const [UNIT, AGAIN] = [60, 7 / 4];
const SLOW = 8;
const DEADLINE = 2;
/** The earliest a give-up at the deadline may come (timers fire early). */
const GIVE_UP = DEADLINE - 0.2;

export const exercise = define({
  slug: "08a_get_text",
  export: "getText",
  real: true,
  needs: "net",
  async observe(session) {
    const unit = await session.realUnit(UNIT);
    await using server = serve((p, _, c) => page(p, c, unit), session.port);
    // One world per page; margin on /slow: what a 1-unit deadline misses by.
    for (const [i, path] of PATHS.entries()) {
      const margin = path === "/slow" ? GIVE_UP - 1 : DEADLINE;
      const ms = i < 4 ? unit : Math.round(unit * AGAIN); // /slow again
      await using world = session.open({ virtual: false, unit: ms, margin });
      await world.run(() => session.export(server.url(path), { unit: ms }), 20);
    }
  },
  judge: (_, _notes, runs) =>
    PATHS.forEach((path, i) => {
      const run = runs[i]!;
      const [held, shown] = [heldUp(run.run), run.show(run.outcome.error)];
      const { status, at } = run.outcome;
      // As /slow: a quick page given up early on a timeout, or late, held up.
      const gaveUp = i < 3 && status === "rejected" &&
        (at < GIVE_UP ? /^(Timeout|Abort)E/.test(shown) : held);
      const judge = JUDGES[gaveUp ? "/slow" : path]!;
      const problems = judge(run.outcome, shown, held, path);
      // Unsaid if /slow's first run was held up: it may have hidden the same fault.
      const was = heldUp(runs[3]!.run) ? run.run.unit : runs[3]!.run.unit;
      run.judge(again(problems, [run.run.unit, was]), "either");
    }),
});

/** What the pages that fail answer: not 404 alone, nor 4xx alone. */
const FAILING: Record<string, [string, number, string]> = {
  "/missing": ["not here", 404, "Not Found"],
  "/broken": ["oops", 500, "Internal Server Error"],
};

/** A page of the server: /hello, /missing (404), /broken (500), or one that answers too late. */
export async function page(path: string, closing: AbortSignal, unit: number) {
  if (path === "/hello") return new Response("hello");
  const [body, status, statusText] = FAILING[path] ?? [];
  if (status) return new Response(body, { status, statusText });
  // Until too late, or until the server closes: at once if it has closed
  // (an aborted signal does not fire again).
  const late = AbortSignal.any([closing, AbortSignal.timeout(SLOW * unit)]);
  if (!late.aborted) await new Promise((resolve) => (late.onabort = resolve));
  return new Response("too late");
}

/** A page that fails with `path`'s status: throw an error that says it. */
const failing = (path: string): Judge => ({ status, value, error }, shown) => {
  const [, code, reason] = FAILING[path]!;
  const values = { path, value: describe(value), shown, code, reason };
  return status === "fulfilled"
    ? [text(
      'getText("{path}") returned {value}, but the server answered {code} {reason}: throw an error that says the status instead (for any status that is not 2xx: response.ok).',
      'getText("{path}") devolvió {value}, pero el servidor respondió {code} {reason}: lanza en su lugar un error que diga el estado (con cualquier estado que no sea 2xx: response.ok).',
      values,
    )]
    : status === "rejected" && !describe(error).includes(`${code}`)
    ? [text(
      `getText("{path}") threw {shown}; say the status ({code}) in the error's message.`,
      'getText("{path}") lanzó {shown}; di el estado ({code}) en el mensaje del error.',
      values,
    )]
    : [];
};

/** 1. A page that is there; 2. and 3. pages that fail; 4. a server that does not answer in time. */
type Judge = (o: Outcome, shown: string, held: boolean, path: string) => Text[];
const JUDGES: Record<string, Judge> = {
  "/hello": ({ status, value }, shown) =>
    status === "fulfilled" && value !== "hello"
      ? [text(
        'getText("/hello") returned {value}; the server answered 200 with "hello".',
        'getText("/hello") devolvió {value}; el servidor respondió 200 con «hello».',
        { value: describe(value) },
      )]
      : status === "rejected"
      ? [text(
        'getText("/hello") threw {shown}; the server answered 200 with "hello", so return "hello".',
        'getText("/hello") lanzó {shown}; el servidor respondió 200 con «hello», así que devuelve «hello».',
        { shown },
      )]
      : [],
  "/missing": failing("/missing"),
  "/broken": failing("/broken"),
  "/slow": ({ status, value, at }, _, held, path) => {
    const values = { path, value: describe(value), at: units(at) };
    return status === "fulfilled"
      ? [text(
        'getText("{path}") returned {value} after {at}; it should give up after 2.0 units (2 * tools.unit ms) and throw.',
        'getText("{path}") devolvió {value} tras {at}; debería rendirse tras 2,0 unidades (2 * tools.unit ms) y lanzar.',
        values,
      )]
      : status === "rejected" && at < GIVE_UP
      ? [text(
        'getText("{path}") gave up after {at}; wait 2.0 units (2 * tools.unit ms) for the answer first.',
        'getText("{path}") se rindió tras {at}; espera la respuesta 2,0 unidades (2 * tools.unit ms) antes de rendirte.',
        values,
      )]
      // Held up, a right give-up is as late as the hold-up: a pass with the note.
      : status === "rejected" && !held && at > DEADLINE + 1
      ? [text(
        'getText("{path}") gave up after {at}; it should give up after 2.0 units (2 * tools.unit ms).',
        'getText("{path}") se rindió tras {at}; debería rendirse tras 2,0 unidades (2 * tools.unit ms).',
        values,
      )]
      : [];
  },
};
const PATHS = [...Object.keys(JUDGES), "/slow"];
