/**
 * A timer of the test's own beside a lesson, to see where the event loop
 * took a turn: a timer can tick only then. None of its ticks falls inside
 * work that holds the thread, nor between two events of one turn (a promise
 * settling and the code that awaited it), however late a busy machine fires
 * timers; a wait for a later turn, a timer or I/O, lets ticks in.
 */
import type { Timeline } from "../lib/timeline.ts";

/** A lesson's result, and when the test's timer ticked meanwhile. */
export type Ticked<R> = R & {
  /** The ticks that fell strictly between two times of the timeline. */
  ticksBetween(from: number, to: number): number[];
  /** Where a reading of `performance.now()` falls on the timeline. */
  onTimeline(now: number): number;
  /** The longest the timer went without a tick (ms): how long the machine held the thread up. */
  longestPause: number;
};

/** Runs `lesson` while a timer of the test's own ticks every `every` ms. */
export async function ticking<R extends { timeline: Timeline }>(
  every: number,
  lesson: () => Promise<R>,
): Promise<Ticked<R>> {
  const times: number[] = [];
  const start = performance.now();
  const timer = setInterval(() => times.push(performance.now()), every);
  let result: R;
  try {
    result = await lesson();
  } finally {
    clearInterval(timer);
  }
  const edges = [start, ...times, performance.now()];
  const longestPause = Math.max(...edges.slice(1).map((t, i) => t - edges[i]!));
  // The timeline counts from its creation, which falls between these two
  // readings less its elapsed time. A tick counts as between two times only
  // if it is, wherever in there the timeline began: one a few µs before a
  // span starts never counts as inside it.
  const before = performance.now();
  const elapsed = result.timeline.elapsed;
  const after = performance.now();
  const [early, late] = [before - elapsed, after - elapsed];
  return {
    ...result,
    ticksBetween: (from, to) =>
      times.filter((t) => t - late > from && t - early < to)
        .map((t) => t - early),
    onTimeline: (now) => now - early,
    longestPause,
  };
}

/**
 * `ticking`, run again (three runs at most) while the machine held the
 * thread up for `pause` ms or more: such a run says nothing about a lesson
 * that never holds it, as timers due apart then fire in one turn. `before`
 * runs ahead of each run (to reset what the test counts). `held`: the run
 * returned, the third, was held up too.
 */
export async function steadily<R extends { timeline: Timeline }>(
  pause: number,
  lesson: () => Promise<R>,
  before = () => {},
): Promise<Ticked<R> & { held: boolean }> {
  for (let runs = 1;; runs++) {
    before();
    const result = await ticking(1, lesson);
    const held = result.longestPause >= pause;
    if (!held || runs === 3) return { ...result, held };
  }
}
