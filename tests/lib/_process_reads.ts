/**
 * Watches reads of `globalThis.process` until disposed. On Deno the first
 * read loads Node's compatibility layer (11-13 ms), which the library keeps
 * off its paths on Deno. Not in _helpers.ts: its node: imports would load
 * that layer in the worker that uses this.
 */
export function processReads(): { readonly count: number } & Disposable {
  const lazy = Object.getOwnPropertyDescriptor(globalThis, "process")!;
  let count = 0;
  Object.defineProperty(globalThis, "process", {
    ...lazy,
    get() {
      count++;
      return lazy.get!.call(this);
    },
  });
  return {
    get count() {
      return count;
    },
    [Symbol.dispose]: () => Object.defineProperty(globalThis, "process", lazy),
  };
}
