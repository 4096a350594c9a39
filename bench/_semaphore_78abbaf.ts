// The Semaphore of commit 78abbaf, kept as the baseline of the A/B groups of bench/sync_bench.ts:
// `git show 78abbaf:lib/semaphore.ts`, with the one helper it imported (show, from
// that commit's lib/_util.ts) copied in below. Not used by lib/.
/**
 * A counting semaphore: at most `permits` holders at once, the rest wait
 * their turn in strict first-in, first-out order.
 *
 * @example Let at most two downloads run at once
 * ```ts
 * import { Semaphore } from "@asincronia/asincronia/semaphore";
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
function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null) {
    return `an object (${Object.prototype.toString.call(value)})`;
  }
  return String(value);
}

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
let unqueue: (semaphore: Semaphore, waiter: AbortWaiter) => void;

/**
 * The abort listener of one queued caller that passed a signal; it knows
 * where its caller sits in the queue, so an abort removes it in O(1).
 */
class AbortWaiter {
  /** The caller's place in the ring; kept current when the ring moves. */
  index = 0;
  constructor(readonly semaphore: Semaphore, readonly signal: AbortSignal) {}
  handleEvent(): void {
    unqueue(this.semaphore, this);
  }
}

type Resolve = (value: unknown) => void;

/**
 * One shared executor for every queued caller's promise: it hands the
 * resolve function out through `grabbed`, which `#enqueue` reads on the very
 * next line (the Promise constructor calls it synchronously). A closure per
 * caller would cost an allocation per waiter; at a million waiters that is
 * about a fifth of the time.
 */
let grabbed: Resolve;
const grab = (resolve: Resolve): void => {
  grabbed = resolve;
};

/**
 * A thenable that rejects whoever adopts it. Resolving a caller's promise
 * with it rejects that promise; unlike `Promise.reject(reason)`, it never
 * counts as an unhandled rejection in between (Deno tracks those, and
 * thousands at once cost quadratic time).
 */
class Failure {
  constructor(readonly reason: unknown) {}
  then(_: unknown, reject: (reason: unknown) => void): void {
    reject(this.reason);
  }
}

/**
 * Queue entries take this many slots of the ring: fn (or null for
 * acquire()), resolve, and the AbortWaiter (or undefined). There is no
 * reject: a queued caller fails through `resolve(new Failure(reason))`,
 * which keeps one function less alive per waiter.
 */
const STRIDE = 3;

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
 * - **Cost.** Every operation is O(1) (amortised, like `Array.prototype.push`):
 *   the queue is a ring buffer with no object per waiter, an aborted waiter
 *   leaves a hole that is skipped, and a queue that is mostly holes is
 *   compacted. A million queued callers cost little more than their
 *   promises.
 *
 * Compared with `Lock`, which is a semaphore of one permit that also answers
 * `locked`: use a semaphore to bound concurrency, a lock to protect a
 * critical section.
 *
 * @example `using` releases at the end of the block, like `async with`
 * ```ts
 * import { Semaphore } from "@asincronia/asincronia";
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
 * import { Semaphore } from "@asincronia/asincronia";
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
  /**
   * The queue: a ring buffer of STRIDE slots per caller (fn, or null for
   * acquire(); resolve; AbortWaiter or undefined). An aborted caller
   * leaves a hole (resolve === undefined) that the queue skips. No object
   * per caller: at a million waiters that is what keeps the collector quiet.
   */
  #ring: unknown[] = new Array(8 * STRIDE);
  #mask = 7;
  #front = 0;
  #length = 0;
  #waiting = 0;
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
   * import { Semaphore } from "@asincronia/asincronia";
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
    const refused = refusal(signal);
    if (refused !== undefined) return refused;
    if (this.#take()) {
      return Promise.resolve(new PermitImpl(this));
    }
    return this.#enqueue(null, signal) as Promise<Permit>;
  }

  /**
   * Takes a permit only if one is free and nobody waits for it; never waits.
   *
   * @example
   * ```ts
   * import { Semaphore } from "@asincronia/asincronia";
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
    return this.#take() ? new PermitImpl(this) : undefined;
  }

  /**
   * Takes a free permit, unless someone is queued for it: the one place that
   * enforces "no barging".
   */
  #take(): boolean {
    if (this.#available === 0 || this.#waiting > 0) return false;
    this.#available--;
    return true;
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
   * import { Semaphore } from "@asincronia/asincronia";
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
    const refused = refusal(signal);
    if (refused !== undefined) return refused;
    if (this.#take()) {
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
    const promise = new Promise(grab);
    const resolve = grabbed;
    if (this.#length > this.#mask) this.#rebuild(2 * (this.#mask + 1));
    const index = (this.#front + this.#length) & this.#mask;
    const slot = index * STRIDE;
    const ring = this.#ring;
    ring[slot] = fn;
    ring[slot + 1] = resolve;
    this.#length++;
    this.#waiting++;
    if (signal !== undefined) {
      const listener = new AbortWaiter(this, signal);
      listener.index = index;
      ring[slot + 2] = listener;
      signal.addEventListener("abort", listener, { once: true });
    }
    return promise;
  }

  /**
   * Copies the live callers, in order, to the front of a ring of `capacity`
   * entries, dropping the holes. Amortised O(1): it runs when the ring is
   * full (capacity doubles) or mostly holes.
   */
  #rebuild(capacity: number): void {
    const old = this.#ring;
    const ring = new Array(capacity * STRIDE);
    let count = 0;
    for (let k = 0; k < this.#length; k++) {
      const from = ((this.#front + k) & this.#mask) * STRIDE;
      if (old[from + 1] === undefined) continue;
      const to = count++ * STRIDE;
      ring[to] = old[from];
      ring[to + 1] = old[from + 1];
      const listener = old[from + 2] as AbortWaiter | undefined;
      if (listener !== undefined) {
        listener.index = count - 1;
        ring[to + 2] = listener;
      }
    }
    this.#ring = ring;
    this.#mask = capacity - 1;
    this.#front = 0;
    this.#length = count;
  }

  /**
   * Forgets the holes once nobody waits, and lets a ring that a burst grew
   * large be collected.
   */
  #empty(): void {
    this.#front = this.#length = 0;
    if (this.#mask > 1023) {
      this.#ring = new Array(8 * STRIDE);
      this.#mask = 7;
    }
  }

  /**
   * Gives one permit back: straight to the longest waiter if there is one
   * (`available` never rises, so nobody can barge in between), else to the
   * pool. `fromUser` is true when user code is on the stack (a Permit's
   * release(), or a run() whose fn threw at once): then a run() waiter
   * starts on a later microtask, never inside the user's call.
   */
  #release(fromUser: boolean): void {
    // A loop, not recursion: holes are skipped, and a run() waiter whose fn
    // throws at once gives the permit straight back to the next waiter.
    while (this.#waiting > 0) {
      const ring = this.#ring; // fn may have queued callers and grown it
      const slot = this.#front * STRIDE;
      const fn = ring[slot] as (() => unknown) | null;
      const resolve = ring[slot + 1] as Resolve | undefined;
      const listener = ring[slot + 2] as AbortWaiter | undefined;
      ring[slot] = ring[slot + 1] = ring[slot + 2] = undefined;
      this.#front = (this.#front + 1) & this.#mask;
      this.#length--;
      if (resolve === undefined) continue; // an aborted caller's hole
      if (--this.#waiting === 0) this.#empty();
      if (listener !== undefined) {
        listener.signal.removeEventListener("abort", listener);
      }
      if (fn === null) {
        resolve(new PermitImpl(this));
        return;
      }
      if (fromUser) {
        queueMicrotask(() => {
          if (!this.#start(fn, resolve)) this.#release(false);
        });
        return;
      }
      if (this.#start(fn, resolve)) return;
    }
    this.#available++;
  }

  /** Calls a granted run() waiter's fn; false if it threw at once. */
  #start(fn: () => unknown, resolve: Resolve): boolean {
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      resolve(new Failure(error));
      return false;
    }
    // Settle the caller's promise straight from fn's outcome: one hop, where
    // resolving it with a derived promise would take three.
    Promise.resolve(result).then(
      (value) => {
        this.#release(false);
        resolve(value);
      },
      (reason) => {
        this.#release(false);
        resolve(new Failure(reason));
      },
    );
    return true;
  }

  #abort(listener: AbortWaiter): void {
    const ring = this.#ring;
    const slot = listener.index * STRIDE;
    const resolve = ring[slot + 1] as Resolve;
    // Leave a hole; the queue skips it, or a rebuild drops it.
    ring[slot] = ring[slot + 1] = ring[slot + 2] = undefined;
    if (--this.#waiting === 0) {
      this.#empty();
    } else if (this.#length > 64 && this.#waiting < this.#length >> 1) {
      this.#rebuild(this.#mask + 1);
    }
    resolve(new Failure(listener.signal.reason));
  }
}

/**
 * The rejection for a `signal` that is not an AbortSignal or has already
 * aborted, or `undefined` when the caller may go on.
 */
function refusal(signal: unknown): Promise<never> | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) {
    return Promise.reject(
      new TypeError(
        `Cannot acquire permit as 'signal' must be an AbortSignal: current value is ${
          show(signal)
        }`,
      ),
    );
  }
  return signal.aborted ? Promise.reject(signal.reason) : undefined;
}
