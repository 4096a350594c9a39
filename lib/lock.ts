/**
 * A mutual-exclusion lock: one holder at a time, the rest wait their turn in
 * strict first-in, first-out order.
 *
 * @example Keep a read-modify-write atomic across an `await`
 * ```ts
 * import { Lock } from "@asincronia/asincronia/lock";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const lock = new Lock();
 * let balance = 100;
 * async function withdraw(amount: number) {
 *   using _held = await lock.acquire();
 *   const current = balance;
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   balance = current - amount;
 * }
 * await Promise.all([withdraw(30), withdraw(50)]);
 * assertEquals(balance, 20); // without the lock, one withdrawal would be lost
 * ```
 *
 * @module
 */
import { type AcquireOptions, type Permit, Semaphore } from "./semaphore.ts";
import { checkOptions, checkSignal } from "./_util.ts";

export type { AcquireOptions, Permit } from "./semaphore.ts";

/**
 * Lets one task at a time into a critical section: the counterpart of
 * Python's `asyncio.Lock`, and a {@linkcode Semaphore} of one permit that
 * also answers {@linkcode Lock.prototype.locked}.
 *
 * JavaScript runs one callback at a time, so code without an `await` is
 * never interrupted. But a task that reads shared state, `await`s, then
 * writes back lets every other task run in between, and their updates are
 * lost. Holding a lock from the read to the write makes the section
 * exclusive.
 *
 * Guarantees:
 *
 * - **Fairness.** Waiters get the lock in strict first-in, first-out order;
 *   no newcomer, not even {@linkcode Lock.prototype.tryAcquire}, takes it
 *   while anyone waits.
 * - **Cancellation.** An `AbortSignal` that is already aborted rejects the
 *   call at once with `signal.reason`; one that aborts while the caller waits
 *   removes the caller from the queue at once and rejects with
 *   `signal.reason`; one that aborts after the lock was granted changes
 *   nothing for `acquire`, and for `run` rejects the call and skips `fn`
 *   unless `fn` has already started. Many callers may share one signal: it
 *   gets one listener, whatever their number.
 * - **When `fn` runs.** `run` calls `fn` on a later microtask, never inside
 *   the call, and in the caller's async context (`AsyncLocalStorage`).
 * - **Who may release.** Whoever holds the {@linkcode Permit}; releasing it
 *   twice does nothing. The lock does not know about tasks.
 * - **Not reentrant.** A holder that calls `acquire` again waits for itself
 *   forever, as with `asyncio.Lock`. Pass the permit down instead of
 *   acquiring twice.
 * - **Cost.** Every operation is O(1) (amortised).
 *
 * @example `using` is the counterpart of `async with lock:`
 * ```ts
 * import { Lock } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const lock = new Lock();
 * const log: string[] = [];
 * async function criticalSection(name: string) {
 *   using _held = await lock.acquire(); // released when the block ends, even on a throw
 *   log.push(`${name} in`);
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   log.push(`${name} out`);
 * }
 * await Promise.all([criticalSection("a"), criticalSection("b")]);
 * assertEquals(log, ["a in", "a out", "b in", "b out"]);
 * ```
 */
export class Lock {
  #semaphore: Semaphore = new Semaphore(1);

  /** Always 1: a lock is a semaphore of one permit. */
  get permits(): number {
    return 1;
  }

  /** 1 when the lock is free, 0 when someone holds it. */
  get available(): number {
    return this.#semaphore.available;
  }

  /** How many callers are queued for the lock right now. */
  get waiting(): number {
    return this.#semaphore.waiting;
  }

  /** Whether someone holds the lock right now. */
  get locked(): boolean {
    return this.#semaphore.available === 0;
  }

  /**
   * Waits for the lock and resolves with a {@linkcode Permit} that releases
   * it. Resolves at once when the lock is free and nobody waits.
   *
   * @example
   * ```ts
   * import { Lock } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const lock = new Lock();
   * const held = await lock.acquire();
   * assertEquals(lock.locked, true);
   * held.release();
   * assertEquals(lock.locked, false);
   * ```
   *
   * @param options What may cancel the wait.
   * @returns A promise of the permit. It rejects with `signal.reason` if the
   * signal aborts before the lock is granted, and with a `TypeError` if
   * `options` is not an object or `signal` is not an `AbortSignal`.
   */
  acquire(options?: AcquireOptions): Promise<Permit> {
    const refused = checkLockOptions(options);
    if (refused !== undefined) return Promise.reject(refused);
    return this.#semaphore.acquire(options);
  }

  /**
   * Takes the lock only if it is free and nobody waits for it; never waits.
   *
   * @example
   * ```ts
   * import { Lock } from "@asincronia/asincronia";
   * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const lock = new Lock();
   * using held = lock.tryAcquire();
   * assert(held !== undefined);
   * assertEquals(lock.tryAcquire(), undefined); // already held
   * ```
   *
   * @returns A {@linkcode Permit}, or `undefined` when the lock is held or
   * someone is queued.
   */
  tryAcquire(): Permit | undefined {
    return this.#semaphore.tryAcquire();
  }

  /**
   * Runs `fn` while holding the lock, and releases it when the promise `fn`
   * returns settles, whether it fulfils or rejects. `fn` starts on a later
   * microtask, never inside the call, in the caller's async context. The
   * signal cancels the wait for the lock and the step before `fn` starts;
   * it does not stop `fn` once it runs.
   *
   * @example
   * ```ts
   * import { Lock } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const lock = new Lock();
   * let counter = 0;
   * const increment = () =>
   *   lock.run(async () => {
   *     const seen = counter;
   *     await Promise.resolve();
   *     counter = seen + 1;
   *   });
   * await Promise.all([increment(), increment(), increment()]);
   * assertEquals(counter, 3);
   * ```
   *
   * @typeParam T The value `fn` resolves to.
   * @param fn What to run while holding the lock.
   * @param options What may cancel the wait for the lock.
   * @returns A promise of what `fn` returns. It rejects with what `fn`
   * throws, with `signal.reason` if the signal aborts before `fn` starts, and
   * with a `TypeError` if `fn` is not a function, `options` is not an
   * object or `signal` is not an `AbortSignal` (then nothing is queued).
   */
  run<T>(fn: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<T> {
    // A bad fn is reported first, by the semaphore, as Semaphore.run does.
    const refused = typeof fn === "function"
      ? checkLockOptions(options)
      : undefined;
    if (refused !== undefined) return Promise.reject(refused);
    return this.#semaphore.run(fn, options);
  }
}

/**
 * The error for `options` that are not an object or a `signal` that is not an
 * AbortSignal, named for a lock; the semaphore checks the rest.
 */
function checkLockOptions(options: unknown): TypeError | undefined {
  return checkOptions(options, "acquire lock") ??
    checkSignal(
      options === undefined ? undefined : (options as AcquireOptions).signal,
      "acquire lock",
    );
}
