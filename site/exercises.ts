/**
 * The exercises as the site shows them: an adapter over exercises/, which
 * keeps its own catalogue (`exercises/_catalog.ts`), checker (`deno task
 * exercise`, exercises/_cli.ts) and progress file (exercises/.progress.json).
 * Until exercises/ exists, the list is empty and the pages say there are no
 * exercises yet.
 *
 * An exercise is done when its file, as it is now, passed its last check:
 * the progress file keeps the SHA-256 of the file it checked, as the
 * checker's own progress list reads it.
 *
 * @module
 */
import config from "../deno.json" with { type: "json" };

/** What the learner has done with an exercise, as `deno task exercise` lists it. */
export type ExerciseState = "done" | "failing" | "todo";

/** A text in both languages. */
export interface Bilingual {
  /** English. */
  en: string;
  /** Spanish. */
  es: string;
}

/** An exercise and where the learner stands with it. */
export interface Exercise {
  /** Its id, as `deno task exercise <id>` takes it (e.g. `04b`). */
  id: string;
  /** The notes' section it practises. */
  section: number;
  /** The lesson that teaches it (a lesson id), when the site lists it. */
  lesson: string | undefined;
  /** What to build, in English. */
  title: string;
  /** What to build, in Spanish. */
  titleEs: string;
  /** The learner's file, from the checkout's root. */
  file: string;
  /** Done, failing (checked as it is now, and failed) or to do. */
  state: ExerciseState;
  /** Hints, from gentle to nearly the answer. */
  hints: Bilingual[];
}

/** How the site checks an exercise: a deno command line it built itself. */
export interface Checker {
  /** What the page shows as the command. */
  display: string;
  /** The arguments after the deno executable. */
  args: string[];
  /** The unit of the timeline the check draws, in milliseconds. */
  unit: number;
}

interface CatalogEntry {
  id: unknown;
  slug: unknown;
  lesson: unknown;
  title?: { en?: unknown; es?: unknown };
  hints?: unknown;
}

let warned = false;

/** Reads the exercises in `root`; an empty list when there are none. */
export async function loadExercises(
  root: string,
  lessons: string[],
): Promise<Exercise[]> {
  const catalog = `${root}/exercises/_catalog.ts`;
  try {
    await Deno.stat(catalog);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  let EXERCISES: unknown;
  try {
    ({ EXERCISES } = await import(`file://${catalog}`));
  } catch (error) {
    // A catalogue that does not load must not take the course's pages down.
    if (!warned) {
      warned = true;
      console.error(
        `Cannot load exercises/_catalog.ts, so the pages list no exercises: ${
          (error as Error).message?.split("\n")[0]
        }`,
      );
    }
    return [];
  }
  const results = await progress(root);
  const exercises: Exercise[] = [];
  for (const entry of Array.isArray(EXERCISES) ? EXERCISES : []) {
    const { id, slug, lesson, title, hints } = entry as CatalogEntry;
    // Ids and file names go into addresses and command lines: only the
    // catalogue's plain ones are listed.
    if (typeof id !== "string" || !/^\d\d[a-z]$/.test(id)) continue;
    if (typeof slug !== "string" || !/^[\w-]+$/.test(slug)) continue;
    const file = `exercises/${slug}.ts`;
    const lessonId = typeof lesson === "string"
      ? /^lessons\/([\w-]+)\.ts$/.exec(lesson)?.[1]
      : undefined;
    const saved = results[id];
    const state: ExerciseState = saved === undefined
      ? "todo"
      : saved.hash !== await hashOf(`${root}/${file}`)
      ? "todo"
      : saved.passed
      ? "done"
      : "failing";
    exercises.push({
      id,
      section: Number(id.slice(0, 2)),
      lesson: lessonId && lessons.includes(lessonId) ? lessonId : undefined,
      title: typeof title?.en === "string" ? title.en : id,
      titleEs: typeof title?.es === "string" ? title.es : "",
      file,
      state,
      hints: (Array.isArray(hints) ? hints : []).filter((hint) =>
        typeof hint?.en === "string" && typeof hint?.es === "string"
      ),
    });
  }
  return exercises;
}

/** What exercises/.progress.json says of each exercise's last check. */
async function progress(
  root: string,
): Promise<Record<string, { hash: string; passed: boolean }>> {
  try {
    const saved = JSON.parse(
      await Deno.readTextFile(`${root}/exercises/.progress.json`),
    );
    return typeof saved?.results === "object" && saved.results
      ? saved.results
      : {};
  } catch {
    return {};
  }
}

/** The SHA-256 of a file, in hex, or "missing". */
async function hashOf(path: string): Promise<string> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await Deno.readFile(path) as Uint8Array<ArrayBuffer>;
  } catch {
    return "missing";
  }
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * The permission flags of `deno task exercise`, read from deno.json: only
 * `--allow-read`, `--allow-write` and `--allow-net` with a list each, before
 * exercises/_cli.ts. Anything else, and the site offers no Check.
 */
export function checkerFlags(
  task: unknown = (config.tasks as Record<string, unknown>).exercise,
): string[] | undefined {
  if (typeof task !== "string") return undefined;
  const words = task.trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run") return undefined;
  if (words.at(-1) !== "exercises/_cli.ts") return undefined;
  const flags = words.slice(2, -1);
  return flags.every((flag) =>
      /^--allow-(read|write|net)=[\w.,/:-]+$/.test(flag)
    )
    ? flags
    : undefined;
}

/**
 * The command that checks `exercise`, in `lang`, or `undefined` when
 * exercises/ has no checker. Like `deno task exercise <id> --lang <lang>`,
 * it records the result in the progress file (and the language, as
 * `--lang` does), unless `save` is false. `task` stands for deno.json's
 * `exercise` task in tests.
 */
export function exerciseChecker(
  root: string,
  exercise: Exercise,
  lang: "en" | "es" = "en",
  task?: unknown,
  save = true,
): Checker | undefined {
  let flags = task === undefined ? checkerFlags() : checkerFlags(task);
  if (flags === undefined) return undefined;
  // Without write access the checker still checks, and says it saved nothing.
  if (!save) flags = flags.filter((flag) => !flag.startsWith("--allow-write="));
  try {
    Deno.statSync(`${root}/exercises/_cli.ts`);
  } catch {
    return undefined;
  }
  return {
    display: `deno task exercise ${exercise.id} --lang ${lang}`,
    args: [
      "run",
      "--no-prompt",
      ...flags,
      "exercises/_cli.ts",
      exercise.id,
      "--lang",
      lang,
    ],
    unit: 100,
  };
}

/** The learner's file of `exercise`, read now; `undefined` if it is gone. */
export async function exerciseSource(
  root: string,
  exercise: Exercise,
): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(`${root}/${exercise.file}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** What an exercise's file says to do, in each language (its EN: and ES: paragraphs). */
export function brief(source: string): Partial<Bilingual> {
  const header = /^\/\*\*([^]*?)\*\//.exec(source.trimStart())?.[1] ?? "";
  const text = header.split("\n").map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n");
  const paragraphs = text.split(/\n\s*\n/).map((p) =>
    p.replace(/\s+/g, " ").trim()
  );
  const paragraph = (tag: string) =>
    paragraphs.find((p) => p.startsWith(`${tag}:`))?.slice(tag.length + 1)
      .trim();
  const out: Partial<Bilingual> = {};
  const en = paragraph("EN");
  const es = paragraph("ES");
  if (en) out.en = en;
  if (es) out.es = es;
  return out;
}
