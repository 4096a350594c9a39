/**
 * Plumbing of lesson 10: its options, checked, its flags, and the seeded
 * draw of the download durations. Learners can skip this file; the lesson
 * says what each option does.
 *
 * @module
 */
import {
  integerOption,
  type LessonFlag,
  type LessonOptions,
} from "../course/lesson.ts";
import type { LessonServer } from "./_server.ts";

/** Options of lesson 10. */
export interface DownloadsOptions extends LessonOptions {
  /** Picks the random durations; the default draw ends in the notes' order. */
  seed?: number;
  /** How many consumers pull the files from the queue in part 2. */
  consumers?: number;
  /** Runs only part 1 (all at once) or only part 2 (the queue). @default {both} */
  part?: number;
  /**
   * Where to draw the progress bars. @default {standard output when it is a
   * terminal and `log` is console.log; otherwise nowhere}
   */
  progress?: (text: string) => void;
  /** The server to download from. @default {a fresh one, shut down at the end} */
  server?: LessonServer;
}

/** How many files the lesson downloads: more consumers would have nothing to do. */
export const FILES = 5;

// [default, min, max] of each number option: its check and its --help line
// (below) read them here, and nowhere else says them.
const SEED = [1871, 0, 2 ** 32 - 1] as const;
const CONSUMERS = [2, 1, FILES] as const;
const range = ([fallback, min, max]: readonly number[]) =>
  `${min} to ${max} (default ${fallback})`;

/** The checked options: each one names itself and the value when refused. */
export function downloadsOptions(options: DownloadsOptions) {
  const seed = integerOption(options.seed, "seed", ...SEED);
  const consumers = integerOption(options.consumers, "consumers", ...CONSUMERS);
  const part = integerOption(options.part, "part", 0, 1, 2);
  return { seed, consumers, parts: part === 0 ? [1, 2] : [part] };
}

/** Lesson 10's own flags, for its command line and --help. */
export const downloadsFlags: Record<string, LessonFlag> = {
  seed: {
    type: "number",
    help: `picks the random durations: an integer from ${range(SEED)}`,
  },
  consumers: {
    type: "number",
    help: "how many consumers pull the files from the queue in part 2, " +
      `one per file at most: ${range(CONSUMERS)}`,
  },
  part: {
    type: "number",
    help: "runs only part 1 (all at once) or part 2 (the queue); default both",
  },
};

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
