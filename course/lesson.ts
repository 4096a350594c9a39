/**
 * What every lesson shares: what its function gets (`print`, `unit`, its
 * `timeline` and its own flags' values), what its command returns to its
 * test, and its command line. A lesson ends with `export const command =
 * defineLesson(import.meta, gather, { minUnit: 20 })`, which starts each run
 * of `gather` and, when the file is run, does the rest from its header
 * (course/header.ts): `--unit` (1 to 10000), `--timeline[=svg FILE]`,
 * `--events`, `--help` and the lesson's own flags; the permissions of its
 * `@run` line, with the exact command when one is missing; an error as one
 * line; exit status 0 when it ran, 1 when it failed, 2 for a bad flag.
 *
 * @module
 */
import { Timeline } from "../lib/timeline.ts";
import { endChildren, ROOT } from "./deno.ts";
import { describe, errorLine } from "./errors.ts";
import {
  type Flag,
  misfit,
  type NumberFlag,
  parseFlags,
  UsageError,
} from "./flags.ts";
import {
  commandLine,
  type LessonHeader,
  permissionFlags,
  type Permissions,
  readHeader,
  shellQuote,
} from "./header.ts";
import { text, UI } from "./i18n.ts";

/** What every lesson's command accepts. */
export interface LessonOptions {
  /** How many milliseconds one "second" of the notes lasts. @default {1000} */
  unit?: number;
  /** Where printed lines go. @default {console.log} */
  log?: (line: string) => void;
}

/** What every lesson's command returns, for its test: every line it printed, when each of its tasks ran, the unit it ran with. */
export interface LessonResult {
  lines: string[];
  timeline: Timeline;
  unit: number;
}

/** A lesson's own flag: how the parser reads it (a number needs a range), and its line for `--help`. */
export type LessonFlag =
  & (Exclude<Flag, NumberFlag> | NumberFlag & { min: number; max: number })
  & { help: string };

/** How a lesson runs, as a function and from the command line: its own flags beside the ones every lesson takes. */
export interface LessonCommand<
  O extends LessonOptions = LessonOptions,
  R = unknown,
> {
  run: (options: O) => Promise<LessonResult & R>;
  flags?: Record<string, LessonFlag>;
  /**
   * The smallest `--unit` at which it prints its Output block (timers a
   * millisecond apart fire together, and a loaded machine adds more).
   * Below it, `--help` and a run warn. Unset: any unit works.
   */
  minUnit?: number;
}

/** The smallest `--unit`, in milliseconds. */
export const MIN_UNIT = 1;
/** The largest `--unit`: ten seconds a second already makes a lesson last minutes. */
export const MAX_UNIT = 10_000;

/** A flag for a whole number from `min` to `max`, else `fallback`: --help says them, {@linkcode readFlags} checks them. */
export function integerFlag<D extends number | undefined>(
  min: number,
  max: number,
  fallback: D,
  help: string,
): LessonFlag & NumberFlag & { default: D } {
  return { type: "number", integer: true, min, max, default: fallback, help };
}

/** The options of a lesson whose own flags are `F`: a number for each. */
export type OptionsOf<F> = LessonOptions & { [K in keyof F]?: number };

/** The values of the flags `F`: a number flag's is a number (`undefined` if it has no default); a string or switch flag's is `unknown`. */
type Values<F> = {
  [K in keyof F]: F[K] extends { default: number } ? number
    : F[K] extends NumberFlag ? number | undefined
    : unknown;
};

/** What a lesson's function gets: `print` (a line, through `log`, kept in `lines`), `unit`, its `timeline`, and the value of each of its own flags `F`. */
export type Lesson<F = unknown> =
  & LessonResult
  & { print: (line: string) => void }
  & Values<F>;

/** Each of `flags` in `options`, else its `default`; a number its flag refuses throws a TypeError or RangeError that names it. */
export function readFlags<F extends Record<string, Flag>>(
  options: object,
  flags: F,
): Values<F> {
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(flags)) {
    const given = (options as Record<string, unknown>)[name];
    const value = values[name] = given ?? (flag as NumberFlag).default;
    const rule = value === undefined || flag.type !== "number"
      ? undefined
      : misfit(flag, value);
    if (!rule) continue;
    const kind = typeof value === "number" ? RangeError : TypeError;
    const is = `must be ${rule.en}: current value is ${describe(value)}`;
    throw new kind(`Cannot run lesson as '${name}' ${is}`);
  }
  return values as never;
}

/**
 * What `--events` writes on standard output, one JSON object a line, in the
 * order things happened (the site shows them so): `begin` (`unit`: a second
 * of the notes, in ms), `print` (a line printed), `start` and `end` (a task,
 * `at` ms after `begin`, and how it ended), `stderr` (a warning, a failure).
 */
export type LessonEvent =
  | { event: "begin"; unit: number }
  | { event: "print" | "stderr"; text: string }
  | { event: "start"; task: string; at: number }
  | { event: "end"; task: string; at: number; outcome: Ended };

type Ended = "fulfilled" | "rejected"; // how a task ended

/** Where events go while `runCli` runs with `--events`. */
let reporter: ((event: LessonEvent) => void) | undefined;

/** A timeline that reports each start and end (to the microsecond) to the `reporter` of its run. */
class ReportedTimeline extends Timeline {
  readonly #report = reporter!;

  override start(name: string): void {
    super.start(name);
    const at = micro(this.span(name)!.start);
    this.#report({ event: "start", task: name, at });
  }

  override end(name: string, outcome?: Ended): void {
    super.end(name, outcome);
    const span = this.span(name)!;
    const [at, how] = [micro(span.end!), span.outcome as "fulfilled"];
    this.#report({ event: "end", task: name, at, outcome: how });
  }
}

const micro = (ms: number) => Math.round(ms * 1000) / 1000;

/** The flags every lesson takes. */
const COMMON = {
  unit: {
    type: "number",
    min: MIN_UNIT,
    max: MAX_UNIT,
    default: 1000,
    help: "how many milliseconds a second of the notes lasts",
  },
  // `--timeline=svg FILE` is read apart, before the flags (runCli).
  timeline: { type: "switch", or: { en: "svg FILE", es: "svg FICHERO" } },
  events: { type: "switch" },
  help: { type: "switch" },
} as const;
const SHORT = { short: { h: "help" } };

/** Why each kind of permission is needed, as `--help` says it. */
const WHY: Record<keyof Permissions, string> = {
  read: "workers load their modules from these folders",
  net: "the lesson's own HTTP server on this machine",
  run: "the lesson starts deno subprocesses",
};

export function helpText(
  header: LessonHeader,
  command: LessonCommand<never>,
  cwd: string = ROOT,
): string {
  const below = command.minUnit === undefined
    ? ""
    : `; below ${command.minUnit} the lines may differ from the Output`;
  // A number's help says its range and default, as its flag declares them.
  const says = (flag: LessonFlag, more = "") => {
    if (flag.type !== "number") return flag.help;
    const { min, max, default: given } = flag;
    const fallback = given === undefined ? "" : `, default ${given}`;
    return `${flag.help} (${min} to ${max}${fallback}${more})`;
  };
  const rows: (readonly [string, string])[] = [
    ["--unit <ms>", says(COMMON.unit, below)],
    ["--timeline", "print a chart of when each task ran (--timeline=no: none)"],
    [
      "--timeline=svg FILE",
      "write the chart as an SVG picture to FILE (needs --allow-write=FILE)",
    ],
    [
      "--events",
      "write each printed line and each task's start and end on " +
      "standard output as JSON lines, in order (--events=no: none)",
    ],
    ...Object.entries(command.flags ?? {}).map(([name, flag]) => {
      const value = flag.type === "switch" ? "" : " <value>";
      return [`--${name}${value}`, says(flag)] as const;
    }),
    ["-h, --help", "show this help"],
  ];
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const needs = permissionFlags(header.permissions, cwd).map((flag) =>
    `  ${flag}: ${WHY[/\w+(?==)/.exec(flag)![0] as keyof Permissions]}`
  );
  const exercises = header.exercises.length
    ? ` · exercises ${header.exercises.join(", ")}`
    : "";
  return [
    header.title.en,
    `§${header.section} of the notes: ${header.sectionTitle}${exercises}`,
    "",
    `Usage: ${commandLine(header, [], cwd)} [flags]`,
    "",
    "Permissions:",
    ...(needs.length ? needs : ["  none"]),
    "",
    "Flags:",
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
    "",
    "Exit status: 0 when the lesson ran, 1 when it failed, 2 for a bad flag.",
  ].join("\n");
}

/**
 * Runs a lesson from the command line and resolves with the exit status:
 * 0 when it ran, 1 when it failed (one line on standard error, or the
 * command that grants a missing permission), 2 for a bad flag. It writes
 * through `io` (standard output and error), which tests capture.
 */
export async function runCli<O extends LessonOptions>(
  command: LessonCommand<O>,
  argv: readonly string[],
  header: LessonHeader,
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: console.log,
    err: console.error,
  },
  cwd: string = Deno.cwd(),
): Promise<number> {
  let flags: Record<string, unknown>;
  let svg: string | undefined;
  try {
    // `--timeline=svg FILE`: the file is the word after it.
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (!/^--timeline=svg/i.test(argv[i]!)) rest.push(argv[i]!);
      else if (argv[i]!.length === 14 && /^[^-]/.test(argv[i + 1] ?? "-")) {
        svg = argv[++i];
      } else throw new UsageError(text(...UI.svgFile));
    }
    flags = parseFlags(rest, { ...COMMON, ...command.flags }, SHORT);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.text.en);
    io.err(UI.seeHelp[0]);
    // The list and the exercises take --lang; a lesson's Spanish is its guide.
    if (argv.some((word) => /^--lang\b/.test(word))) {
      io.err(
        `Las lecciones están en inglés; su guía en español: ${header.guide}`,
      );
    }
    return 2;
  }
  const { _, help, timeline: chart, events, ...options } = flags;
  if (help) {
    io.out(helpText(header, command as LessonCommand<never>, cwd));
    return 0;
  }
  let { out, err } = io;
  const emit = (event: LessonEvent) => io.out(JSON.stringify(event));
  if (events) {
    const print = (text: string) => emit({ event: "print", text });
    options.log = print;
    out = (text) => text.split("\n").forEach(print);
    err = (text) => emit({ event: "stderr", text });
  }
  // The SVG's file is named as typed, relative to the current directory.
  const write = svg && `--allow-write=${svg}`;
  const missing = permissionFlags(lacking(header.permissions), cwd);
  if (write && !granted({ name: "write", path: svg })) missing.push(write);
  if (missing.length > 0) {
    const line = commandLine(header, argv, cwd);
    err(`This lesson needs ${missing.join(" ")}. Run it with:`);
    const granting = write ? `deno run ${shellQuote(write)} ` : "deno run ";
    err(`  ${line.replace(/^deno run /, granting)}`);
    return 1;
  }
  const writeSvg = (picture?: string) =>
    (picture === undefined ? probe(svg!) : Deno.writeTextFile(svg!, picture))
      .then(() => true, (error) => {
        err(`Cannot write the timeline to ${svg}: ${errorLine(error)}`);
        return false;
      });
  // A path that cannot be written is said before the lesson runs.
  if (svg && !await writeSvg()) return 1;
  const unit = (options.unit as number | undefined) ?? COMMON.unit.default;
  const small = command.minUnit !== undefined && unit < command.minUnit
    ? `--unit ${unit} is below ${command.minUnit}, the smallest this lesson is written for`
    : undefined;
  if (small) err(`Warning: ${small}: lines may differ from its Output.`);
  let result: LessonResult;
  reporter = events ? emit : undefined;
  try {
    result = await command.run(options as unknown as O);
  } catch (error) {
    err(`Lesson failed: ${errorLine(error)}${small ? ` (${small})` : ""}`);
    return 1;
  } finally {
    reporter = undefined;
  }
  const { timeline } = result;
  if (chart) out(`\n${timeline.render({ unit: result.unit })}\n${UI.marks[0]}`);
  if (svg) {
    const title = header.title.en;
    if (!await writeSvg(timeline.toSVG({ unit: result.unit, title }))) return 1;
    out(`\nTimeline written to ${svg}`);
  }
  return 0;
}

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/** The permissions of `needed` this process has not been granted. */
function lacking({ read = [], net = [], run = [] }: Permissions): Permissions {
  return {
    read: read.filter((path) =>
      !granted({ name: "read", path: `${ROOT}/${path}` })
    ),
    net: net.filter((host) => !granted({ name: "net", host })),
    run: run.filter((command) => !granted({ name: "run", command })),
  };
}

/**
 * Fails as writing `path` would, and leaves it as it was (a run that fails
 * or is interrupted leaves no file, and an existing one as it was).
 */
async function probe(path: string): Promise<void> {
  try {
    (await Deno.open(path, { write: true, createNew: true })).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    return (await Deno.open(path, { write: true })).close(); // a folder?
  }
  await Deno.remove(path);
}

/**
 * A lesson's command, with `flags` and `minUnit`: `run(options)` checks the
 * options, calls `lesson` with their values, a fresh timeline and a `print`
 * that logs and records, and resolves with the lines, timeline, unit and
 * what `lesson` returned. When `meta` is the main module, it runs the lesson
 * from the command line (reading its own file's header) and exits with
 * {@linkcode runCli}'s status; an error that escapes the lesson (a throw in
 * a timer, a rejection nobody handles) ends in one line and status 1.
 */
export function defineLesson<
  F extends Record<string, LessonFlag> = Record<never, never>,
  O extends LessonOptions = OptionsOf<F>,
  R = unknown,
>(
  meta: ImportMeta,
  lesson: (lesson: Lesson<NoInfer<F>>, options: O) => Promise<R>,
  more: { flags?: F; minUnit?: number } = {},
): LessonCommand<O, R> {
  const run = async (options = {} as O) => {
    const values = readFlags(options, { unit: COMMON.unit, ...more.flags });
    const log = options.log ?? console.log;
    const lines: string[] = [];
    const print = (line: string) => {
      lines.push(line);
      log(line);
    };
    const timeline = reporter ? new ReportedTimeline() : new Timeline();
    reporter?.({ event: "begin", unit: values.unit });
    const context = { ...values, lines, timeline, print } as Lesson<F>;
    return Object.assign(context, await lesson(context, options));
  };
  const command: LessonCommand<O, R> = { run, ...more };
  if (meta.main) cli(meta, command);
  return command;
}

async function cli<O extends LessonOptions, R>(
  meta: ImportMeta,
  command: LessonCommand<O, R>,
): Promise<void> {
  const fatal = (error: unknown) => {
    const text = `Lesson failed: ${errorLine(error)}`;
    if (reporter) reporter({ event: "stderr", text });
    else console.error(text);
    Deno.exit(1);
  };
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    fatal(event.error);
  });
  // Node's hook, which Deno supports, runs only for rejections that no
  // `unhandledrejection` listener prevented, so a lesson may still catch
  // its own (lesson 7 does). Loaded here only: Node's compatibility layer
  // adds tens of milliseconds to the start of every worker and subprocess
  // that imports a lesson.
  const { default: process } = await import("node:process");
  process.on("unhandledRejection", fatal);
  // Stop, on the site, sends SIGTERM to the lesson alone: before it goes,
  // the lesson ends the deno processes it started (lesson 9's).
  if (Deno.build.os !== "windows") {
    Deno.addSignalListener("SIGTERM", () => {
      endChildren();
      Deno.exit(143);
    });
  }
  // A module may import itself as text with no --allow-read.
  const source = await import(meta.url, { with: { type: "text" } });
  const file = decodeURIComponent(meta.url.replace(/^.*\//, ""));
  const header = readHeader(source.default, file);
  const status = await runCli(command, Deno.args, header).catch(fatal);
  if (status !== 0) Deno.exit(status);
}
