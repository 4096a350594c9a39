/**
 * Plumbing that every lesson shares: the options a lesson takes, what it
 * returns to its test, and the command line (`--unit`, `--timeline`, `--help`).
 * Learners can skip this file; the lessons are the interesting part.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { Timeline } from "../lib/timeline.ts";

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

/**
 * Starts a lesson run: checks `unit` and returns a fresh timeline and a
 * `print` that both logs and records.
 */
export function begin(options: LessonOptions = {}): LessonContext {
  const unit = options.unit ?? 1000;
  if (!(Number.isFinite(unit) && unit > 0)) {
    throw new RangeError(
      `Cannot run lesson as 'unit' must be a positive number of milliseconds: current value is ${unit}`,
    );
  }
  const log = options.log ?? console.log;
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    log(line);
  };
  return { unit, lines, timeline: new Timeline(), print };
}

/** A lesson-specific command-line flag. */
export interface ExtraFlag {
  /** What it does, for `--help`. */
  help: string;
  /** `number` flags are parsed and checked; `boolean` flags take no value. */
  type: "number" | "boolean" | "string";
}

/**
 * Runs a lesson from the command line: parses `--unit`, `--timeline`,
 * `--help` and the lesson's own flags, runs it, and prints the chart when
 * asked. Bad flags print a message naming the value and exit with status 2.
 */
export async function cli<O extends LessonOptions>(
  meta: ImportMeta,
  summary: string,
  run: (options: O) => Promise<LessonResult>,
  extra: Record<string, ExtraFlag> = {},
): Promise<void> {
  const names = Object.keys(extra);
  const args = parseArgs(Deno.args, {
    boolean: [
      "help",
      "timeline",
      ...names.filter((n) => extra[n]!.type === "boolean"),
    ],
    string: ["unit", ...names.filter((n) => extra[n]!.type !== "boolean")],
    alias: { h: "help" },
  }) as Record<string, unknown>;
  const file = meta.filename?.split(/[\\/]/).slice(-2).join("/") ?? meta.url;
  if (args.help) {
    const placeholder = { number: " <n>", string: " <text>", boolean: "" };
    const flags: [string, string][] = [
      [
        "--unit <ms>",
        "how many milliseconds a second of the notes lasts (default 1000)",
      ],
      ["--timeline", "print a chart of when each task ran, after the output"],
      ...names.map((n): [string, string] => [
        `--${n}${placeholder[extra[n]!.type]}`,
        extra[n]!.help,
      ]),
      ["-h, --help", "show this help"],
    ];
    const width = Math.max(...flags.map(([flag]) => flag.length)) + 2;
    const lines = [
      summary,
      "",
      `Usage: deno run [permissions] ${file} [flags]`,
      "",
      ...flags.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
    ];
    console.log(lines.join("\n"));
    return;
  }
  const unknown = Object.keys(args).filter((k) =>
    !["_", "help", "h", "timeline", "unit", ...names].includes(k)
  );
  if (unknown.length > 0 || (args._ as unknown[]).length > 0) {
    fail(
      `Unknown flag or argument: ${
        [...unknown.map((k) => `--${k}`), ...(args._ as unknown[])].join(" ")
      }`,
    );
  }
  const options: Record<string, unknown> = {};
  if (args.unit !== undefined) options.unit = toNumber("unit", args.unit);
  for (const n of names) {
    if (args[n] === undefined) continue;
    options[n] = extra[n]!.type === "number" ? toNumber(n, args[n]) : args[n];
  }
  let result: LessonResult;
  try {
    result = await run(options as O);
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) {
      fail(error.message);
    }
    // A missing permission: say which command has the right flags.
    const message = error instanceof Error ? error.message : String(error);
    if (/Requires \w+ access/.test(message)) {
      console.error(message.slice(message.indexOf("Requires")));
      console.error(
        `The @run line at the top of ${file} has the command with its flags; ` +
          "`deno task lessons` lists them all.",
      );
      Deno.exit(2);
    }
    throw error;
  }
  if (args.timeline) {
    console.log("");
    console.log(result.timeline.render({ unit: result.unit }));
  }
}

function toNumber(name: string, value: unknown): number {
  const n = Number(value);
  if (value === "" || value === true || !Number.isFinite(n)) {
    fail(
      `Flag --${name} must be a number: current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  return n;
}

function fail(message: string): never {
  console.error(message);
  console.error("Run with --help to see the flags.");
  Deno.exit(2);
}
