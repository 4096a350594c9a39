/**
 * A counting semaphore: at most `permits` holders at once, the rest wait
 * their turn in strict first-in, first-out order.
 *
 * @example Let at most two downloads run at once
 * ```ts
 * import { Semaphore } from "jsr:@asincronia/asincronia/semaphore";
 *
 * const sem = new Semaphore(2);
 * const urls = ["https://example.com/a", "https://example.com/b", "https://example.com/c"];
 * const bodies = await Promise.all(
 *   urls.map((url) => sem.run(async () => (await fetch(url)).text())),
 * );
 * ```
 *
 * @module
 */
import { show } from "./_util.ts";

/**
 * A permission to go on, handed out by {@linkcode Semaphore.prototype.acquire}
 * or {@linkcode Semaphore.prototype.tryAcquire} (and the same methods of
 * `Lock`). Give it back with {@linkcode Permit.release}, or let `using` give
 * it back at the end of the block.
 *
 * Releasing is idempotent: the first call returns the permit to its
 * semaphore, every later call does nothing, so a permit can never be
 * returned twice. Any code that holds the object may release it; the
 * semaphore does not track which task acquired it.
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
   * Gives up waiting when aborted. If the signal is already aborted the call
   * rejects at once with `signal.reason`, even when a permit is free; if it
   * aborts while the caller waits in the queue, the caller leaves the queue
   * at once and the call rejects with `signal.reason`. Once the permit is
   * granted, aborting changes nothing: the holder must still release it
   * (`run` does so when `fn` settles). It is not passed to `fn`.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/** Gives `semaphore` one permit back; set up in Semaphore's static block. */
let giveBack: (semaphore: Semaphore) => void;

/** Removes an aborted waiter; set up in Semaphore's static block. */
let unqueue: (semaphore: Semaphore, waiter: Waiter) => void;

/**
 * One caller waiting in a semaphore's queue (a doubly linked list, so that
 * an aborted waiter unlinks itself in O(1)); also its own abort listener.
 */
class Waiter {
  prev: Waiter | null = null;
  next: Waiter | null = null;
  constructor(
    readonly semaphore: Semaphore,
    /** What run() will call, or `null` for acquire(), which wants a Permit. */
    readonly fn: (() => unknown) | null,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
    readonly signal: AbortSignal | undefined,
  ) {}
  handleEvent(): void {
    unqueue(this.semaphore, this);
  }
}

class PermitImpl implements Permit {
  #semaphore: Semaphore | null;
  constructor(semaphore: Semaphore) {
    this.#semaphore = semaphore;
  }
  get released(): boolean {
    return this.#semaphore === null;
  }
  release(): void {
    const semaphore = this.#semaphore;
    if (semaphore === null) return;
    this.#semaphore = null;
    giveBack(semaphore);
  }
  [Symbol.dispose](): void {
    this.release();
  }
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
 *   the permit was granted: nothing happens; the holder still owns it.
 * - **Accounting.** A permit is never lost and never granted twice:
 *   {@linkcode Permit.release} is idempotent, and `run` releases when `fn`
 *   settles, whether it fulfils or throws.
 * - **Who may release.** Whoever holds the {@linkcode Permit} object. The
 *   semaphore does not know about tasks, so it cannot check who calls.
 * - **Cost.** Every operation is O(1): the queue is a linked list and an
 *   aborted waiter unlinks itself.
 *
 * Compared with `Lock`, which is a semaphore of one permit that also answers
 * `locked`: use a semaphore to bound concurrency, a lock to protect a
 * critical section.
 *
 * @example `using` releases at the end of the block, like `async with`
 * ```ts
 * import { Semaphore } from "jsr:@asincronia/asincronia";
 *
 * const sem = new Semaphore(2);
 * async function limitedTask() {
 *   using _permit = await sem.acquire();
 *   console.log("Task started");
 *   await new Promise((resolve) => setTimeout(resolve, 100));
 *   console.log("Task finished");
 * }
 * await Promise.all(Array.from({ length: 5 }, limitedTask));
 * ```
 *
 * @example Give up waiting after 50 ms
 * ```ts
 * import { Semaphore } from "jsr:@asincronia/asincronia";
 *
 * const sem = new Semaphore(1);
 * const held = await sem.acquire();
 * try {
 *   await sem.acquire({ signal: AbortSignal.timeout(50) });
 * } catch (error) {
 *   console.log((error as Error).name); // "TimeoutError"
 * }
 * console.log(sem.waiting); // 0
 * held.release();
 * ```
 */
export class Semaphore {
  #permits: number;
  #available: number;
  #waiting = 0;
  #head: Waiter | null = null;
  #tail: Waiter | null = null;
  // Shared by every run(): they release one permit and pass the outcome on,
  // so no task allocates closures of its own.
  #fulfilled = (value: unknown): unknown => {
    this.#release(false);
    return value;
  };
  #rejected = (reason: unknown): never => {
    this.#release(false);
    throw reason;
  };

  static {
    giveBack = (semaphore) => semaphore.#release(true);
    unqueue = (semaphore, waiter) => semaphore.#abort(waiter);
  }

  /**
   * Creates a semaphore with `permits` permits, all free.
   *
   * @param permits How many holders may hold a permit at once; an integer of
   * at least 1.
   * @throws {RangeError} If `permits` is not a positive integer.
   */
  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new RangeError(
        `Cannot create semaphore as 'permits' must be a positive integer: current value is ${
          show(permits)
        }`,
      );
    }
    this.#permits = permits;
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
    return this.#waiting;
  }

  /**
   * Waits for a permit and resolves with it. Resolves at once when a permit
   * is free and nobody waits; otherwise joins the end of the queue.
   *
   * @example
   * ```ts
   * import { Semaphore } from "jsr:@asincronia/asincronia";
   *
   * const sem = new Semaphore(1);
   * {
   *   using _permit = await sem.acquire();
   *   console.log(sem.available); // 0
   * }
   * console.log(sem.available); // 1
   * ```
   *
   * @param options What may cancel the wait.
   * @returns A promise of the {@linkcode Permit}, which the caller must
   * release (or hold with `using`). It rejects with `signal.reason` if the
   * signal aborts before the permit is granted, and with a `TypeError` if
   * `signal` is not an `AbortSignal`.
   */
  acquire(options?: AcquireOptions): Promise<Permit> {
    const signal = options?.signal;
    if (signal !== undefined) {
      if (!(signal instanceof AbortSignal)) {
        return Promise.reject(badSignal(signal));
      }
      if (signal.aborted) return Promise.reject(signal.reason);
    }
    if (this.#available > 0 && this.#head === null) {
      this.#available--;
      return Promise.resolve(new PermitImpl(this));
    }
    return this.#enqueue(null, signal) as Promise<Permit>;
  }

  /**
   * Takes a permit only if one is free and nobody waits for it; never waits.
   *
   * @example
   * ```ts
   * import { Semaphore } from "jsr:@asincronia/asincronia";
   *
   * const sem = new Semaphore(1);
   * const first = sem.tryAcquire();
   * console.log(first !== undefined); // true
   * console.log(sem.tryAcquire()); // undefined
   * first?.release();
   * ```
   *
   * @returns A {@linkcode Permit}, or `undefined` when none is free or
   * someone is queued (a queued caller always goes first).
   */
  tryAcquire(): Permit | undefined {
    if (this.#available > 0 && this.#head === null) {
      this.#available--;
      return new PermitImpl(this);
    }
    return undefined;
  }

  /**
   * Runs `fn` while holding a permit: waits for the permit like
   * {@linkcode Semaphore.prototype.acquire}, calls `fn`, and releases the
   * permit when the promise `fn` returns settles, whether it fulfils or
   * rejects. The signal only cancels the wait; it is not passed to `fn` and
   * does not stop `fn` once it runs.
   *
   * @example Fetch five pages, two at a time
   * ```ts
   * import { Semaphore } from "jsr:@asincronia/asincronia";
   *
   * const sem = new Semaphore(2);
   * const pages = [1, 2, 3, 4, 5];
   * const sizes = await Promise.all(
   *   pages.map((page) =>
   *     sem.run(async () => {
   *       const response = await fetch(`https://example.com/?page=${page}`);
   *       return (await response.arrayBuffer()).byteLength;
   *     })
   *   ),
   * );
   * ```
   *
   * @typeParam T The value `fn` resolves to.
   * @param fn What to run while holding the permit.
   * @param options What may cancel the wait for the permit.
   * @returns A promise of what `fn` returns. It rejects with what `fn`
   * throws, with `signal.reason` if the signal aborts before `fn` starts, and
   * with a `TypeError` if `fn` is not a function or `signal` is not an
   * `AbortSignal` (then nothing is queued).
   */
  run<T>(
    fn: () => T | PromiseLike<T>,
    options?: AcquireOptions,
  ): Promise<T> {
    if (typeof fn !== "function") {
      return Promise.reject(
        new TypeError(
          `Cannot run task as 'fn' must be a function: current value is ${
            show(fn)
          }`,
        ),
      );
    }
    const signal = options?.signal;
    if (signal !== undefined) {
      if (!(signal instanceof AbortSignal)) {
        return Promise.reject(badSignal(signal));
      }
      if (signal.aborted) return Promise.reject(signal.reason);
    }
    if (this.#available > 0 && this.#head === null) {
      this.#available--;
      let result: T | PromiseLike<T>;
      try {
        result = fn();
      } catch (error) {
        // fn may have queued callers before throwing: start them later.
        this.#release(true);
        return Promise.reject(error);
      }
      return Promise.resolve(result).then(
        this.#fulfilled,
        this.#rejected,
      ) as Promise<T>;
    }
    return this.#enqueue(fn, signal) as Promise<T>;
  }

  #enqueue(
    fn: (() => unknown) | null,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter = new Waiter(this, fn, resolve, reject, signal);
      const tail = this.#tail;
      if (tail === null) {
        this.#head = waiter;
      } else {
        tail.next = waiter;
        waiter.prev = tail;
      }
      this.#tail = waiter;
      this.#waiting++;
      if (signal !== undefined) {
        signal.addEventListener("abort", waiter, { once: true });
      }
    });
  }

  /**
   * Gives one permit back: straight to the longest waiter if there is one
   * (`available` never rises, so nobody can barge in between), else to the
   * pool. `fromUser` is true when user code is on the stack (a Permit's
   * release(), or a run() whose fn threw at once): then a run() waiter
   * starts on a later microtask, never inside the user's call.
   */
  #release(fromUser: boolean): void {
    // A loop, not recursion: a run() waiter whose fn throws at once gives
    // the permit straight back to the next waiter.
    while (true) {
      const waiter = this.#head;
      if (waiter === null) {
        this.#available++;
        return;
      }
      const next = waiter.next;
      this.#head = next;
      if (next === null) this.#tail = null;
      else next.prev = null;
      this.#waiting--;
      if (waiter.signal !== undefined) {
        waiter.signal.removeEventListener("abort", waiter);
      }
      const fn = waiter.fn;
      if (fn === null) {
        waiter.resolve(new PermitImpl(this));
        return;
      }
      if (fromUser) {
        queueMicrotask(() => {
          if (!this.#start(waiter, fn)) this.#release(false);
        });
        return;
      }
      if (this.#start(waiter, fn)) return;
    }
  }

  /** Calls a granted run() waiter's fn; false if it threw at once. */
  #start(waiter: Waiter, fn: () => unknown): boolean {
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      waiter.reject(error);
      return false;
    }
    // Settle the caller's promise straight from fn's outcome: one hop, where
    // resolving it with a derived promise would take three.
    Promise.resolve(result).then(
      (value) => {
        this.#release(false);
        waiter.resolve(value);
      },
      (reason) => {
        this.#release(false);
        waiter.reject(reason);
      },
    );
    return true;
  }

  #abort(waiter: Waiter): void {
    const { prev, next } = waiter;
    if (prev === null) this.#head = next;
    else prev.next = next;
    if (next === null) this.#tail = prev;
    else next.prev = prev;
    this.#waiting--;
    waiter.reject(waiter.signal!.reason);
  }
}

function badSignal(signal: unknown): TypeError {
  return new TypeError(
    `Cannot acquire permit as 'signal' must be an AbortSignal: current value is ${
      show(signal)
    }`,
  );
}
