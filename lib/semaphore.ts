/**
 * A counting semaphore: at most `permits` holders at once, the rest wait
 * their turn in strict first-in, first-out order.
 *
 * @module
 */
import { count, fn as checkFn } from "./_check.ts";
import { DONE, genuineThen as then, signalFor, Waiters } from "./_waiters.ts";

/**
 * A permission to go on, from {@linkcode Semaphore.prototype.acquire} or
 * {@linkcode Semaphore.prototype.tryAcquire}: release it yourself or by `using`.
 */
export interface Permit extends Disposable {
  /** Whether this permit has been given back. */
  readonly released: boolean;
  /** Gives the permit back, to the longest waiter if any; again does nothing. */
  release(): void;
}

/** Options for {@linkcode Semaphore.prototype.acquire} and {@linkcode Semaphore.prototype.run}. */
export interface AcquireOptions {
  /** Gives up waiting when aborted (see {@linkcode Semaphore}); `fn` does not get it. */
  signal?: AbortSignal;
}

/**
 * Limits how many tasks use a resource at once: the counterpart of Python's
 * `asyncio.Semaphore`. Ten thousand requests started together overwhelm the
 * server they hit; a semaphore lets all start and all but `permits` wait.
 * (`Lock`, a semaphore of one permit, protects a critical section.)
 *
 * Guarantees:
 *
 * - **Fairness.** Waiters get permits in strict first-in, first-out order.
 *   No newcomer barges in: while anyone waits, `acquire` queues behind them
 *   and `tryAcquire` returns `undefined`, even as a permit comes back.
 * - **Cancellation.** A signal aborted already, or while the caller waits,
 *   rejects the call with `signal.reason` at once, and the waiter leaves the
 *   queue (and `waiting`). After the grant, `acquire` still resolves; `run`
 *   rejects unless `fn` has started, and `fn` then never runs. A signal
 *   shared by many callers gets one listener, which leaves with the last.
 * - **When `fn` runs.** Never inside `run`, even with a permit free: on a
 *   later microtask, in the caller's async context (its `AsyncLocalStorage`).
 * - **Accounting.** A permit is never lost and never granted twice:
 *   {@linkcode Permit.release} is idempotent, and `run` releases when `fn`
 *   settles, whether it fulfils or throws. Any code that holds a
 *   {@linkcode Permit} may release it: the semaphore does not know tasks.
 * - **Cost.** Joining the queue, being served and leaving it on an abort are
 *   O(1); nothing of a settled call is kept; the queue shrinks after a burst.
 */
export class Semaphore {
  #permits: number;
  #available: number;
  /** Queued callers: a `run` caller brings its fn, an `acquire` nothing. */
  #waiters = new Waiters<(() => unknown) | undefined>();

  /**
   * Gives one permit back: straight to the longest waiter if any (so nobody
   * can barge in between), else to the pool. Runs no user code.
   */
  #release = (): void => {
    const waiters = this.#waiters;
    if (!waiters.first()) this.#available++;
    else {
      const { value: fn, signal } = waiters;
      waiters.wake(fn ? { fn, signal } : new PermitImpl(this.#release));
    }
  };

  /**
   * A queued `run` caller's first microtask, holding its permit: the
   * reaction `run` registered, in the caller's async context.
   */
  #begin = (start: unknown): unknown => {
    const { fn, signal } = start as Start;
    let result: unknown;
    try {
      signal?.throwIfAborted(); // landed between the grant and now
      result = fn();
      // Getters may throw (then, constructor); genuine then calls back once.
      if (isThenable(result)) {
        const promise = Promise.resolve(result);
        return then.call(promise, this.#fulfilled, this.#rejected);
      }
    } catch (error) {
      this.#release();
      throw error;
    }
    this.#release();
    return result;
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
   * @throws {RangeError} Unless `permits` is an integer from 1 to
   * `Number.MAX_SAFE_INTEGER` (a value that is not a number included).
   */
  constructor(permits: number) {
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
   * Waits for a permit: at once if one is free and nobody waits, else queued.
   *
   * @example `using` gives it back at the end of the block, like `async with`
   * ```ts
   * import { Semaphore } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const sem = new Semaphore(1);
   * {
   *   using _permit = await sem.acquire(); // given back even on a throw
   *   const late = sem.acquire({ signal: AbortSignal.timeout(20) });
   *   assertEquals((await late.catch((e) => e)).name, "TimeoutError");
   *   assertEquals(sem.waiting, 0); // it left the queue when it gave up
   * }
   * assertEquals(sem.available, 1);
   * ```
   */
  acquire(options?: AcquireOptions): Promise<Permit> {
    const signal = signalFor(options, "acquire permit");
    if (signal instanceof Promise) return signal;
    if (this.#take()) return Promise.resolve(new PermitImpl(this.#release));
    return this.#waiters.park(undefined, signal) as Promise<Permit>;
  }

  /** A {@linkcode Permit} if one is free and nobody waits, else `undefined`. */
  tryAcquire(): Permit | undefined {
    return this.#take() ? new PermitImpl(this.#release) : undefined;
  }

  /**
   * Runs `fn` while holding a permit: waits for it as
   * {@linkcode Semaphore.prototype.acquire} does, calls `fn` (see **When `fn`
   * runs** on {@linkcode Semaphore}) and releases once its result settles.
   *
   * @example The permit comes back when fn throws
   * ```ts
   * import { Semaphore } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const sem = new Semaphore(1);
   * const failed = sem.run(() => Promise.reject(new Error("boom")));
   * const next = sem.run(() => "next"); // waits for the permit
   * assertEquals(await failed.catch((e) => e.message), "boom");
   * assertEquals(await next, "next");
   * assertEquals(sem.available, 1);
   * ```
   */
  run<T>(fn: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<T>;
  run<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    const options: AcquireOptions | undefined = arguments[1]; // see `#now`
    if (options === undefined && typeof fn === "function" && this.#take()) {
      return this.#now(fn);
    }
    try {
      checkFn(fn, "run task", "fn");
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = signalFor(options, "acquire permit");
    if (signal instanceof Promise) return signal;
    return (this.#take()
      ? this.#checked(fn, signal)
      : this.#waiters.park(fn, signal).then(this.#begin)) as Promise<T>;
  }

  /**
   * `run` with a free permit and no options. `fn` starts a microtask later,
   * in the caller's async context; a value settles the call in that
   * microtask (two hops), a promise one microtask after it does (three, the
   * least never-Zalgo allows). For speed (bench/README.md): `run` serves
   * `run(fn)` after a `typeof`, reads `options` from `arguments` (V8 calls a
   * method given fewer arguments than it declares more slowly), and the
   * `finally` counts the permit back when nobody waits, 1–3% each; checking
   * a signal here (`#checked` does), 3–10%; `instanceof` first, 5–7%.
   */
  async #now<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    await DONE;
    try {
      const result = fn(); // a `then` getter may throw: inside the `try`
      return result instanceof Promise || isThenable(result)
        ? await result
        : result;
    } finally {
      if (this.#waiters.size === 0) this.#available++;
      else this.#release();
    }
  }

  async #checked(fn: () => unknown, signal?: AbortSignal): Promise<unknown> {
    await DONE;
    try {
      signal?.throwIfAborted(); // aborted since `run` looked
      const result = fn(); // a `then` getter may throw: inside the `try`
      return isThenable(result) ? await result : result;
    } finally {
      this.#release();
    }
  }

  /** Takes a free permit. While anyone waits none is: no barging. */
  #take(): boolean {
    if (this.#available === 0) return false;
    this.#available--;
    return true;
  }
}

/** An object or function with a `then` method, as `await` sees it. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

/** What a queued `run` caller's first microtask needs; made at the grant. */
type Start = { fn: () => unknown; signal: AbortSignal | undefined };

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
