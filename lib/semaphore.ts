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
 * assertEquals(bodies, ["a", "b", "c", "d"]);
 * assertEquals(most, 2);
 * ```
 *
 * @module
 */
import { type AbortWatcher, unwatch, watch } from "./_abort.ts";
import { checkCount, checkOptions, checkSignal, describe } from "./_util.ts";

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
   * at once and the call rejects with `signal.reason`.
   *
   * For `run`, the signal counts until `fn` starts, which is always on a
   * later microtask: an abort that lands after the permit was handed over
   * but before `fn` starts rejects the call with `signal.reason`, gives the
   * permit back, and `fn` never runs. Once `fn` has started (or, for
   * `acquire`, once the permit is granted), aborting changes nothing: the
   * holder must still release the permit (`run` does so when `fn` settles).
   *
   * Many callers may share one signal: the library adds at most one
   * listener to it, so each caller costs O(1) however many share it. It is
   * not passed to `fn`.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/** Gives `semaphore` one permit back; set up in Semaphore's static block. */
let giveBack: (semaphore: Semaphore) => void;

/** Removes an aborted waiter; set up in Semaphore's static block. */
let unqueue: (semaphore: Semaphore, waiter: AbortWaiter) => void;

/** Starts a granted run() caller's fn; set up in Semaphore's static block. */
let begin: (start: Start) => unknown;

/**
 * What a queued caller that passed a signal registers with lib/_abort.ts
 * (one listener per distinct signal, however many callers share it). It
 * knows where its caller sits in the queue, so an abort removes it in O(1).
 */
class AbortWaiter implements AbortWatcher {
  /** The caller's place in the ring; kept current when the ring moves. */
  index = 0;
  constructor(readonly semaphore: Semaphore, readonly signal: AbortSignal) {}
  aborted(): void {
    unqueue(this.semaphore, this);
  }
}

type Resolve = (value: unknown) => void;

/**
 * One shared executor for every queued caller's promise: it hands the
 * resolve function out through `grabbed`, which `#enqueue` reads and clears
 * on the very next line (the Promise constructor calls it synchronously). A
 * closure per caller would cost an allocation per waiter; at a million
 * waiters that is about a fifth of the time. Cleared at once, so that the
 * slot never keeps the last caller's promise (and what it resolves to)
 * alive.
 */
let grabbed: Resolve | undefined;
const grab = (resolve: Resolve): void => {
  grabbed = resolve;
};

/**
 * What opens the gate of a `run` caller once it holds a permit: everything
 * `fn`'s first microtask needs. Made at the grant, not while the caller
 * waits, so that a queued caller costs no more than its promises.
 */
class Start {
  constructor(
    readonly semaphore: Semaphore,
    readonly fn: () => unknown,
    readonly signal: AbortSignal | undefined,
  ) {}
}

/**
 * The one reaction every `run` registers on its gate, inside the `run` call:
 * a reaction runs on a later microtask and in the async context it was
 * registered in, so `fn` never runs inside `run` and sees the caller's
 * `AsyncLocalStorage`. Shared, so that a caller allocates no closure.
 */
const step = (start: unknown): unknown => begin(start as Start);

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
 * Queue entries take this many slots of the ring: resolve (of the caller's
 * promise for `acquire`, of its gate for `run`), fn (or null for
 * `acquire`), and the AbortWaiter (or undefined). There is no reject: a
 * queued caller fails through `resolve(new Failure(reason))`, which keeps
 * one function less alive per waiter.
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
 * - **Cost.** Every operation is O(1) (amortised, like `Array.prototype.push`):
 *   the queue is a ring buffer with no object per waiter, an aborted waiter
 *   leaves a hole that is skipped, and a queue that is mostly holes is
 *   compacted. A million queued callers cost little more than their
 *   promises. Nothing is kept once a caller's call has settled.
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
 * using _held = await sem.acquire();
 * const error = await sem.acquire({ signal: AbortSignal.timeout(20) })
 *   .catch((e) => e);
 * assertEquals(error.name, "TimeoutError");
 * assertEquals(sem.waiting, 0); // the caller left the queue when it gave up
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
  // Shared by every run(): they release one permit and pass fn's outcome
  // on, so no caller allocates closures of its own.
  #fulfilled = (value: unknown): unknown => {
    this.#release();
    return value;
  };
  #rejected = (reason: unknown): never => {
    this.#release();
    throw reason;
  };

  static {
    giveBack = (semaphore) => semaphore.#release();
    unqueue = (semaphore, waiter) => semaphore.#abort(waiter);
    begin = (start) => start.semaphore.#begin(start);
  }

  /**
   * Creates a semaphore with `permits` permits, all free.
   *
   * @param permits How many holders may hold a permit at once; an integer
   * from 1 to `Number.MAX_SAFE_INTEGER`.
   * @throws {RangeError} If `permits` is not an integer from 1 to
   * `Number.MAX_SAFE_INTEGER`, a value that is not a number included (the
   * message then says it must be a number).
   */
  constructor(permits: number) {
    // The project's contract (design.md): anything but an integer ≥ 1 is a
    // RangeError, a value of the wrong type too.
    const error = checkCount(permits, "permits", "create semaphore", {
      wrongType: RangeError,
    });
    if (error !== undefined) throw error;
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
    const signal = options?.signal;
    const refused = refusal(options, signal);
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
   * rejects.
   *
   * `fn` is never called inside `run`, even when a permit is free: it starts
   * on a later microtask, in the async context of the `run` call (what an
   * `AsyncLocalStorage` held there). The signal cancels everything up to the
   * moment `fn` starts, including the short step between the grant and the
   * start; it is not passed to `fn` and does not stop `fn` once it runs.
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
  run<T>(
    fn: () => T | PromiseLike<T>,
    options?: AcquireOptions,
  ): Promise<T> {
    if (typeof fn !== "function") {
      return Promise.reject(
        new TypeError(
          `Cannot run task as 'fn' must be a function: current value is ${
            describe(fn)
          }`,
        ),
      );
    }
    const signal = options?.signal;
    const refused = refusal(options, signal);
    if (refused !== undefined) return refused;
    // The gate opens with a Start when this caller holds a permit: now, or
    // when a release hands it one (or it rejects if the signal aborts while
    // the caller is queued: no permit to give back then).
    const gate = this.#take()
      ? Promise.resolve(new Start(this, fn, signal))
      : this.#enqueue(fn, signal);
    return gate.then(step) as Promise<T>;
  }

  /** fn's first microtask, in the caller's context, holding the permit. */
  #begin({ fn, signal }: Start): unknown {
    // An abort that landed between the grant and this microtask.
    if (signal !== undefined && signal.aborted) {
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
  }

  #enqueue(
    fn: (() => unknown) | null,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const promise = new Promise(grab);
    const resolve = grabbed;
    grabbed = undefined;
    if (this.#length > this.#mask) this.#rebuild(2 * (this.#mask + 1));
    const index = (this.#front + this.#length) & this.#mask;
    const slot = index * STRIDE;
    const ring = this.#ring;
    ring[slot] = resolve;
    ring[slot + 1] = fn;
    this.#length++;
    this.#waiting++;
    if (signal !== undefined) {
      const waiter = new AbortWaiter(this, signal);
      waiter.index = index;
      ring[slot + 2] = waiter;
      watch(signal, waiter);
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
      if (old[from] === undefined) continue;
      const to = count++ * STRIDE;
      ring[to] = old[from];
      ring[to + 1] = old[from + 1];
      const waiter = old[from + 2] as AbortWaiter | undefined;
      if (waiter !== undefined) {
        waiter.index = count - 1;
        ring[to + 2] = waiter;
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
   * pool. Runs no user code: a waiter's promise is resolved, and whatever
   * it does next happens on a later microtask.
   */
  #release(): void {
    // A loop only to skip the holes that aborted callers left.
    while (this.#waiting > 0) {
      const ring = this.#ring;
      const slot = this.#front * STRIDE;
      const resolve = ring[slot] as Resolve | undefined;
      const fn = ring[slot + 1] as (() => unknown) | null;
      const waiter = ring[slot + 2] as AbortWaiter | undefined;
      ring[slot] = ring[slot + 1] = ring[slot + 2] = undefined;
      this.#front = (this.#front + 1) & this.#mask;
      this.#length--;
      if (resolve === undefined) continue; // an aborted caller's hole
      if (--this.#waiting === 0) this.#empty();
      if (waiter !== undefined) unwatch(waiter.signal, waiter);
      resolve(
        fn === null
          ? new PermitImpl(this)
          : new Start(this, fn, waiter?.signal),
      );
      return;
    }
    this.#available++;
  }

  #abort(waiter: AbortWaiter): void {
    const ring = this.#ring;
    const slot = waiter.index * STRIDE;
    const resolve = ring[slot] as Resolve;
    // Leave a hole; the queue skips it, or a rebuild drops it.
    ring[slot] = ring[slot + 1] = ring[slot + 2] = undefined;
    if (--this.#waiting === 0) {
      this.#empty();
    } else if (this.#length > 64 && this.#waiting < this.#length >> 1) {
      this.#rebuild(this.#mask + 1);
    }
    resolve(new Failure(waiter.signal.reason));
  }
}

/**
 * The rejection for `options` that are not an object, a `signal` that is not
 * an AbortSignal or has already aborted, or `undefined` when the caller may
 * go on.
 */
function refusal(
  options: unknown,
  signal: unknown,
): Promise<never> | undefined {
  if (options === undefined) return undefined;
  const bad = checkOptions(options, "acquire permit");
  if (bad !== undefined) return Promise.reject(bad);
  if (signal === undefined) return undefined;
  const error = checkSignal(signal, "acquire permit");
  if (error !== undefined) return Promise.reject(error);
  const { aborted } = signal as AbortSignal;
  return aborted ? Promise.reject((signal as AbortSignal).reason) : undefined;
}
