import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertLess,
  assertRejects,
} from "@std/assert";
import { downloads, drawDurations } from "../lessons/10_downloads.ts";
import { progressBars } from "../lessons/_progress.ts";
import { startServer } from "../lessons/_server.ts";

const UNIT = 200;

// A process's first HTTP exchange is slow: the code of the server and of the
// client is still cold, and on a loaded machine that can take longer than
// the shortest download. Warm both up once, so that the tests measure the
// lesson and not the start-up of the runtime.
{
  await using server = startServer();
  const response = await fetch(server.at("/file?bytes=100&ms=20&chunks=2"));
  await response.bytes();
}

// Splits what was written to the terminal into rows: at each newline and
// at each erase (move up N lines, clear below).
const rowsOf = (written: string) =>
  written.split(new RegExp(String.raw`\n|\x1b\[\d+F\x1b\[0J`));

const STARTS = [0, 1, 2, 3, 4].map((i) => `Starting download ${i}`);
const finishes = (order: number[]) =>
  order.map((i) => `Finished download ${i}`);

Deno.test("Lesson 10 prints the notes' lines in the notes' order by default", async () => {
  const logged: string[] = [];
  const { lines, timeline } = await downloads({
    unit: UNIT,
    log: (l) => logged.push(l),
  });
  assertEquals(lines, [...STARTS, ...finishes([1, 0, 2, 3, 4])]);
  assertEquals(logged, lines);
  assertEquals(timeline.completionOrder(), [
    "download 1",
    "download 0",
    "download 2",
    "download 3",
    "download 4",
  ]);
});

Deno.test("Lesson 10's --seed picks the durations and so the order", async (t) => {
  await t.step("the same seed draws the same durations", () => {
    assertEquals(drawDurations(7), drawDurations(7));
    assertEquals(drawDurations(1871), [1.8, 1.1, 2.2, 2.6, 2.9]);
    for (const s of drawDurations(99)) assert(s >= 1 && s <= 3, String(s));
  });
  await t.step("a seed is an integer from 0 to 2^32 - 1", async () => {
    for (const seed of [-1, 1.5, 2 ** 32]) {
      await assertRejects(
        () => downloads({ unit: UNIT, seed, log: () => {} }),
        RangeError,
        `'seed' must be an integer from 0 to 4294967295: current value is ${seed}`,
      );
    }
  });
  await t.step("seed 37 finishes in the order of its durations", async () => {
    // Seed 37 draws durations at least 0.3 apart.
    assertEquals(drawDurations(37), [2, 3, 1.1, 2.5, 1.4]);
    const { lines } = await downloads({ unit: UNIT, seed: 37, log: () => {} });
    assertEquals(lines, [...STARTS, ...finishes([2, 4, 0, 3, 1])]);
  });
});

Deno.test("Lesson 10 downloads all five files at once from the server", async () => {
  await using server = startServer();
  const { timeline } = await downloads({ unit: UNIT, log: () => {}, server });
  assertEquals(server.hits(), 5);
  assertEquals(server.peak, 5);
  assertEquals(timeline.maxConcurrency(), 5);
  // Each download ends no sooner than its drawn duration after the first
  // one started, and together they take about the longest one (2.9 units),
  // not the sum (10.6).
  const seconds = drawDurations(1871);
  const first = Math.min(...timeline.spans().map((s) => s.start));
  for (const [i, s] of seconds.entries()) {
    const span = timeline.span(`download ${i}`)!;
    assertGreaterOrEqual(span.end! - first, s * UNIT - 2);
  }
  assertLess(timeline.elapsed, 6 * UNIT);
});

Deno.test("Lesson 10 draws progress bars only where asked, and erases them", async (t) => {
  await t.step("with a progress sink, every bar reaches 100%", async () => {
    const frames: string[] = [];
    const { lines } = await downloads({
      unit: UNIT,
      log: () => {},
      progress: (text) => frames.push(text),
    });
    // The printed lines stay exactly the notes' lines.
    assertEquals(lines, [...STARTS, ...finishes([1, 0, 2, 3, 4])]);
    const all = frames.join("");
    for (const i of [0, 1, 2, 3, 4]) {
      assert(all.includes(`download ${i} ${"█".repeat(30)} 100%`), `bar ${i}`);
    }
    // The last frame moves up over the bars and clears them.
    const erase = "\x1b[5F\x1b[0J";
    assertEquals(frames.at(-1), erase);
  });
  // Pretend standard output is a terminal `columns` wide, and capture what
  // is written to it.
  async function onTerminal(
    fn: () => Promise<unknown>,
    columns = 80,
  ): Promise<string> {
    const { isTerminal, writeSync } = Deno.stdout;
    const { consoleSize } = Deno;
    const log = console.log;
    const decoder = new TextDecoder();
    let written = "";
    Deno.stdout.isTerminal = () => true;
    Deno.consoleSize = () => ({ columns, rows: 24 });
    Deno.stdout.writeSync = (p: Uint8Array) => {
      written += decoder.decode(p);
      return p.length;
    };
    console.log = () => {};
    try {
      await fn();
    } finally {
      Object.assign(Deno.stdout, { isTerminal, writeSync });
      Deno.consoleSize = consoleSize;
      console.log = log;
    }
    return written;
  }
  await t.step(
    "on a terminal, with console.log, bars go to stdout",
    async () => {
      const written = await onTerminal(() => downloads({ unit: UNIT }));
      assert(written.includes(`download 4 ${"█".repeat(30)} 100%`), written);
    },
  );
  await t.step(
    "on a 40-column terminal, no row of the bars wraps",
    async () => {
      const written = await onTerminal(() => downloads({ unit: UNIT }), 40);
      const rows = rowsOf(written);
      assert(rows.includes(`download 4 ${"█".repeat(23)} 100%`), written);
      for (const row of rows) assert(row.length < 40, JSON.stringify(row));
      // Whatever was drawn was erased: the screen ends as it began.
      assert(written.endsWith("\x1b[5F\x1b[0J"), JSON.stringify(written));
    },
  );
  await t.step("with a log of its own, nothing is drawn", async () => {
    const written = await onTerminal(() =>
      downloads({ unit: UNIT, log: () => {} })
    );
    assertEquals(written, "");
  });
});

Deno.test("Progress bars fit any width, and Ctrl-C erases them", async (t) => {
  // A fake terminal: frames written, a width, Ctrl-C on demand.
  function terminal(columns: number) {
    const frames: string[] = [];
    const exits: number[] = [];
    let interrupt: (() => void) | undefined;
    const bars = progressBars({
      draw: (text) => frames.push(text),
      log: () => {},
      columns: () => columns,
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => interrupt = undefined;
      },
      exit: (code) => exits.push(code),
    });
    return { bars, frames, exits, interrupt: () => interrupt?.() };
  }
  await t.step("every row is shorter than the terminal", () => {
    for (const columns of [80, 40, 20, 12, 5, 1]) {
      const { bars, frames } = terminal(columns);
      for (const id of [0, 1, 10]) bars.update(id, 10, 10);
      bars.done();
      const rows = rowsOf(frames.join(""));
      for (const row of rows) {
        assert(row.length < Math.max(columns, 2), `${columns}: ${row}`);
      }
    }
  });
  await t.step("Ctrl-C erases the bars, then exits with 130", () => {
    const { bars, frames, exits, interrupt } = terminal(80);
    bars.update(0, 10, 10);
    bars.update(1, 10, 10);
    interrupt();
    assertEquals(frames.at(-1), "\x1b[2F\x1b[0J");
    assertEquals(exits, [130]);
    bars.done();
  });
  await t.step(
    "no Ctrl-C listener before the first frame or after done()",
    () => {
      const { bars, exits, interrupt } = terminal(80);
      interrupt();
      bars.update(0, 1, 10);
      bars.done();
      interrupt();
      assertEquals(exits, []);
    },
  );
});
