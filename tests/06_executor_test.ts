import { assert, assertEquals } from "@std/assert";
import { executor } from "../lessons/06_executor.ts";

Deno.test("lesson 06: a worker blocks while the heartbeat ticks; the main thread freezes it", async () => {
  const unit = 60;
  // A heartbeat of the test's own, which does not rely on the counts the
  // lesson reports: it notes when it ticks, and it can tick only while the
  // main thread is free to run its event loop.
  const beats: number[] = [];
  const beat = setInterval(() => beats.push(performance.now()), unit / 4);
  let result;
  try {
    result = await executor({ unit, log: () => {} });
  } finally {
    clearInterval(beat);
  }
  const { lines, timeline, ticks } = result;
  // The timeline counts from its creation; the beats from the test's start.
  const origin = performance.now() - timeline.elapsed;
  const beatsDuring = (name: string) => {
    const span = timeline.span(name)!;
    const [start, end] = [origin + span.start, origin + span.end!];
    return beats.filter((time) => time >= start && time <= end).length;
  };
  for (const name of ["in a worker", "on the main thread"]) {
    const span = timeline.span(name)!;
    assertEquals(span.outcome, "fulfilled");
    assert(span.end! - span.start >= 2 * unit - 1, `${name} blocked 2 units`);
  }
  // Two units blocked in the worker at a tick every quarter unit: about 8
  // ticks. Loose lower bound for a loaded machine, but never the 0 below.
  const duringWorker = beatsDuring("in a worker");
  assert(
    duringWorker >= 3,
    `only ${duringWorker} beats while a worker blocked`,
  );
  assertEquals(beatsDuring("on the main thread"), 0);
  // The lesson's own heartbeat saw the same, and its lines say what it saw.
  assert(ticks.worker >= 3, `only ${ticks.worker} ticks`);
  assertEquals(ticks.main, 0);
  assertEquals(lines, [
    "Finished blocking task",
    `Heartbeat ticked ${ticks.worker} times while a worker blocked`,
    "Finished blocking task",
    `Heartbeat ticked ${ticks.main} times while the main thread blocked`,
  ]);
});
