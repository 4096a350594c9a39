/**
 * The input checks of every entry point of lib/; not part of the public API.
 *
 * One grammar for every message, after std's:
 * `Cannot <action> as '<name>' must be <rule>: current value is <value>`.
 * A wrong type is a `TypeError`, a value out of range a `RangeError`. Each
 * check returns what it accepted or throws; async methods reject instead.
 *
 * @module
 */

/** The longest string shown whole; longer ones are cut and their length given. */
const MAX_STRING = 40;
/** The most keys of an object listed by name. */
const MAX_KEYS = 3;

/**
 * Shows a value as the caller wrote it (`"2"`, `NaN`, `-0`), anything large
 * by its shape (`an array of 100000 items`): at most about 80 characters,
 * never throwing, calling no getter or `toString` of the value (a proxy's
 * traps may run: when one throws, it is `an object` or `a function`).
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
    case "undefined":
    case "boolean":
      return String(value);
  }
  if (value === null) return "null";
  const kind = typeof value === "function" ? "a function" : "an object";
  return attempt(() => shape(value as object), kind); // a trap threw
}

/** An object's or function's {@linkcode describe}; a proxy's trap may throw. */
function shape(value: object): string {
  if (typeof value === "function") {
    const name = Object.getOwnPropertyDescriptor(value, "name")?.value;
    return typeof name === "string" && name !== ""
      ? `a function (${describe(name)})`
      : "an anonymous function";
  }
  if (Array.isArray(value)) {
    const n = value.length;
    return n === 0
      ? "an empty array"
      : `an array of ${n} item${n > 1 ? "s" : ""}`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(value);
    if (keys.length === 0) return "an empty object";
    const shown = keys.slice(0, MAX_KEYS).map((key) =>
      /^[A-Za-z_$][\w$]{0,19}$/.test(key) ? key : describe(key)
    );
    if (keys.length > MAX_KEYS) shown.push(`… ${keys.length - MAX_KEYS} more`);
    return `an object { ${shown.join(", ")} }`;
  }
  // The class's name, read from property descriptors: no user code runs.
  let name = "object";
  for (let p = proto; p !== null; p = Object.getPrototypeOf(p)) {
    const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value;
    const own = typeof ctor === "function"
      ? Object.getOwnPropertyDescriptor(ctor, "name")?.value
      : undefined;
    if (typeof own === "string" && own !== "") {
      name = own.slice(0, 40);
      break;
    }
  }
  return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`;
}

/** What `read` gives, or `fallback` if it throws: user code may throw anywhere. */
export function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** `object[key]`, or `undefined` if reading it throws. */
export const field = (object: unknown, key: PropertyKey): unknown =>
  attempt(() => (object as Record<PropertyKey, unknown>)[key], undefined);

/** The two errors of a refused value. */
export type ErrorKind = TypeErrorConstructor | RangeErrorConstructor;

/** Throws the error of the one grammar, a `Kind` (see the module doc). */
export function refuse(
  Kind: ErrorKind,
  action: string,
  name: string,
  rule: string,
  value: unknown,
): never {
  const message = `Cannot ${action} as '${name}' must be ${rule}`;
  throw new Kind(`${message}: current value is ${describe(value)}`);
}

/** An options argument: any object but an array; `undefined` reads as `{}`. */
export function options<T extends object>(
  value: T | undefined,
  action: string,
  name = "options",
  rule = "an object",
): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    refuse(TypeError, action, name, rule, value);
  }
  return value;
}

/** The getter that only a real AbortSignal answers: a brand check. */
const abortedOf = Object.getOwnPropertyDescriptor(
  AbortSignal.prototype,
  "aborted",
)!.get!;

/**
 * A `signal` option: an `AbortSignal` or `undefined`; a look-alike, even
 * `Object.create(AbortSignal.prototype)`, is a `TypeError`.
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

/** The `signal` of `{ signal }` options, read once, both checked. */
export function signalOf(
  value: { signal?: AbortSignal } | undefined,
  action: string,
): AbortSignal | undefined {
  if (value === undefined) return undefined;
  return signal(options(value, action).signal, action);
}

/**
 * A count (`permits`, `maxsize`, …): a safe integer from `rule.min` (1 or
 * 0) to `Number.MAX_SAFE_INTEGER`, past which adding 1 changes nothing;
 * `Infinity` too if `rule.orInfinity`. Not a number: a `rule.type`.
 */
export function count(
  value: unknown,
  action: string,
  name: string,
  rule: { min?: 0 | 1; orInfinity?: boolean; type?: ErrorKind } = {},
): number {
  const { min = 1, orInfinity = false, type = TypeError } = rule;
  if (
    typeof value === "number" &&
    (Number.isSafeInteger(value) && value >= min ||
      orInfinity && value === Infinity)
  ) return value;
  if (typeof value !== "number") refuse(type, action, name, "a number", value);
  const or = orInfinity ? " or Infinity" : "";
  const rangeRule = Number.isInteger(value) && value > 0
    ? `at most Number.MAX_SAFE_INTEGER (${Number.MAX_SAFE_INTEGER})${or}`
    : `a ${min === 1 ? "positive" : "non-negative"} integer${or}`;
  return refuse(RangeError, action, name, rangeRule, value);
}

/** A duration in ms: a number ≥ 0, finite unless `orInfinity` ("never"). */
export function duration(
  value: unknown,
  action: string,
  name: string,
  orInfinity = false,
): number {
  const rule = `a ${orInfinity ? "" : "finite "}non-negative number`;
  const ok = (n: number) => n >= 0 && (orInfinity || n !== Infinity);
  return number(value, action, name, rule, ok);
}

/** A string argument. */
export function string(value: unknown, action: string, name: string): string {
  if (typeof value !== "string") {
    refuse(TypeError, action, name, "a string", value);
  }
  return value;
}

/** A function argument. */
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
 * An iterable object or function, holding `of` ("promises"). A string is
 * refused: each character would count as one item.
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

/** A number that `ok` accepts, else a `RangeError` saying it must be `rule`. */
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
