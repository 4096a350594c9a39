/**
 * An event flag that tasks can wait for: the counterpart of Python's
 * `asyncio.Event`.
 *
 * @example Start every worker at the same moment
 * ```ts
 * import { Event } from "@asincronia/asincronia/event";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const go = new Event();
 * const log: string[] = [];
 * const workers = ["a", "b", "c"].map(async (name) => {
 *   await go.wait();
 *   log.push(name);
 * });
 * log.push("ready");
 * go.set();
 * await Promise.all(workers);
 * assertEquals(log, ["ready", "a", "b", "c"]);
 * ```
 *
 * @module
 */
import { signalFor, Waiters } from "./_waiters.ts";

/** Options for {@linkcode Event.prototype.wait}. */
export interface EventWaitOptions {
  /**
   * Gives up waiting when aborted: the call rejects with `signal.reason`
   * (at once if already aborted, even when the event is set).
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * A flag that starts unset; {@linkcode Event.prototype.wait} waits until it is
 * set. The counterpart of Python's `asyncio.Event` (and of trio's `Event`,
 * which cannot be cleared).
 *
 * One task announces that something happened (the configuration is loaded,
 * the server listens, shutdown began) and any number of tasks, started
 * before or after, wait for it. A promise does this once; an event can be
 * cleared and set again, and a waiter can give up through an `AbortSignal`.
 *
 * Guarantees:
 *
 * - **Everyone wakes.** {@linkcode Event.prototype.set} wakes every caller
 *   waiting at that moment, in the order they started waiting. Clearing the
 *   event afterwards does not put them back to sleep: a `set()` that
 *   happened is never lost. While the event is set, `wait()` resolves at
 *   once.
 * - **Cancellation.** A signal that is already aborted rejects `wait()` at
 *   once with `signal.reason`; one that aborts while the caller waits removes
 *   the caller at once (it no longer counts in
 *   {@linkcode Event.prototype.waiting}) and rejects with `signal.reason`. A
 *   waiter whose signal has aborted is never woken, even when `set()` comes
 *   before the abort listener has run.
 * - **Cost.** `wait()`, `set()` per waiter, and an abort are O(1). Many
 *   waiters that share one signal add a single "abort" listener to it.
 *
 * This class shares its name with the DOM's global `Event`; importing it
 * shadows that global in the importing module. Import it under another name
 * (`import { Event as AsyncEvent } from …`) where you need both.
 *
 * @example Wait with a deadline
 * ```ts
 * import { Event } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const ready = new Event();
 * const error = await ready.wait({ signal: AbortSignal.timeout(20) }).catch((e) => e);
 * assertEquals(error.name, "TimeoutError");
 * assertEquals(ready.waiting, 0);
 * ```
 *
 * @example Set, clear, set again
 * ```ts
 * import { Event } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const event = new Event();
 * event.set();
 * await event.wait(); // resolves at once: the event is set
 * event.clear();
 * assertEquals(event.isSet, false);
 * const waiting = event.wait();
 * event.set();
 * await waiting;
 * ```
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

  /**
   * Sets the event and wakes every caller waiting for it, in the order they
   * started waiting. Does nothing if it is already set.
   */
  set(): void {
    if (this.#isSet) return;
    this.#isSet = true;
    this.#waiters.settleAll(undefined);
  }

  /**
   * Unsets the event: later calls to {@linkcode Event.prototype.wait} wait
   * for the next {@linkcode Event.prototype.set}. Callers already woken stay
   * woken.
   */
  clear(): void {
    this.#isSet = false;
  }

  /**
   * Waits until the event is set; resolves at once if it is set now.
   *
   * @example
   * ```ts
   * import { Event } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const loaded = new Event();
   * let config = "";
   * setTimeout(() => {
   *   config = "ready";
   *   loaded.set();
   * }, 10);
   * await loaded.wait();
   * assertEquals(config, "ready");
   * ```
   *
   * @param options What may cancel the wait.
   * @returns A promise that resolves (to `undefined`) when the event is set.
   * It rejects with `signal.reason` if the signal aborts first, and with a
   * `TypeError` if `options` is not an object or `signal` is not an
   * `AbortSignal`.
   */
  wait(options?: EventWaitOptions): Promise<void> {
    const signal = signalFor(options, "wait for event");
    if (signal instanceof Promise) return signal;
    if (this.#isSet) return DONE;
    return this.#waiters.park(undefined, signal) as Promise<void>;
  }
}

/** What `wait` returns while the event is set; it holds nothing. */
const DONE: Promise<void> = Promise.resolve();
