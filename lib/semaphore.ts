/**
 * A counting semaphore: at most `permits` holders at once, the rest wait
 * their turn in strict first-in, first-out order.
 *
 * @example Let at most two downloads run at once
 * ```ts
 * import { Semaphore } from "@asincronia/asincronia/semaphore";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * let running = 0;
 * let most = 0;
 * // A stand-in for a download: takes a while, then answers.
 * async function download(name: string): Promise<string> {
 *   most = Math.max(most, ++running);
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   running--;
 *   return name;
 * }
 *
 * const sem = new Semaphore(2);
 * const bodies = await Promise.all(
 *   ["a", "b", "c", "d"].map((name) => sem.run(() => download(name))),
 * );
 * assertEquals(bodies, ["a", "b", "c", "d"]); // in input order
 * assertEquals(most, 2);
 * ```
 *
 * @module
 */
import { count, fn as checkFn } from "./_check.ts";
import { signalFor, Waiters } from "./_waiters.ts";

/**
 * A permission to go on, from {@linkcode Semaphore.prototype.acquire} or
 * {@linkcode Semaphore.prototype.tryAcquire}. Give it back with
 * {@linkcode Permit.release}, or let `using` give it back at the end of the
 * block. Releasing is idempotent: only the first call gives it back. Any
 * code that holds the object may release it.
 */
export interface Permit extends Disposable {
  /** Whether this permit has been given back. */
  readonly released: boolean;
  /**
   * Gives the permit back to its semaphore: the longest-waiting caller, if
   * any, gets it next. Calling it again does nothing.
   */
  release(): void;
}

/** Options for {@linkcode Semaphore.prototype.acquire} and {@linkcode Semaphore.prototype.run}. */
export interface AcquireOptions {
  /**
   * Gives up waiting when aborted (see **Cancellation** on
   * {@linkcode Semaphore}): the call rejects with `signal.reason` and, for
   * `run`, `fn` never runs. It is not passed to `fn`.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * Limits how many tasks use a resource at once: a counting semaphore with
 * `permits` permits, the counterpart of Python's `asyncio.Semaphore`.
 *
 * Ten thousand requests started together overwhelm the server they hit; a
 * semaphore lets them all be started and makes all but `permits` of them
 * wait. A caller takes a permit with {@linkcode Semaphore.prototype.acquire}
 * (or {@linkcode Semaphore.prototype.run}, which also gives it back) and waits
 * while none is free.
 *
 * Guarantees:
 *
 * - **Fairness.** Waiters get permits in strict first-in, first-out order.
 *   No newcomer barges in: while anyone waits, `acquire` queues behind them
 *   and `tryAcquire` returns `undefined`, even at the instant a permit comes
 *   back.
 * - **Cancellation.** Pass an `AbortSignal`. Already aborted: the call
 *   rejects at once with `signal.reason`. Aborted while waiting: the waiter
 *   leaves the queue at once (it no longer counts in `waiting` and will never
 *   get a permit) and the call rejects with `signal.reason`. Aborted after
 *   the permit was granted: `acquire` still resolves and the holder owns the
 *   permit; `run` rejects with `signal.reason` unless `fn` has started, and
 *   `fn` then never runs. Many callers may share one signal: it gets at most
 *   one listener, whatever the number of callers.
 * - **When `fn` runs.** `run` never calls `fn` inside the call, not even
 *   when a permit is free: always on a later microtask, as `p-limit` and
 *   `async-mutex` do. And `fn` runs in the caller's async context: an
 *   `AsyncLocalStorage` value set around the `run` call is what `fn` sees,
 *   however long it waited in the queue.
 * - **Accounting.** A permit is never lost and never granted twice:
 *   {@linkcode Permit.release} is idempotent, and `run` releases when `fn`
 *   settles, whether it fulfils or throws.
 * - **Who may release.** Whoever holds the {@linkcode Permit} object. The
 *   semaphore does not know about tasks, so it cannot check who calls.
 * - **Cost.** Every operation is O(1): joining the queue, leaving it when
 *   served and leaving it on an abort. Nothing of a caller is kept once its
 *   call has settled, and the queue's memory shrinks after a burst.
 *
 * Compared with `Lock`, which is a semaphore of one permit that also answers
 * `locked`: use a semaphore to bound concurrency, a lock to protect a
 * critical section.
 *
 * @example `using` releases at the end of the block, like `async with`
 * ```ts
 * import { Semaphore } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const sem = new Semaphore(2);
 * let inside = 0;
 * let most = 0;
 * async function limitedTask() {
 *   using _permit = await sem.acquire(); // given back when the block ends, even on a throw
 *   most = Math.max(most, ++inside);
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   inside--;
 * }
 * await Promise.all(Array.from({ length: 5 }, limitedTask));
 * assertEquals(most, 2);
 * assertEquals(sem.available, 2);
 * ```
 *
 * @example Give up waiting after 20 ms
 * ```ts
 * import { Semaphore } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const sem = new Semaphore(1);
 * using _held = sem.tryAcquire(); // the only permit; tryAcquire never waits
 * const error = await sem.acquire({ signal: AbortSignal.timeout(20) })
 *   .catch((e) => e);
 * assertEquals(error.name, "TimeoutError");
 * assertEquals(sem.waiting, 0); // the caller left the queue when it gave up
 * ```
 */
export class Semaphore {
  #permits: number;
  #available: number;
  /** Queued callers: a `run` caller brings its fn, an `acquire` nothing. */
  #waiters = new Waiters<(() => unknown) | undefined>();

  /**
   * Gives one permit back: straight to the longest waiter if there is one
   * (`available` never rises, so nobody can barge in between), else to the
   * pool. Runs no user code. Every permit of this semaphore holds it.
   */
  #release = (): void => {
    const waiters = this.#waiters;
    if (!waiters.first()) this.#available++;
    else {
      const fn = waiters.value;
      waiters.wake(
        fn ? new Start(fn, waiters.signal) : new PermitImpl(this.#release),
      );
    }
  };

  /**
   * A queued `run` caller's first microtask, holding its permit: the
   * reaction `run` registered, in the caller's async context. The caller's
   * promise adopts what it returns.
   */
  #begin = (start: unknown): unknown => {
    const { fn, signal } = start as Start;
    if (signal?.aborted) {
      // An abort that landed between the grant and this microtask.
      this.#release();
      throw signal.reason;
    }
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      this.#release();
      throw error;
    }
    return Promise.resolve(result).then(this.#fulfilled, this.#rejected);
  };
  #fulfilled = (value: unknown): unknown => {
    this.#release();
    return value;
  };
  #rejected = (reason: unknown): never => {
    this.#release();
    throw reason;
  };

  /**
   * Creates a semaphore with `permits` permits, all free.
   *
   * @param permits How many holders may hold a permit at once; an integer
   * from 1 to `Number.MAX_SAFE_INTEGER`.
   * @throws {RangeError} If `permits` is anything else, a value that is not
   * a number included (the message then says it must be a number).
   */
  constructor(permits: number) {
    // The project's contract (design.md): anything but an integer ≥ 1 is a
    // RangeError, a value of the wrong type too.
    const type = RangeError;
    this.#permits = count(permits, "create semaphore", "permits", { type });
    this.#available = permits;
  }

  /** How many permits the semaphore was created with. */
  get permits(): number {
    return this.#permits;
  }

  /** How many permits are free right now. */
  get available(): number {
    return this.#available;
  }

  /** How many callers are queued for a permit right now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * Waits for a permit and resolves with it. Resolves at once when a permit
   * is free and nobody waits; otherwise joins the end of the queue.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const sem = new Semaphore(1);
   * {
   *   using _permit = await sem.acquire();
   *   assertEquals(sem.available, 0);
   * }
   * assertEquals(sem.available, 1);
   * ```
   *
   * @param options What may cancel the wait.
   * @returns A promise of the {@linkcode Permit}, which the caller must
   * release (or hold with `using`). It rejects with `signal.reason` if the
   * signal aborts before the permit is granted, and with a `TypeError` if
   * `options` is not an object or `signal` is not an `AbortSignal`.
   */
  acquire(options?: AcquireOptions): Promise<Permit> {
    const signal = signalFor(options, "acquire permit");
    if (signal instanceof Promise) return signal;
    if (this.#take()) return Promise.resolve(new PermitImpl(this.#release));
    return this.#waiters.park(undefined, signal) as Promise<Permit>;
  }

  /**
   * Takes a permit only if one is free and nobody waits for it; never waits.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@asincronia/asincronia";
   * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const sem = new Semaphore(1);
   * using first = sem.tryAcquire();
   * assert(first !== undefined);
   * assertEquals(sem.tryAcquire(), undefined); // none left
   * ```
   *
   * @returns A {@linkcode Permit}, or `undefined` when none is free or
   * someone is queued (a queued caller always goes first).
   */
  tryAcquire(): Permit | undefined {
    return this.#take() ? new PermitImpl(this.#release) : undefined;
  }

  /**
   * Runs `fn` while holding a permit: waits for the permit like
   * {@linkcode Semaphore.prototype.acquire}, calls `fn`, and releases the
   * permit when the promise `fn` returns settles, whether it fulfils or
   * rejects. `fn` starts on a later microtask, never inside `run`, in the
   * caller's async context; the signal cancels everything before that.
   *
   * @example Five jobs, two at a time
   * ```ts
   * import { Semaphore } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const sem = new Semaphore(2);
   * const job = (page: number) =>
   *   new Promise<number>((resolve) => setTimeout(() => resolve(page * 10), 5));
   * const sizes = await Promise.all(
   *   [1, 2, 3, 4, 5].map((page) => sem.run(() => job(page))),
   * );
   * assertEquals(sizes, [10, 20, 30, 40, 50]); // in input order
   * ```
   *
   * @typeParam T The value `fn` resolves to.
   * @param fn What to run while holding the permit.
   * @param options What may cancel the wait for the permit.
   * @returns A promise of what `fn` returns. It rejects with what `fn`
   * throws, with `signal.reason` if the signal aborts before `fn` starts, and
   * with a `TypeError` if `fn` is not a function, `options` is not an
   * object or `signal` is not an `AbortSignal` (then nothing is queued).
   */
  run<T>(fn: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<T> {
    try {
      checkFn(fn, "run task", "fn");
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = signalFor(options, "acquire permit");
    if (signal instanceof Promise) return signal;
    if (this.#take()) return this.#now(fn, signal);
    return this.#waiters.park(fn, signal).then(this.#begin) as Promise<T>;
  }

  /**
   * `run` with a free permit. An async function, so `fn` starts after the
   * first `await` (a later microtask, in the caller's async context) and its
   * outcome settles the call directly; the queued path's reaction, whose
   * promise adopts another, takes two hops more: uncontended
   * `await run(fn)` costs 1.5× the time of the 78abbaf Semaphore (which
   * called `fn` inside `run`) this way, 2.3× that way.
   */
  async #now<T>(
    fn: () => T | PromiseLike<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    await DONE;
    if (signal?.aborted) {
      this.#release();
      throw signal.reason;
    }
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  /**
   * Takes a free permit. (While anyone waits none is free: `#release`
   * hands a permit straight to the longest waiter. That is the no-barging
   * rule.)
   */
  #take(): boolean {
    if (this.#available === 0) return false;
    this.#available--;
    return true;
  }
}

/** What a `run` that found a permit free awaits before calling fn. */
const DONE = Promise.resolve();

/** What a queued `run` caller's first microtask needs; made at the grant. */
class Start {
  declare readonly fn: () => unknown;
  declare readonly signal: AbortSignal | undefined;
  constructor(fn: () => unknown, signal: AbortSignal | undefined) {
    this.fn = fn;
    this.signal = signal;
  }
}

class PermitImpl implements Permit {
  #release: (() => void) | undefined;
  constructor(release: () => void) {
    this.#release = release;
  }
  get released(): boolean {
    return this.#release === undefined;
  }
  release(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
  [Symbol.dispose](): void {
    this.release();
  }
}
