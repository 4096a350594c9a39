/**
 * A mutual-exclusion lock: one holder at a time, the rest wait in FIFO order.
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
 * guarantees, plus {@linkcode Lock.prototype.locked}. Not reentrant, as
 * `asyncio.Lock`: a holder acquiring again waits forever; pass the permit on.
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
