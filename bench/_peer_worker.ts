// The trivial task that the npm pools run in the bench (their workers call
// the default export with one argument).
export default function add({ a, b }: { a: number; b: number }): number {
  return a + b;
}
