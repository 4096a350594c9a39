/**
 * Helpers shared by the library's modules; not part of the public API.
 *
 * - {@linkcode describe}: the one way lib/ shows a bad value in a message.
 * - {@linkcode checkSignal}: the one test of "is this an AbortSignal".
 * - {@linkcode checkOptions}: the one test of "is this an options object".
 * - {@linkcode checkCount}: the one test of a count (permits, workers, …).
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
 * whole. The result is at most about 80 characters, whatever the value, and
 * this never throws (no getter or `toString` of the value is called).
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
    case "symbol": {
      const text = value.description ?? "";
      return text.length <= MAX_STRING
        ? `Symbol(${text})`
        : `Symbol(${text.slice(0, MAX_STRING)}…)`;
    }
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
    return value.length === 0
      ? "an empty array"
      : `an array of ${value.length} ${value.length === 1 ? "item" : "items"}`;
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
    if (typeof ctor === "function") {
      const name = Object.getOwnPropertyDescriptor(ctor, "name")?.value;
      if (typeof name === "string" && name !== "") return name.slice(0, 40);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return "object";
}

/**
 * The error for a `signal` option that is not an `AbortSignal`, or
 * `undefined` when it is one or is absent. Look-alikes (`{ aborted: true }`,
 * a bare `EventTarget`) are refused: only a real signal fires "abort".
 *
 * @param signal What the caller passed as `signal`.
 * @param action What the call was about to do, for the message ("acquire permit").
 * @returns A `TypeError` naming the value, or `undefined`.
 */
export function checkSignal(
  signal: unknown,
  action: string,
): TypeError | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return undefined;
  return new TypeError(
    `Cannot ${action} as 'signal' must be an AbortSignal: current value is ${
      describe(signal)
    }`,
  );
}

/**
 * The error for an options argument that is not an options object, or
 * `undefined` when it is one or is absent. An options object is any object
 * but an array (a class instance or a null-prototype object will do);
 * `null`, numbers, strings, booleans, symbols, bigints, functions and arrays
 * are refused, as Node's `validateObject` refuses them by default.
 *
 * @param options What the caller passed.
 * @param action What the call was about to do, for the message ("acquire permit").
 * @param name The parameter's name, for the message.
 * @returns A `TypeError` naming the value, or `undefined`.
 */
export function checkOptions(
  options: unknown,
  action: string,
  name = "options",
): TypeError | undefined {
  if (
    options === undefined ||
    (typeof options === "object" && options !== null && !Array.isArray(options))
  ) {
    return undefined;
  }
  return new TypeError(
    `Cannot ${action} as '${name}' must be an object: current value is ${
      describe(options)
    }`,
  );
}

/** What {@linkcode checkCount} allows beyond a positive safe integer. */
export interface CountRule {
  /** Whether `Infinity` means "no bound" and is allowed. */
  orInfinity?: boolean;
  /**
   * The class of the error for a value that is not a number: `TypeError`
   * unless a contract says otherwise (`Semaphore`'s says `RangeError`).
   */
  wrongType?: TypeErrorConstructor | RangeErrorConstructor;
}

/**
 * The error for a count (`permits`, `workers`, `concurrency`, …) that is not
 * a positive safe integer, or `undefined` when it is one. Anything but a
 * number is a `TypeError` (or `rule.wrongType`); a number that is not an
 * integer from 1 to `Number.MAX_SAFE_INTEGER` (2⁵³ − 1) a `RangeError`: past
 * that, adding or taking 1 no longer changes the number, so no count could
 * be kept.
 *
 * @param value What the caller passed.
 * @param name The option's name, for the message.
 * @param action What the call was about to do, for the message.
 * @param rule What else is allowed, and the class for a wrong type.
 * @returns A `TypeError` or `RangeError` naming the value, or `undefined`.
 */
export function checkCount(
  value: unknown,
  name: string,
  action: string,
  rule: CountRule = {},
): TypeError | RangeError | undefined {
  const { orInfinity = false, wrongType = TypeError } = rule;
  if (
    typeof value === "number" &&
    (Number.isSafeInteger(value) && value >= 1 ||
      orInfinity && value === Infinity)
  ) {
    return undefined;
  }
  const start = `Cannot ${action} as '${name}' must be`;
  const end = `: current value is ${describe(value)}`;
  if (typeof value !== "number") {
    return new wrongType(`${start} a number${end}`);
  }
  const or = orInfinity ? " or Infinity" : "";
  return new RangeError(
    Number.isInteger(value) && value > 0
      ? `${start} at most Number.MAX_SAFE_INTEGER (${Number.MAX_SAFE_INTEGER})${or}${end}`
      : `${start} a positive integer${or}${end}`,
  );
}

/**
 * Whether `value` can be iterated as a list of values: an object or a
 * function with a `Symbol.iterator` method. Strings and `String` objects are
 * not, since each of their characters would count as one value.
 */
export function isListLike(value: unknown): value is Iterable<unknown> {
  return value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    !(value instanceof String) &&
    typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] ===
      "function";
}

export { type LongTimeout, MAX_TIMEOUT, setLongTimeout } from "./_timer.ts";
