/**
 * Plumbing that every lesson shares: the options a lesson takes, what it
 * returns to its test, and the command line (`--unit`, `--timeline`, `--help`,
 * the lesson's own flags, its permissions, and errors as one line each).
 * Learners can skip this file; the lessons are the interesting part.
 *
 * @module
 */
import { describe } from "../lib/_util.ts";
import { Timeline } from "../lib/timeline.ts";
import {
  commandLine,
  helpText,
  type LessonFlag,
  type LessonPermissions,
  MAX_UNIT,
  MIN_UNIT,
  missingPermissions,
  parseFlags,
  type Place,
  place,
  ROOT,
  UsageError,
  yesOrNo,
} from "./_cli.ts";

export type { LessonFlag, LessonPermissions } from "./_cli.ts";

/** What every lesson's exported function accepts. */
export interface LessonOptions {
  /** How many milliseconds one "second" of the notes lasts. @default {1000} */
  unit?: number;
  /** Where printed lines go. @default {console.log} */
  log?: (line: string) => void;
}

/** What every lesson's exported function returns, for its test. */
export interface LessonResult {
  /** Every line the lesson printed, in order. */
  lines: string[];
  /** When each of the lesson's tasks ran. */
  timeline: Timeline;
  /** The unit the lesson ran with, in milliseconds. */
  unit: number;
}

/** The per-run state a lesson works with. */
export interface LessonContext extends LessonResult {
  /** Prints a line (through `log`) and records it in `lines`. */
  print: (line: string) => void;
}

/** How a lesson runs from the command line; each lesson exports one. */
export interface LessonCommand<O extends LessonOptions = LessonOptions> {
  /** One line for `--help`. */
  summary: string;
  /** The lesson's exported function. */
  run: (options: O) => Promise<LessonResult>;
  /** The lesson's own flags, beside `--unit`, `--timeline` and `--help`. */
  flags?: Record<string, LessonFlag>;
  /** What `deno run` must allow; the `@run` line of the header matches it. */
  permissions?: LessonPermissions;
  /**
   * The smallest `--unit` at which the lesson prints the lines of its
   * header's Output block (timers of a millisecond or two fire together,
   * and a loaded machine adds more). Below it, `--help` and a run warn.
   * Unset: any unit works.
   */
  minUnit?: number;
}

// Errors that come from a bad option, with the message for its flag.
const optionErrors = new WeakMap<object, string>();

/**
 * An error for a bad option of a lesson's function: a TypeError or a
 * RangeError naming the option and the value, which the command line shows
 * as a message about the flag.
 */
export function optionError(
  kind: typeof TypeError | typeof RangeError,
  option: string,
  rule: string,
  value: unknown,
): Error {
  const rest = `must be ${rule}: current value is ${describe(value)}`;
  const error = new kind(`Cannot run lesson as '${option}' ${rest}`);
  optionErrors.set(error, `Flag --${option} ${rest}`);
  return error;
}

/**
 * Checks a `unit`: a number of milliseconds from {@linkcode MIN_UNIT} (1) to
 * {@linkcode MAX_UNIT} (10000).
 */
export function checkUnit(unit: unknown): number {
  const rule = `a number of milliseconds from ${MIN_UNIT} to ${MAX_UNIT}`;
  if (typeof unit !== "number") {
    throw optionError(TypeError, "unit", rule, unit);
  }
  if (!(unit >= MIN_UNIT && unit <= MAX_UNIT)) {
    throw optionError(RangeError, "unit", rule, unit);
  }
  return unit;
}

/**
 * Reads an integer option: `fallback` when it is `undefined`, else it must be
 * an integer from `min` to `max`.
 */
export function integerOption(
  value: unknown,
  option: string,
  fallback: number,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const rule = max !== Number.MAX_SAFE_INTEGER
    ? `an integer from ${min} to ${max}`
    : min === 1
    ? "a positive integer"
    : `an integer of at least ${min}`;
  if (typeof value !== "number") {
    throw optionError(TypeError, option, rule, value);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw optionError(RangeError, option, rule, value);
  }
  return value;
}

/**
 * Starts a lesson run: checks `unit` and returns a fresh timeline and a
 * `print` that both logs and records.
 */
export function begin(options: LessonOptions = {}): LessonContext {
  const unit = checkUnit(options.unit ?? 1000);
  const log = options.log ?? console.log;
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    log(line);
  };
  const timeline = reporter === undefined
    ? new Timeline()
    : new ReportedTimeline(reporter);
  reporter?.({ event: "begin", unit });
  return { unit, lines, timeline, print };
}

/**
 * What `--events` prints on standard error as the lesson runs: one JSON
 * object a line, each written the moment it happens, so that a program
 * running the lesson (the site, `deno task site`) can draw its timeline live.
 *
 * - `{"event":"begin","unit":20}`: the lesson's timeline starts; `unit` is
 *   the milliseconds of one "second" of the notes.
 * - `{"event":"start","task":"A","at":0.41}`: a task starts, `at`
 *   milliseconds after the timeline began.
 * - `{"event":"end","task":"A","at":40.2,"outcome":"fulfilled"}`: it ends,
 *   `"fulfilled"` or `"rejected"`.
 *
 * Every line of an event starts with `{"event":`; anything else on standard
 * error (a warning, the one line of a failure) is plain text.
 */
export type LessonEvent =
  | { event: "begin"; unit: number }
  | { event: "start"; task: string; at: number }
  | {
    event: "end";
    task: string;
    at: number;
    outcome: "fulfilled" | "rejected";
  };

/** Where `begin()` reports events while `runCli` runs with `--events`. */
let reporter: ((event: LessonEvent) => void) | undefined;

/** Milliseconds to the microsecond: what a reader of the events needs. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A timeline that reports each start and end as it records it. */
class ReportedTimeline extends Timeline {
  #report: (event: LessonEvent) => void;

  constructor(report: (event: LessonEvent) => void) {
    super();
    this.#report = report;
  }

  override start(name: string): void {
    super.start(name);
    const at = round(this.span(name)!.start);
    this.#report({ event: "start", task: name, at });
  }

  override end(
    name: string,
    outcome: "fulfilled" | "rejected" = "fulfilled",
  ): void {
    super.end(name, outcome);
    const span = this.span(name)!;
    this.#report({
      event: "end",
      task: name,
      at: round(span.end!),
      outcome: span.outcome as "fulfilled" | "rejected",
    });
  }
}

/**
 * The flags every lesson takes beside `--unit`, `--timeline` and `--help`,
 * read before the lesson's own: `--timeline=svg FILE` (the chart as an SVG
 * picture, written to FILE) and `--events`. `--help` lists them.
 */
const OUTPUT_FLAGS: Record<string, LessonFlag> = {
  "timeline=svg FILE": {
    type: "boolean",
    help:
      "write the chart as an SVG picture to FILE (needs --allow-write=FILE)",
  },
  events: {
    type: "boolean",
    help:
      "report each task's start and end on standard error, as JSON lines (--events=no: none)",
  },
};

/** `argv` without `--timeline=svg FILE` and `--events`, and what they asked. */
function outputFlags(
  argv: readonly string[],
): { rest: string[]; svg: string | undefined; events: boolean } {
  const rest: string[] = [];
  let svg: string | undefined;
  let events = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.toLowerCase() === "--timeline=svg") {
      const file = argv[++i];
      if (file === undefined || file === "" || file.startsWith("-")) {
        throw new UsageError(
          "Flag --timeline=svg needs the name of the file to write after it",
        );
      }
      svg = file;
    } else if (arg === "--events") events = true;
    else if (arg.startsWith("--events=")) {
      events = yesOrNo("events", arg.slice("--events=".length));
    } else rest.push(arg);
  }
  return { rest, svg, events };
}

/** A word as a POSIX shell reads it back. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The deno executable to start a subprocess with: this very one when
 * `--allow-run` covers its path, else `deno` as the PATH finds it.
 * (`--allow-run=deno` allows the PATH's `deno`; when that is a symlink, as
 * npm and Homebrew install it, Deno does not follow it to the file that
 * `Deno.execPath()` names, so only the name is allowed.)
 */
export function denoExecutable(): string {
  const self = Deno.execPath();
  const state = Deno.permissions.querySync({ name: "run", command: self });
  return state.state === "granted" ? self : "deno";
}

/**
 * Runs `code` in a deno subprocess and resolves with what it printed:
 * `deno run --no-prompt -` reads the program from standard input, with
 * `args` as its `Deno.args`, in the checkout's folder so that it finds
 * deno.json. The child has no permission at all (`--no-prompt` turns any
 * request into an error); a nonzero exit rejects with the child's first
 * line of standard error.
 */
export async function runDeno(code: string, args: string[]): Promise<string> {
  const child = new Deno.Command(denoExecutable(), {
    args: ["run", "--no-prompt", "-", ...args],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(code));
  await writer.close();
  const { code: status, stdout, stderr } = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim();
  if (status !== 0) {
    const reason = decode(stderr).split("\n")[0];
    throw new Error(`A deno subprocess exited with ${status}: ${reason}`);
  }
  return decode(stdout);
}

/** Where the command line writes, so that tests can capture it. */
export interface CliOutput {
  /** Standard output, one line or block at a time. */
  out: (text: string) => void;
  /** Standard error, one line at a time. */
  err: (text: string) => void;
}

const CONSOLE: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/**
 * Runs a lesson from the command line and resolves with the exit status:
 * 0 when it ran, 1 when it failed (one line on standard error, or the
 * command that grants a missing permission), 2 for a bad flag.
 */
export async function runCli<O extends LessonOptions>(
  command: LessonCommand<O>,
  argv: readonly string[],
  where: Place,
  io: CliOutput = CONSOLE,
): Promise<number> {
  const { flags = {}, permissions = {}, minUnit } = command;
  let args;
  let output;
  try {
    output = outputFlags(argv);
    args = parseFlags(output.rest, flags);
    if (args.options.unit !== undefined) checkUnit(args.options.unit);
  } catch (error) {
    return usage(error, io);
  }
  if (args.help) {
    const all = { ...OUTPUT_FLAGS, ...flags };
    io.out(helpText(command.summary, all, permissions, minUnit, where));
    return 0;
  }
  const missing = missingPermissions(permissions, where);
  // The SVG's file is named as typed, relative to the current directory.
  const write = output.svg === undefined
    ? undefined
    : `--allow-write=${output.svg}`;
  if (
    output.svg !== undefined &&
    Deno.permissions.querySync({ name: "write", path: output.svg }).state !==
      "granted"
  ) missing.push(write!);
  if (missing.length > 0) {
    const line = commandLine(permissions, where, argv);
    io.err(`This lesson needs ${missing.join(" ")}. Run it with:`);
    io.err(
      `  ${
        write === undefined
          ? line
          : line.replace(/^deno run /, `deno run ${shellWord(write)} `)
      }`,
    );
    return 1;
  }
  // The SVG's path is tried before the lesson runs, so that a path that
  // cannot be written is said first, not after the whole lesson; nothing is
  // left there until the chart is written (a run that fails, is interrupted
  // or crashes leaves no file, and an existing one as it was).
  if (output.svg !== undefined) {
    try {
      await tryWriting(output.svg);
    } catch (error) {
      io.err(svgError(output.svg, error));
      return 1;
    }
  }
  const unit = (args.options.unit as number | undefined) ?? 1000;
  const small = minUnit !== undefined && unit < minUnit
    ? `--unit ${unit} is below ${minUnit}, the smallest this lesson is written for`
    : undefined;
  if (small) io.err(`Warning: ${small}: lines may differ from its Output.`);
  let result: LessonResult;
  const previous = reporter;
  if (output.events) reporter = (event) => io.err(JSON.stringify(event));
  try {
    result = await command.run(args.options as O);
  } catch (error) {
    if (optionErrors.has(error as object)) return usage(error, io);
    io.err(errorLine(error) + (small ? ` (${small})` : ""));
    return 1;
  } finally {
    reporter = previous;
  }
  if (args.timeline) {
    io.out("");
    io.out(result.timeline.render({ unit: result.unit }));
  }
  if (output.svg !== undefined) {
    const svg = result.timeline.toSVG({
      unit: result.unit,
      title: command.summary,
    });
    try {
      await Deno.writeTextFile(output.svg, svg);
    } catch (error) {
      io.err(svgError(output.svg!, error));
      return 1;
    }
    io.out("");
    io.out(`Timeline written to ${output.svg}`);
  }
  return 0;
}

/**
 * Fails as writing `path` would, without leaving anything behind: a new file
 * is created and removed at once, an existing one is opened for writing and
 * closed unchanged.
 */
async function tryWriting(path: string): Promise<void> {
  try {
    (await Deno.open(path, { write: true, createNew: true })).close();
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    (await Deno.open(path, { write: true })).close();
  }
}

/** One line for a file `--timeline=svg` cannot write. */
function svgError(path: string, error: unknown): string {
  return `Cannot write the timeline to ${path}: ${
    errorLine(error).replace(/^Lesson failed: /, "")
  }`;
}

function usage(error: unknown, io: CliOutput): number {
  const message = optionErrors.get(error as object) ??
    (error instanceof UsageError ? error.message : undefined);
  if (message === undefined) throw error;
  io.err(message);
  io.err("Run with --help to see the flags.");
  return 2;
}

/** One line for an error: its class and the first line of its message. */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return `Lesson failed: ${describe(error)}`;
  const message = error.message.split("\n")[0]!.trim();
  return `Lesson failed: ${error.name}${message ? `: ${message}` : ""}`;
}

/**
 * Runs a lesson from the command line (its `if (import.meta.main)` block)
 * and exits with the status of {@linkcode runCli}. An error that escapes the
 * lesson (a throw in a timer, a rejection nobody handles) also ends in one
 * line and status 1.
 */
export async function cli<O extends LessonOptions>(
  meta: ImportMeta,
  command: LessonCommand<O>,
): Promise<void> {
  const fatal = (error: unknown) => {
    console.error(errorLine(error));
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
  const where = place(meta.filename ?? meta.url);
  const status = await runCli(command, Deno.args, where);
  if (status !== 0) Deno.exit(status);
}
