/**
 * Results in the order they settle: Python's `asyncio.as_completed`.
 *
 * @module
 */
import { list, signalOf } from "./_check.ts";
import { Queue, QueueClosedError } from "./queue.ts";
import { genuineThen as then } from "./_waiters.ts";

/** Options for {@linkcode asCompleted}. */
export interface AsCompletedOptions {
  /** Ends the iteration early (see **Cancellation** on {@linkcode asCompleted}). */
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

/** One settled input, as `Promise.allSettled` reports it, plus its `index`. */
export type AsCompletedResult<T> =
  | AsCompletedFulfilled<T>
  | AsCompletedRejected;

type Result = AsCompletedResult<unknown>;
type Done = IteratorResult<never, undefined>;
const END: Done = Object.freeze({ done: true, value: undefined });

/**
 * Yields each input's result (a `PromiseSettledResult` plus its `index`) as
 * soon as it settles: Python's `asyncio.as_completed`. A failure does not end
 * the loop, as it ends `Promise.all`; `Promise.race` tells only who was first.
 *
 * Guarantees:
 *
 * - **Order.** As the inputs settle; a plain value is already fulfilled,
 *   and those already settled come first, in input order. Each input yields
 *   exactly once, read as `await` reads it.
 * - **Eager.** The inputs are read and watched at the call: every rejection
 *   is handled from then on, even if the loop never runs or stops early.
 * - **Cancellation.** Aborting `signal` ends the iteration: a waiting or the
 *   next `next()` rejects with `signal.reason`, later ones report the end.
 *   The signal is listened to only while a `next()` waits. Stopping early
 *   (`break`, `return()`) drops the results still to come. The inputs run
 *   on: cancel them through their own signals.
 *
 * @param promises The promises or values to watch: an iterable object (not
 * a string), read at once to the end; what reading it throws is thrown.
 */
export function asCompleted<T = never, P = T | PromiseLike<T>>(
  promises: Iterable<P>,
  options?: AsCompletedOptions,
): AsyncIteratorObject<AsCompletedResult<Awaited<P>>, undefined> {
  list(promises, "iterate results", "promises", "promises");
  const signal = signalOf(options, "iterate results");
  return new Completions(promises, signal) as never; // typed by the signature
}

/** What {@linkcode asCompleted} returns: an async iterator (see the end). */
class Completions implements AsyncIterableIterator<Result> {
  #signal: AbortSignal | undefined;
  /** The results, as the iterator results `next()` gives; closed when all came. */
  #results: Queue<IteratorResult<Result, undefined>> | undefined = new Queue();
  /** Inputs that have not settled yet. */
  #left = 0;
  /** What a waiting `next()` does when its `get` fails (closed, aborted). */
  #ended = (error: unknown): Done => {
    this.#finish();
    if (error instanceof QueueClosedError) return END;
    throw error; // the signal's reason
  };

  /** Reads the inputs to the end and attaches to each. */
  constructor(promises: Iterable<unknown>, signal: AbortSignal | undefined) {
    this.#signal = signal;
    for (const input of promises) {
      const index = this.#left++; // none settles before the loop ends
      const fulfilled = (value: unknown) =>
        this.#settled({ status: "fulfilled", value, index });
      const rejected = (reason: unknown) =>
        this.#settled({ status: "rejected", reason, index });
      try {
        then.call(Promise.resolve(input), fulfilled, rejected);
      } catch (error) {
        // A promise whose `constructor` getter throws, read once or twice
        // (then reads it too): nothing was attached.
        then.call(Promise.reject(error), fulfilled, rejected);
      }
    }
    if (this.#left === 0) this.#results!.close();
  }

  next(): Promise<IteratorResult<Result, undefined>> {
    const results = this.#results;
    if (results === undefined) return Promise.resolve(END);
    const signal = this.#signal;
    if (signal?.aborted) {
      this.#finish(); // the next `next()` sees the end
      return Promise.reject(signal.reason);
    }
    if (results.size > 0) return Promise.resolve(results.tryGet()!.value);
    return results.get({ signal }).then(undefined, this.#ended); // see #ended
  }

  return(): Promise<IteratorResult<Result, undefined>> {
    this.#finish();
    return Promise.resolve(END);
  }

  declare [Symbol.asyncIterator]: () => this; // %AsyncIteratorPrototype%'s

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

// Inherits what every async iterator has, as a generator's: `await using`.
const generator = Object.getPrototypeOf(async function* () {}.prototype);
Object.setPrototypeOf(Completions.prototype, Object.getPrototypeOf(generator));
