/**
 * Helpers that the lib tests share: letting promise callbacks run, a seeded
 * random source for repeatable stress tests, a look at a promise's state,
 * std's delay with its types, a promise for a signal's abort, a check that
 * an error names a bad value, and the garbage collector (whether an object
 * was collected, how much heap a burst leaves).
 *
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { delay as stdDelay } from "@std/async/delay";

/** std's `delay` with its signature (deno-std from npm has no types). */
export const delay = stdDelay as (
  ms: number,
  options?: { signal?: AbortSignal },
) => Promise<void>;

// Under `deno test` (Deno 2.9.6), the first call into the npm package's
// timers runs the pending microtasks synchronously, inside that delay()
// call: a task aborted then would miss the listener delay() adds next. Every
// test file that imports this one has that first call made here, before any
// of its tests.
await delay(0);

/** Resolves when `signal` aborts (at once if it already has). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}

/** Lets every pending promise callback run (a few hops deep). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/** A small seeded PRNG (mulberry32), so stress tests and shuffles repeat. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `items` in place (Fisher–Yates) with `rand`, and returns them. */
export function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Records whether a promise has settled, how, and with what value. */
export function track<T>(
  promise: Promise<T>,
): { state: string; value?: T } {
  const box: { state: string; value?: T } = { state: "pending" };
  promise.then(
    (value) => {
      box.state = "fulfilled";
      box.value = value;
    },
    () => box.state = "rejected",
  );
  return box;
}

/**
 * Asserts that `error` is a `Kind` whose message names the parameter and
 * shows the value as `shown`. (The wording itself is lib/_check.ts's, and
 * tests/lib/_check_test.ts checks it.)
 */
export function assertNames(
  error: unknown,
  Kind: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor,
  name: string,
  shown: string,
): void {
  if (!(error instanceof Kind)) {
    throw new Error(`expected a ${Kind.name}, got ${error}`);
  }
  const { message } = error as Error;
  if (!message.includes(`'${name}'`) || !message.includes(shown)) {
    throw new Error(`"${message}" does not name '${name}' and ${shown}`);
  }
}

/** What calling `call` throws, or what the promise it returns rejects with. */
export async function refusal(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("accepted");
}

/**
 * The engine's garbage collector, reached without a command-line flag (the
 * test task has none): `--expose-gc` set at run time exposes `gc` in every
 * context created afterwards.
 */
export function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Whether the object behind `ref` was collected, after a full collection. */
export async function collected(ref: WeakRef<object>): Promise<boolean> {
  // A WeakRef's target is kept until the current job ends: collect after a
  // macrotask.
  await new Promise((resolve) => setTimeout(resolve, 0));
  collector()();
  return ref.deref() === undefined;
}

/**
 * How many bytes of heap `make` leaves behind once collected: what the
 * object it returns still holds (it is kept alive until after the count).
 */
export function heapKept(make: () => unknown): number {
  const gc = collector();
  gc();
  const before = Deno.memoryUsage().heapUsed;
  const kept = make();
  gc();
  const after = Deno.memoryUsage().heapUsed;
  if (kept === undefined) throw new Error("nothing kept");
  return after - before;
}

/**
 * Watches for rejections nobody handled while in scope (`using`); none of
 * them ends the test process. `reported(count)` waits until `count` of them
 * have been reported, then until a rejection of its own made after them has
 * been too (the runtime reports them in the order they happened, after a
 * macrotask or more), and returns those before it: no sleep that a busy
 * machine outlasts.
 */
export function unhandledRejections():
  & { reported(count?: number): Promise<unknown[]> }
  & Disposable {
  const reasons: unknown[] = [];
  const marks = new Map<unknown, () => void>();
  let wake = () => {};
  const listener = (event: PromiseRejectionEvent) => {
    event.preventDefault(); // keep the test process alive to report it
    const mark = marks.get(event.reason);
    if (mark) return mark();
    reasons.push(event.reason);
    wake();
  };
  globalThis.addEventListener("unhandledrejection", listener);
  return {
    async reported(count = 0) {
      while (reasons.length < count) {
        await new Promise<void>((resolve) => wake = resolve);
      }
      const mark = new Error("mark");
      const seen = new Promise<void>((resolve) => marks.set(mark, resolve));
      Promise.reject(mark);
      await seen;
      return reasons.splice(0);
    },
    [Symbol.dispose]: () =>
      globalThis.removeEventListener("unhandledrejection", listener),
  };
}

/** Settles a promise into a value to compare, without throwing. */
export function outcome<T>(
  promise: Promise<T>,
): Promise<PromiseSettledResult<T>> {
  return Promise.allSettled([promise]).then(([result]) => result!);
}

/** Rejects with the signal's reason once it aborts: a task that only waits. */
export function forever(signal: AbortSignal): Promise<never> {
  return aborted(signal).then(() => Promise.reject(signal.reason));
}
