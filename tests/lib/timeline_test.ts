import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { Timeline } from "../../lib/timeline.ts";
import { processReads } from "./_process_reads.ts";

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
  await t.step("does not count a hand-off recorded out of order", () => {
    const { timeline, at } = manual();
    at(100);
    timeline.start("second");
    at(0); // an earlier task, recorded after
    timeline.start("first");
    at(100);
    timeline.end("first");
    assertEquals(timeline.spans().map((span) => span.name), [
      "first",
      "second",
    ]);
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
  const { timeline, at } = manual();
  timeline.start("x");
  assertThrows(() => timeline.start("x"), Error, '"x"');
  assertThrows(() => timeline.end("y"), Error, '"y"');
  at(5);
  timeline.end("x");
  at(10);
  assertThrows(() => timeline.end("x"), Error, '"x"');
  // What was recorded stands.
  assertEquals(timeline.spans(), [
    { name: "x", start: 0, end: 5, outcome: "fulfilled" },
  ]);
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
    // Slow also waits for fast: a busy machine may pause this test between
    // the two calls long enough to set fast's timer after slow's is due
    // (seen once under the suite).
    let fast: Promise<unknown> | undefined;
    await Promise.all([
      timeline.track("slow", () => wait(30).then(() => fast)),
      fast = timeline.track("fast", () => wait(10)),
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

Deno.test("Timeline.render() on Deno reads the terminal from Deno, never globalThis.process (its first read loads Node's compatibility layer)", () => {
  const reads = processReads();
  try {
    const timeline = new Timeline();
    timeline.start("a");
    timeline.end("a");
    timeline.render();
    assertEquals(reads.count, 0);
  } finally {
    reads[Symbol.dispose]();
  }
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

Deno.test("Timeline puts a tick at the end of an axis that ends on a step, whatever the rounding", () => {
  // 2.3 s in steps of 0.1 s: 2.3 / 0.1 is 22.999999999999996 in floating point.
  const { timeline, at } = manual();
  timeline.start("A");
  at(2300);
  timeline.end("A");
  const [, line, labels] = timeline.render({ width: 200, color: false })
    .split("\n");
  assert(
    line!.endsWith("-|") && labels!.endsWith(" 2.3s"),
    `${line}\n${labels}`,
  );
  const svg = timeline.toSVG({ width: 4000 });
  assert(svg.includes('text-anchor="middle">2.3s</text>'));
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

/** The shape of lesson 08's timeline: names longer than the gather's. */
function lessonShape(): Timeline {
  const { timeline, at } = manual();
  timeline.start("fetch_url");
  at(40);
  timeline.end("fetch_url");
  timeline.start("timeout");
  at(1040);
  timeline.end("timeout", "rejected");
  timeline.start("retry");
  at(2100);
  timeline.end("retry");
  return timeline;
}

Deno.test("Timeline.render() fits every width from 20 up, and always draws the bars", () => {
  const shapes = {
    gather: gatherShape().timeline,
    lesson: lessonShape(),
    "long names": (() => {
      const { timeline, at } = manual();
      timeline.start(
        "a task with a name far longer than any terminal is wide".repeat(3),
      );
      timeline.start("B");
      at(1000);
      timeline.end("B");
      at(1500);
      return timeline;
    })(),
  };
  for (const [shape, timeline] of Object.entries(shapes)) {
    const count = timeline.spans().length;
    for (let width = 20; width <= 130; width++) {
      const rows = timeline.render({ width, color: false }).split("\n");
      const where = `${shape} at ${width} columns`;
      for (const row of rows) assert(row.length <= width, `${where}: ${row}`);
      // One row per task, each with its bar; the axis only from 40 columns.
      assertEquals(rows.length, count + (width >= 40 ? 2 : 0), where);
      for (const row of rows.slice(0, count)) assert(/[#x=]/.test(row), where);
    }
  }
  const widest = gatherShape().timeline.render({ width: 1000 }).split("\n")[2]!;
  assertEquals(widest.length, 1000);
});

Deno.test("Timeline.render() below 40 columns: no axis, names cut, then durations left out", () => {
  const timeline = lessonShape();
  assertEquals(
    timeline.render({ width: 30, color: false }),
    [
      "fetch_url #............. 0.04s",
      "timeout   xxxxxxx....... 1.00s",
      "retry     .......####### 1.06s",
    ].join("\n"),
  );
  assertEquals(
    timeline.render({ width: 25, color: false }),
    [
      "fetch_u… #......... 0.04s",
      "timeout  xxxxx..... 1.00s",
      "retry    .....##### 1.06s",
    ].join("\n"),
  );
  assertEquals(
    timeline.render({ width: 20, color: false }),
    [
      "fetch_url #.........",
      "timeout   xxxxx.....",
      "retry     .....#####",
    ].join("\n"),
  );
});

Deno.test("Timeline.render() stays small whatever the unit", () => {
  const { timeline } = gatherShape();
  const empty = new Timeline({ now: () => 0 });
  for (
    const unit of [1e-16, Number.MIN_VALUE, 1e-300, 1e300, Number.MAX_VALUE]
  ) {
    for (const chart of [timeline, empty]) {
      const rows = chart.render({ unit, width: 80, color: false }).split("\n");
      for (const row of rows) assert(row.length <= 80, `unit ${unit}: ${row}`);
      assert(rows.length <= chart.spans().length + 2);
    }
  }
});

// More spans than a call can take as arguments (about 1.3·10^5 here): a
// Math.max(...ends) in render() overflowed the stack.
Deno.test("Timeline.render() draws 150,000 tasks", () => {
  const { timeline, at } = manual();
  for (let i = 0; i < 150_000; i++) {
    timeline.start(`t${i}`);
    at(i + 1);
    timeline.end(`t${i}`);
  }
  const rows = timeline.render({ width: 40, color: false }).split("\n");
  assertEquals(rows.length, 150_002);
});

Deno.test("Timeline.render() keeps each task on one line, whatever its name, unit label or clock", () => {
  let now = 100;
  const timeline = new Timeline({ now: () => now });
  timeline.start("two\nlines");
  timeline.start("tab\there");
  // A clock that goes back: the chart clamps instead of failing.
  now = 50;
  timeline.end("tab\there");
  const rows = timeline.render({ width: 40, color: false }).split("\n");
  assertEquals(rows.length, 4);
  assert(rows[0]!.startsWith("two\ufffdlines "), rows[0]);
  assert(rows[1]!.startsWith("tab\ufffdhere "), rows[1]);
  // The label follows every duration and tick: one line each, too.
  for (const unitLabel of ["\ns", "s\r", "\t"]) {
    const chart = timeline.render({ width: 40, color: false, unitLabel });
    assertEquals(chart.split("\n").length, 4, JSON.stringify(unitLabel));
    assert(!/[\t\r]/.test(chart), JSON.stringify(chart));
  }
});

Deno.test("Timeline.render() never cuts a name inside a character", () => {
  const timeline = new Timeline({ now: () => 0 });
  timeline.start("🎉".repeat(40)); // two UTF-16 units each
  timeline.start("plain ".repeat(14));
  for (let width = 20; width <= 100; width++) {
    const [first, second] = timeline.render({ width, color: false })
      .split("\n");
    assert(first!.isWellFormed(), `width ${width}: ${first}`);
    // Both rows keep their bars in the same columns.
    assertEquals(first!.length, second!.length, `width ${width}`);
  }
});

Deno.test("Timeline: a refused call records nothing", async () => {
  let now = 0;
  const timeline = new Timeline({ now: () => now });
  timeline.start("a");
  assertThrows(() => timeline.end("a", "bogus" as never), RangeError);
  // The task still runs, and ends normally.
  assertEquals(timeline.span("a")?.outcome, "running");
  timeline.end("a", "rejected");
  assertEquals(timeline.span("a")?.outcome, "rejected");
  await assertRejects(() => timeline.track(42 as never, () => 1), TypeError);
  await assertRejects(() => timeline.track("x", 42 as never), TypeError);
  now = NaN; // a clock that stops giving numbers
  assertThrows(() => timeline.start("b"), TypeError, "a finite number");
  // Finite readings whose distance overflows: the span would start at
  // Infinity, and render() would draw no bar. The error says which rule
  // the finite reading broke.
  now = Number.MAX_VALUE;
  const far = new Timeline({ now: () => (now = -now) }); // -MAX, then MAX
  assertThrows(() => far.start("b"), TypeError, "from the first reading");
  assertEquals(far.spans(), []);
  assertEquals(timeline.spans().map((span) => span.name), ["a"]);
});

/**
 * Checks that `svg` is well-formed XML as far as toSVG() writes it: tags
 * open and close in order, every `&` starts an entity, attribute values are
 * quoted, and no character that XML 1.0 forbids appears. Returns the names
 * of the elements, in document order.
 */
function wellFormed(svg: string): string[] {
  // deno-lint-ignore no-control-regex
  const forbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
  assert(!forbidden.test(svg), "a character XML forbids");
  assert(svg.isWellFormed(), "a lone surrogate");
  assert(!/&(?!(amp|lt|gt|quot|#39);)/.test(svg), "a bare &");
  const names: string[] = [];
  const open: string[] = [];
  let rest = svg;
  while (rest.length) {
    const lt = rest.indexOf("<");
    if (lt < 0) break;
    const tag = /^<(\/?)([a-z]+)((?:\s+[A-Za-z][\w:-]*="[^"<]*")*)\s*(\/?)>/
      .exec(
        rest.slice(lt),
      );
    if (tag === null) {
      throw new Error(`A malformed tag at ${describeAt(rest.slice(lt))}`);
    }
    const [whole, closing, name, , selfClosing] = tag;
    if (closing) assertEquals(open.pop(), name, "tags close in order");
    else {
      names.push(name!);
      if (!selfClosing) open.push(name!);
    }
    rest = rest.slice(lt + whole.length);
  }
  assertEquals(open, [], "every tag is closed");
  return names;
}

function describeAt(text: string): string {
  return JSON.stringify(text.slice(0, 60));
}

/** The bars of an SVG: task, outcome, x and width. */
function bars(svg: string) {
  return [...svg.matchAll(
    /<rect class="tl-bar tl-(\w+)" data-task="([^"]*)" data-outcome="(\w+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g,
  )].map(([, cls, task, outcome, x, width]) => ({
    cls,
    task,
    outcome,
    x: Number(x),
    width: Number(width),
  }));
}

Deno.test("Timeline.toSVG() draws one bar per task where it ran, in start order", () => {
  const { timeline } = gatherShape();
  const svg = timeline.toSVG({ width: 720 });
  const names = wellFormed(svg);
  assertEquals(names[0], "svg");
  assert(
    svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="720" '),
  );
  const drawn = bars(svg);
  assertEquals(drawn.map((b) => [b.task, b.outcome, b.cls]), [
    ["A", "fulfilled", "fulfilled"],
    ["B", "fulfilled", "fulfilled"],
    ["C", "rejected", "rejected"],
  ]);
  // All start together; B lasts a third of C, A two thirds.
  const [a, b, c] = drawn;
  assertEquals(a!.x, b!.x);
  assertEquals(b!.x, c!.x);
  assertAlmostEqualsRatio(b!.width / c!.width, 1 / 3);
  assertAlmostEqualsRatio(a!.width / c!.width, 2 / 3);
  // The axis reads in seconds, every half second up to 3.
  const ticks = [...svg.matchAll(/<text class="tl-tick"[^>]*>([^<]*)</g)]
    .map((m) => m[1]);
  assertEquals(ticks, ["0s", "0.5s", "1s", "1.5s", "2s", "2.5s", "3s"]);
  // The durations and outcome, as render() prints them.
  const notes = [...svg.matchAll(/<text class="tl-note"[^>]*>([^<]*)</g)]
    .map((m) => m[1]);
  assertEquals(notes, ["2.00s", "1.00s", "3.00s rejected"]);
});

function assertAlmostEqualsRatio(actual: number, expected: number): void {
  assert(Math.abs(actual - expected) < 0.01, `${actual} is not ${expected}`);
}

Deno.test("Timeline.toSVG() reads its axis in the unit given, and draws running tasks to now", () => {
  const { timeline, at } = manual();
  timeline.start("done");
  at(50);
  timeline.end("done");
  timeline.start("still going");
  at(100);
  const svg = timeline.toSVG({ unit: 20, unitLabel: " units" });
  wellFormed(svg);
  const [done, going] = bars(svg);
  assertEquals(going!.outcome, "running");
  assertEquals(going!.cls, "running");
  assertAlmostEqualsRatio(going!.width / done!.width, 1);
  const ticks = [...svg.matchAll(/<text class="tl-tick"[^>]*>([^<]*)</g)]
    .map((m) => m[1]);
  assertEquals(ticks[0], "0 units");
  assertEquals(ticks.at(-1), "5 units");
  assert(svg.includes(">2.50 units</text>"), "the duration in units");
  assert(svg.includes(">running</text>"));
});

Deno.test("Timeline.toSVG() escapes names for XML and keeps only characters XML allows", () => {
  const { timeline, at } = manual();
  const names = [
    `<script>alert("x")</script>`,
    "Tom & Jerry's",
    "bell\u0007 null\u0000 tab\t",
    "lone \ud800 surrogate, and \ufffe",
    "emoji 🎉 kept",
    "]]><!--",
  ];
  for (const name of names) timeline.start(name);
  at(1000);
  for (const name of names) timeline.end(name);
  const svg = timeline.toSVG({ title: "a <title> & more" });
  wellFormed(svg);
  assert(!svg.includes("<script"), "no element from a name");
  assert(!svg.includes("<!--"), "no comment from a name");
  assert(svg.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
  assert(svg.includes("Tom &amp; Jerry&#39;s"));
  assert(svg.includes("<title>a &lt;title&gt; &amp; more</title>"));
  assert(svg.includes("emoji 🎉 kept"));
  assertEquals(bars(svg).length, names.length);
});

Deno.test("Timeline.toSVG() is self-contained and readable in light and dark themes", () => {
  const svg = gatherShape().timeline.toSVG();
  // No link, script or external resource; its colours in its own style.
  assert(!/<(script|image|use|a|foreignObject)\b/.test(svg));
  assert(!/(href|src)=/.test(svg));
  assert(svg.includes("@media (prefers-color-scheme:dark)"));
  // A background of its own, in both themes, under the text.
  assert(/<rect class="tl-bg"/.test(svg));
  const style = /<style>([^<]*)<\/style>/.exec(svg)![1]!;
  const [light, dark] = style.split("@media (prefers-color-scheme:dark)");
  for (const cls of ["tl-bg", "tl-name", "tl-fulfilled", "tl-rejected"]) {
    assert(light!.includes(`.${cls}`), `light ${cls}`);
    assert(dark!.includes(`.${cls}`), `dark ${cls}`);
  }
  // Every class is the chart's own, so an inline copy leaves the page alone.
  for (const [, selector] of style.matchAll(/(?:^|})([^{}@]+)\{/g)) {
    for (const part of selector!.split(",")) {
      assert(part.trim().startsWith(".tl-"), `selector ${part}`);
    }
  }
});

Deno.test("Timeline.toSVG() stays within its width and small, whatever the names", () => {
  const { timeline, at } = manual();
  timeline.start("x".repeat(100_000));
  timeline.start("short");
  at(1000);
  timeline.end("short");
  for (const width of [200, 480, 4000]) {
    const svg = timeline.toSVG({ width });
    wellFormed(svg);
    assert(
      svg.startsWith(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" `,
      ),
    );
    // The long name is cut to a third of the width, and the tooltip to 200
    // characters: the whole picture stays a few kilobytes.
    assert(svg.length < 6_000, `${svg.length} characters at ${width}`);
    const label = /<text class="tl-name"[^>]*>([^<]*)</.exec(svg)![1]!;
    assert(label.endsWith("…"));
    assert([...label].length * 7.2 <= width / 3 + 7.2, label.length + "");
    for (const bar of bars(svg)) {
      assert(bar.x >= 0 && bar.x + bar.width <= width, JSON.stringify(bar));
    }
  }
  // One row of 22 pixels per task.
  const many = manual();
  for (let i = 0; i < 1000; i++) many.timeline.start(`t${i}`);
  const height = (svg: string) => Number(/height="(\d+)"/.exec(svg)![1]);
  assertEquals(
    height(many.timeline.toSVG()) - height(new Timeline().toSVG()),
    1000 * 22,
  );
});

Deno.test("Timeline.toSVG() stays small whatever the unit", () => {
  const { timeline } = gatherShape();
  for (const unit of [1e-300, Number.MIN_VALUE, 1e300, Number.MAX_VALUE]) {
    const svg = timeline.toSVG({ unit });
    wellFormed(svg);
    // A tick needs room for its label: never more than the width allows.
    const ticks = svg.match(/class="tl-tick"/g)?.length ?? 0;
    assert(ticks <= 720 / 7.2, `unit ${unit}: ${ticks} ticks`);
    assert(svg.length < 20_000, `unit ${unit}: ${svg.length}`);
  }
});

// An axis shorter than 1e-305 ms (the least unit, spans of no length): its
// columns per ms overflowed to Infinity, and 0 × Infinity drew no bar in
// render() and NaN coordinates in toSVG().
Deno.test("Timeline draws every bar of an axis however short the unit makes it", () => {
  // Zero-length spans: a bar's first column; 1e-320 ms: 2024 units, full.
  const cases: [number, RegExp, RegExp][] = [
    [0, /^#\.{9,}$/, /^=\.{9,}$/],
    [1e-320, /^#{10,}$/, /^={10,}$/],
  ];
  for (const [length, a, b] of cases) {
    const { timeline, at } = manual();
    timeline.start("a");
    timeline.start("b");
    at(length);
    timeline.end("a");
    const unit = Number.MIN_VALUE;
    const rows = timeline.render({ unit, width: 40, color: false });
    const [barA, barB] = rows.split("\n").map((row) => row.split(/ +/)[1]!);
    assert(a.test(barA!) && b.test(barB!), rows);
    const svg = timeline.toSVG({ unit });
    assert(!/NaN|Infinity/.test(svg), svg);
  }
});

// A tick's spacing past Number.MAX_VALUE (a span near it, or a unit label
// that widens the labels of an axis ~1e306 units long) made a tick at
// 0 × Infinity: "NaNs" at x="NaN" in toSVG(), nothing in render().
Deno.test("Timeline's axis ticks are numbers however long the axis", () => {
  const cases: [number, number, string][] = [
    [Number.MAX_VALUE, 1, "s"],
    [1.8e300, 1e-6, "x".repeat(30)],
  ];
  for (const [length, unit, unitLabel] of cases) {
    const { timeline, at } = manual();
    timeline.start("a");
    at(length);
    timeline.end("a");
    const where = `${length} ms in units of ${unit} ${unitLabel}`;
    const svg = timeline.toSVG({ unit, unitLabel });
    assert(!svg.includes("NaN"), `${where}:\n${svg}`);
    assert(svg.includes(`>0${unitLabel}</text>`), `${where}:\n${svg}`);
    const rows = timeline.render({ unit, unitLabel, width: 80, color: false });
    assert(rows.split("\n")[2]?.trim().startsWith(`0${unitLabel}`), rows);
  }
});

Deno.test("Timeline writes a label that rounds to a million units as 1.00e+6, like its tick", () => {
  // 999999.996 units has two decimals of 1000000.00: the label is decided on
  // what is written, so it reads like the axis tick beside it.
  let now = 0;
  const timeline = new Timeline({ now: () => now });
  timeline.start("a");
  now = 999999.996;
  timeline.end("a");
  const chart = timeline.render({ unit: 1, width: 60, color: false });
  assertEquals(chart.split("\n")[0]!.trimEnd().split(" ").at(-1), "1.00e+6s");
  assert(!chart.includes("1000000.00"), chart);
  const svg = timeline.toSVG({ unit: 1 });
  assert(svg.includes(">1.00e+6s<"), svg);
  assert(!svg.includes("1000000.00"), svg);
});

Deno.test("Timeline labels stay readable whatever the unit: exponent form from a million units, never Infinity, the same in render() and toSVG()", () => {
  let now = 0;
  const timeline = new Timeline({ now: () => now });
  timeline.start("download");
  now = 2.303;
  timeline.end("download");
  const cases: [number, string][] = [
    [1, "2.30"], // unchanged below a million units
    [1e-6, "2.30e+6"],
    [1e-300, "2.30e+300"],
    // 2.303 / 5e-324 is past Number.MAX_VALUE: worked out by logarithms.
    [5e-324, "4.66e+323"], // 5e-324 is 4.94e-324, the smallest double
    [1e-323, "2.33e+323"],
  ];
  for (const [unit, shown] of cases) {
    const chart = timeline.render({ unit, width: 80, color: false });
    const svg = timeline.toSVG({ unit });
    for (
      const [name, text] of [["render", chart], ["toSVG", svg]] as const
    ) {
      assert(
        text.includes(`${shown}s`),
        `${name}, unit ${unit}: ${shown}s in\n${text}`,
      );
      assert(!text.includes("Infinity"), `${name}, unit ${unit}:\n${text}`);
      // No number written out in more than about ten digits.
      assert(!/\d{11}/.test(text), `${name}, unit ${unit}:\n${text}`);
    }
    assertEquals(
      chart.split("\n")[0]!.trimEnd().split(" ").at(-1),
      `${shown}s`,
      `render's duration column, unit ${unit}`,
    );
  }
});
