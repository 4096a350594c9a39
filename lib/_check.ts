/**
 * The input checks of every entry point of lib/; not part of the public API.
 *
 * One grammar for every message, after std's:
 * `Cannot <action> as '<name>' must be <rule>: current value is <value>`.
 * A value of the wrong type is a `TypeError`, a value out of range a
 * `RangeError`. Each check returns the value it accepted (typed), or throws.
 * A method that returns a promise calls them inside `try` and turns what
 * they throw into a rejection: it never throws synchronously.
 *
 * @module
 */

/** The longest string shown whole; longer ones are cut and their length given. */
const MAX_STRING = 40;
/** The most keys of an object listed by name. */
const MAX_KEYS = 3;

/**
 * Shows a value in an error message briefly, the way the caller wrote it:
 * strings quoted (`"2"`), numbers as written (`NaN`, `-0`, `1e+21`), and
 * anything large by its shape (`an array of 100000 items`), never dumped
 * whole. At most about 80 characters; never throws, and calls no getter or
 * `toString` of the value.
 *
 * @param value What the caller passed.
 * @returns A short description, to follow "current value is".
 */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "string": {
      if (value.length <= MAX_STRING) return JSON.stringify(value);
      const head = JSON.stringify(value.slice(0, MAX_STRING)).slice(0, -1);
      return `${head}…" (${value.length} characters)`;
    }
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return `Symbol(${(value.description ?? "").slice(0, MAX_STRING)})`;
    case "function":
      return value.name === ""
        ? "an anonymous function"
        : `a function (${describe(value.name)})`;
    case "undefined":
    case "boolean":
      return String(value);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    const n = value.length;
    return n === 0
      ? "an empty array"
      : `an array of ${n} item${n > 1 ? "s" : ""}`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(value as object);
    if (keys.length === 0) return "an empty object";
    const shown = keys.slice(0, MAX_KEYS).map((key) =>
      /^[A-Za-z_$][\w$]{0,19}$/.test(key) ? key : describe(key)
    );
    if (keys.length > MAX_KEYS) shown.push(`… ${keys.length - MAX_KEYS} more`);
    return `an object { ${shown.join(", ")} }`;
  }
  const name = className(value as object);
  return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`;
}

/** The name of an object's class, read without calling any user code. */
function className(value: object): string {
  for (let proto = Object.getPrototypeOf(value); proto !== null;) {
    const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
    const name = typeof ctor === "function"
      ? Object.getOwnPropertyDescriptor(ctor, "name")?.value
      : undefined;
    if (typeof name === "string" && name !== "") return name.slice(0, 40);
    proto = Object.getPrototypeOf(proto);
  }
  return "object";
}

/**
 * Throws the error of the one grammar.
 *
 * @param Kind `TypeError` for a wrong type, `RangeError` for a value out of range.
 * @param action What the call was about to do ("acquire permit").
 * @param name The parameter's name ("signal", "retry.limit").
 * @param rule What it must be ("an AbortSignal").
 * @param value What the caller passed.
 */
export function refuse(
  Kind: TypeErrorConstructor | RangeErrorConstructor,
  action: string,
  name: string,
  rule: string,
  value: unknown,
): never {
  throw new Kind(
    `Cannot ${action} as '${name}' must be ${rule}: current value is ${
      describe(value)
    }`,
  );
}

/**
 * An options argument: any object but an array (a class instance or a
 * null-prototype object will do), or `undefined`, which reads as `{}`.
 * `null`, primitives, functions and arrays are a `TypeError`.
 *
 * @typeParam T The options' type.
 * @param value What the caller passed.
 * @param action What the call was about to do.
 * @param name The parameter's name.
 * @returns The options, `{}` for `undefined`.
 */
export function options<T extends object>(
  value: T | undefined,
  action: string,
  name = "options",
): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    refuse(TypeError, action, name, "an object", value);
  }
  return value;
}

/** The getter that only a real AbortSignal answers: a brand check. */
const abortedOf = Object.getOwnPropertyDescriptor(
  AbortSignal.prototype,
  "aborted",
)!.get!;

/**
 * A `signal` option: an `AbortSignal` or `undefined`. Look-alikes are a
 * `TypeError`: `{ aborted: true }`, a bare `EventTarget`, and even
 * `Object.create(AbortSignal.prototype)`, whose first `aborted` read would
 * throw "Illegal invocation".
 *
 * @param value What the caller passed as `signal`.
 * @param action What the call was about to do.
 * @returns The signal, or `undefined`.
 */
export function signal(
  value: unknown,
  action: string,
): AbortSignal | undefined {
  if (value === undefined) return undefined;
  try {
    abortedOf.call(value);
  } catch {
    refuse(TypeError, action, "signal", "an AbortSignal", value);
  }
  return value as AbortSignal;
}

/**
 * The `signal` of a method's `{ signal }` options, read once and checked
 * with {@linkcode options} and {@linkcode signal}.
 *
 * @param value What the caller passed as options.
 * @param action What the call was about to do.
 * @returns The signal, or `undefined`.
 */
export function signalOf(
  value: { signal?: AbortSignal } | undefined,
  action: string,
): AbortSignal | undefined {
  return value === undefined
    ? undefined
    : signal(options(value, action).signal, action);
}

/** What {@linkcode count} allows. */
export interface CountRule {
  /** The smallest count allowed: 1 (the default) or 0. */
  min?: 0 | 1;
  /** Whether `Infinity` means "no bound" and is allowed. */
  orInfinity?: boolean;
  /**
   * The class of the error for a value that is not a number: `TypeError`
   * unless a contract says otherwise (`Semaphore`'s says `RangeError`).
   */
  type?: TypeErrorConstructor | RangeErrorConstructor;
}

/**
 * A count (`permits`, `workers`, `maxsize`, …): a safe integer from
 * `rule.min` (1 unless said) to `Number.MAX_SAFE_INTEGER`, past which adding
 * or taking 1 no longer changes the number. Not a number: a `TypeError`
 * (or `rule.type`); out of range: a `RangeError`.
 *
 * @param value What the caller passed.
 * @param action What the call was about to do.
 * @param name The parameter's name.
 * @param rule What else is allowed.
 * @returns The count.
 */
export function count(
  value: unknown,
  action: string,
  name: string,
  rule: CountRule = {},
): number {
  const { min = 1, orInfinity = false, type = TypeError } = rule;
  if (
    typeof value === "number" &&
    (Number.isSafeInteger(value) && value >= min ||
      orInfinity && value === Infinity)
  ) {
    return value;
  }
  if (typeof value !== "number") refuse(type, action, name, "a number", value);
  const or = orInfinity ? " or Infinity" : "";
  const rangeRule = Number.isInteger(value) && value > 0
    ? `at most Number.MAX_SAFE_INTEGER (${Number.MAX_SAFE_INTEGER})${or}`
    : `a ${min === 1 ? "positive" : "non-negative"} integer${or}`;
  return refuse(RangeError, action, name, rangeRule, value);
}

/**
 * A duration in milliseconds: a number ≥ 0, finite unless `orInfinity`
 * (`Infinity` then means "never"). Not a number: a `TypeError`; negative,
 * `NaN` or a refused `Infinity`: a `RangeError`.
 *
 * @param value What the caller passed.
 * @param action What the call was about to do.
 * @param name The parameter's name.
 * @param orInfinity Whether `Infinity` is allowed.
 * @returns The duration.
 */
export function duration(
  value: unknown,
  action: string,
  name: string,
  orInfinity = false,
): number {
  if (typeof value !== "number") {
    refuse(TypeError, action, name, "a number", value);
  }
  if (value >= 0 && (orInfinity || value !== Infinity)) return value;
  const rule = orInfinity
    ? "a non-negative number"
    : "a finite non-negative number";
  return refuse(RangeError, action, name, rule, value);
}

/**
 * A function argument, or a `TypeError`.
 *
 * @typeParam F The function's type.
 * @param value What the caller passed.
 * @param action What the call was about to do.
 * @param name The parameter's name.
 * @returns The function.
 */
export function fn<F extends (...args: never[]) => unknown>(
  value: F,
  action: string,
  name: string,
): F {
  if (typeof value !== "function") {
    refuse(TypeError, action, name, "a function", value);
  }
  return value;
}

/**
 * A list of values: an object or function with a `Symbol.iterator` method.
 * Strings are refused (each character would count as one value), as is
 * anything else: a `TypeError` that says what the list must hold.
 *
 * @typeParam T What the list holds.
 * @param value What the caller passed.
 * @param action What the call was about to do.
 * @param name The parameter's name.
 * @param of What the list holds, for the message ("promises").
 * @returns The iterable.
 */
export function list<T>(
  value: Iterable<T>,
  action: string,
  name: string,
  of: string,
): Iterable<T> {
  if (
    value === null ||
    (typeof value !== "object" && typeof value !== "function") ||
    value instanceof String ||
    typeof (value as Partial<Iterable<T>>)[Symbol.iterator] !== "function"
  ) {
    refuse(TypeError, action, name, `an iterable of ${of}`, value);
  }
  return value;
}

/**
 * A number that `ok` accepts (`width` from 20 to 1000, a status from 100 to
 * 599): not a number is a `TypeError`, one that `ok` refuses a `RangeError`.
 *
 * @param value What the caller passed.
 * @param action What the call was about to do.
 * @param name The parameter's name.
 * @param rule What it must be ("an integer from 100 to 599").
 * @param ok Whether a number is allowed.
 * @returns The number.
 */
export function number(
  value: unknown,
  action: string,
  name: string,
  rule: string,
  ok: (n: number) => boolean,
): number {
  if (typeof value !== "number") refuse(TypeError, action, name, rule, value);
  if (!ok(value)) refuse(RangeError, action, name, rule, value);
  return value;
}
