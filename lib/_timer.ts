/**
 * Timers for any duration; not part of the public API. `setTimeout` fires at
 * once for a delay of 2³¹ ms (about 24.8 days) or more, and durations in
 * lib/ may be longer.
 *
 * @module
 */

/** The longest delay `setTimeout` honours; a longer one fires at once. */
export const MAX_TIMEOUT = 2 ** 31 - 1;

/** A timer from {@linkcode setLongTimeout}. */
export interface LongTimeout {
  /** Stops the timer; does nothing once it fired or was cleared. */
  clear(): void;
}

/**
 * `setTimeout` for any non-negative duration: `setTimeout` fires at once for
 * a delay of 2³¹ ms (about 24.8 days) or more, so a longer delay is waited
 * in steps. `Infinity` never fires and holds no timer at all.
 *
 * @param callback What to call when the time is up.
 * @param ms How long to wait, in milliseconds (≥ 0, may be `Infinity`).
 * @returns A handle whose `clear()` cancels the timer.
 */
export function setLongTimeout(callback: () => void, ms: number): LongTimeout {
  let id: ReturnType<typeof setTimeout> | undefined;
  const arm = (left: number): void => {
    if (left === Infinity) return;
    if (left > MAX_TIMEOUT) {
      id = setTimeout(() => arm(left - MAX_TIMEOUT), MAX_TIMEOUT);
    } else {
      id = setTimeout(callback, left);
    }
  };
  arm(ms);
  return {
    clear(): void {
      if (id !== undefined) clearTimeout(id);
      id = undefined;
    },
  };
}
