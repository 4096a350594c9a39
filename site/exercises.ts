/**
 * The exercises as the site shows them: exercises/_catalog.ts, each with the
 * lesson whose header lists it and the learner's state. An exercise is done
 * when its file, as it is now, passed its last check: the progress file
 * (exercises/.progress.json) keeps the SHA-256 of the file it checked.
 *
 * Check runs `deno task exercise <id> --lang <lang>`, exactly the command
 * the page shows, so it has the task's permissions and records its result
 * as the task does.
 *
 * @module
 */
import type { LessonHeader } from "../course/header.ts";
import type { Lang, Text } from "../course/i18n.ts";
import { EXERCISES } from "../exercises/_catalog.ts";

/** What the learner has done with an exercise, as `deno task exercise` lists it. */
export type ExerciseState = "done" | "failing" | "todo";

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
  state: ExerciseState;
  /** Hints, from gentle to nearly the answer. */
  hints: readonly Text[];
}

/** The exercises, in course order, with their state in the checkout `root`. */
export async function loadExercises(
  root: string,
  lessons: readonly LessonHeader[],
): Promise<Exercise[]> {
  const results = await progress(root);
  return Promise.all(EXERCISES.map(async (exercise) => {
    const file = `exercises/${exercise.slug}.ts`;
    const saved = results[exercise.id];
    const state: ExerciseState =
      saved === undefined || saved.hash !== await hashOf(`${root}/${file}`)
        ? "todo"
        : saved.passed
        ? "done"
        : "failing";
    return {
      id: exercise.id,
      section: Number(exercise.id.slice(0, 2)),
      lesson: lessons.find((l) => l.exercises.includes(exercise.id))?.id,
      title: exercise.title,
      file,
      state,
      hints: exercise.hints,
    };
  }));
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
  const paragraphs = header.split("\n").map((line) =>
    line.replace(/^\s*\* ?/, "")
  ).join("\n").split(/\n\s*\n/).map((p) => p.replace(/\s+/g, " ").trim());
  const paragraph = (tag: string) =>
    paragraphs.find((p) => p.startsWith(`${tag}:`))?.slice(tag.length + 1)
      .trim();
  const en = paragraph("EN");
  const es = paragraph("ES");
  return { ...en && { en }, ...es && { es } };
}
