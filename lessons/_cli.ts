/**
 * The command line of the lessons: reading the flags, `--help`, and the
 * permissions a lesson needs with the exact command that grants them, from
 * wherever it is run. `cli()` in `_lesson.ts` puts these together. Learners
 * can skip this file.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { describe } from "../lib/_util.ts";

/** A lesson-specific command-line flag. */
export interface LessonFlag {
  /** What it does, for `--help`. */
  help: string;
  /** `number` flags are converted and checked; `boolean` flags take no value. */
  type: "number" | "boolean" | "string";
}

/**
 * The permissions a lesson needs, as `deno run` grants them. Read paths are
 * relative to the checkout (the folder above `lessons/`).
 */
export interface LessonPermissions {
  /** Folders workers load their modules from. */
  read?: string[];
  /** Hosts the lesson listens on and connects to. */
  net?: string[];
  /** Programs the lesson starts. */
  run?: string[];
}

/** Why each kind of permission is needed, as `--help` says it. */
const WHY: Record<keyof LessonPermissions, string> = {
  read: "workers load their modules from these folders",
  net: "the lesson's own HTTP server on this machine",
  run: "the lesson starts deno subprocesses",
};

/** A bad command line: the message says which flag and what was typed. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** What the command line asked for. */
export interface ParsedFlags {
  /** `--help` or `-h`. */
  help: boolean;
  /** `--timeline` (or `--timeline=yes`); `--timeline=no` turns it off. */
  timeline: boolean;
  /** `unit` and the lesson's own flags, numbers already converted. */
  options: Record<string, unknown>;
}

const YES = new Set(["", "true", "yes", "on", "1"]);
const NO = new Set(["false", "no", "off", "0"]);

/**
 * The value of `--name=value` for a flag that takes no value: true for yes
 * (and for nothing), false for no; anything else is refused.
 */
export function yesOrNo(name: string, value: string): boolean {
  const answer = value.toLowerCase();
  if (YES.has(answer)) return true;
  if (NO.has(answer)) return false;
  throw new UsageError(
    `Flag --${name} takes no value, or yes or no: current value is ${
      describe(value)
    }`,
  );
}

/**
 * The smallest `--unit`, in milliseconds: below it the timers of a lesson
 * fire together and its chart turns to noise.
 */
export const MIN_UNIT = 1;
/**
 * The largest `--unit`, in milliseconds: ten seconds per second of the
 * notes already makes the longest lesson last minutes.
 */
export const MAX_UNIT = 10_000;
/** A number as written in decimal: `20`, `-5`, `2.5`, `.5`, `1e3`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** A token that is a negative number, not a flag: `-5`, `-.5`, `-Infinity`. */
const NEGATIVE = /^-(\d|\.\d|Infinity$)/;

/**
 * Reads `argv` (flags as typed, after the script's name). Throws a
 * {@linkcode UsageError} naming the flag and the value typed.
 */
export function parseFlags(
  argv: readonly string[],
  flags: Record<string, LessonFlag> = {},
): ParsedFlags {
  const names = Object.keys(flags);
  const booleans = ["help", "timeline", ...names.filter(isBoolean(flags))];
  const valued = ["unit", ...names.filter((n) => !isBoolean(flags)(n))];
  // parseArgs would read `--unit -5` as a flag named "5", and
  // `--timeline=no` as true. Settle both before it sees them.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [, name, value] = /^--([^=]+)=(.*)$/s.exec(arg) ?? [];
    if (name !== undefined && booleans.includes(name)) {
      // The last one wins: `--timeline --timeline=no` is no timeline.
      args.push(yesOrNo(name, value!) ? `--${name}` : `--no-${name}`);
      continue;
    }
    const next = argv[i + 1];
    if (
      valued.includes(arg.slice(2)) && arg.startsWith("--") &&
      next !== undefined && NEGATIVE.test(next)
    ) {
      args.push(`${arg}=${next}`);
      i++;
      continue;
    }
    args.push(arg);
  }
  const parsed = parseArgs(args, {
    boolean: booleans,
    negatable: booleans,
    string: valued,
    alias: { h: "help" },
  }) as Record<string, unknown>;
  const unknown = Object.keys(parsed).filter((k) =>
    !["_", "h", ...booleans, ...valued].includes(k)
  );
  if (unknown.length > 0) {
    const flag = unknown[0]!.length === 1
      ? `-${unknown[0]}`
      : `--${unknown[0]}`;
    throw new UsageError(`Unknown flag ${flag}`);
  }
  const extra = parsed._ as unknown[];
  if (extra.length > 0) {
    throw new UsageError(`Unexpected argument ${describe(String(extra[0]))}`);
  }
  const options: Record<string, unknown> = {};
  for (const name of valued) {
    const value = parsed[name];
    if (value === undefined) continue;
    if (value === "") throw new UsageError(`Flag --${name} needs a value`);
    if (name === "unit" || flags[name]?.type === "number") {
      // Number() would also read 0x10, 0b1, " 5 " and Infinity.
      if (typeof value !== "string" || !DECIMAL.test(value)) {
        throw new UsageError(
          `Flag --${name} must be a decimal number: current value is ${
            describe(value)
          }`,
        );
      }
      const number = Number(value);
      // 1e400 reads as Infinity, 1e-400 as 0: name what was typed instead.
      if (
        !Number.isFinite(number) ||
        (number === 0 && /[1-9]/.test(value.split(/e/i)[0]!))
      ) {
        throw new UsageError(
          `Flag --${name} is too ${
            number === 0 ? "small" : "large"
          } a number: current value is ${describe(value)}`,
        );
      }
      options[name] = number;
    } else options[name] = value;
  }
  for (const name of names.filter(isBoolean(flags))) {
    if (parsed[name] === true) options[name] = true;
  }
  return {
    help: parsed.help === true,
    timeline: parsed.timeline === true,
    options,
  };
}

function isBoolean(flags: Record<string, LessonFlag>) {
  return (name: string) => flags[name]?.type === "boolean";
}

/** Where a lesson lives and where it is run from. */
export interface Place {
  /** The checkout: the folder above `lessons/`. */
  root: string;
  /** The lesson's file, absolute. */
  file: string;
  /** The current directory. */
  cwd: string;
}

/** The checkout that holds `lessons/_cli.ts`, as a path. */
export const ROOT: string = (import.meta.dirname ?? ".").replace(
  /[\\/]lessons$/,
  "",
);

/** Where `file` (a lesson's `import.meta.filename`) lives, seen from `cwd`. */
export function place(file: string, cwd: string = Deno.cwd()): Place {
  return { root: ROOT, file, cwd };
}

/** `path` (relative to the checkout) as the command line should spell it. */
function spell(path: string, where: Place): string {
  if (where.cwd === where.root) return path;
  const sep = where.root.includes("/") ? "/" : "\\";
  return where.root + sep + path.replaceAll("/", sep);
}

/** The permission flags, with paths that work from `where.cwd`. */
export function permissionFlags(
  permissions: LessonPermissions,
  where: Place,
): string[] {
  const flags: string[] = [];
  const { read = [], net = [], run = [] } = permissions;
  if (read.length) {
    flags.push(`--allow-read=${read.map((p) => spell(p, where)).join(",")}`);
  }
  if (net.length) flags.push(`--allow-net=${net.join(",")}`);
  if (run.length) flags.push(`--allow-run=${run.join(",")}`);
  return flags;
}

/** The `deno run` command that runs the lesson from `where.cwd`, with `args`. */
export function commandLine(
  permissions: LessonPermissions,
  where: Place,
  args: readonly string[] = [],
): string {
  const relative = where.file.slice(where.root.length + 1);
  const file = where.file.startsWith(where.root)
    ? spell(relative, where)
    : where.file;
  return ["deno", "run", ...permissionFlags(permissions, where), file, ...args]
    .map(quote).join(" ");
}

/** Quotes a word for a POSIX shell when it needs it. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The flags of `permissions` that this process has not been granted. */
export function missingPermissions(
  permissions: LessonPermissions,
  where: Place,
): string[] {
  const { read = [], net = [], run = [] } = permissions;
  const granted = (descriptor: Deno.PermissionDescriptor) =>
    Deno.permissions.querySync(descriptor).state === "granted";
  const sep = where.root.includes("/") ? "/" : "\\";
  const missing: LessonPermissions = {
    read: read.filter((p) =>
      !granted({ name: "read", path: where.root + sep + p })
    ),
    net: net.filter((host) => !granted({ name: "net", host })),
    run: run.filter((command) => !granted({ name: "run", command })),
  };
  return permissionFlags(missing, where);
}

/** The text of `--help`. */
export function helpText(
  summary: string,
  flags: Record<string, LessonFlag>,
  permissions: LessonPermissions,
  minUnit: number | undefined,
  where: Place,
): string {
  const placeholder = { number: " <n>", string: " <text>", boolean: "" };
  const unitHelp = "how many milliseconds a second of the notes lasts " +
    `(${MIN_UNIT} to ${MAX_UNIT}, default 1000` +
    (minUnit === undefined
      ? ")"
      : `; below ${minUnit} the lines may differ from the Output)`);
  const rows: [string, string][] = [
    ["--unit <ms>", unitHelp],
    ["--timeline", "print a chart of when each task ran (--timeline=no: none)"],
    ...Object.entries(flags).map(([name, flag]): [string, string] => [
      `--${name}${placeholder[flag.type]}`,
      flag.help,
    ]),
    ["-h, --help", "show this help"],
  ];
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const needs = (Object.keys(WHY) as (keyof LessonPermissions)[])
    .filter((kind) => permissions[kind]?.length)
    .map((kind) =>
      `  ${permissionFlags({ [kind]: permissions[kind] }, where)[0]}: ${
        WHY[kind]
      }`
    );
  return [
    summary,
    "",
    `Usage: ${commandLine(permissions, where)} [flags]`,
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
