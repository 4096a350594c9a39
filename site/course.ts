/**
 * The course as the site shows it: the lessons' headers (their list, fixed
 * when the site starts, is the only one of ids that pages and runs accept),
 * the files of the checkout they name, and the exercises of
 * exercises/_catalog.ts, each with the lesson that lists it and the
 * learner's state (done when its file, as it is now, passed its last check).
 * Check runs the command the page shows, `deno task exercise <id> --lang
 * <lang>`, with the task's permissions, recording its result as the task does.
 *
 * @module
 */
import { ROOT } from "../course/deno.ts";
import { listLessons, paragraphs } from "../course/header.ts";
import type { LessonHeader as Lesson } from "../course/header.ts";
import type { Lang, Text } from "../course/i18n.ts";
import { hashOf, loadProgress, stateOf } from "../course/progress.ts";
import { EXERCISES } from "../exercises/_catalog.ts";

export type { Lesson };

export const GLOSSARY = "docs/es/glosario.md";

/** An exercise of the catalogue and where the learner stands with it. */
export type Exercise = Awaited<ReturnType<typeof loadExercises>>[number];

export type Course = Awaited<ReturnType<typeof loadCourse>>;

/** Reads the course in the checkout `root` (the one this file is in). */
export async function loadCourse(root: string = ROOT) {
  const lessons = await listLessons(root);
  /** A file of the checkout, or `undefined` when it is gone or unreadable (a flag lacking still throws); its path comes from the course, never from a request. */
  const read = (path: string) =>
    Deno.readTextFile(`${root}/${path}`).catch((error) => {
      if (error instanceof Deno.errors.NotCapable) throw error;
      return undefined;
    });
  return {
    root,
    /** Every lesson, in course order. */
    lessons,
    /** The lesson `id`, or `undefined` when the site does not list it. */
    lesson: (id: string) => lessons.find((lesson) => lesson.id === id),
    read,
    /** Whether docs/es had a glossary when the site started. */
    hasGlossary: (await read(GLOSSARY)) !== undefined,
    /** The exercises and where the learner stands with each, read now. */
    exercises: () => loadExercises(root, lessons),
  };
}

/** The exercises, in course order, with their state in the checkout `root`. */
export async function loadExercises(
  root: string,
  lessons: readonly Lesson[],
) {
  // A URL of the folder: the root may hold `#` and `%`, which a URL escapes.
  const folder = new URL("file:///");
  folder.pathname = `${root}/exercises/`.replaceAll("%", "%25");
  const progress = await loadProgress(new URL(".progress.json", folder));
  return Promise.all(EXERCISES.map(async ({ id, slug, title, hints }) => ({
    id,
    /** The notes' section it practises. */
    section: Number(id.slice(0, 2)),
    /** The id of the lesson whose header lists it. */
    lesson: lessons.find((l) => l.exercises.includes(id))?.id,
    title,
    /** The learner's file, from the checkout. */
    file: `exercises/${slug}.ts`,
    /** Done, failing (checked as it is now, and failed) or to do. */
    state: stateOf(progress, id, await hashOf(new URL(`${slug}.ts`, folder))),
    hints,
  })));
}

/** The command that checks `exercise` in `lang`: what the page shows, and deno's arguments. */
export function checkCommand(exercise: Exercise, lang: Lang) {
  const command = ["exercise", exercise.id, "--lang", lang];
  // --site: the checker says no command to type, where the page has buttons.
  return {
    display: `deno task ${command.join(" ")}`,
    args: ["task", "--quiet", ...command, "--site"],
  };
}

/** What an exercise's file says to do, in each language (its EN: and ES: paragraphs). */
export function brief(source: string): Partial<Text> {
  const header = /^\/\*\*([^]*?)\*\//.exec(source.trimStart())?.[1] ?? "";
  const lines = header.split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
  const found = paragraphs(lines);
  const said = (tag: string) =>
    found.find((p) => p.startsWith(`${tag}:`))?.slice(tag.length + 1).trim();
  const [en, es] = [said("EN"), said("ES")];
  return { ...en && { en }, ...es && { es } };
}
