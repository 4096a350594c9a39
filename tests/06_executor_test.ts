import { assert, assertEquals } from "@std/assert";
import { executor } from "../lessons/06_executor.ts";

Deno.test("lesson 06: a worker blocks while the heartbeat ticks; the main thread freezes it", async () => {
  const unit = 60;
  const { lines, timeline, ticks } = await executor({ unit, log: () => {} });
  assertEquals(lines.filter((l) => l === "Finished blocking task").length, 2);
  // Two units blocked in the worker at a tick every quarter unit: about 8
  // ticks. Loose lower bound for a loaded machine, but never the 0 below.
  assert(ticks.worker >= 3, `only ${ticks.worker} ticks`);
  assertEquals(ticks.main, 0);
  for (const name of ["in a worker", "on the main thread"]) {
    const span = timeline.span(name)!;
    assertEquals(span.outcome, "fulfilled");
    assert(span.end! - span.start >= 2 * unit - 1, `${name} blocked 2 units`);
  }
});
