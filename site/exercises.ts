/**
 * The exercises as the site shows them: exercises/_catalog.ts, each with the
 * lesson whose header lists it and the learner's state, as
 * course/progress.ts reads it: done when its file, as it is now, passed its
 * last check.
 *
 * Check runs `deno task exercise <id> --lang <lang>`, exactly the command
 * the page shows, so it has the task's permissions and records its result
 * as the task does.
 *
 * @module
 */
import { type LessonHeader, paragraphs } from "../course/header.ts";
import type { Lang, Text } from "../course/i18n.ts";
import { hashOf, loadProgress, stateOf } from "../course/progress.ts";
import { EXERCISES } from "../exercises/_catalog.ts";

/** An exercise and where the learner stands with it. */
export interface Exercise {
  /** Its id, as `deno task exercise <id>` takes it (e.g. `04b`). */
  id: string;
  /** The notes' section it practises. */
  section: number;
  /** The id of the lesson whose header lists it. */
  lesson: string | undefined;
  /** What to build. */
  title: Text;
  /** The learner's file, from the checkout. */
  file: string;
  /** Done, failing (checked as it is now, and failed) or to do. */
  state: ReturnType<typeof stateOf>;
  /** Hints, from gentle to nearly the answer. */
  hints: readonly Text[];
}

/** The exercises, in course order, with their state in the checkout `root`. */
export async function loadExercises(
  root: string,
  lessons: readonly LessonHeader[],
): Promise<Exercise[]> {
  // A URL of the folder: the root may hold `#` and `%`, which a URL escapes.
  const folder = new URL("file:///");
  folder.pathname = `${root}/exercises/`.replaceAll("%", "%25");
  const progress = await loadProgress(new URL(".progress.json", folder));
  return Promise.all(EXERCISES.map(async (exercise) => ({
    id: exercise.id,
    section: Number(exercise.id.slice(0, 2)),
    lesson: lessons.find((l) => l.exercises.includes(exercise.id))?.id,
    title: exercise.title,
    file: `exercises/${exercise.slug}.ts`,
    state: stateOf(
      progress,
      exercise.id,
      await hashOf(new URL(`${exercise.slug}.ts`, folder)),
    ),
    hints: exercise.hints,
  })));
}

/** The command that checks `exercise` in `lang`: what the page shows, and deno's arguments. */
export function checkCommand(
  exercise: Exercise,
  lang: Lang,
): { display: string; args: string[] } {
  return {
    display: `deno task exercise ${exercise.id} --lang ${lang}`,
    args: ["task", "--quiet", "exercise", exercise.id, "--lang", lang],
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
export function brief(source: string): Partial<Text> {
  const header = /^\/\*\*([^]*?)\*\//.exec(source.trimStart())?.[1] ?? "";
  const found = paragraphs(
    header.split("\n").map((l) => l.replace(/^\s*\* ?/, "")),
  );
  const said = (tag: string) =>
    found.find((p) => p.startsWith(`${tag}:`))?.slice(tag.length + 1).trim();
  const en = said("EN");
  const es = said("ES");
  return { ...en && { en }, ...es && { es } };
}
