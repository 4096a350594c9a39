/** Every exercise, in course order. Learners can skip this file. @module */
import type { Exercise } from "./_harness.ts";
import { exercise as e01a } from "./_checks/01a_traffic_light.ts";
import { exercise as e02a } from "./_checks/02a_say_hello.ts";
import { exercise as e03a } from "./_checks/03a_overlap.ts";
import { exercise as e03b } from "./_checks/03b_background.ts";
import { exercise as e04a } from "./_checks/04a_two_at_a_time.ts";
import { exercise as e04b } from "./_checks/04b_lock_counter.ts";
import { exercise as e05a } from "./_checks/05a_every_error.ts";
import { exercise as e05b } from "./_checks/05b_cancel_siblings.ts";
import { exercise as e05c } from "./_checks/05c_deadline.ts";
import { exercise as e06a } from "./_checks/06a_heartbeat.ts";
import { exercise as e07a } from "./_checks/07a_breathe.ts";
import { exercise as e08a } from "./_checks/08a_get_text.ts";
import { exercise as e08b } from "./_checks/08b_retry.ts";
import { exercise as e09a } from "./_checks/09a_split_work.ts";
import { exercise as e10a } from "./_checks/10a_as_completed.ts";
import { exercise as e10b } from "./_checks/10b_graph.ts";
import { exercise as e10c } from "./_checks/10c_pipeline.ts";

export const EXERCISES: readonly Exercise[] = [
  [e01a, e02a, e03a, e03b, e04a, e04b, e05a, e05b, e05c, e06a, e07a],
  [e08a, e08b, e09a, e10a, e10b, e10c],
].flat() as Exercise[];

/** The exercise with this id ("04b"), if there is one. */
export function findExercise(id: string): Exercise | undefined {
  return EXERCISES.find((exercise) => exercise.id === id.toLowerCase());
}

/** The URL of an exercise's file, or of its solution. */
export function fileOf(exercise: Exercise, solution = false): URL {
  const path = `./${solution ? "solutions/" : ""}${exercise.slug}.ts`;
  return new URL(path, import.meta.url);
}
