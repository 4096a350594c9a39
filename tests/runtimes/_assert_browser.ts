// node:assert/strict, as much of it as the portable suite uses, for the
// browser bundle (tests/runtimes/run.ts maps the specifier here).
import { assert as ok, assertEquals, assertRejects } from "@std/assert";

export default function assert(value: unknown, message?: string): void {
  ok(value, message);
}

export function deepStrictEqual(
  actual: unknown,
  expected: unknown,
  message?: string,
): void {
  assertEquals(actual, expected, message);
}

/**
 * Rejects unless `promise` rejects with an instance of `expected`, or with a
 * value whose fields (own or inherited) equal those of `expected`.
 */
export async function rejects(
  promise: Promise<unknown>,
  expected: (new (...args: never[]) => unknown) | Record<string, unknown>,
): Promise<void> {
  const error = await assertRejects(() => promise);
  if (typeof expected === "function") return ok(error instanceof expected);
  for (const [key, value] of Object.entries(expected)) {
    assertEquals((error as Record<string, unknown>)[key], value, key);
  }
}
