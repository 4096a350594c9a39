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
 *   using _held = await lock.acquire(); // released when the block ends, even on a throw
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
 * Python's `asyncio.Lock`. JavaScript never interrupts code between two
 * `await`s, but a task that reads shared state, `await`s, then writes back
 * lets every other task run in between, and their updates are lost; holding
 * a lock from the read to the write makes the section exclusive.
 *
 * A lock is a {@linkcode Semaphore} of one permit, with the same methods and
 * guarantees (FIFO without barging, cancellation, `run` calling `fn` on a
 * later microtask in the caller's async context, idempotent permits, O(1)
 * operations), plus {@linkcode Lock.prototype.locked}. It is not reentrant:
 * a holder that acquires again waits for itself forever, as with
 * `asyncio.Lock`; pass the permit down instead.
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
