/**
 * Timers for any duration; not part of the public API.
 *
 * @module
 */

/** The longest delay `setTimeout` honours (about 24.8 days); a longer one
 * fires at once, and durations in lib/ may be longer. */
const MAX_TIMEOUT = 2 ** 31 - 1;

/** A timer from {@linkcode setLongTimeout}; `clear()` is idempotent. */
export interface LongTimeout {
  /** Stops the timer. */
  clear(): void;
}

/**
 * `setTimeout` for any `ms` ≥ 0: a longer delay than {@linkcode MAX_TIMEOUT}
 * is waited in steps, and `Infinity` holds no timer at all.
 */
export function setLongTimeout(callback: () => void, ms: number): LongTimeout {
  let id: ReturnType<typeof setTimeout> | undefined;
  const arm = (left: number): void => {
    if (left === Infinity) return;
    id = left > MAX_TIMEOUT
      ? setTimeout(() => arm(left - MAX_TIMEOUT), MAX_TIMEOUT)
      : setTimeout(callback, left);
  };
  arm(ms);
  return {
    clear(): void {
      if (id !== undefined) clearTimeout(id);
      id = undefined;
    },
  };
}
