/**
 * Plumbing of lesson 10: its options, its flags, and the seeded draw of the
 * download durations. Learners can skip this file.
 *
 * @module
 */
import { integerFlag, type OptionsOf } from "../course/lesson.ts";
import type { ProgressOptions } from "./_progress.ts";
import type { LessonServer } from "./_server.ts";

/** How many files the lesson downloads: more consumers would have nothing to do. */
export const FILES = 5;

/** Lesson 10's own flags, for its command line, --help and its options. */
export const downloadsFlags = {
  seed: integerFlag(0, 2 ** 32 - 1, 1871, "picks the random durations"),
  consumers: integerFlag(1, FILES, 2, "consumers of the queue in part 2"),
  part: integerFlag(
    1,
    2,
    undefined,
    "runs only part 1 (all at once) or part 2 (the queue); both when not given",
  ),
};

/** Options of lesson 10: its flags, the unit and log of all, where its progress bars go. */
export interface DownloadsOptions
  extends OptionsOf<typeof downloadsFlags>, Pick<ProgressOptions, "progress"> {
  /** The server to download from. @default {a fresh one, shut down at the end} */
  server?: LessonServer;
}

/**
 * Five durations in seconds, tenths from 1 to 3, the same ones for the same
 * seed: a small seeded generator (mulberry32) in place of Python's
 * `random.randint(1, 3)`.
 */
export function drawDurations(seed: number): number[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: 5 }, () => 1 + Math.round(random() * 20) / 10);
}
