// The tasks that piscina and tinypool run in the bench: the default export
// and the named ones, each called with one argument.
import { burn as burnFor, countPrimes as count } from "./_tasks.ts";

export default function add({ a, b }: { a: number; b: number }): number {
  return a + b;
}

export function countPrimes({ from, to }: { from: number; to: number }) {
  return count(from, to);
}

export function burn({ ms }: { ms: number }): number {
  return burnFor(ms);
}
