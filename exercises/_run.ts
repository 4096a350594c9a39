/**
 * Runs one exercise's check against a module and says how it went, in data
 * that crosses a Worker's message port. Learners can skip this file.
 *
 * @module
 */
import { Failure, type Text, text } from "./_harness.ts";
import type { Exercise } from "./_harness.ts";

/** How a check went. */
export interface Result {
  /** The exercise. */
  readonly id: string;
  /** Whether every scenario passed. */
  readonly passed: boolean;
  /** What is wrong, most important first (empty when it passed). */
  readonly problems: readonly Text[];
  /** The chart of the failing run, when the check drew one. */
  readonly chart?: string;
  /** How many milliseconds a unit lasted in that run. */
  readonly unit?: number;
}

/** Imports `url` and runs `exercise`'s check on it. Never throws. */
export async function checkFile(
  exercise: Exercise,
  url: string,
): Promise<Result> {
  let module: Record<string, unknown>;
  try {
    module = await import(url);
  } catch (error) {
    const name = url.slice(url.lastIndexOf("/") + 1);
    const first = firstLine(error);
    return {
      id: exercise.id,
      passed: false,
      problems: [text(
        `${name} does not load: ${first}`,
        `${name} no se puede cargar: ${first}`,
      )],
    };
  }
  return await checkModule(exercise, module, url);
}

/** Runs `exercise`'s check on a module already imported from `url`. Never throws. */
export async function checkModule(
  exercise: Exercise,
  module: Record<string, unknown>,
  url: string,
): Promise<Result> {
  try {
    await exercise.check({ module, learnerUrl: url });
    return { id: exercise.id, passed: true, problems: [] };
  } catch (error) {
    if (error instanceof Failure) {
      return {
        id: exercise.id,
        passed: false,
        problems: error.problems,
        chart: error.chart || undefined,
        unit: error.unit,
      };
    }
    // Not a verdict: the learner's code broke the checker's world (or the
    // checker has a bug). Say it plainly, without the checker's stack.
    const first = firstLine(error);
    return {
      id: exercise.id,
      passed: false,
      problems: [text(
        `The check could not finish: ${first}`,
        `La comprobación no pudo terminar: ${first}`,
      )],
    };
  }
}

/** An error as one line, its name and the first line of its message, no stack. */
function firstLine(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message.split("\n")[0]}`
    : String(error);
}
