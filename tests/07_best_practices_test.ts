import { assert, assertEquals } from "@std/assert";
import { bestPractices } from "../lessons/07_best_practices.ts";

Deno.test("Lesson 07 best practices: blocking, bounding and unhandled rejections", async () => {
  const unit = 300;
  // The unhandledrejection events the runtime fired during the lesson, seen
  // by a listener of the test's own (added first, so it runs first).
  const events: PromiseRejectionEvent[] = [];
  const seen = (event: PromiseRejectionEvent) => events.push(event);
  globalThis.addEventListener("unhandledrejection", seen);
  let result;
  try {
    result = await bestPractices({ unit, log: () => {} });
  } finally {
    globalThis.removeEventListener("unhandledrejection", seen);
  }
  const { lines, lag, peak, unhandled, timeline } = result;

  // A busy loop of 1 unit stalls the heartbeat by about that long; awaiting
  // the same time does not (a generous bound: the machine may be loaded).
  assert(lag.blocking >= 0.9 * unit, `blocking lag ${lag.blocking}`);
  assert(lag.awaiting < 0.5 * unit, `awaiting lag ${lag.awaiting}`);
  assert(lag.awaiting < lag.blocking / 2);
  const blocking = timeline.span("blocking")!;
  assert(blocking.end! - blocking.start >= unit - 1);

  // A second of work in slices: yielding to a microtask lets no timer in,
  // so the heartbeat stalls as long as when blocking; yielding to a timer
  // lets it beat between slices.
  assert(lag.microtask >= 0.9 * unit, `microtask lag ${lag.microtask}`);
  assert(lag.timer < 0.5 * unit, `timer lag ${lag.timer}`);
  assert(lag.timer < lag.microtask / 2);

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
