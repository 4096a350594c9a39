/**
 * Helpers shared by the library's modules; not part of the public API.
 *
 * @module
 */

/** Shows a bad argument in an error message without dumping a whole object. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null) {
    return `an object (${Object.prototype.toString.call(value)})`;
  }
  return String(value);
}
