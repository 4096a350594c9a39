/**
 * Results in the order they settle: the counterpart of Python's
 * `asyncio.as_completed`.
 *
 * @example Report each download as soon as it ends
 * ```ts
 * import { asCompleted } from "@asincronia/asincronia/as-completed";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const after = (ms: number, value: string) =>
 *   new Promise<string>((resolve) => setTimeout(() => resolve(value), ms));
 * const fast = after(10, "fast");
 * const slow = fast.then(() => after(10, "slow")); // ends 10 ms after fast
 *
 * const order: string[] = [];
 * for await (const result of asCompleted([slow, fast])) {
 *   if (result.status === "fulfilled") order.push(`${result.index}:${result.value}`);
 * }
 * assertEquals(order, ["1:fast", "0:slow"]);
 * ```
 *
 * @module
 */
import { list, signalOf } from "./_check.ts";
import { Queue, QueueClosedError } from "./queue.ts";

/** Options for {@linkcode asCompleted}. */
export interface AsCompletedOptions {
  /**
   * Ends the iteration early: a waiting or the next `next()` rejects with
   * `signal.reason`, later ones report the end. The inputs run on.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/** A fulfilled input: its value, and where it was in the input. */
export interface AsCompletedFulfilled<T> extends PromiseFulfilledResult<T> {
  /** The input's position in the iterable passed to {@linkcode asCompleted}. */
  index: number;
}

/** A rejected input: its reason, and where it was in the input. */
export interface AsCompletedRejected extends PromiseRejectedResult {
  /** The input's position in the iterable passed to {@linkcode asCompleted}. */
  index: number;
}

/**
 * One settled input, as `Promise.allSettled` reports it, plus its `index` in
 * the input.
 *
 * @typeParam T What the inputs fulfil with.
 */
export type AsCompletedResult<T> =
  | AsCompletedFulfilled<T>
  | AsCompletedRejected;

type Result = AsCompletedResult<unknown>;
type Done = IteratorResult<never, undefined>;
const END: Done = Object.freeze({ done: true, value: undefined });

/**
 * Yields the settled result of each input as it settles, in completion
 * order: the counterpart of Python's `asyncio.as_completed`.
 *
 * `Promise.all` stops at the first failure and `Promise.race` tells only
 * who was first; loop over `asCompleted(promises)` to handle each result as
 * soon as it is there. Each is a `PromiseSettledResult`, as
 * `Promise.allSettled` gives, plus the input's `index`: unlike asyncio's
 * awaitables that raise, a failure does not end the loop.
 *
 * Guarantees:
 *
 * - **Order.** Results come in the order the inputs settle. Inputs that are
 *   not promises or thenables count as already fulfilled with that value;
 *   they come first, in input order. Each input yields exactly once, read
 *   as `await` reads it (a native promise's own `then` is not called).
 * - **Eager.** The inputs are read and watched when `asCompleted` is called,
 *   not when the loop starts: every rejection is handled from that moment,
 *   so none becomes an unhandled rejection, even if the loop never runs or
 *   stops early.
 * - **Cancellation.** With a `signal`, aborting ends the iteration: a
 *   `next()` that is waiting (or the next one called) rejects with
 *   `signal.reason`, and the iterator is done from then on. The iterator
 *   listens to the signal only while a `next()` waits, so nothing stays
 *   attached to the signal between iterations or after the end. Stopping
 *   early (`break`, or `return()`) drops the results still to come.
 *   The inputs themselves run on; cancel them through their own signals.
 *
 * @example Stop waiting after a deadline
 * ```ts
 * import { asCompleted } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const never = new Promise<number>(() => {});
 * const seen: number[] = [];
 * try {
 *   for await (const r of asCompleted([never, 1, 2], { signal: AbortSignal.timeout(10) })) {
 *     if (r.status === "fulfilled") seen.push(r.value);
 *   }
 * } catch (error) {
 *   assertEquals((error as Error).name, "TimeoutError");
 * }
 * assertEquals(seen, [1, 2]);
 * ```
 *
 * @example Failures do not end the loop
 * ```ts
 * import { asCompleted } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const outcomes: string[] = [];
 * for await (const r of asCompleted([Promise.reject(new Error("no")), Promise.resolve("yes")])) {
 *   outcomes.push(r.status === "fulfilled" ? r.value : (r.reason as Error).message);
 * }
 * assertEquals(outcomes, ["no", "yes"]);
 * ```
 *
 * @typeParam T What the inputs fulfil with.
 * @param promises The promises (or plain values) to watch; any iterable
 * object (not a string). It is read at once, to the end.
 * @param options What may end the iteration early.
 * @returns An async iterator of settled results, one per input, in
 * completion order.
 * @throws {TypeError} If `promises` is not an iterable object (a string is
 * refused), `options` is not an object, or `signal` is not an
 * `AbortSignal`. Whatever reading the iterable throws is thrown as is.
 */
export function asCompleted<T>(
  promises: Iterable<T | PromiseLike<T>>,
  options?: AsCompletedOptions,
): AsyncIterableIterator<AsCompletedResult<T>> {
  list(promises, "iterate results", "promises", "promises");
  const signal = signalOf(options, "iterate results");
  return new Completions(promises, signal) as AsyncIterableIterator<
    AsCompletedResult<T>
  >;
}

/**
 * The genuine `then`: an input is watched as `await` watches it, so a
 * native promise with a `then` of its own (one that calls back twice, or
 * throws) still yields exactly once.
 */
const then = Promise.prototype.then;

/** The iterator {@linkcode asCompleted} returns. */
class Completions implements AsyncIterableIterator<Result> {
  #signal: AbortSignal | undefined;
  /** The results, as the iterator results `next()` gives; closed when all came. */
  #results: Queue<IteratorResult<Result, undefined>> | undefined = new Queue();
  /** Inputs that have not settled yet. */
  #left = 0;
  /** What a waiting `next()` does when its `get` fails. */
  #ended = (error: unknown): Done => {
    this.#finish();
    if (error instanceof QueueClosedError) return END;
    throw error; // the signal's reason
  };

  /** Reads the inputs to the end and attaches to each. */
  constructor(promises: Iterable<unknown>, signal: AbortSignal | undefined) {
    this.#signal = signal;
    let index = 0;
    for (const input of promises) {
      const at = index++;
      this.#left++;
      let promise: Promise<unknown>;
      try {
        promise = Promise.resolve(input);
      } catch (error) {
        // A promise whose `constructor` getter throws.
        promise = Promise.reject(error);
      }
      then.call(
        promise,
        (value) => this.#settled({ status: "fulfilled", value, index: at }),
        (reason) => this.#settled({ status: "rejected", reason, index: at }),
      );
    }
    if (this.#left === 0) this.#results!.close();
  }

  next(): Promise<IteratorResult<Result, undefined>> {
    const results = this.#results;
    if (results === undefined) return Promise.resolve(END);
    const signal = this.#signal;
    if (signal?.aborted) {
      this.#finish();
      return Promise.reject(signal.reason);
    }
    if (results.size > 0) return Promise.resolve(results.tryGet()!.value);
    if (results.closed) {
      this.#finish();
      return Promise.resolve(END);
    }
    return results.get({ signal }).then(undefined, this.#ended);
  }

  return(): Promise<IteratorResult<Result, undefined>> {
    this.#finish();
    return Promise.resolve(END);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #settled(result: Result): void {
    const results = this.#results;
    if (results === undefined) return; // stopped early: dropped
    results.tryPut({ done: false, value: result });
    if (--this.#left === 0) results.close();
  }

  /**
   * Ends the iteration: `next()` calls still waiting see the end, and no
   * result, request or listener is kept.
   */
  #finish(): void {
    this.#results?.close();
    this.#results = this.#signal = undefined;
  }
}
