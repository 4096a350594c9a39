/**
 * The two output flags every lesson takes beside --timeline: `--timeline=svg
 * FILE` (the chart as an SVG file) and `--events` (each task's start and end
 * as JSON lines on standard error, as they happen).
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { delay } from "@std/async/delay";
import { place, ROOT } from "../lessons/_cli.ts";
import {
  begin,
  denoExecutable,
  type LessonCommand,
  type LessonEvent,
  type LessonResult,
  runCli,
} from "../lessons/_lesson.ts";

const OUT = `${ROOT}/.tools/test-output/lessons`;

/**
 * A lesson of two overlapping tasks, one that fails: B ends, then A. Its
 * lines are kept, not printed.
 */
const twoTasks: LessonCommand = {
  summary: "Two tasks.",
  run: async (options = {}): Promise<LessonResult> => {
    const lesson = begin({ ...options, log: () => {} });
    const { unit, print, timeline } = lesson;
    await Promise.all([
      timeline.track("A", () => delay(2 * unit)),
      timeline.track("B", async () => {
        await delay(unit);
        throw new Error("B fails");
      }).catch(() => print("B failed")),
    ]);
    print("done");
    return lesson;
  },
};

async function cli(command: LessonCommand, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(
    command,
    argv,
    place(`${ROOT}/lessons/99_test.ts`, ROOT),
    { out: (text) => out.push(text), err: (text) => err.push(text) },
  );
  return { status, out, err };
}

Deno.test("--events reports the timeline's every start and end, as JSON lines on standard error", async () => {
  let result: LessonResult | undefined;
  const command: LessonCommand = {
    ...twoTasks,
    run: async (options) => result = await twoTasks.run(options),
  };
  const { status, out, err } = await cli(command, ["--unit", "10", "--events"]);
  assertEquals([status, out], [0, []]);
  assertEquals(result!.lines, ["B failed", "done"]);
  const events = err.map((line) => JSON.parse(line) as LessonEvent);
  for (const line of err) assert(line.startsWith('{"event":'), line);
  assertEquals(events.map((e) => [e.event, "task" in e ? e.task : e.unit]), [
    ["begin", 10],
    ["start", "A"],
    ["start", "B"],
    ["end", "B"],
    ["end", "A"],
  ]);
  // The times are the timeline's own, to the microsecond.
  const spans = result!.timeline.spans();
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  for (const event of events) {
    if (event.event === "begin") continue;
    const span = spans.find((s) => s.name === event.task)!;
    assertEquals(
      event.at,
      round(event.event === "start" ? span.start : span.end!),
    );
    if (event.event === "end") assertEquals(event.outcome, span.outcome);
  }
  assertEquals(
    events.flatMap((e) => e.event === "end" ? [e.outcome] : []),
    ["rejected", "fulfilled"],
  );
});

Deno.test("--events is off by default, and only for the run it was given to", async () => {
  const off = await cli(twoTasks, ["--unit", "5"]);
  assertEquals([off.status, off.err], [0, []]);
  await cli(twoTasks, ["--unit", "5", "--events"]);
  // A lesson run afterwards, outside runCli, reports nothing.
  const lines: string[] = [];
  const spy = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    await twoTasks.run({ unit: 5, log: () => {} });
  } finally {
    console.error = spy;
  }
  assertEquals(lines, []);
});

Deno.test("--events takes yes or no like --timeline, and refuses any other value", async () => {
  for (const yes of ["yes", "true", "on", "1", "YES", ""]) {
    const { status, err } = await cli(twoTasks, [
      "--unit",
      "5",
      `--events=${yes}`,
    ]);
    assertEquals(status, 0, yes);
    assertEquals(err.length, 5, `--events=${yes} reports the five events`);
  }
  for (const no of ["no", "false", "off", "0", "No"]) {
    assertEquals(await cli(twoTasks, ["--unit", "5", `--events=${no}`]), {
      status: 0,
      out: [],
      err: [],
    });
  }
  assertEquals(await cli(twoTasks, ["--events=maybe"]), {
    status: 2,
    out: [],
    err: [
      'Flag --events takes no value, or yes or no: current value is "maybe"',
      "Run with --help to see the flags.",
    ],
  });
});

Deno.test("--events from a lesson subprocess arrive while it runs, in order", async () => {
  // Lesson 3 at 60 ms a second lasts about half a second; its first event,
  // main's start, comes at once.
  const child = new Deno.Command(denoExecutable(), {
    args: ["run", "lessons/03_gather.ts", "--unit", "60", "--events"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stdout = new Response(child.stdout).text();
  const events: LessonEvent[] = [];
  const arrived: number[] = [];
  let rest = "";
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      events.push(JSON.parse(line) as LessonEvent);
      arrived.push(performance.now());
    }
  }
  assertEquals((await child.status).code, 0);
  await stdout;
  // main's start came at once, D's end some 7 units (420 ms) later: had the
  // events been held back to the end, they would have come together.
  const waited = arrived.at(-1)! - arrived[1]!;
  assert(waited > 250, `the events came ${waited} ms apart`);
  const ends = events.flatMap((e) => e.event === "end" ? [e.task] : []);
  assertEquals(ends, ["main", "B", "A", "C", "D"]);
  const starts = events.flatMap((e) => e.event === "start" ? [e.task] : []);
  assertEquals(starts, ["main", "A", "B", "C", "D"]);
  const at = events.flatMap((e) => "at" in e ? [e.at] : []);
  assertEquals(at, at.toSorted((a, b) => a - b), "times never go back");
});

Deno.test("--timeline=svg FILE writes the chart as SVG and says where", async () => {
  await Deno.mkdir(OUT, { recursive: true });
  const file = `${OUT}/two_tasks.svg`;
  await Deno.remove(file).catch(() => {});
  const { status, out, err } = await cli(twoTasks, [
    "--unit",
    "10",
    "--timeline=svg",
    file,
  ]);
  assertEquals([status, err], [0, []]);
  assertEquals(out, ["", `Timeline written to ${file}`]);
  const svg = await Deno.readTextFile(file);
  assert(svg.startsWith("<svg "));
  assertStringIncludes(svg, "<title>Two tasks.</title>");
  const bars = [...svg.matchAll(/data-task="(\w+)" data-outcome="(\w+)"/g)]
    .map(([, task, outcome]) => `${task} ${outcome}`);
  assertEquals(bars, ["A fulfilled", "B rejected"]);
  // The axis is in the lesson's seconds: 2 of them at 10 ms each.
  assertStringIncludes(svg, ">2s</text>");
});

Deno.test("--timeline=svg FILE without the permission to write FILE names it, with the command", async () => {
  let ran = false;
  const command = { ...twoTasks, run: () => (ran = true, twoTasks.run({})) };
  const file = "/tmp/not allowed.svg";
  const { status, out, err } = await cli(command, [
    "--timeline=svg",
    file,
    "--unit",
    "5",
  ]);
  assertEquals([status, out, ran], [1, [], false]);
  assertEquals(err, [
    `This lesson needs --allow-write=${file}. Run it with:`,
    `  deno run '--allow-write=${file}' lessons/99_test.ts --timeline=svg '${file}' --unit 5`,
  ]);
});

Deno.test("--timeline=svg FILE that cannot be written is said before the lesson runs", async () => {
  await Deno.mkdir(OUT, { recursive: true });
  let ran = false;
  const command = { ...twoTasks, run: () => (ran = true, twoTasks.run({})) };
  const file = `${OUT}/no-such-folder/x.svg`;
  const { status, out, err } = await cli(command, [
    "--unit",
    "5",
    "--timeline=svg",
    file,
  ]);
  assertEquals([status, out, ran], [1, [], false]);
  assertEquals(err.length, 1, err.join("\n"));
  assert(
    err[0]!.startsWith(`Cannot write the timeline to ${file}: NotFound: `),
    err[0],
  );
});

Deno.test("--timeline=svg FILE: a lesson that fails leaves no new file, and an old one as it was", async () => {
  await Deno.mkdir(OUT, { recursive: true });
  const failing = { ...twoTasks, run: () => Promise.reject(new Error("boom")) };
  const fresh = `${OUT}/failed_run.svg`;
  await Deno.remove(fresh).catch(() => {});
  const first = await cli(failing, ["--timeline=svg", fresh]);
  assertEquals([first.status, first.err], [1, ["Lesson failed: Error: boom"]]);
  const missing = await Deno.stat(fresh).then(() => false, (e) => e);
  assert(missing instanceof Deno.errors.NotFound, "no stray empty file");

  const old = `${OUT}/kept.svg`;
  const longer = "old content ".repeat(10_000);
  await Deno.writeTextFile(old, longer);
  assertEquals((await cli(failing, ["--timeline=svg", old])).status, 1);
  assertEquals(await Deno.readTextFile(old), longer);
  // A run that works replaces all of it, however long it was.
  const ok = await cli(twoTasks, ["--unit", "5", "--timeline=svg", old]);
  assertEquals(ok.status, 0);
  const svg = await Deno.readTextFile(old);
  assert(svg.startsWith("<svg ") && svg.trimEnd().endsWith("</svg>"), svg);
  assert(!svg.includes("old content"));
});

Deno.test("--timeline=svg FILE: nothing is at FILE while the lesson runs, so an interrupted or crashed run leaves no file", async () => {
  await Deno.mkdir(OUT, { recursive: true });
  const fresh = `${OUT}/while_running.svg`;
  await Deno.remove(fresh).catch(() => {});
  let during: unknown;
  const command: LessonCommand = {
    ...twoTasks,
    run: async (options) => {
      // What Ctrl-C or a crash in the middle of the lesson would leave.
      during = await Deno.stat(fresh).then(() => "a file", (e) => e);
      return await twoTasks.run(options);
    },
  };
  const { status } = await cli(command, [
    "--unit",
    "5",
    "--timeline=svg",
    fresh,
  ]);
  assertEquals(status, 0);
  assert(during instanceof Deno.errors.NotFound, `while running: ${during}`);
  assert((await Deno.readTextFile(fresh)).startsWith("<svg "));
  await Deno.remove(fresh);
});

Deno.test("--timeline=svg needs a file name after it", async () => {
  for (const argv of [["--timeline=svg"], ["--timeline=svg", "--unit", "5"]]) {
    const { status, err } = await cli(twoTasks, argv);
    assertEquals(status, 2, argv.join(" "));
    assertEquals(err, [
      "Flag --timeline=svg needs the name of the file to write after it",
      "Run with --help to see the flags.",
    ]);
  }
});

Deno.test("--help lists --timeline=svg FILE with its permission, and --events", async () => {
  const { status, out } = await cli(twoTasks, ["--help"]);
  assertEquals(status, 0);
  const help = out.join("\n");
  assertStringIncludes(
    help,
    "--timeline=svg FILE  write the chart as an SVG picture to FILE (needs --allow-write=FILE)",
  );
  assertStringIncludes(help, "--events ");
});

Deno.test("A lesson run with --timeline=svg and no write permission fails in one line of reason, before it runs", async () => {
  const { code, stdout, stderr } = await new Deno.Command(denoExecutable(), {
    args: ["run", "lessons/03_gather.ts", "--timeline=svg", "x.svg"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assertEquals(code, 1);
  assertEquals(new TextDecoder().decode(stdout), "");
  assertEquals(
    new TextDecoder().decode(stderr),
    "This lesson needs --allow-write=x.svg. Run it with:\n" +
      "  deno run --allow-write=x.svg lessons/03_gather.ts --timeline=svg x.svg\n",
  );
});
