/**
 * The one command-line parser of the course: the lessons, `deno task
 * lessons`, the exercises and the site read their flags with it.
 *
 * - A switch is on with `--watch`, `--watch=yes` (or true, on, 1, sí) and off
 *   with `--watch=no` (or false, off, 0); any other value is refused.
 * - A number is written in decimal (`20`, `-5`, `2.5`, `1e3`); `--unit -5`
 *   reads -5 as the value. `min`, `max` and `integer` bound it; `default`
 *   is for the command to use and say (a lesson's --help, course/lesson.ts).
 * - A string is kept as typed; `choices` lists the values it may take.
 * - The last of a repeated flag wins. An unknown flag, a missing or bad value,
 *   or a plain argument too many throws a {@linkcode UsageError}: one line in
 *   English and Spanish that names the flag and the value as typed, which
 *   front-ends print (`error.text[lang]`) before they exit with status 2.
 *
 * @module
 */
import { describe } from "./errors.ts";
import { isLang, type Lang, type Text, text, UI } from "./i18n.ts";

/** A flag a command takes; `or`, another form a switch takes, as its refusal names it. */
export type Flag =
  | { readonly type: "switch"; readonly or?: Text }
  | NumberFlag
  | { readonly type: "string"; readonly choices?: readonly string[] };
export type NumberFlag = {
  readonly type: "number";
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** The value when the flag is not given (parseFlags leaves it unset). */
  readonly default?: number;
};

/** What {@linkcode parseFlags} gives back for the flags `F`; `_`: the plain arguments, as typed. */
export type Parsed<F extends Record<string, Flag>> =
  & {
    -readonly [K in keyof F]?: F[K] extends { type: "switch" } ? boolean
      : F[K] extends { type: "number" } ? number
      : string;
  }
  & { _: string[] };

/** A command line that cannot be read; `text` says why in each language. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly text: Text;

  /** An error with `text.en` as its message. */
  constructor(text: Text) {
    super(text.en);
    this.text = text;
  }
}

/** A UsageError that says `UI[key]` of `flag`, the `value` as typed described. */
function refuse(
  key: keyof typeof UI,
  flag: string,
  value?: string,
  rule?: Text,
) {
  const values = { flag, value: describe(value), rule };
  return new UsageError(text(...UI[key], values));
}

const YES = new Set(["", "yes", "true", "on", "1", "sí", "si"]);
const NO = new Set(["no", "false", "off", "0"]);
/** A number as written in decimal: `20`, `-5`, `2.5`, `.5`, `1e3`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** A word that is a value, not a flag: `-5`, `-.5`, `x`. */
const VALUE = /^(-\d|-\.\d|-$|[^-])/;

/**
 * Reads `argv` by `flags`, with one-letter forms (`short: { h: "help" }`
 * reads `-h` as `--help`) and as many plain arguments as `positionals`
 * (default 0); throws a {@linkcode UsageError} at the first problem.
 */
export function parseFlags<F extends Record<string, Flag>>(
  argv: readonly string[],
  flags: F,
  options: { short?: Record<string, string>; positionals?: number } = {},
): Parsed<F> {
  const values: Record<string, unknown> = {};
  const plain: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      plain.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "" || VALUE.test(arg)) {
      plain.push(arg);
      continue;
    }
    // `-=…` has no name: it is unknown as a whole.
    const [, typed = arg, inline] = /^(-[^=]+)(?:=(.*))?$/s.exec(arg) ?? [];
    const name = typed!.startsWith("--")
      ? typed!.slice(2)
      : options.short?.[typed!.slice(1)];
    const flag = Object.hasOwn(flags, name ?? "") ? flags[name!] : undefined;
    if (flag === undefined) throw refuse("unknownFlag", typed!);
    if (flag.type === "switch") {
      const word = (inline ?? "").toLowerCase();
      if (!YES.has(word) && !NO.has(word)) {
        throw flag.or
          ? refuse("yesNoOr", typed!, inline, flag.or)
          : refuse("yesOrNo", typed!, inline);
      }
      values[name!] = YES.has(word);
      continue;
    }
    let value = inline;
    value ??= VALUE.test(argv[i + 1] ?? "-") ? argv[++i] : undefined;
    if (!value) throw refuse("needsValue", typed!);
    if (flag.type === "string" && !(flag.choices?.includes(value) ?? true)) {
      const choices = flag.choices!;
      const rule = { en: choices.join(" or "), es: choices.join(" o ") };
      throw refuse("mustBe", typed!, value, rule);
    }
    values[name!] = flag.type === "number"
      ? number(typed!, flag, value)
      : value;
  }
  const allowed = options.positionals ?? 0;
  if (plain.length > allowed) throw refuse("extra", "", plain[allowed]);
  return { ...values, _: plain } as Parsed<F>;
}

/**
 * The language `argv` asks for with `--lang` (the last one, as parseFlags
 * reads it), found without parsing it: to say a {@linkcode UsageError} in.
 */
export function askedLang(argv: readonly string[]): Lang | undefined {
  return argv.map((arg, i) =>
    argv[i - 1] === "--lang" ? arg : /^--lang=(.*)$/s.exec(arg)?.[1]
  ).findLast(isLang);
}

function number(typed: string, flag: NumberFlag, value: string): number {
  const n = Number(value);
  // Number() alone would take 0x10 and " 5 "; 1e400 reads as Infinity,
  // which misfit() refuses, and 1e-400 as 0, which it is not.
  const read = DECIMAL.test(value) &&
    !(n === 0 && /[1-9]/.test(value.split(/e/i)[0]!));
  const rule = misfit(flag, read ? n : NaN);
  if (!rule) return n;
  throw refuse("mustBe", typed, value, rule);
}

/**
 * Nothing when `value` is a finite number that the `min`, `max` and
 * `integer` of `flag` allow; else what it must be ("a whole number from 1 to 5").
 */
export function misfit(flag: NumberFlag, value: unknown): Text | undefined {
  const { min = -Infinity, max = Infinity, integer = false } = flag;
  if (
    typeof value === "number" && Number.isFinite(value) && value >= min &&
    value <= max && (!integer || Number.isInteger(value))
  ) return undefined;
  const kind = integer
    ? { en: "a whole number", es: "un número entero" }
    : { en: "a number", es: "un número" };
  const range = min > -Infinity && max < Infinity
    ? { en: ` from ${min} to ${max}`, es: ` de ${min} a ${max}` }
    : min > -Infinity
    ? { en: ` of at least ${min}`, es: ` de al menos ${min}` }
    : max < Infinity
    ? { en: ` of at most ${max}`, es: ` de como mucho ${max}` }
    : { en: "", es: "" };
  return { en: kind.en + range.en, es: kind.es + range.es };
}
