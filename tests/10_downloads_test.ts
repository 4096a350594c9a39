import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertInstanceOf,
  assertLess,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { command } from "../lessons/10_downloads.ts";
import { drawDurations } from "../lessons/_downloads.ts";
import { listLessons } from "../course/header.ts";
import { runCli } from "../course/lesson.ts";
import { progressBars } from "../lessons/_progress.ts";
import { startTestServer } from "./lib/_fetch_server.ts";
import type { Timeline } from "../lib/timeline.ts";
import { steadily, ticking } from "./_ticks.ts";

const HEADER = (await listLessons()).find((l) => l.id === "10_downloads")!;

const UNIT = 200;

// A process's first HTTP exchange is slow: the code of the server and of the
// client is still cold, and on a loaded machine that can take longer than
// the shortest download. Warm both up once, so that the tests measure the
// lesson and not the start-up of the runtime.
{
  await using server = startTestServer();
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

// Part 2's report line for one download.
const REPORT =
  /^Finished download (\d) \(consumer (\d+), from (\d+\.\d) s to (\d+\.\d) s\)$/;

Deno.test("Lesson 10's --seed picks the durations and so the order", async (t) => {
  await t.step("the same seed draws the same durations", () => {
    assertEquals(drawDurations(7), drawDurations(7));
    assertEquals(drawDurations(1871), [1.8, 1.1, 2.2, 2.6, 2.9]);
    for (const s of drawDurations(99)) assert(s >= 1 && s <= 3, String(s));
  });
  await t.step("a seed is an integer from 0 to 2^32 - 1", async () => {
    for (const seed of [-1, 1.5, 2 ** 32]) {
      await assertRejects(
        () => command.run({ unit: UNIT, seed, log: () => {} }),
        RangeError,
        `'seed' must be a whole number from 0 to 4294967295: current value is ${seed}`,
      );
    }
  });
});

Deno.test("Lesson 10 downloads all five files at once from the server, finishing in the order of their durations", async () => {
  // Seed 37 draws durations at least 0.3 apart, in another order than 1871's.
  assertEquals(drawDurations(37), [2, 3, 1.1, 2.5, 1.4]);
  await using server = startTestServer();
  // Held up for 0.5 units (load 27), download 0 came before 3. The durations
  // are 0.3 units apart at least: a run held up for 0.15 is run again. Held
  // up in all three (two suites at once, load 40: 0 came before 4), the
  // order of the ends says nothing of the lesson: then the lines only are.
  const { lines, timeline, held } = await steadily(
    0.15 * UNIT,
    () => command.run({ unit: UNIT, seed: 37, part: 1, log: () => {}, server }),
    () => server.resetStats(),
  );
  const printed = [...STARTS, ...finishes([2, 4, 0, 3, 1])];
  if (held) assertEquals(lines.toSorted(), printed.toSorted());
  else assertEquals(lines, printed);
  assertEquals(server.hits(), 5);
  assertEquals(server.peak, 5);
  assertEquals(timeline.maxConcurrency(), 5);
  // Each download ends no sooner than its drawn duration after the first
  // one started (less a tenth of a unit: the first start is noted just
  // after its request went out, which a loaded machine can delay by more
  // than 2 ms, seen). Not the sum of them (10 units): all five were in
  // flight at once, and ended in the order of their durations (above).
  const first = Math.min(...timeline.spans().map((s) => s.start));
  for (const [i, s] of drawDurations(37).entries()) {
    const span = timeline.span(`download ${i}`)!;
    assertGreaterOrEqual(span.end! - first, (s - 0.1) * UNIT);
  }
});

// Part 2's spans (`consumer W: download F`), in the order they started.
function queueSpans(timeline: Timeline) {
  return timeline.spans().flatMap((span) => {
    const match = /^consumer (\d+): download (\d)$/.exec(span.name);
    return match ? [{ ...span, consumer: +match[1]!, file: +match[2]! }] : [];
  });
}

Deno.test("Lesson 10's queue part runs at most --consumers downloads at once, back to back", async (t) => {
  // One consumer is the slowest (the sum, 10.6 units): a small unit keeps the
  // test short. Nothing here depends on close deadlines keeping their order.
  for (const [consumers, unit] of [[1, 50], [2, 50], [3, 50]] as const) {
    await t.step(`${consumers} consumer(s)`, async () => {
      await using server = startTestServer();
      // A timer of the test's own (tests/_ticks.ts) tells when the event
      // loop took a turn.
      const { lines, timeline, ticksBetween } = await ticking(
        1,
        () => command.run({ unit, consumers, part: 2, log: () => {}, server }),
      );
      assertEquals(
        lines[0],
        `The same five through a queue, ${consumers} at a time:`,
      );
      const spans = queueSpans(timeline);
      // Every file once, taken in the queue's order, by every consumer.
      assertEquals(spans.map((s) => s.file), [0, 1, 2, 3, 4]);
      assertEquals(new Set(spans.map((s) => s.consumer)).size, consumers);
      // Never more than N downloads at once, on the timeline and on the
      // server, and N at once at the start.
      assertEquals(timeline.maxConcurrency(), consumers);
      assertEquals(server.peak, consumers);
      assertEquals(server.hits(), 5);
      // A consumer starts its next file right after finishing one: no
      // waiting for the other consumers (their downloads end at least 0.7
      // units apart), only a few microtasks, in the same turn of the event
      // loop: the test's timer never ticked in between. (Another consumer's
      // download may end within those microtasks, when both bodies end in
      // one turn; a busy machine can stretch the microtasks, once to 9 ms.)
      for (let w = 1; w <= consumers; w++) {
        const own = spans.filter((s) => s.consumer === w);
        for (const [k, next] of own.entries()) {
          if (k === 0) continue;
          const free = own[k - 1]!.end!;
          const what = `consumer ${w} between download ${
            own[k - 1]!.file
          } and download ${next.file}`;
          assertGreaterOrEqual(next.start, free, what);
          assertEquals(ticksBetween(free, next.start), [], what);
        }
      }
    });
  }
});

Deno.test("Lesson 10's queue part reports each download as it ends, and ends once all five are done", async () => {
  // When each line was printed (performance.now()).
  const printed: number[] = [];
  // Download 0 ends 0.7 units after download 1. (At 100 ms a unit, a busy
  // machine once held line 1 back past it, when this test asked for each
  // line before the next end; the order of the ends still wants them apart.)
  // Held up (two suites at once, load 50), download 0 ended first: a run
  // held up for half that gap is run again. Held up in all three, the order
  // of the ends and the times printed say nothing of the lesson.
  const unit = 200;
  const { lines, timeline, ticksBetween, onTimeline, held } = await steadily(
    0.35 * unit,
    () =>
      command.run({
        unit,
        part: 2,
        log: () => printed.push(performance.now()),
      }),
    () => printed.length = 0,
  );
  const spans = queueSpans(timeline);
  const ended = [...spans].sort((a, b) => a.end! - b.end!);
  // One line per download, in completion order (not the files' order), each
  // naming the consumer that ran it.
  const reports = lines.slice(1).map((line) => REPORT.exec(line));
  assertEquals(
    reports.map((r) => [Number(r?.[1]), Number(r?.[2])]),
    ended.map((s) => [s.file, s.consumer]),
  );
  if (!held) assertEquals(ended.map((s) => s.file), [1, 0, 2, 3, 4]);
  // Each line came as its download ended, in the same turn of the event
  // loop (a timer of the test's own never ticked in between), so before
  // the next one ended; the times it prints are the download's, in units:
  // each rounded to a tenth, and "to" read on the way to the line.
  for (const [k, span] of ended.entries()) {
    const at = onTimeline(printed[k + 1]!);
    assertGreaterOrEqual(
      at,
      span.end!,
      `line ${k + 1} before its download ended`,
    );
    assertEquals(
      ticksBetween(span.end!, at),
      [],
      `line ${k + 1} waited for a later turn`,
    );
    const [from, to] = [Number(reports[k]![3]), Number(reports[k]![4])];
    if (held) continue;
    assertLess(
      Math.abs(to - from - (span.end! - span.start) / unit),
      0.15 + (at - span.end!) / unit,
    );
  }
});

Deno.test("Lesson 10's queue part: a failed download drops the files left, and its error ends the lesson", async () => {
  await using server = startTestServer();
  // The first file a consumer takes (file 0) has a URL fetch refuses at once.
  let first = true;
  const failing = Object.create(server, {
    at: {
      value: (path: string) =>
        first ? (first = false, "no url") : server.at(path),
    },
  });
  const lines: string[] = [];
  const error = await command.run({
    unit: 50,
    part: 2,
    log: (line) => lines.push(line),
    server: failing,
  }).catch((e) => e);
  assertInstanceOf(error, TypeError);
  // Consumer 2 had file 1 under way: it finished it. Files 2 to 4 were
  // dropped, and nothing waited for them.
  assertEquals(lines.slice(1).map((line) => REPORT.exec(line)?.[1]), ["1"]);
  assertEquals(server.hits(), 1);
});

Deno.test("Lesson 10's --consumers and --part name the value when they refuse it", async (t) => {
  await t.step(
    "consumers: an integer from 1 to 5, one per file at most",
    async () => {
      for (const consumers of [0, -1, 1.5, Infinity, 6, 1e6]) {
        await assertRejects(
          () => command.run({ unit: UNIT, consumers, log: () => {} }),
          RangeError,
          `'consumers' must be a whole number from 1 to 5: current value is ${consumers}`,
        );
      }
      await assertRejects(
        () =>
          command.run({ unit: UNIT, consumers: "2" as never, log: () => {} }),
        TypeError,
        `'consumers' must be a whole number from 1 to 5: current value is "2"`,
      );
    },
  );
  await t.step("part: 1 or 2", async () => {
    for (const part of [0, 3, 1.5]) {
      await assertRejects(
        () => command.run({ unit: UNIT, part, log: () => {} }),
        RangeError,
        `'part' must be a whole number from 1 to 2: current value is ${part}`,
      );
    }
  });
  await t.step("at the command line: status 2 and the flag", async () => {
    const cli = async (argv: string[]) => {
      const err: string[] = [];
      const status = await runCli(command, argv, HEADER, {
        out: () => {},
        err: (line) => err.push(line),
      });
      return [status, err[0]];
    };
    // The parser refuses them as typed, by the range the flag declares.
    const rule = "Flag --consumers must be a whole number from 1 to 5";
    for (const typed of ["0", "-2", "1e6", "two", "1.5"]) {
      assertEquals(await cli(["--consumers", typed]), [
        2,
        `${rule}: current value is "${typed}"`,
      ]);
    }
    // The queue's consumers are no Workers: the flag has no other name.
    assertEquals(await cli(["--workers", "2"]), [2, "Unknown flag --workers"]);
    assertEquals(await cli(["--part", "3"]), [
      2,
      'Flag --part must be a whole number from 1 to 2: current value is "3"',
    ]);
  });
});

Deno.test("Lesson 10 draws progress bars only where asked, and erases them", async (t) => {
  await t.step(
    "with a progress sink, every bar reaches 100%, in each part",
    async () => {
      // What was printed and drawn, in order.
      const events: { line?: string; frame?: string }[] = [];
      const { lines } = await command.run({
        unit: 100,
        log: (line) => events.push({ line }),
        progress: (frame) => events.push({ frame }),
      });
      // The printed lines stay the lesson's lines (their order is the
      // Output block's, which tests/lessons_output_test.ts checks).
      assertEquals(
        lines.slice(0, 10).toSorted(),
        [...STARTS, ...finishes([0, 1, 2, 3, 4])].toSorted(),
      );
      assertEquals(lines.length, 16);
      const split = events.findIndex((e) =>
        e.line?.startsWith("The same five")
      );
      const drawn = (part: typeof events) =>
        part.flatMap((e) => e.frame === undefined ? [] : [e.frame]);
      const erase = "\x1b[5F\x1b[0J";
      for (const part of [events.slice(0, split), events.slice(split)]) {
        const frames = drawn(part);
        const all = frames.join("");
        for (const i of [0, 1, 2, 3, 4]) {
          assert(
            all.includes(`download ${i} ${"█".repeat(30)} 100%`),
            `bar ${i}`,
          );
        }
        // Each part ends by moving up over its five bars and clearing them.
        assertEquals(frames.at(-1), erase);
      }
      // Part 2 starts with fresh bars: its first frame has one row per
      // download under way, not part 1's five finished bars.
      const first = drawn(events.slice(split)).find((f) => f.includes("%"))!;
      assertLess(first.split("\n").length - 1, 5, JSON.stringify(first));
    },
  );
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
      const written = await onTerminal(() =>
        command.run({ unit: 100, part: 1 })
      );
      assert(written.includes(`download 4 ${"█".repeat(30)} 100%`), written);
    },
  );
  await t.step(
    "on a 40-column terminal, no row of the bars wraps",
    async () => {
      const written = await onTerminal(
        () => command.run({ unit: 100, part: 1 }),
        40,
      );
      const rows = rowsOf(written);
      assert(rows.includes(`download 4 ${"█".repeat(23)} 100%`), written);
      for (const row of rows) assert(row.length < 40, JSON.stringify(row));
      // Whatever was drawn was erased: the screen ends as it began.
      assert(written.endsWith("\x1b[5F\x1b[0J"), JSON.stringify(written));
    },
  );
  await t.step("with a log of its own, nothing is drawn", async () => {
    const written = await onTerminal(() =>
      command.run({ unit: 100, log: () => {}, part: 2, consumers: 5 })
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
    const bars = progressBars(() => {}, {
      progress: (text) => frames.push(text),
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
  await t.step("a width of 0 or one that is no width draws at 80", () => {
    const draw = (columns: number) => {
      const { bars, frames } = terminal(columns);
      bars.update(3, 5, 10);
      bars.done();
      return frames;
    };
    const wide = draw(80);
    assertStringIncludes(
      wide.join(""),
      "download 3 ███████████████░░░░░░░░░░░░░░░  50%\n",
    );
    for (const columns of [0, -1, NaN, Infinity, 0.5]) {
      assertEquals(draw(columns), wide, `${columns} columns`);
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
