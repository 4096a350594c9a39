import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { Timeline } from "../../lib/timeline.ts";

/** A timeline on a clock the test moves by hand. */
function manual(): { timeline: Timeline; at: (ms: number) => void } {
  let now = 0;
  const timeline = new Timeline({ now: () => now });
  return { timeline, at: (ms) => void (now = ms) };
}

/** The gather lesson's shape: A 2s, B 1s, C 3s (rejected), all from 0. */
function gatherShape(): { timeline: Timeline; at: (ms: number) => void } {
  const clock = manual();
  const { timeline, at } = clock;
  timeline.start("A");
  timeline.start("B");
  timeline.start("C");
  at(1000);
  timeline.end("B");
  at(2000);
  timeline.end("A");
  at(3000);
  timeline.end("C", "rejected");
  return clock;
}

Deno.test("Timeline records spans relative to its creation", () => {
  let now = 500;
  const timeline = new Timeline({ now: () => now });
  timeline.start("x");
  now = 750;
  timeline.end("x");
  assertEquals(timeline.span("x"), {
    name: "x",
    start: 0,
    end: 250,
    outcome: "fulfilled",
  });
  assertEquals(timeline.span("missing"), undefined);
  assertEquals(timeline.elapsed, 250);
});

Deno.test("Timeline.spans() lists tasks in start order, running ones open", () => {
  const { timeline, at } = manual();
  at(10);
  timeline.start("late");
  at(20);
  timeline.start("later");
  timeline.end("late", "rejected");
  assertEquals(timeline.spans(), [
    { name: "late", start: 10, end: 20, outcome: "rejected" },
    { name: "later", start: 20, end: undefined, outcome: "running" },
  ]);
});

Deno.test("Timeline.completionOrder() follows the order of end() calls", () => {
  const { timeline } = gatherShape();
  assertEquals(timeline.completionOrder(), ["B", "A", "C"]);
});

Deno.test("Timeline.completionOrder() keeps call order for equal end times", () => {
  const { timeline } = manual();
  timeline.start("first");
  timeline.start("second");
  timeline.end("second");
  timeline.end("first");
  assertEquals(timeline.completionOrder(), ["second", "first"]);
});

Deno.test("Timeline.maxConcurrency()", async (t) => {
  await t.step("is 0 when empty", () => {
    assertEquals(new Timeline().maxConcurrency(), 0);
  });
  await t.step("counts tasks that overlap", () => {
    assertEquals(gatherShape().timeline.maxConcurrency(), 3);
  });
  await t.step("does not count a hand-off at the same instant", () => {
    const { timeline, at } = manual();
    timeline.start("one");
    at(100);
    timeline.end("one");
    timeline.start("two");
    at(200);
    timeline.end("two");
    assertEquals(timeline.maxConcurrency(), 1);
  });
  await t.step("counts running tasks", () => {
    const { timeline, at } = manual();
    timeline.start("a");
    at(5);
    timeline.start("b");
    timeline.start("c");
    at(6);
    timeline.end("c");
    assertEquals(timeline.maxConcurrency(), 3);
  });
});

Deno.test("Timeline.start() and end() reject misuse, naming the task", () => {
  const { timeline } = manual();
  timeline.start("x");
  assertThrows(() => timeline.start("x"), Error, `current value is "x"`);
  assertThrows(
    () => timeline.end("y"),
    Error,
    `never started: current value is "y"`,
  );
  timeline.end("x");
  assertThrows(
    () => timeline.end("x"),
    Error,
    `already ended: current value is "x"`,
  );
});

Deno.test("new Timeline() rejects a clock that is not a function", () => {
  assertThrows(
    // @ts-expect-error: checking the runtime guard
    () => new Timeline({ now: 5 }),
    TypeError,
    "current value is 5",
  );
});

Deno.test("Timeline.track()", async (t) => {
  await t.step(
    "ends a fulfilled task and passes its value through",
    async () => {
      const timeline = new Timeline();
      assertEquals(await timeline.track("f", () => 42), 42);
      assertEquals(timeline.span("f")?.outcome, "fulfilled");
    },
  );
  await t.step("accepts a promise that is already running", async () => {
    const timeline = new Timeline();
    assertEquals(await timeline.track("p", Promise.resolve("ok")), "ok");
    assertEquals(timeline.completionOrder(), ["p"]);
  });
  await t.step("marks a failure and rethrows the same error", async () => {
    const timeline = new Timeline();
    const boom = new Error("boom");
    const error = await assertRejects(() =>
      timeline.track("r", () => Promise.reject(boom))
    );
    assertEquals(error, boom);
    assertEquals(timeline.span("r")?.outcome, "rejected");
  });
  await t.step("records real time in start/end order", async () => {
    const timeline = new Timeline();
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await Promise.all([
      timeline.track("slow", () => wait(30)),
      timeline.track("fast", () => wait(10)),
    ]);
    assertEquals(timeline.completionOrder(), ["fast", "slow"]);
    assertEquals(timeline.maxConcurrency(), 2);
    const slow = timeline.span("slow")!;
    // Timers never fire early; they may fire late on a busy machine.
    assertEquals(slow.end! - slow.start >= 29, true);
  });
});

Deno.test("Timeline.render() draws a known timeline exactly", () => {
  const { timeline } = gatherShape();
  assertEquals(
    timeline.render({ width: 40, color: false }),
    [
      "A #####################........... 2.00s",
      "B ###########..................... 1.00s",
      "C xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 3.00s",
      "  |----------|---------|----------|",
      "  0s         1s        2s         3s",
    ].join("\n"),
  );
});

Deno.test("Timeline.render() scales the axis to the unit and marks running tasks", () => {
  const { timeline, at } = gatherShape();
  timeline.start("D");
  at(3500);
  assertEquals(
    timeline.render({ width: 50, color: false, unit: 500 }),
    [
      "A #######################.................   4.00s",
      "B ###########.............................   2.00s",
      "C xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx......   6.00s",
      "D ..................................====== running",
      "  |----------|-----------|----------|------",
      "  0s         2s          4s         6s",
    ].join("\n"),
  );
});

Deno.test("Timeline.render() fits the width it is given", () => {
  const { timeline } = gatherShape();
  for (const width of [30, 80, 120]) {
    const rows = timeline.render({ width, color: false }).split("\n");
    for (const row of rows) assertEquals(row.length <= width, true, row);
    // Bars span the whole chart: the longest task reaches its right edge.
    assertEquals(rows[2]!.length, width);
  }
});

Deno.test("Timeline.render() colours bars only when asked", () => {
  const { timeline } = gatherShape();
  const plain = timeline.render({ width: 40, color: false });
  const coloured = timeline.render({ width: 40, color: true });
  assertEquals(plain.includes("\x1b["), false);
  assertEquals(coloured.includes("\x1b[32m#"), true);
  assertEquals(coloured.includes("\x1b[31mx"), true);
  // Removing the escapes gives back the plain chart.
  // deno-lint-ignore no-control-regex
  assertEquals(coloured.replace(/\x1b\[\d+m/g, ""), plain);
});

Deno.test("Timeline.render() defaults to the terminal, or 80 plain columns when piped", () => {
  const { timeline } = gatherShape();
  const rows = timeline.render().split("\n");
  const terminal = Deno.stdout.isTerminal();
  const width = terminal ? Deno.consoleSize().columns : 80;
  // deno-lint-ignore no-control-regex
  assertEquals(rows[2]!.replace(/\x1b\[\d+m/g, "").length, width);
  assertEquals(rows.join("").includes("\x1b["), terminal && !Deno.noColor);
});

Deno.test("Timeline.render() rejects a bad unit or width, naming it", () => {
  const { timeline } = gatherShape();
  assertThrows(
    () => timeline.render({ unit: 0 }),
    RangeError,
    "current value is 0",
  );
  assertThrows(
    () => timeline.render({ unit: NaN }),
    RangeError,
    "current value is NaN",
  );
  assertThrows(
    () => timeline.render({ width: 12 }),
    RangeError,
    "current value is 12",
  );
  assertThrows(
    () => timeline.render({ width: 50.5 }),
    RangeError,
    "current value is 50.5",
  );
});
