/** The check of exercise 08a. @module */
import {
  define,
  describe,
  heldUp,
  type Outcome,
  type Text,
  text,
  units,
} from "../_harness.ts";
import { serve } from "../../course/http.ts";

/** Real milliseconds per unit, at least. */
const UNIT = 50;
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
    for (const path of Object.keys(JUDGES)) {
      const margin = path === "/slow" ? GIVE_UP - 1 : DEADLINE;
      await using world = session.open({ virtual: false, unit, margin });
      await world.run(() => session.export(server.url(path), { unit }), 20);
    }
  },
  judge(_, _notes, runs) {
    Object.values(JUDGES).forEach((judge, i) => {
      const run = runs[i]!;
      const [held, shown] = [heldUp(run.run), run.show(run.outcome.error)];
      // A quick page given up at the deadline on a held-up run: the machine's
      // doing, whatever the error (a plain Error in a race of one's own too).
      const { status, at } = run.outcome;
      const stalled = i < 2 && held && status === "rejected" && at >= GIVE_UP;
      run.judge(stalled ? [] : judge(run.outcome, shown, held), "either");
    });
  },
});

/** A page of the server: /hello, /missing (404), or one that answers too late. */
export async function page(path: string, closing: AbortSignal, unit: number) {
  if (path === "/hello") return new Response("hello");
  const missing = { status: 404, statusText: "Not Found" };
  if (path === "/missing") return new Response("not here", missing);
  // Until too late, or until the server closes: at once if it has closed
  // (an aborted signal does not fire again).
  const late = AbortSignal.any([closing, AbortSignal.timeout(SLOW * unit)]);
  if (!late.aborted) await new Promise((resolve) => (late.onabort = resolve));
  return new Response("too late");
}

/** 1. A page that is there; 2. a page that is not; 3. a server that does not answer in time. */
type Judge = (outcome: Outcome, shown: string, held: boolean) => Text[];
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
  "/missing": ({ status, value, error }, shown) =>
    status === "fulfilled"
      ? [text(
        'getText("/missing") returned {value}, but the server answered 404 Not Found: throw an error that says the status instead.',
        'getText("/missing") devolvió {value}, pero el servidor respondió 404 Not Found: lanza en su lugar un error que diga el estado.',
        { value: describe(value) },
      )]
      : status === "rejected" && !describe(error).includes("404")
      ? [text(
        `getText("/missing") threw {shown}; say the status (404) in the error's message.`,
        'getText("/missing") lanzó {shown}; di el estado (404) en el mensaje del error.',
        { shown },
      )]
      : [],
  "/slow": ({ status, value, at }, _, held) => {
    const values = { value: describe(value), at: units(at) };
    return status === "fulfilled"
      ? [text(
        'getText("/slow") returned {value} after {at}; it should give up after 2.0 units (2 * tools.unit ms) and throw.',
        'getText("/slow") devolvió {value} tras {at}; debería rendirse tras 2,0 unidades (2 * tools.unit ms) y lanzar.',
        values,
      )]
      : status === "rejected" && at < GIVE_UP
      ? [text(
        'getText("/slow") gave up after {at}; wait 2.0 units for the answer first.',
        'getText("/slow") se rindió tras {at}; espera antes 2,0 unidades la respuesta.',
        values,
      )]
      : status === "rejected" && at > DEADLINE + (held ? 5 : 1)
      ? [text(
        'getText("/slow") gave up after {at}; it should give up after 2.0 units (2 * tools.unit ms).',
        'getText("/slow") se rindió tras {at}; debería rendirse tras 2,0 unidades (2 * tools.unit ms).',
        values,
      )]
      : [];
  },
};
