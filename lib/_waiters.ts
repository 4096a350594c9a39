/**
 * The one wait queue under Semaphore, Lock, Event, Queue and asCompleted
 * (trio's `ParkingLot`); not part of the public API.
 *
 * Callers wait first come, first served, in a doubly linked list: joining,
 * leaving from the front and leaving from anywhere (an abort) are O(1), and
 * its memory is what it holds, after a burst too. A caller's signal is
 * watched (lib/_abort.ts) while it waits: a settled call leaves no listener.
 *
 * @module
 */
import { type AbortWatcher, unwatch, watch } from "./_abort.ts";
import { signalOf } from "./_check.ts";

type Settle = (value: unknown) => void;

/** What a call that need not wait returns (or awaits); it holds nothing. */
export const DONE: Promise<void> = Promise.resolve();

/** The genuine `then`: a caller's promise whose own calls back twice is heard
 * once. Not exported as `then`: a module that exports one is a thenable. */
export const genuineThen: Promise<unknown>["then"] = Promise.prototype.then;

/**
 * The one executor of every parked promise leaves its resolve function here
 * (no closure per caller). An arrow in a `const`, which V8 inlines; as a
 * function declaration, 10⁴ queued `Semaphore.run` calls took 1.5× the
 * 78abbaf Semaphore's time instead of 1.25×.
 */
let grabbed: Settle | undefined;
const grab = (resolve: Settle): void => {
  grabbed = resolve;
};

/** Rejects whoever adopts it: a caller keeps one function alive, not two. */
class Failure {
  declare readonly reason: unknown;
  constructor(reason: unknown) {
    this.reason = reason;
  }
  then(_: unknown, reject: Settle): void {
    reject(this.reason);
  }
}

/** A parked caller: a node of its list, and the watcher of its signal. */
class Waiter<T> implements AbortWatcher {
  prev: Waiter<T> | undefined = undefined;
  next: Waiter<T> | undefined = undefined;
  declare readonly list: Waiters<T>;
  declare readonly value: T;
  declare readonly signal: AbortSignal | undefined;
  declare readonly resolve: Settle;
  constructor(
    list: Waiters<T>,
    value: T,
    signal: AbortSignal | undefined,
    resolve: Settle,
  ) {
    this.list = list;
    this.value = value;
    this.signal = signal;
    this.resolve = resolve;
  }
  aborted(): void {
    this.list.drop(this);
  }
}

/** Parked callers, first come, first served; each brings a `T`. */
export class Waiters<T> {
  #head: Waiter<T> | undefined;
  #tail: Waiter<T> | undefined;
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
    const promise = new Promise(grab);
    const waiter = new Waiter(this, value, signal, grabbed!);
    grabbed = undefined;
    // Before it joins: a signal that takes no listener (_abort.ts) refuses
    // the call, and no waiter nobody holds is left to take what comes next.
    if (signal !== undefined) {
      try {
        watch(signal, waiter);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const tail = (waiter.prev = this.#tail);
    if (tail === undefined) this.#head = waiter;
    else tail.next = waiter;
    this.#tail = waiter;
    this.#size++;
    return promise;
  }

  /**
   * Whether a caller waits at the front. One whose signal has aborted while
   * its listener has yet to run (another listener runs first) is refused.
   */
  first(): boolean {
    for (let waiter = this.#head; waiter; waiter = this.#head) {
      if (!waiter.signal?.aborted) return true;
      this.drop(waiter);
    }
    return false;
  }

  /** What the front caller brought (after `first()`). */
  get value(): T {
    return this.#head!.value;
  }

  /** The front caller's signal (after `first()`). */
  get signal(): AbortSignal | undefined {
    return this.#head!.signal;
  }

  /** Takes the front caller out and resolves it with `result` (after `first()`). */
  wake(result: unknown): void {
    this.#leave(this.#head!)(result);
  }

  /** Takes the front caller out and rejects it with `reason` (after `first()`). */
  fail(reason: unknown): void {
    this.wake(new Failure(reason));
  }

  /** Settles every caller, in order: with `result`, or rejected if `failed`. */
  settleAll(result: unknown, failed = false): void {
    while (this.first()) this.wake(failed ? new Failure(result) : result);
  }

  /** Refuses a caller (a Waiter) whose signal aborted, with the reason. */
  drop(waiter: object): void {
    const { signal } = waiter as Waiter<T>;
    this.#leave(waiter as Waiter<T>)(new Failure(signal!.reason));
  }

  /** Unlinks a caller, stops watching its signal, returns its resolve. */
  #leave(waiter: Waiter<T>): Settle {
    const { prev, next, signal } = waiter;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    waiter.prev = waiter.next = undefined;
    if (signal !== undefined) unwatch(signal, waiter);
    this.#size--;
    return waiter.resolve;
  }
}

/**
 * The signal of a waiting method's `{ signal }` option, checked; or the
 * rejected promise the method returns instead (a `TypeError`, or the reason
 * of a signal already aborted): a method that waits never throws.
 */
export function signalFor(
  options: { signal?: AbortSignal } | undefined,
  action: string,
): AbortSignal | undefined | Promise<never> {
  try {
    const signal = signalOf(options, action);
    return signal?.aborted ? Promise.reject(signal.reason) : signal;
  } catch (error) {
    return Promise.reject(error);
  }
}
