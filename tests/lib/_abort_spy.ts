// A test helper: sees what lib/ attaches to an AbortSignal.
import { assert } from "@std/assert";

/** What {@linkcode spy} reports about one signal. */
export interface SignalSpy {
  /** The most "abort" listeners the signal carried at one time. */
  readonly listeners: number;
  /** How many "abort" listeners the signal carries now: 0 once all left. */
  readonly attached: number;
  /**
   * How many watchers lib/_abort.ts holds for the signal right now: callers
   * that would be told if it aborted. 0 once every caller has left.
   */
  readonly watchers: number;
}

/**
 * Records the "abort" listeners added to and removed from `signal`.
 * lib/_abort.ts adds one listener per signal, and that listener holds its
 * watchers (its `size` counts them): holding it lets a test count the
 * watchers still attached. (This reads an internal of _abort.ts on purpose;
 * if it changes, the assert below says so.)
 */
export function spy(signal: AbortSignal): SignalSpy {
  let most = 0;
  const attached = new Set<unknown>();
  let watchers: { size: number } | undefined;
  const add = signal.addEventListener;
  const remove = signal.removeEventListener;
  // A listener that fires once is gone after the abort.
  add.call(signal, "abort", () => attached.clear(), { once: true });
  signal.addEventListener = function (
    this: AbortSignal,
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (type === "abort") {
      watchers = listener as unknown as { size: number };
      assert(typeof watchers.size === "number", "lib/_abort.ts changed");
      attached.add(listener);
      most = Math.max(most, attached.size);
    }
    add.call(this, type, listener, options);
  };
  signal.removeEventListener = function (
    this: AbortSignal,
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void {
    if (type === "abort") attached.delete(listener);
    remove.call(this, type, listener, options);
  };
  return {
    get listeners() {
      return most;
    },
    get attached() {
      return attached.size;
    },
    get watchers() {
      return watchers?.size ?? 0;
    },
  };
}
