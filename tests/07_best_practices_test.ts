import { assert, assertEquals } from "@std/assert";
import { bestPractices } from "../lessons/07_best_practices.ts";

const unit = 300;

/** Runs the lesson, with the unhandledrejection events the runtime fired. */
async function run() {
  // Seen by a listener of the test's own (added first, so it runs first).
  const events: PromiseRejectionEvent[] = [];
  const seen = (event: PromiseRejectionEvent) => events.push(event);
  globalThis.addEventListener("unhandledrejection", seen);
  try {
    return { ...await bestPractices({ unit, log: () => {} }), events };
  } finally {
    globalThis.removeEventListener("unhandledrejection", seen);
  }
}

/** Which of the lags that should stay small did not, in ms. */
function stalls(lag: Record<string, number>): string[] {
  return (["awaiting", "timer"] as const).flatMap((kind) =>
    lag[kind]! < 0.5 * unit && lag[kind]! < lag.blocking! / 2
      ? []
      : [`${kind} lag ${lag[kind]}`]
  );
}

Deno.test("Lesson 07 best practices: blocking, yielding, bounding and unhandled rejections", async () => {
  let result = await run();
  // The lags that should stay small are wall-clock figures: a machine busy
  // with the rest of the suite may freeze this very process for a moment
  // (once, 300 ms). A run that misses them runs once more, and the second
  // run's figures stand; a lesson whose awaits really held the thread, or
  // whose slices yielded no timer, misses them every time.
  if (stalls(result.lag).length > 0) result = await run();
  const { lines, lag, peak, unhandled, timeline, events } = result;

  // A busy loop of 1 unit stalls the heartbeat by about that long; awaiting
  // the same time does not. A second of work in slices: yielding to a
  // microtask lets no timer in, so the heartbeat stalls as long as when
  // blocking; yielding to a timer lets it beat between slices.
  assert(lag.blocking >= 0.9 * unit, `blocking lag ${lag.blocking}`);
  assert(lag.microtask >= 0.9 * unit, `microtask lag ${lag.microtask}`);
  assertEquals(stalls(lag), []);
  const blocking = timeline.span("blocking")!;
  assert(blocking.end! - blocking.start >= unit - 1);

  // Ten jobs at once unbounded, three at most with either bound.
  assertEquals(peak, { unbounded: 10, semaphore: 3, pooledMap: 3 });

  // The runtime fired one unhandledrejection event, for the rejection that
  // nobody awaited; the lesson's listener saw it and marked it handled,
  // which kept the process alive: the lesson went on to print its last line.
  assertEquals(
    events.map((event) => (event.reason as Error).message),
    ["An error occurred!"],
  );
  assert(events[0]!.defaultPrevented, "the lesson did not prevent the exit");
  assertEquals(unhandled, "An error occurred!");
  assertEquals(
    lines.at(-1),
    "Without the listener's preventDefault(), Deno would exit with code 1",
  );
});
