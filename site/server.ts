/**
 * The site's server: routes, the checks every request passes, and the runs.
 *
 * - It listens on 127.0.0.1 only, and answers only requests addressed to
 *   127.0.0.1 or localhost at its port (a page elsewhere that points a
 *   host name at 127.0.0.1 gets 403).
 * - Pages and runs exist only for the lessons and exercises it listed when
 *   it started: any other id is a 404. Ids are looked up, never used as
 *   paths, and nothing from a request reaches a command line but the unit,
 *   once it is checked to be a whole number from 1 to 10000.
 * - A run is a POST from a page of this site (a request from another origin
 *   gets 403); at most `maxRuns` go on at once (the next gets 429).
 *
 * @module
 */
import { permissionFlags } from "../course/header.ts";
import { MAX_UNIT, MIN_UNIT } from "../course/lesson.ts";
import { type Course, type Lesson, loadCourse } from "./course.ts";
import { checkCommand, exerciseSource } from "./exercises.ts";
import {
  exercisePage,
  glossaryPage,
  indexPage,
  type Lang,
  lessonPage,
  notFoundPage,
} from "./pages.ts";
import { RunManager, type RunSpec } from "./runs.ts";

/** Options for {@linkcode startSite}. */
export interface SiteOptions {
  /** The port on 127.0.0.1; 0 picks a free one. @default {8000} */
  port?: number;
  /** How many runs may go on at once. @default {2} */
  maxRuns?: number;
  /** How long a run may last, in milliseconds. @default {120000} */
  timeLimit?: number;
  /** The course to serve. @default {the checkout's, from loadCourse()} */
  course?: Course;
}

/** A site that is listening. */
export interface Site {
  /** Its address, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  /** Its port. */
  port: number;
  /** The course it serves. */
  course: Course;
  /** Its runs. */
  runs: RunManager;
  /** Stops every run, then the server. */
  shutdown(): Promise<void>;
}

const STATIC: Record<string, { file: string; type: string }> = {
  "style.css": { file: "style.css", type: "text/css; charset=utf-8" },
  "app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
};

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** Starts the site on 127.0.0.1. */
export async function startSite(options: SiteOptions = {}): Promise<Site> {
  const course = options.course ?? await loadCourse();
  const runs = new RunManager({
    cwd: course.root,
    maxRuns: options.maxRuns,
    timeLimit: options.timeLimit,
  });
  const statics = new Map<string, { body: string; type: string }>();
  for (const [name, { file, type }] of Object.entries(STATIC)) {
    const body = await Deno.readTextFile(
      new URL(`static/${file}`, import.meta.url),
    );
    statics.set(name, { body, type });
  }
  let port = 0;
  const handler = createHandler({
    course,
    runs,
    statics,
    port: () => port,
  });
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 8000,
    onListen: () => {},
  }, handler);
  port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    course,
    runs,
    async shutdown() {
      await runs.stopAll();
      await server.shutdown();
    },
  };
}

interface HandlerContext {
  course: Course;
  runs: RunManager;
  statics: Map<string, { body: string; type: string }>;
  port: () => number;
}

function html(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      ...SECURITY_HEADERS,
    },
  });
}

function text(
  body: string,
  status: number,
  headers: HeadersInit = {},
): Response {
  return new Response(body + "\n", {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      ...SECURITY_HEADERS,
      ...headers,
    },
  });
}

/** The language a visitor's browser prefers, of the two. */
function preferred(request: Request): Lang {
  const accept = request.headers.get("accept-language") ?? "";
  const first = accept.split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("es") ? "es" : "en";
}

/**
 * How a lesson runs: `deno run --no-prompt`, the permissions of its `@run`
 * line, its file, the unit, and `--events`; from the checkout's folder.
 */
export function lessonRun(lesson: Lesson, unit: number): RunSpec {
  const flags = permissionFlags(lesson.permissions);
  const tail = [`lessons/${lesson.file}`, "--unit", String(unit)];
  return {
    display: ["deno", "run", ...flags, ...tail].join(" "),
    args: ["run", "--no-prompt", ...flags, ...tail, "--events"],
    unit,
    title: lesson.title.en,
  };
}

/** The site's request handler. */
function createHandler(
  context: HandlerContext,
): (request: Request) => Promise<Response> {
  const { course, runs, statics } = context;
  const hosts =
    () => [`127.0.0.1:${context.port()}`, `localhost:${context.port()}`];

  return async (request) => {
    // Before the URL is parsed: a Host it cannot parse is refused too.
    if (!hosts().includes(request.headers.get("host") ?? "")) {
      return text(
        `This site answers only at http://127.0.0.1:${context.port()}/`,
        403,
      );
    }
    const url = new URL(request.url);
    const parts = url.pathname.slice(1).split("/");
    const method = request.method;
    const isPage = method === "GET" || method === "HEAD";

    if (parts[0] === "api") {
      if (method !== "POST") {
        return text("Use POST", 405, { allow: "POST" });
      }
      const origin = request.headers.get("origin");
      const site = request.headers.get("sec-fetch-site");
      if (
        (origin !== null && !hosts().some((h) => origin === `http://${h}`)) ||
        (site !== null && site !== "same-origin" && site !== "none")
      ) {
        return text("Runs start only from this site's pages", 403);
      }
      return api(parts.slice(1), url);
    }
    if (!isPage) return text("Use GET", 405, { allow: "GET, HEAD" });

    if (url.pathname === "/") {
      return new Response(null, {
        status: 303,
        headers: { location: `/${preferred(request)}/` },
      });
    }
    if (parts[0] === "static" && parts.length === 2) {
      const file = statics.get(parts[1]!);
      if (file) {
        return new Response(file.body, {
          headers: {
            "content-type": file.type,
            "cache-control": "no-cache",
            ...SECURITY_HEADERS,
          },
        });
      }
    }
    const lang = parts[0] === "en" || parts[0] === "es" ? parts[0] : undefined;
    if (lang === undefined) {
      return html(notFoundPage(course, preferred(request)), 404);
    }
    const rest = parts.slice(1);
    if (rest.length === 0) {
      return new Response(null, {
        status: 308,
        headers: { location: `/${lang}/` },
      });
    }
    if (rest.length === 1 && rest[0] === "") {
      return html(await indexPage(course, lang));
    }
    if (rest.length === 2 && rest[0] === "lessons") {
      const lesson = course.lesson(rest[1]!);
      if (lesson) return html(await lessonPage(course, lesson, lang));
    }
    if (rest.length === 2 && rest[0] === "exercises") {
      const exercises = await course.exercises();
      const exercise = exercises.find((e) => e.id === rest[1]);
      if (exercise) {
        const source = await exerciseSource(course.root, exercise);
        return html(exercisePage(course, exercise, lang, source, exercises));
      }
    }
    if (lang === "es" && rest.length === 1 && rest[0] === "glosario") {
      const page = await course.glossary();
      if (page) return html(glossaryPage(course, page));
    }
    return html(notFoundPage(course, lang), 404);
  };

  async function api(parts: string[], url: URL): Promise<Response> {
    if (parts.length === 3 && parts[0] === "lessons" && parts[2] === "run") {
      const lesson = course.lesson(parts[1]!);
      if (!lesson) return text("No such lesson", 404);
      const raw = url.searchParams.get("unit") ?? "";
      const unit = /^[1-9]\d{0,4}$/.test(raw) ? Number(raw) : NaN;
      if (!(unit >= MIN_UNIT && unit <= MAX_UNIT)) {
        return text(
          `The unit must be a whole number of milliseconds from ${MIN_UNIT} to ${MAX_UNIT}.`,
          400,
        );
      }
      return start(lessonRun(lesson, unit));
    }
    if (
      parts.length === 3 && parts[0] === "exercises" && parts[2] === "check"
    ) {
      const exercise = (await course.exercises()).find((e) =>
        e.id === parts[1]
      );
      if (!exercise) return text("No such exercise", 404);
      // The language is one of two words, never the request's own text.
      const lang = url.searchParams.get("lang") === "es" ? "es" : "en";
      return start({
        ...checkCommand(exercise, lang),
        unit: 100,
        title: `${exercise.id}: ${exercise.title[lang]}`,
      });
    }
    if (parts.length === 3 && parts[0] === "runs" && parts[2] === "stop") {
      return runs.stop(parts[1]!)
        ? new Response(null, { status: 204 })
        : text("No such run", 404);
    }
    return text("Not found", 404);
  }

  function start(spec: RunSpec): Response {
    let started;
    try {
      started = runs.start(spec);
    } catch (error) {
      return text(`Cannot start the run: ${(error as Error).message}`, 500);
    }
    if (started === undefined) {
      return text(
        `Too many runs at once: at most ${runs.maxRuns}. Stop one or wait for it to end.`,
        429,
        { "retry-after": "5" },
      );
    }
    return new Response(started.stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        ...SECURITY_HEADERS,
      },
    });
  }
}
