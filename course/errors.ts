/** Values and errors as the course shows them, in one line. @module */

/** The longest string shown whole. */
const MAX = 40;

/**
 * A value in a message, briefly and as the caller wrote it: strings quoted
 * and cut at 40 characters, numbers as written (`NaN`, `-0`), arrays and
 * objects by their shape. It never throws and calls no code of the value.
 */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "string": {
      if (value.length <= MAX) return JSON.stringify(value);
      const head = JSON.stringify(value.slice(0, MAX)).slice(0, -1);
      return `${head}…" (${value.length} characters)`;
    }
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return `Symbol(${(value.description ?? "").slice(0, MAX)})`;
    case "function":
      return value.name
        ? `a function (${value.name})`
        : "an anonymous function";
    case "undefined":
    case "boolean":
      return String(value);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    const n = value.length;
    if (n === 0) return "an empty array";
    return `an array of ${n} item${n === 1 ? "" : "s"}`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) {
    const keys = Object.keys(value as object);
    if (keys.length === 0) return "an empty object";
    const shown = keys.slice(0, 3).map((k) =>
      /^[\w$]{1,20}$/.test(k) ? k : describe(k)
    );
    return `an object { ${shown.join(", ")}${keys.length > 3 ? ", …" : ""} }`;
  }
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
  const name = typeof ctor === "function"
    ? Object.getOwnPropertyDescriptor(ctor, "name")?.value
    : undefined;
  const type = typeof name === "string" && name !== ""
    ? name.slice(0, MAX)
    : "object";
  return `${/^[AEIOU]/.test(type) ? "an" : "a"} ${type}`;
}

/** An error in one line (`RangeError: bad unit`); anything else, described. */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return describe(error);
  const message = error.message.split("\n")[0]!.trim();
  return message ? `${error.name}: ${message}` : error.name;
}
