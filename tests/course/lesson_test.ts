/**
 * A lesson's command line (course/lesson.ts): errors in one line, flags,
 * `--help`, permissions, `--events` and `--timeline=svg FILE`; in this
 * process through runCli(), then end to end in deno subprocesses.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { delay } from "@std/async/delay";
import { ROOT, runDeno } from "../../course/deno.ts";
import { type Permissions, readHeader } from "../../course/header.ts";
import {
  defineLesson,
  integerFlag,
  type LessonCommand,
  type LessonEvent,
  type LessonResult,
  readFlags,
  runCli,
} from "../../course/lesson.ts";
import { UI } from "../../course/i18n.ts";
import { Timeline } from "../../lib/timeline.ts";
import { testFolder } from "../_checkout.ts";

// A folder of its own (another suite may run in this checkout at once),
// gone when the tests of this file end.
const OUT = await testFolder("lessons");
addEventListener("unload", () => Deno.removeSync(OUT, { recursive: true }));

/** The header of a lesson 99_test.ts that needs `permissions`. */
function header(permissions: Permissions = {}) {
  const flags = Object.entries(permissions).map(([kind, list]) =>
    `--allow-${kind}=${list.join(",")}`
  );
  const run = ["deno run", ...flags, "lessons/99_test.ts"].join(" ");
  return readHeader(
    `/**
 * @title A lesson
 * @title:es Una lección
 * @section 99 — Pruebas
 * @guide docs/es/99.md
 * @exercises 99a
 * @difficulty beginner
 * @tags test
 * @run ${run}
 */`,
    "99_test.ts",
  );
}

/** A lesson of two overlapping tasks, one that fails: B ends, then A. */
const twoTasksLesson = defineLesson(
  { main: false } as ImportMeta,
  async ({ unit, print, timeline }) => {
    print("begun");
    // A ends two units after B has: two timers, of 3 units and 1, would
    // end in the other order on a machine that held the thread up between
    // setting them.
    const bEnded = Promise.withResolvers<void>();
    await Promise.all([
      timeline.track("A", async () => {
        await bEnded.promise;
        await delay(2 * unit);
      }),
      timeline.track("B", async () => {
        await delay(unit);
        bEnded.resolve();
        throw new Error("B fails");
      }).catch(() => print("B failed")),
    ]);
    print("done");
  },
);
const twoTasks: LessonCommand = {
  // Quiet, unless --events passes a log of its own.
  run: (options = {}) => twoTasksLesson.run({ log: () => {}, ...options }),
};

const quiet: LessonCommand = {
  run: () =>
    Promise.resolve({ lines: [], timeline: new Timeline(), unit: 1000 }),
};

/** A command line run in this process: what it wrote and its status. */
async function run(
  command: Partial<LessonCommand>,
  argv: string[],
  options: { permissions?: Permissions; cwd?: string } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(
    { ...quiet, ...command },
    argv,
    header(options.permissions),
    { out: (text) => out.push(text), err: (text) => err.push(text) },
    options.cwd ?? ROOT,
  );
  return { status, out, err };
}

Deno.test("runCli() ends any error of the lesson in one line and status 1", async () => {
  const fails = (error: unknown) => ({ run: () => Promise.reject(error) });
  assertEquals(
    await run(fails(new DOMException("timed out", "TimeoutError")), []),
    { status: 1, out: [], err: ["Lesson failed: TimeoutError: timed out"] },
  );
  assertEquals((await run(fails(new Error("first\nsecond")), [])).err, [
    "Lesson failed: Error: first",
  ]);
  assertEquals((await run(fails({ code: 7 }), [])).err, [
    "Lesson failed: an object { code }",
  ]);
  // Below the smallest unit, the line says so.
  const small = await run({ ...fails(new Error("boom")), minUnit: 20 }, [
    "--unit",
    "2.5",
  ]);
  assertEquals(small.err, [
    "Warning: --unit 2.5 is below 20, the smallest this lesson is written for: lines may differ from its Output.",
    "Lesson failed: Error: boom (--unit 2.5 is below 20, the smallest this lesson is written for)",
  ]);
  assertEquals((await run({ minUnit: 100 }, ["--unit", "100"])).err, []);
});

Deno.test("runCli() refuses bad flags with status 2, naming the value typed", async () => {
  assertEquals(await run({}, ["--unit", "-5"]), {
    status: 2,
    out: [],
    err: [
      'Flag --unit must be a number from 1 to 10000: current value is "-5"',
      "Run with --help to see the flags.",
    ],
  });
  assertEquals(
    (await run({}, ["--timeline", "no"])).err[0],
    'Unexpected argument "no"',
  );
  // --timeline's refusal names its svg form too.
  assertEquals(
    (await run({}, ["--timeline=foo"])).err[0],
    'Flag --timeline takes no value, or yes or no, or svg FILE: current value is "foo"',
  );
  for (
    const argv of [["--timeline=svg"], ["--timeline=svg", "--unit", "5"], [
      "--timeline=svg=x.svg",
    ]]
  ) {
    const { status, err } = await run({}, argv);
    assertEquals([status, err[0]], [
      2,
      "Flag --timeline=svg needs the name of the file to write after it: --timeline=svg FILE",
    ]);
  }
});

Deno.test("A lesson's flag says its range and default once: --help, the parser and the function all read them", async () => {
  const flags = { seed: integerFlag(0, 9, 4, "picks the draw") };
  const seen: number[] = [];
  const seeded: Partial<LessonCommand> = {
    flags,
    run: (options) => {
      seen.push(readFlags(options, flags).seed);
      return quiet.run({});
    },
  };
  await run(seeded, []);
  await run(seeded, ["--seed", "9"]);
  assertEquals(seen, [4, 9]);
  const help = (await run(seeded, ["--help"])).out.join("\n");
  assertMatch(help, /--seed <value> +picks the draw \(0 to 9, default 4\)\n/);
  const [status, err] = await run(seeded, ["--seed", "-1"]).then((
    r,
  ) => [r.status, r.err[0]]);
  assertEquals([status, err], [
    2,
    'Flag --seed must be a whole number from 0 to 9: current value is "-1"',
  ]);
  // Called as a function: the default when unset, else a value in range.
  assertEquals(readFlags({}, flags), { seed: 4 });
  assertEquals(readFlags({ seed: 0 }, flags), { seed: 0 });
  const part = { part: integerFlag(1, 2, undefined, "") };
  assertEquals(readFlags({}, part), { part: undefined });
  for (
    const [seed, kind] of [[10, RangeError], [1.5, RangeError], [
      "3",
      TypeError,
    ]] as const
  ) {
    assertThrows(
      () => readFlags({ seed }, flags),
      kind,
      `Cannot run lesson as 'seed' must be a whole number from 0 to 9: current value is ${
        typeof seed === "string" ? `"${seed}"` : seed
      }`,
    );
  }
});

Deno.test("runCli() prints the timeline only when asked, the last flag winning", async () => {
  assertEquals((await run({}, [])).out, []);
  assertEquals((await run({}, ["--timeline=no"])).out, []);
  assertEquals((await run({}, ["--timeline"])).out.length, 1);
  assertEquals((await run({}, ["--timeline", "--timeline=no"])).out, []);
  assertEquals((await run({}, ["--timeline=no", "--timeline"])).out.length, 1);
});

Deno.test("runCli() refuses --lang, which the lesson list and the exercises take, and names the Spanish guide", async () => {
  const { status, err } = await run({}, ["--lang", "es"]);
  assertEquals(status, 2);
  assertEquals(err, [
    "Unknown flag --lang",
    "Run with --help to see the flags.",
    "Las lecciones están en inglés; su guía en español: docs/es/99.md",
  ]);
});

Deno.test("runCli()'s chart ends with the key to its marks, as an exercise's does", async () => {
  const [chart] = (await run({}, ["--timeline"])).out;
  assertEquals(chart!.split("\n").at(-1), UI.marks[0]);
});

Deno.test("--help names the lesson, its permissions, its smallest unit and its command", async () => {
  const permissions = { read: ["lessons", "lib"], run: ["deno"] };
  const { status, out } = await run({ minUnit: 100 }, ["-h"], { permissions });
  assertEquals(status, 0);
  const help = out.join("\n");
  assertMatch(help, /^A lesson\n§99 of the notes: Pruebas · exercises 99a\n/);
  assertStringIncludes(
    help,
    "Usage: deno run --allow-read=lessons,lib --allow-run=deno lessons/99_test.ts [flags]",
  );
  assertStringIncludes(help, "  --allow-read=lessons,lib: workers load");
  assertStringIncludes(help, "  --allow-run=deno: the lesson starts deno");
  assertStringIncludes(
    help,
    "(1 to 10000, default 1000; below 100 the lines may differ from the Output)",
  );
  assertStringIncludes(
    help,
    "--timeline=svg FILE  write the chart as an SVG picture to FILE (needs --allow-write=FILE)",
  );
  assertStringIncludes(help, "\n  --events ");
  // From another directory, the paths are absolute.
  const elsewhere = await run({}, ["--help"], { permissions, cwd: "/tmp" });
  assertStringIncludes(
    elsewhere.out[0]!,
    `Usage: deno run --allow-read=${ROOT}/lessons,${ROOT}/lib --allow-run=deno ${ROOT}/lessons/99_test.ts [flags]`,
  );
  assertStringIncludes(
    (await run({}, ["--help"])).out[0]!,
    "Permissions:\n  none",
  );
});

Deno.test("A missing permission prints the command that grants it, from where the lesson runs", async () => {
  // This test process may read the checkout and reach 127.0.0.1 only.
  const here = await run({}, ["--unit", "50"], {
    permissions: { read: ["lessons"], net: ["example.org"] },
  });
  assertEquals(here, {
    status: 1,
    out: [],
    err: [
      "This lesson needs --allow-net=example.org. Run it with:",
      "  deno run --allow-read=lessons --allow-net=example.org lessons/99_test.ts --unit 50",
    ],
  });
  const elsewhere = await run(
    { flags: { name: { type: "string", help: "" } } },
    ["--name", "it's"],
    {
      permissions: { read: ["lessons"], run: ["no-such-program"] },
      cwd: "/tmp",
    },
  );
  assertEquals(
    elsewhere.err[1],
    `  deno run --allow-read=${ROOT}/lessons --allow-run=no-such-program ${ROOT}/lessons/99_test.ts --name 'it'\\''s'`,
  );
});

Deno.test("--events writes the lesson's lines and its tasks on one channel, in the order they happened", async () => {
  let result: LessonResult | undefined;
  const command: LessonCommand = {
    run: async (options) => result = await twoTasks.run(options),
  };
  const { status, out, err } = await run(command, [
    "--unit",
    "25",
    "--events",
    "--timeline",
  ]);
  assertEquals([status, err], [0, []]);
  const events = out.map((line) => JSON.parse(line) as LessonEvent);
  const said = events.map((e) =>
    e.event === "begin"
      ? `begin ${e.unit}`
      : "task" in e
      ? `${e.event} ${e.task}`
      : `${e.event} ${e.text}`
  );
  assertEquals(said.slice(0, 9), [
    "begin 25",
    "print begun",
    "start A",
    "start B",
    "end B",
    "print B failed",
    "end A",
    "print done",
    "print ",
  ]);
  // The chart, asked for with --timeline, comes last, on the same channel.
  assert(said.slice(9).every((s) => s.startsWith("print ")), said.join("\n"));
  assertEquals(result!.lines, ["begun", "B failed", "done"]);
  // The times are the timeline's own, to the microsecond.
  const spans = result!.timeline.spans();
  for (const event of events) {
    if (event.event !== "start" && event.event !== "end") continue;
    const span = spans.find((s) => s.name === event.task)!;
    const at = event.event === "start" ? span.start : span.end!;
    assertEquals(event.at, Math.round(at * 1000) / 1000);
    if (event.event === "end") assertEquals(event.outcome, span.outcome);
  }
  // What would go to standard error travels on the same channel too.
  const failing = await run({ run: () => Promise.reject(new Error("boom")) }, [
    "--events",
  ]);
  assertEquals(failing.out, [
    '{"event":"stderr","text":"Lesson failed: Error: boom"}',
  ]);
});

Deno.test("--events is off by default, and for the run it was given to only", async () => {
  const off = await run(twoTasks, ["--unit", "5", "--events=no"]);
  assertEquals([off.status, off.out, off.err], [0, [], []]);
  assertEquals(
    (await run(twoTasks, ["--unit", "5", "--events=yes"])).out.length,
    8,
  );
  // A lesson run afterwards, outside runCli, reports nothing.
  const lines: string[] = [];
  const { lines: printed } = await twoTasks.run({
    unit: 5,
    log: (line) => lines.push(line),
  });
  assertEquals(lines, printed);
  assertEquals(
    (await run(twoTasks, ["--events=maybe"])).err[0],
    'Flag --events takes no value, or yes or no: current value is "maybe"',
  );
});

Deno.test("--timeline=svg FILE writes the chart when the lesson ends, and nothing before", async () => {
  const file = `${OUT}/two_tasks.svg`;
  await Deno.remove(file).catch(() => {});
  let during: unknown;
  let result: LessonResult | undefined;
  const command: LessonCommand = {
    run: async (options) => {
      // What Ctrl-C or a crash in the middle of the lesson would leave.
      during = await Deno.stat(file).then(() => "a file", (e) => e);
      return result = await twoTasks.run({ ...options, log: () => {} });
    },
  };
  const { status, out, err } = await run(command, [
    "--unit",
    "25",
    "--timeline=svg",
    file,
  ]);
  assertEquals([status, err], [0, []]);
  assertEquals(out, [`\nTimeline written to ${file}`]);
  assert(during instanceof Deno.errors.NotFound, `while running: ${during}`);
  const svg = await Deno.readTextFile(file);
  assertStringIncludes(svg, "<title>A lesson</title>");
  const bars = [...svg.matchAll(/data-task="(\w+)" data-outcome="(\w+)"/g)]
    .map(([, task, outcome]) => `${task} ${outcome}`);
  assertEquals(bars, ["A fulfilled", "B rejected"]);
  // In the lesson's seconds: A's 3 (more on a loaded machine) at 25 ms each.
  const a = result!.timeline.span("A")!;
  assertStringIncludes(svg, `>${((a.end! - a.start) / 25).toFixed(2)}s</text>`);
});

Deno.test("--timeline=svg FILE that may not or cannot be written is said before the lesson runs", async () => {
  let ran = false;
  const command = { run: () => (ran = true, quiet.run({})) };
  const denied = "/tmp/not allowed.svg";
  assertEquals(await run(command, ["--timeline=svg", denied, "--unit", "5"]), {
    status: 1,
    out: [],
    err: [
      `This lesson needs --allow-write=${denied}. Run it with:`,
      `  deno run '--allow-write=${denied}' lessons/99_test.ts --timeline=svg '${denied}' --unit 5`,
    ],
  });
  const missing = `${OUT}/no-such-folder/x.svg`;
  const { status, err } = await run(command, ["--timeline=svg", missing]);
  assertEquals([status, err.length, ran], [1, 1, false]);
  assert(
    err[0]!.startsWith(`Cannot write the timeline to ${missing}: NotFound: `),
    err[0],
  );
  // A folder is there already, but no file can be written in its place.
  const folder = await run(command, ["--timeline=svg", OUT]);
  assertEquals([folder.status, folder.err.length, ran], [1, 1, false]);
});

Deno.test("--timeline=svg FILE: a lesson that fails leaves no new file, and an old one as it was", async () => {
  const failing = { run: () => Promise.reject(new Error("boom")) };
  const fresh = `${OUT}/failed_run.svg`;
  await Deno.remove(fresh).catch(() => {});
  assertEquals((await run(failing, ["--timeline=svg", fresh])).status, 1);
  const gone = await Deno.stat(fresh).then(() => false, (e) => e);
  assert(gone instanceof Deno.errors.NotFound, "no stray empty file");
  const old = `${OUT}/kept.svg`;
  const longer = "old content ".repeat(10_000);
  await Deno.writeTextFile(old, longer);
  assertEquals((await run(failing, ["--timeline=svg", old])).status, 1);
  assertEquals(await Deno.readTextFile(old), longer);
});

Deno.test("A lesson's command line, end to end", async (t) => {
  const deno = (args: string[], cwd = ROOT) =>
    runDeno(["run", "--no-prompt", ...args], { cwd, env: { NO_COLOR: "1" } });
  await t.step("--unit -5 names the value and exits 2", async () => {
    const { code, stderr } = await deno([
      "lessons/03_gather.ts",
      "--unit",
      "-5",
    ]);
    assertEquals([code, stderr], [
      2,
      'Flag --unit must be a number from 1 to 10000: current value is "-5"\nRun with --help to see the flags.\n',
    ]);
  });
  await t.step(
    "--help reads the header of the lesson's own file, with no permission",
    async () => {
      const { code, stdout } = await deno(
        [`${ROOT}/lessons/06_executor.ts`, "--help"],
        "/",
      );
      assertEquals(code, 0);
      assertMatch(
        stdout,
        /^Blocking code off the event loop: run_in_executor on Workers\n§6 of the notes: /,
      );
    },
  );
  await t.step(
    "run from another directory without permissions, it prints a command that works there",
    async () => {
      const { code, stderr } = await deno([
        `${ROOT}/lessons/06_executor.ts`,
        "--unit",
        "5",
      ], "/");
      assertEquals(code, 1);
      const suggested = stderr.split("\n")[1]!.trim().split(" ").slice(2);
      assertEquals(suggested, [
        `--allow-read=${ROOT}/lessons,${ROOT}/lib,${ROOT}/course`,
        `${ROOT}/lessons/06_executor.ts`,
        "--unit",
        "5",
      ]);
      const again = await deno(suggested, "/");
      assertEquals(again.code, 0, again.stderr);
      assertStringIncludes(again.stdout, "Finished blocking task\n");
    },
  );
  await t.step(
    "--timeline=svg without the permission to write fails before it runs",
    async () => {
      const { code, stdout, stderr } = await deno([
        "lessons/03_gather.ts",
        "--timeline=svg",
        "x.svg",
      ]);
      assertEquals([code, stdout], [1, ""]);
      assertEquals(
        stderr,
        "This lesson needs --allow-write=x.svg. Run it with:\n" +
          "  deno run --allow-write=x.svg lessons/03_gather.ts --timeline=svg x.svg\n",
      );
    },
  );
  await t.step(
    "a rejection nobody handles ends in one line and status 1",
    async () => {
      const { code, stdout, stderr } = await deno([
        "tests/fixtures/lessons/99_leaks.ts",
      ]);
      assertEquals([code, stdout, stderr], [
        1,
        "",
        "Lesson failed: RangeError: nobody caught me\n",
      ]);
    },
  );
  // That a lesson's own unhandledrejection listener still wins (lesson 7
  // exits 0 and prints what its listener saw) is its Output block, which
  // tests/lessons_output_test.ts checks in the same kind of process.
});
