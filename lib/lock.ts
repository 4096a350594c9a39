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
import { Semaphore } from "./semaphore.ts";

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
 * - **Cost.** Every operation is O(1).
 *
 * Its methods are {@linkcode Semaphore}'s (`acquire`, `tryAcquire`, `run`,
 * `permits` always 1, `available` 1 when free, `waiting`).
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
export class Lock extends Semaphore {
  /** Creates a lock, free. */
  constructor() {
    super(1);
  }

  /** Whether someone holds the lock right now. */
  get locked(): boolean {
    return this.available === 0;
  }
}
