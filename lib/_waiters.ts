/**
 * The one wait queue under Semaphore, Lock, Event, Queue and asCompleted
 * (trio's `ParkingLot`); not part of the public API.
 *
 * Callers wait first come, first served. Joining, leaving from the front
 * and leaving on an abort are O(1), amortised. A caller's signal is watched
 * through lib/_abort.ts (one listener per distinct signal) from the moment
 * it parks to the moment it leaves, woken or refused: a settled call leaves
 * nothing on it.
 *
 * For speed, a ring of three slots per caller (its resolve function, what
 * it brought, its Watcher if it passed a signal) and no object per caller:
 * with a linked node per caller, 10⁴ queued `Semaphore.run` calls took 1.5×
 * the 78abbaf Semaphore's time instead of 1.3× (the A/B groups of
 * bench/sync_bench.ts). An abort leaves a hole that the front skips. The
 * ring is rebuilt without holes when full and when under a sixteenth full,
 * so its memory follows what it holds, after a burst too.
 *
 * @module
 */
import { type AbortWatcher, unwatch, watch } from "./_abort.ts";
import { signalOf } from "./_check.ts";

type Settle = (value: unknown) => void;
const STRIDE = 3;
const MIN = 8;

/**
 * The one executor of every parked promise leaves its resolve function here
 * (no closure per caller). An arrow in a `const`, which V8 inlines; as a
 * function declaration, 10⁴ queued `run` calls took 1.5× the 78abbaf
 * Semaphore's time instead of 1.25×.
 */
let grabbed: Settle | undefined;
const grab = (resolve: Settle): void => {
  grabbed = resolve;
};

/** Rejects whoever adopts it: a caller keeps one function alive, not two. */
class Failure {
  constructor(readonly reason: unknown) {}
  then(_: unknown, reject: Settle): void {
    reject(this.reason);
  }
}

/** A parked caller's signal, and the caller's place in the ring. */
class Watcher implements AbortWatcher {
  constructor(
    readonly waiters: Waiters<unknown>,
    readonly signal: AbortSignal,
    public index: number,
  ) {}
  aborted(): void {
    this.waiters.drop(this.index);
  }
}

/** Parked callers, first come, first served; each brings a `T`. */
export class Waiters<T> {
  #ring: unknown[] = new Array(MIN * STRIDE);
  #mask = MIN - 1;
  #front = 0;
  #length = 0; // entries from the front, holes included
  #size = 0;

  /** How many callers wait. */
  get size(): number {
    return this.#size;
  }

  /**
   * Parks a caller bringing `value`, watching `signal` (not aborted). Its
   * promise gets what `wake` gives, or rejects.
   */
  park(value: T, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.#length > this.#mask) this.#rebuild();
    const index = (this.#front + this.#length++) & this.#mask;
    const slot = index * STRIDE;
    const promise = new Promise(grab);
    this.#ring[slot] = grabbed;
    this.#ring[slot + 1] = value;
    grabbed = undefined;
    if (signal !== undefined) {
      const watcher = new Watcher(this, signal, index);
      this.#ring[slot + 2] = watcher;
      watch(signal, watcher);
    }
    this.#size++;
    return promise;
  }

  /**
   * Whether a caller waits at the front. One whose signal has aborted while
   * its listener has yet to run (another listener runs first) is refused.
   */
  first(): boolean {
    while (this.#size > 0) {
      const slot = this.#front * STRIDE;
      const watcher = this.#ring[slot + 2] as Watcher | undefined;
      if (this.#ring[slot] === undefined) {
        this.#front = (this.#front + 1) & this.#mask;
        this.#length--;
      } else if (watcher?.signal.aborted) this.drop(this.#front);
      else return true;
    }
    return false;
  }

  /** What the front caller brought (after `first()`). */
  get value(): T {
    return this.#ring[this.#front * STRIDE + 1] as T;
  }

  /** The front caller's signal (after `first()`). */
  get signal(): AbortSignal | undefined {
    return (this.#ring[this.#front * STRIDE + 2] as Watcher)?.signal;
  }

  /** Takes the front caller out and resolves it with `result` (after `first()`). */
  wake(result: unknown): void {
    this.#leave(this.#front)(result);
  }

  /** Settles every caller, in order: with `result`, or rejected if `failed`. */
  settleAll(result: unknown, failed = false): void {
    while (this.first()) this.wake(failed ? new Failure(result) : result);
  }

  /** Refuses the caller at `index`, whose signal aborted. */
  drop(index: number): void {
    const { signal } = this.#ring[index * STRIDE + 2] as Watcher;
    this.#leave(index)(new Failure(signal.reason));
  }

  /**
   * Leaves a hole where the caller was (the front skips it), stops watching
   * its signal, and returns its resolve function.
   */
  #leave(index: number): Settle {
    const [ring, slot] = [this.#ring, index * STRIDE];
    const resolve = ring[slot] as Settle;
    const watcher = ring[slot + 2] as Watcher | undefined;
    ring[slot] = ring[slot + 1] = ring[slot + 2] = undefined;
    if (watcher !== undefined) unwatch(watcher.signal, watcher);
    if (--this.#size === 0) this.#front = this.#length = 0;
    if (this.#mask >= MIN && this.#size <= this.#mask >> 4) this.#rebuild();
    return resolve;
  }

  /** Moves the callers, in order, to a ring at least twice their number. */
  #rebuild(): void {
    let capacity = MIN;
    while (capacity < 2 * this.#size) capacity *= 2;
    const [old, ring] = [this.#ring, new Array(capacity * STRIDE)];
    for (let k = 0, to = 0; k < this.#length; k++) {
      const from = ((this.#front + k) & this.#mask) * STRIDE;
      if (old[from] === undefined) continue;
      ring[to] = old[from];
      ring[to + 1] = old[from + 1];
      const watcher = ring[to + 2] = old[from + 2] as Watcher | undefined;
      if (watcher !== undefined) watcher.index = to / STRIDE;
      to += STRIDE;
    }
    this.#ring = ring;
    this.#mask = capacity - 1;
    this.#front = 0;
    this.#length = this.#size;
  }
}

/**
 * The signal of a waiting method's `{ signal }` option, checked by
 * lib/_check.ts; or the rejected promise the method returns instead (a
 * `TypeError`, or the reason of a signal already aborted): a method that
 * waits never throws.
 *
 * @param options What the caller passed as options.
 * @param action What the call was about to do, for the message.
 */
export function signalFor(
  options: { signal?: AbortSignal } | undefined,
  action: string,
): AbortSignal | undefined | Promise<never> {
  let signal: AbortSignal | undefined;
  try {
    signal = signalOf(options, action);
  } catch (error) {
    return Promise.reject(error);
  }
  return signal?.aborted ? Promise.reject(signal.reason) : signal;
}
