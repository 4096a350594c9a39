/**
 * An event flag that tasks can wait for: Python's `asyncio.Event`.
 *
 * @module
 */
import { DONE, signalFor, Waiters } from "./_waiters.ts";

/** Options for {@linkcode Event.prototype.wait}. */
export interface EventWaitOptions {
  /** Gives up waiting when aborted (see **Cancellation** on {@linkcode Event}). */
  signal?: AbortSignal;
}

/**
 * A flag that starts unset, which any number of tasks can wait for: the
 * counterpart of Python's `asyncio.Event` (trio's cannot be cleared). One
 * task announces that something happened (the configuration is loaded,
 * shutdown began): a promise does it once, an event again after `clear()`.
 *
 * Guarantees:
 *
 * - **Everyone wakes.** {@linkcode Event.prototype.set} wakes every caller
 *   waiting at that moment, in the order they came; a later `clear()` does
 *   not put them back to sleep. While it is set, `wait()` resolves at once.
 * - **Cancellation.** A signal aborted already (even with the event set) or
 *   while the caller waits rejects `wait()` with `signal.reason` at once; the
 *   waiter leaves `waiting` at once, and is never woken, even by a `set()`
 *   that comes before the abort listener ran.
 * - **Cost.** `wait()`, an abort and `set()` per waiter are O(1); waiters
 *   that share a signal add one listener to it.
 *
 * It shadows the DOM's global `Event`: import `Event as AsyncEvent` for both.
 */
export class Event {
  #isSet = false;
  #waiters = new Waiters<undefined>();

  /** Whether the event is set. */
  get isSet(): boolean {
    return this.#isSet;
  }

  /** How many callers are waiting for the event right now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Sets the event and wakes every waiting caller; does nothing if it is set. */
  set(): void {
    if (this.#isSet) return;
    this.#isSet = true;
    this.#waiters.settleAll(undefined);
  }

  /**
   * Unsets the event: later `wait()` calls wait for the next `set()`.
   *
   * @example Set, clear, set again
   * ```ts
   * import { Event } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const event = new Event();
   * event.set();
   * await event.wait(); // at once: the event is set
   * event.clear();
   * const waiting = event.wait();
   * assertEquals([event.isSet, event.waiting], [false, 1]);
   * event.set();
   * await waiting;
   * ```
   */
  clear(): void {
    this.#isSet = false;
  }

  /** Waits until the event is set; resolves at once if it is set now. */
  wait(options?: EventWaitOptions): Promise<void> {
    const signal = signalFor(options, "wait for event");
    if (signal instanceof Promise) return signal;
    if (this.#isSet) return DONE;
    return this.#waiters.park(undefined, signal) as Promise<void>;
  }
}
