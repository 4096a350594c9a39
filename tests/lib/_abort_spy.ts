// A test helper: sees what lib/ attaches to an AbortSignal.
import { assert } from "@std/assert";

/** What {@linkcode spy} reports about one signal. */
export interface SignalSpy {
  /** How many "abort" listeners were added to the signal. */
  readonly listeners: number;
  /**
   * How many watchers lib/_abort.ts holds for the signal right now: callers
   * that would be told if it aborted. 0 once every caller has left.
   */
  readonly watchers: number;
}

/**
 * Records the "abort" listeners added to `signal`. lib/_abort.ts adds one
 * listener per signal, and that listener is the Set of its watchers: holding
 * it lets a test count the watchers still attached. (This reads an internal
 * of _abort.ts on purpose; if it changes, the assert below says so.)
 */
export function spy(signal: AbortSignal): SignalSpy {
  let listeners = 0;
  let watchers: Set<unknown> | undefined;
  const add = signal.addEventListener;
  signal.addEventListener = function (
    this: AbortSignal,
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (type === "abort") {
      listeners++;
      assert(listener instanceof Set, "lib/_abort.ts no longer adds a Set");
      watchers = listener as unknown as Set<unknown>;
    }
    add.call(this, type, listener, options);
  };
  return {
    get listeners() {
      return listeners;
    },
    get watchers() {
      return watchers?.size ?? 0;
    },
  };
}
