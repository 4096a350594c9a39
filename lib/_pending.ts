/**
 * What Event and Queue share to keep waiters cheap; not part of the public
 * API.
 *
 * - {@linkcode park}: a pending promise whose resolve function goes straight
 *   into a waiter array, with no closure per waiter.
 * - {@linkcode Failure}: rejects a waiter through its resolve function, so a
 *   waiter keeps one function alive, not two.
 * - {@linkcode DONE}: one resolved promise for every call that need not wait.
 * - {@linkcode signalOf}: reads and checks a method's `{ signal }` option.
 *
 * @module
 */
import { checkOptions, checkSignal } from "./_util.ts";

/** A waiter's resolve function, as the Promise constructor hands it out. */
export type Resolve = (value: unknown) => void;

/**
 * Where the shared executor leaves the resolve function; {@linkcode park}
 * empties it before returning, so it never keeps a caller's promise (or the
 * value that later settles it) alive.
 */
let grabbed: Resolve | undefined;

/** One executor for every parked promise: no closure per waiter. */
function grab(resolve: Resolve): void {
  grabbed = resolve;
}

/**
 * Makes a pending promise and stores its resolve function at `slots[at]`.
 *
 * @param slots The array that holds the waiter.
 * @param at Where its resolve function goes.
 * @returns The waiter's promise.
 */
export function park(slots: unknown[], at: number): Promise<unknown> {
  const promise = new Promise(grab);
  slots[at] = grabbed;
  grabbed = undefined;
  return promise;
}

/**
 * A thenable that rejects whoever adopts it: `resolve(new Failure(reason))`
 * rejects a parked promise with `reason`. Unlike `Promise.reject(reason)` it
 * is never an unhandled rejection in between (Deno tracks those, and
 * thousands at once cost quadratic time).
 */
export class Failure {
  /**
   * Wraps the reason to reject with.
   *
   * @param reason What the waiter's promise rejects with.
   */
  constructor(readonly reason: unknown) {}
  /** Rejects the adopting promise with {@linkcode Failure.reason}. */
  then(_: unknown, reject: (reason: unknown) => void): void {
    reject(this.reason);
  }
}

/**
 * The promise every call returns when it need not wait. It holds nothing but
 * `undefined`, so sharing it keeps nothing alive.
 */
export const DONE: Promise<void> = Promise.resolve();

/**
 * The `signal` of a method's options: `undefined` when there is none, a
 * `TypeError` when `options` is not an options object (see
 * `checkOptions` in lib/_util.ts) or `signal` is not an `AbortSignal`. The
 * option is read once.
 *
 * @param options What the caller passed as options.
 * @param action What the call was about to do, for the message ("put item").
 * @returns The signal, `undefined`, or the error to reject with.
 */
export function signalOf(
  options: unknown,
  action: string,
): AbortSignal | undefined | TypeError {
  if (options === undefined) return undefined;
  const refused = checkOptions(options, action);
  if (refused !== undefined) return refused;
  const signal = (options as { signal?: unknown }).signal;
  return checkSignal(signal, action) ?? signal as AbortSignal | undefined;
}
