/**
 * Runs one check in a Worker, so that whatever the learner's code leaves
 * behind (a timer, a server, a loop that never yields) ends with the Worker.
 * Learners can skip this file.
 *
 * @module
 */
import { findExercise } from "./_catalog.ts";
import { checkFile, type Result } from "./_run.ts";

/** What the CLI asks: check exercise `id` against the module at `url`. */
export interface Request {
  id: string;
  url: string;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(result: Result): void;
  close(): void;
};

scope.onmessage = async ({ data }) => {
  const exercise = findExercise(data.id);
  if (exercise === undefined) throw new Error(`No exercise ${data.id}`);
  scope.postMessage(await checkFile(exercise, data.url));
};
