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
 * const signal = AbortSignal.timeout(1_000); // optional: a deadline
 * for await (const result of asCompleted([slow, fast, Promise.reject(3)], { signal })) {
 *   order.push(result.status === "fulfilled" ? `${result.index}:${result.value}` : "failed");
 * }
 * assertEquals(order, ["failed", "1:fast", "0:slow"]); // a failure does not end the loop
 * ```
 *
 * @module
 */
import { list, signalOf } from "./_check.ts";
import { Queue, QueueClosedError } from "./queue.ts";

/** Options for {@linkcode asCompleted}. */
export interface AsCompletedOptions {
  /**
   * Ends the iteration early (see **Cancellation** on {@linkcode asCompleted}).
   */
  signal?: AbortSignal;
}

/** A fulfilled input, with its position in the input. */
export interface AsCompletedFulfilled<T> extends PromiseFulfilledResult<T> {
  /** The input's position in the iterable passed to {@linkcode asCompleted}. */
  index: number;
}

/** A rejected input, with its position in the input. */
export interface AsCompletedRejected extends PromiseRejectedResult {
  /** The input's position in the iterable passed to {@linkcode asCompleted}. */
  index: number;
}

/**
 * One settled input, as `Promise.allSettled` reports it, plus its `index`.
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
 * Yields each input's settled result as it settles: the counterpart of
 * Python's `asyncio.as_completed`. `Promise.all` stops at the first failure
 * and `Promise.race` tells only who was first; here each result, a
 * `PromiseSettledResult` plus the input's `index`, comes as soon as it is
 * there, and a failure does not end the loop.
 *
 * Guarantees:
 *
 * - **Order.** Results come in the order the inputs settle; plain values
 *   count as already fulfilled and come first, in input order. Each input
 *   yields exactly once, read as `await` reads it.
 * - **Eager.** The inputs are read and watched when `asCompleted` is
 *   called: every rejection is handled from then on, even if the loop never
 *   runs or stops early.
 * - **Cancellation.** Aborting `signal` ends the iteration: a waiting or the
 *   next `next()` rejects with `signal.reason`, later ones report the end.
 *   The signal is listened to only while a `next()` waits. Stopping early
 *   (`break`, `return()`) drops the results still to come. The inputs run
 *   on: cancel them through their own signals.
 *
 * @param promises The promises or values to watch: an iterable object (not
 * a string), read at once to the end; what reading it throws is thrown.
 * @returns An async iterator of settled results, in completion order.
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

/** The genuine `then`: a native promise whose own `then` calls back twice still yields once. */
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

  /** Ends the iteration: waiting `next()` calls see the end, nothing is kept. */
  #finish(): void {
    this.#results?.close();
    this.#results = this.#signal = undefined;
  }
}
