/** The check of exercise 08a. @module */
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
import { pause, serve } from "../_server.ts";

/** Real milliseconds per unit. */
const UNIT = 50;
const SLOW = 8;
const DEADLINE = 2;

type GetText = (url: string, tools: { unit: number }) => Promise<string>;

export const exercise: Exercise = {
  id: "08a",
  slug: "08a_get_text",
  export: "getText",
  lesson: "lessons/08_fetch.ts",
  real: true,
  needs: ["net"],
  title: text(
    "Fetch a page: check the status, give up in time",
    "Pide una página: mira el estado, ríndete a tiempo",
  ),
  success: text(
    "/hello gave its text, /missing threw an error naming 404 with its body cancelled, and /slow was aborted after 2 units, with nothing left open.",
    "/hello dio su texto, /missing lanzó un error que nombra el 404 con su cuerpo cancelado, y /slow se abortó tras 2 unidades, sin dejar nada abierto.",
  ),
  hints: [
    text(
      "fetch resolves for a 404 too: a status is an answer, not a failure. Look at response.ok (true for 2xx) before you read the body.",
      "fetch también se resuelve con un 404: un estado es una respuesta, no un fallo. Mira response.ok (true para 2xx) antes de leer el cuerpo.",
    ),
    text(
      "For a status you reject, `await response.body?.cancel()` and throw an Error whose message has response.status. For the deadline, `fetch(url, { signal: AbortSignal.timeout(2 * tools.unit) })`.",
      "Para un estado que rechazas, `await response.body?.cancel()` y lanza un Error cuyo mensaje lleve response.status. Para el plazo, `fetch(url, { signal: AbortSignal.timeout(2 * tools.unit) })`.",
    ),
    text(
      "Rename `_tools` to `tools`; a Promise.race with your own timer stops waiting but leaves the request running: the signal is what stops it.",
      "Renombra `_tools` a `tools`; un Promise.race con tu propio temporizador deja de esperar pero no para la petición: lo que la para es la señal.",
    ),
  ],
  async observe(session) {
    const unit = await session.realUnit(UNIT);
    await using server = serve(async (path, _count, closing) => {
      if (path === "/hello") return new Response("hello");
      if (path === "/missing") {
        return new Response("not here", {
          status: 404,
          statusText: "Not Found",
        });
      }
      if (path === "/slow") {
        await pause(SLOW * unit, closing);
        return new Response("too late");
      }
      return new Response("no such route", { status: 500 });
    });
    // Each page in a world of its own.
    for (const path of PATHS) {
      await using world = session.open({ virtual: false, unit });
      await world.run(
        () => session.export(server.url(path), { unit }),
        100,
      );
    }
  },
  judge(_, _notes, runs) {
    PATHS.forEach((path, i) => {
      const run = runs[i]!;
      run.verdict([
        ...JUDGES[path]!(run.outcome, run),
        ...run.common(run.outcome, "either"),
      ]);
    });
  },
};

/** 1. A page that is there; 2. a page that is not; 3. a server that does not answer in time. */
const PATHS = ["/hello", "/missing", "/slow"];

const JUDGES: Record<string, (outcome: Outcome, run: Scene) => Text[]> = {
  "/hello": (outcome, run) => {
    const problems: Text[] = [];
    if (outcome.status === "fulfilled" && outcome.value !== "hello") {
      problems.push(text(
        'getText("/hello") returned {value}; the server answered 200 with "hello".',
        'getText("/hello") devolvió {value}; el servidor respondió 200 con "hello".',
        { value: describe(outcome.value) },
      ));
    } else if (outcome.status === "rejected") {
      const shown = run.show(outcome.error);
      problems.push(text(
        'getText("/hello") threw {shown}; the server answered 200 with "hello", so return "hello".',
        'getText("/hello") lanzó {shown}; el servidor respondió 200 con "hello", así que devuelve "hello".',
        { shown },
      ));
    }
    return problems;
  },
  "/missing": (outcome, run) => {
    const problems: Text[] = [];
    if (outcome.status === "fulfilled") {
      problems.push(text(
        'getText("/missing") returned {value}, but the server answered 404 Not Found: throw an error that says the status instead.',
        'getText("/missing") devolvió {value}, pero el servidor respondió 404 Not Found: lanza en su lugar un error que diga el estado.',
        { value: describe(outcome.value) },
      ));
    } else if (
      outcome.status === "rejected" &&
      !String((outcome.error as Error)?.message).includes("404")
    ) {
      const shown = run.show(outcome.error);
      problems.push(text(
        `getText("/missing") threw {shown}; say the status (404) in the error's message.`,
        'getText("/missing") lanzó {shown}; di el estado (404) en el mensaje del error.',
        { shown },
      ));
    }
    return problems;
  },
  "/slow": (outcome) => {
    const problems: Text[] = [];
    if (outcome.status === "fulfilled") {
      problems.push(text(
        'getText("/slow") returned {value} after {at}; it should give up after {deadline} and throw.',
        'getText("/slow") devolvió {value} tras {at}; debería rendirse tras {deadline} y lanzar.',
        {
          value: describe(outcome.value),
          at: units(outcome.at),
          deadline: num(DEADLINE),
        },
      ));
    } else if (outcome.status === "rejected" && outcome.at < DEADLINE - 0.2) {
      problems.push(text(
        'getText("/slow") gave up after {at}; wait {deadline} units for the answer first.',
        'getText("/slow") se rindió tras {at}; espera antes {deadline} unidades la respuesta.',
        { at: units(outcome.at), deadline: num(DEADLINE) },
      ));
    } else if (outcome.status === "rejected" && outcome.at > DEADLINE + 5) {
      problems.push(text(
        'getText("/slow") gave up after {at}; it should give up after {deadline}.',
        'getText("/slow") se rindió tras {at}; debería rendirse tras {deadline}.',
        { at: units(outcome.at), deadline: num(DEADLINE) },
      ));
    }
    return problems;
  },
};
