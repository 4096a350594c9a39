/**
 * The one wait queue under Semaphore, Lock, Event, Queue and asCompleted;
 * not part of the public API. The counterpart of trio's `ParkingLot`.
 *
 * {@linkcode Waiters} holds parked callers first come, first served.
 * Joining the end, leaving from the front and leaving from anywhere (an
 * abort) are each O(1), amortised like `Array.prototype.push`. A caller
 * that passes a signal watches it through lib/_abort.ts (one listener per
 * distinct signal, however many callers share it) and stops watching the
 * moment it leaves, woken or refused: a settled call leaves nothing behind.
 *
 * The list is a ring buffer of three slots per caller (its resolve
 * function, what it brought, its {@linkcode Watcher} or `undefined`), not an
 * object per caller: with a linked node per caller, `Semaphore(4).run` of
 * 10⁴ queued no-op tasks cost 1.5× the 78abbaf Semaphore, against 1.2× with
 * the ring (the A/B groups of bench/sync_bench.ts). An abort leaves a hole that the
 * front skips. The ring is rebuilt (holes dropped, at least twice the size
 * of what it holds) when it is full, and when it holds less than a quarter
 * of its capacity, so its memory follows what it holds, after a burst too.
 *
 * @module
 */
import { type AbortWatcher, unwatch, watch } from "./_abort.ts";
import { signalOf } from "./_check.ts";

type Settle = (value: unknown) => void;

/** Slots per caller: resolve, what it brought, its Watcher or undefined. */
const STRIDE = 3;
/** The smallest ring, in callers. */
const MIN = 8;

/**
 * Where the one executor of every parked promise leaves its resolve
 * function; `park` reads and clears it on the next line. A closure per
 * caller would cost an allocation per caller.
 */
let grabbed: Settle | undefined;
/**
 * An arrow in a `const`, not a function declaration: V8 then inlines it
 * into `park` (with a declaration, 10⁴ queued `Semaphore.run` calls cost
 * 1.5× the 78abbaf Semaphore rather than 1.25×).
 */
const grab = (resolve: Settle): void => {
  grabbed = resolve;
};

/**
 * A thenable that rejects whoever adopts it: `resolve(new Failure(reason))`
 * rejects a parked promise, so a caller keeps one function alive, not two.
 */
class Failure {
  constructor(readonly reason: unknown) {}
  then(_: unknown, reject: Settle): void {
    reject(this.reason);
  }
}

/** A parked caller's signal, and where the caller sits in its ring. */
export class Watcher implements AbortWatcher {
  /**
   * Made by {@linkcode Waiters.prototype.park}.
   *
   * @param waiters The list the caller waits in.
   * @param signal The caller's signal.
   * @param index The caller's place in the ring; moves with a rebuild.
   */
  constructor(
    readonly waiters: Waiters<unknown>,
    readonly signal: AbortSignal,
    public index: number,
  ) {}
  /** The signal aborted: the caller leaves, refused with its reason. */
  aborted(): void {
    this.waiters.drop(this);
  }
}

/**
 * Parked callers, first come, first served.
 *
 * @typeParam T What a caller brings (a putter's item, a `run` caller's fn).
 */
export class Waiters<T> {
  #ring: unknown[] = new Array(MIN * STRIDE);
  #mask = MIN - 1;
  #front = 0;
  /** Entries from the front, holes included. */
  #length = 0;
  /** Callers waiting. */
  #size = 0;

  /** How many callers wait. */
  get size(): number {
    return this.#size;
  }

  /**
   * Parks a caller at the end.
   *
   * @param value What it brings.
   * @param signal Its signal, not aborted, or `undefined`.
   * @returns Its promise: what {@linkcode Waiters.prototype.wake} gives, or
   * a rejection (the signal's reason, or a refusal).
   */
  park(value: T, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.#length > this.#mask) this.#rebuild();
    const index = (this.#front + this.#length++) & this.#mask;
    const slot = index * STRIDE;
    const ring = this.#ring;
    const promise = new Promise(grab);
    ring[slot] = grabbed;
    grabbed = undefined;
    ring[slot + 1] = value;
    if (signal !== undefined) {
      const watcher = new Watcher(this, signal, index);
      ring[slot + 2] = watcher;
      watch(signal, watcher);
    }
    this.#size++;
    return promise;
  }

  /**
   * Whether a caller waits at the front, ready to be woken. Holes are
   * skipped; a caller whose signal has aborted while its abort listener has
   * not run yet (another listener on the signal is running) is never
   * served: it is refused with the reason on the way.
   */
  first(): boolean {
    while (this.#size > 0) {
      const slot = this.#front * STRIDE;
      if (this.#ring[slot] === undefined) {
        this.#front = (this.#front + 1) & this.#mask;
        this.#length--;
        continue;
      }
      const watcher = this.#ring[slot + 2] as Watcher | undefined;
      if (watcher === undefined || !watcher.signal.aborted) return true;
      this.drop(watcher);
    }
    return false;
  }

  /** What the front caller brought; after {@linkcode Waiters.prototype.first}. */
  get value(): T {
    return this.#ring[this.#front * STRIDE + 1] as T;
  }

  /** The front caller's signal; after {@linkcode Waiters.prototype.first}. */
  get signal(): AbortSignal | undefined {
    return (this.#ring[this.#front * STRIDE + 2] as Watcher | undefined)
      ?.signal;
  }

  /**
   * Takes the front caller out and resolves its promise with `result`;
   * after {@linkcode Waiters.prototype.first} returned `true`.
   */
  wake(result: unknown): void {
    const resolve = this.#take(this.#front);
    this.#front = (this.#front + 1) & this.#mask;
    this.#length--;
    this.#shrink();
    resolve(result);
  }

  /**
   * Settles every caller, in the order they came, and empties the list:
   * resolved with `result`, or rejected with it if `failed`. A caller whose
   * signal has aborted is rejected with the signal's reason either way.
   */
  settleAll(result: unknown, failed = false): void {
    while (this.first()) {
      const resolve = this.#take(this.#front);
      this.#front = (this.#front + 1) & this.#mask;
      this.#length--;
      resolve(failed ? new Failure(result) : result);
    }
    this.#shrink();
  }

  /** Refuses the caller of `watcher`, whose signal aborted: for Watcher. */
  drop(watcher: Watcher): void {
    const resolve = this.#take(watcher.index);
    this.#shrink();
    resolve(new Failure(watcher.signal.reason));
  }

  /** Empties the caller's slots (a hole) and stops watching its signal. */
  #take(index: number): Settle {
    const ring = this.#ring;
    const slot = index * STRIDE;
    const resolve = ring[slot] as Settle;
    const watcher = ring[slot + 2] as Watcher | undefined;
    ring[slot] = ring[slot + 1] = ring[slot + 2] = undefined;
    if (watcher !== undefined) unwatch(watcher.signal, watcher);
    this.#size--;
    return resolve;
  }

  /** After a caller left: forget the holes once empty, shrink when sparse. */
  #shrink(): void {
    if (this.#size === 0) this.#front = this.#length = 0;
    if (this.#mask >= MIN && this.#size <= this.#mask >> 4) this.#rebuild();
  }

  /**
   * Copies the callers, in order, to the front of a new ring at least twice
   * their number, dropping the holes.
   */
  #rebuild(): void {
    let capacity = MIN;
    while (capacity < 2 * this.#size) capacity *= 2;
    const old = this.#ring;
    const ring = new Array(capacity * STRIDE);
    let to = 0;
    for (let k = 0; k < this.#length; k++) {
      const from = ((this.#front + k) & this.#mask) * STRIDE;
      if (old[from] === undefined) continue;
      ring[to] = old[from];
      ring[to + 1] = old[from + 1];
      const watcher = old[from + 2] as Watcher | undefined;
      if (watcher !== undefined) {
        watcher.index = to / STRIDE;
        ring[to + 2] = watcher;
      }
      to += STRIDE;
    }
    this.#ring = ring;
    this.#mask = capacity - 1;
    this.#front = 0;
    this.#length = this.#size;
  }
}

/**
 * The signal of a waiting method's `{ signal }` option, checked with
 * lib/_check.ts; or, instead, the rejected promise the method returns: a
 * `TypeError` for bad options, `signal.reason` for a signal that has already
 * aborted. A method that waits never throws.
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
