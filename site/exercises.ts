/**
 * The exercises as the site shows them: an adapter over exercises/, which
 * has its own catalogue, checker and progress file. Until exercises/ exists
 * the list is empty and the pages say there are none yet.
 *
 * @module
 */

/** An exercise and whether the learner has solved it. */
export interface Exercise {
  /** Its id, as `deno task exercise <id>` takes it (e.g. `04b`). */
  id: string;
  /** The notes' section it practises. */
  section: number;
  /** The lesson that teaches it (a lesson id), when known. */
  lesson: string | undefined;
  /** What to build, in English. */
  title: string;
  /** What to build, in Spanish. */
  titleEs: string;
  /** The learner's file, relative to the checkout. */
  file: string;
  /** Done, to do, or unknown when no progress was recorded. */
  done: boolean | undefined;
}

/** Reads the exercises in `root`; an empty list when there are none. */
export async function loadExercises(
  root: string,
  _lessons: string[],
): Promise<Exercise[]> {
  try {
    await Deno.stat(`${root}/exercises`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return [];
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

/** The command that checks `exercise`, or `undefined` when none exists yet. */
export function exerciseChecker(
  _root: string,
  _exercise: Exercise,
): Checker | undefined {
  return undefined;
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
