/**
 * The site's server: routes, the checks every request passes, and the runs.
 *
 * - It listens on 127.0.0.1 only, and answers only requests addressed to
 *   127.0.0.1 or localhost at its port (course/http.ts): 403 for the rest.
 * - Pages and runs exist only for the lessons and exercises listed at start
 *   (any other id: 404). Ids are looked up, never used as paths; nothing from
 *   a request reaches a command line but the unit, checked to be 1 to 10000.
 * - A run is a POST from a page of this site (from another origin: 403); at
 *   most `maxRuns` go on at once (the next: 429).
 *
 * @module
 */
import { errorLine } from "../course/errors.ts";
import { permissionFlags } from "../course/header.ts";
import { fromHere, ownHost } from "../course/http.ts";
import type { Lang } from "../course/i18n.ts";
import { MAX_UNIT, MIN_UNIT } from "../course/lesson.ts";
import {
  checkCommand,
  type Course,
  GLOSSARY,
  type Lesson,
  loadCourse,
} from "./course.ts";
import {
  exercisePage,
  glossaryPage,
  indexPage,
  lessonPage,
  notFoundPage,
} from "./pages.ts";
import { RunManager, type RunManagerOptions, type RunSpec } from "./runs.ts";

/** Options of {@linkcode startSite}: its runs', its port (8000), its course. */
export interface SiteOptions extends Omit<RunManagerOptions, "cwd"> {
  port?: number;
  course?: Course;
}

/** A site that is listening: its address (`http://127.0.0.1:8000/`), port, course and runs. */
export type Site = Awaited<ReturnType<typeof startSite>>;

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

type Fields = Record<string, string>;

function respond(body: BodyInit | null, status: number, headers: Fields) {
  const all = { ...SECURITY_HEADERS, ...headers };
  return new Response(body, { status, headers: all });
}

const HTML = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
};

function text(body: string, status: number, headers: Fields = {}): Response {
  const type = "text/plain; charset=utf-8";
  return respond(body + "\n", status, { "content-type": type, ...headers });
}

/** The language a visitor's browser prefers, of the two. */
function preferred(request: Request): Lang {
  const accept = request.headers.get("accept-language") ?? "";
  return accept.trim().toLowerCase().startsWith("es") ? "es" : "en";
}

/** How the site runs a lesson: with its permissions, `--unit` and `--events`. */
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

/** Starts the site on 127.0.0.1. */
export async function startSite(options: SiteOptions = {}) {
  const course = options.course ?? await loadCourse();
  const runs = new RunManager({ ...options, cwd: course.root });
  const statics = new Map<string, { body: string; type: string }>();
  const files = [["style.css", "css"], ["app.js", "javascript"]] as const;
  for (const [name, type] of files) {
    const url = new URL(`static/${name}`, import.meta.url);
    const body = await Deno.readTextFile(url);
    statics.set(name, { body, type: `text/${type}; charset=utf-8` });
  }
  let port = 0;

  const handle = async (request: Request): Promise<Response> => {
    // Before the URL is parsed: a Host it cannot parse is refused too.
    if (!ownHost(request.headers.get("host"), port)) {
      return text(`This site answers only at http://127.0.0.1:${port}/`, 403);
    }
    const url = new URL(request.url);
    const [first, ...rest] = url.pathname.slice(1).split("/");
    if (first === "api") {
      if (request.method !== "POST") {
        return text("Use POST", 405, { allow: "POST" });
      }
      if (!fromHere(request, port)) {
        return text("Runs start only from this site's pages", 403);
      }
      return await api(rest.join("/"), url.searchParams);
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return text("Use GET", 405, { allow: "GET, HEAD" });
    }
    const file = first === "static" ? statics.get(rest.join("/")) : undefined;
    if (file) {
      return respond(file.body, 200, {
        "content-type": file.type,
        "cache-control": "no-cache",
      });
    }
    if (first !== "en" && first !== "es") {
      return url.pathname === "/"
        ? respond(null, 303, { location: `/${preferred(request)}/` })
        : respond(notFoundPage(course, preferred(request)), 404, HTML);
    }
    if (rest.length === 0) {
      return respond(null, 308, { location: `/${first}/` });
    }
    const body = await page(first, rest.join("/"));
    return body === undefined
      ? respond(notFoundPage(course, first), 404, HTML)
      : respond(body, 200, HTML);
  };

  /** The page at `/{lang}/{path}`, or `undefined` when there is none. */
  async function page(lang: Lang, path: string): Promise<string | undefined> {
    if (path === "") return await indexPage(course, lang);
    const [, kind, id] = /^(lessons|exercises)\/([^/]+)$/.exec(path) ?? [];
    const lesson = kind === "lessons" ? course.lesson(id!) : undefined;
    if (lesson) return await lessonPage(course, lesson, lang);
    if (kind === "exercises") {
      const exercises = await course.exercises();
      const exercise = exercises.find((e) => e.id === id);
      if (exercise) return exercisePage(course, exercise, lang, exercises);
    }
    if (lang === "es" && path === "glosario") {
      const glossary = await course.read(GLOSSARY);
      if (glossary !== undefined) return glossaryPage(course, glossary);
    }
    return undefined;
  }

  async function api(path: string, query: URLSearchParams): Promise<Response> {
    const [, kind, id, action] = /^(\w+)\/([^/]+)\/(\w+)$/.exec(path) ?? [];
    if (kind === "lessons" && action === "run") {
      const lesson = course.lesson(id!);
      if (!lesson) return text("No such lesson", 404);
      const raw = query.get("unit") ?? "";
      const unit = /^[1-9]\d{0,4}$/.test(raw) ? Number(raw) : NaN;
      if (!(unit >= MIN_UNIT && unit <= MAX_UNIT)) {
        const why =
          `The unit must be a whole number of milliseconds from ${MIN_UNIT} to ${MAX_UNIT}.`;
        return text(why, 400);
      }
      return start(lessonRun(lesson, unit));
    }
    if (kind === "exercises" && action === "check") {
      const exercise = (await course.exercises()).find((e) => e.id === id);
      if (!exercise) return text("No such exercise", 404);
      // The language is one of two words, never the request's own text.
      const lang = query.get("lang") === "es" ? "es" : "en";
      return start({
        ...checkCommand(exercise, lang),
        unit: 100,
        title: `${exercise.id}: ${exercise.title[lang]}`,
      });
    }
    if (kind === "runs" && action === "stop") {
      return runs.stop(id!) ? respond(null, 204, {}) : text("No such run", 404);
    }
    return text("Not found", 404);
  }

  function start(spec: RunSpec): Response {
    let started;
    try {
      started = runs.start(spec);
    } catch (error) {
      return text(`Cannot start the run: ${errorLine(error)}`, 500);
    }
    if (started === undefined) {
      const why =
        `Too many runs at once: at most ${runs.maxRuns}. Stop one or wait for it to end.`;
      return text(why, 429, { "retry-after": "5" });
    }
    return respond(started.stream, 200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
    });
  }

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 8000,
    onListen: () => {},
  }, handle);
  port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    course,
    runs,
    /** Stops every run, then the server. */
    async shutdown() {
      await runs.stopAll();
      await server.shutdown();
    },
  };
}
