import { assert, assertEquals } from "@std/assert";
import { command } from "../lessons/07_best_practices.ts";
import { ticking } from "./_ticks.ts";

const unit = 300;

/**
 * Runs the lesson, with the unhandledrejection events the runtime fired,
 * beside a timer of the test's own that ticks every ms (tests/_ticks.ts).
 */
async function run() {
  // Seen by a listener of the test's own (added first, so it runs first).
  const events: PromiseRejectionEvent[] = [];
  const seen = (event: PromiseRejectionEvent) => events.push(event);
  globalThis.addEventListener("unhandledrejection", seen);
  try {
    const ran = await ticking(1, () => command.run({ unit, log: () => {} }));
    return { ...ran, events };
  } finally {
    globalThis.removeEventListener("unhandledrejection", seen);
  }
}

Deno.test("Lesson 07 best practices: blocking, yielding, bounding and unhandled rejections", async () => {
  const { lines, lag, peak, unhandled, timeline, events, ticksBetween } =
    await run();
  const span = (name: string) => timeline.span(name)!;

  // A busy loop of 1 unit holds the thread: no timer of the test's ticked
  // in it, and the lesson's heartbeat stalled about that long. Awaiting the
  // same time gives the thread back: the test's timer ticked meanwhile. A
  // second of work in slices: yielding to a microtask lets no timer in, as
  // when blocking; yielding to a timer lets the test's timer tick between
  // slices.
  for (const name of ["blocking", "slices, microtask"]) {
    assertEquals(ticksBetween(span(name).start, span(name).end!), [], name);
  }
  for (const name of ["awaiting", "slices, timer"]) {
    const ticks = ticksBetween(span(name).start, span(name).end!);
    assert(ticks.length > 0, `no tick while ${name}`);
  }
  assert(lag.blocking >= 0.9 * unit, `blocking lag ${lag.blocking}`);
  assert(lag.microtask >= 0.9 * unit, `microtask lag ${lag.microtask}`);
  assert(span("blocking").end! - span("blocking").start >= unit - 1);
  // Where the thread was free, the lesson's heartbeat stalled no longer
  // than the test's timer took for two ticks around it, give or take one
  // beat of the heartbeat (0.05 units): a machine busy enough to hold the
  // process up delays both alike. Two ticks, not one: a timer that came due
  // in a stall can wait for the turn after next, and the test's timer tick
  // alone in between (seen: it ticked after 112 ms, the heartbeat only 99
  // ms later). (The lesson measures each lag from just after the previous
  // part's span to just before the next one's.)
  const twoTicks = (from: string, to: string) => {
    const ticks = ticksBetween(span(from).end!, span(to).start);
    return Math.max(...ticks.slice(2).map((tick, i) => tick - ticks[i]!));
  };
  const stalled = {
    awaiting: twoTicks("blocking", "slices, microtask"),
    timer: twoTicks("slices, microtask", "all 1"),
  };
  for (const kind of ["awaiting", "timer"] as const) {
    assert(
      lag[kind] <= stalled[kind] + 0.05 * unit,
      `${kind} lag ${lag[kind]} ms; two ticks of the test's timer took ${
        stalled[kind]
      } ms at most`,
    );
  }

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
