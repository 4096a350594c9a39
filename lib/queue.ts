/**
 * A first-in, first-out queue for passing items between tasks, with
 * back-pressure and closing: the counterpart of Python's `asyncio.Queue`,
 * closed the way trio closes a memory channel.
 *
 * @example One producer, two consumers
 * ```ts
 * import { Queue } from "@asincronia/asincronia/queue";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const queue = new Queue<number>({ maxsize: 2 });
 * const seen: number[] = [];
 * const consumers = [1, 2].map(async () => {
 *   for await (const n of queue) seen.push(n);
 * });
 * for (let n = 0; n < 10; n++) await queue.put(n);
 * queue.close();
 * await Promise.all(consumers);
 * assertEquals(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * ```
 *
 * @module
 */
import { type AbortWatcher, unwatch, watch } from "./_abort.ts";
import { DONE, Failure, park, type Resolve, signalOf } from "./_pending.ts";
import { checkCount, checkOptions } from "./_util.ts";

/** Options for {@linkcode Queue}. */
export interface QueueOptions {
  /**
   * The most items the queue holds; {@linkcode Queue.prototype.put} waits
   * while it is full. An integer of at least 1, or `Infinity` for a queue
   * that is never full. (Python's `maxsize=0` means unbounded; here `0` is
   * refused, and `Infinity` says it.)
   *
   * @default {Infinity}
   */
  maxsize?: number;
}

/** Options for {@linkcode Queue.prototype.put} and {@linkcode Queue.prototype.get}. */
export interface QueueWaitOptions {
  /**
   * Gives up waiting when aborted. Already aborted: the call rejects at once
   * with `signal.reason` and changes nothing, even when it could have gone on
   * without waiting. Aborted while the caller waits: the caller leaves the
   * queue of waiters at once and the call rejects with `signal.reason`; a
   * putter's item is not put, and a getter takes no item (the next item goes
   * to the next getter). Once the call has resolved, aborting changes
   * nothing.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * The error of a {@linkcode Queue} that was closed: `put` and `tryPut`
 * after {@linkcode Queue.prototype.close}, a putter still waiting at the close,
 * and `get` or `tryGet` once a closed queue is empty.
 */
export class QueueClosedError extends Error {
  /**
   * Creates the error; the queue does so, user code rarely needs to.
   *
   * @param message What was refused.
   * @param options The standard `Error` options (`cause`).
   */
  constructor(message = "Queue is closed", options?: ErrorOptions) {
    super(message, options);
    this.name = "QueueClosedError";
  }
}

/** Removes an aborted waiter; set up in Queue's static block. */
let drop: (queue: Queue<unknown>, waiter: Waiter) => void;

/**
 * A waiting caller that passed a signal: it knows where the caller sits in
 * the ring, so an abort removes it in O(1). Callers without a signal have no
 * object.
 */
class Waiter implements AbortWatcher {
  constructor(
    readonly queue: Queue<unknown>,
    readonly signal: AbortSignal,
    public index: number,
  ) {}
  aborted(): void {
    drop(this.queue, this);
  }
}

/**
 * Slots per waiter in the ring: the putter's item (undefined for a getter),
 * its resolve function, and its Waiter (or undefined).
 */
const STRIDE = 3;
/** The smallest ring; both rings start at this many entries. */
const MIN_CAPACITY = 8;
/** A ring that grew past this is let go once it empties. */
const SHRINK_ABOVE = 1024;

/**
 * A first-in, first-out queue of items for tasks that produce and tasks that
 * consume: the counterpart of Python's `asyncio.Queue`, with trio's rules for
 * closing.
 *
 * Producers {@linkcode Queue.prototype.put} items and wait while the queue is
 * full (its `maxsize`), so a fast producer cannot run ahead of slow
 * consumers; consumers {@linkcode Queue.prototype.get} items and wait while it
 * is empty. When the producers are done, {@linkcode Queue.prototype.close}
 * tells the consumers: they take what is left, then stop (`for await` ends).
 *
 * Guarantees:
 *
 * - **Fairness.** Items come out in the order they went in. Waiting getters
 *   are served in the order they came, and so are waiting putters (their
 *   items enter in that order). Nobody barges: a getter never takes an item
 *   ahead of one already waiting, and a putter never overtakes a waiting one
 *   (`tryPut` and `tryGet` included). A put that finds a getter waiting hands
 *   the item straight to it.
 * - **Cancellation.** Pass an `AbortSignal` to `put` or `get`. Already
 *   aborted: the call rejects at once with `signal.reason` and changes
 *   nothing. Aborted while waiting: the caller leaves at once and rejects
 *   with `signal.reason`; nothing is lost, because a waiting getter holds no
 *   item yet (the next item goes to the next getter) and a waiting putter's
 *   item is not put. A waiter whose signal has aborted is never served, even
 *   when an item arrives before the abort listener has run.
 * - **Closing.** After `close()`, every `put` (waiting or new) rejects with a
 *   {@linkcode QueueClosedError} and its item is not put; getters still get
 *   every item in the queue, then `get` rejects with `QueueClosedError` and
 *   `for await` ends. Closing twice does nothing.
 * - **Cost.** Every operation is O(1) (amortised). Items and waiters live in
 *   ring buffers; a waiter is its promise and nothing more (plus one small
 *   object when it passes a signal). Many waiters that share one signal add
 *   a single "abort" listener to it.
 *
 * An item that is a promise (or any thenable) is adopted by `get()`'s
 * promise, like every value a promise resolves to: `get()` resolves to its
 * result. Wrap such items (`{ promise }`) to pass them through whole;
 * {@linkcode Queue.prototype.tryGet} never adopts.
 *
 * Compared with a `Semaphore`, which bounds how many tasks run, a queue moves
 * data between tasks; compared with p-queue, which runs functions with a
 * concurrency limit, this is the channel that producer and consumer tasks
 * share.
 *
 * @example Back-pressure: a put waits while the queue is full
 * ```ts
 * import { Queue } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const queue = new Queue<string>({ maxsize: 1 });
 * await queue.put("a");
 * const waiting = queue.put("b"); // full: waits for a get
 * assertEquals(queue.size, 1);
 * assertEquals(await queue.get(), "a"); // makes room: "b" goes in
 * await waiting;
 * assertEquals(queue.tryGet(), { value: "b" });
 * assertEquals(queue.tryGet(), undefined);
 * ```
 *
 * @example A get that gives up
 * ```ts
 * import { Queue } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const queue = new Queue<number>();
 * const error = await queue.get({ signal: AbortSignal.timeout(10) }).catch((e) => e);
 * assertEquals(error.name, "TimeoutError");
 * assertEquals(queue.waitingGetters, 0);
 * ```
 *
 * @typeParam T The type of the items.
 */
export class Queue<T> implements AsyncIterable<T> {
  #maxsize: number;
  #closed = false;
  /** The items: a ring buffer of #itemMask + 1 entries. */
  #items: (T | undefined)[] = new Array(MIN_CAPACITY);
  #itemMask = MIN_CAPACITY - 1;
  #head = 0;
  #size = 0;
  /**
   * The waiters, STRIDE slots each: getters while the queue is empty,
   * putters while it is full (never both, as maxsize ≥ 1). An aborted waiter
   * leaves a hole (resolve === undefined) that is skipped; a ring that is
   * mostly holes is compacted.
   */
  #ring: unknown[] = new Array(MIN_CAPACITY * STRIDE);
  #mask = MIN_CAPACITY - 1;
  #front = 0;
  /** Entries in the ring, holes included. */
  #length = 0;
  /** Callers still waiting. */
  #waiting = 0;

  static {
    drop = (queue, waiter) => queue.#drop(waiter);
  }

  /**
   * Creates an empty, open queue.
   *
   * @param options How many items it may hold.
   * @throws {TypeError} If `options` is not an object, or `maxsize` is not a
   * number.
   * @throws {RangeError} If `maxsize` is neither an integer from 1 to
   * `Number.MAX_SAFE_INTEGER` nor `Infinity`.
   */
  constructor(options?: QueueOptions) {
    const bad = checkOptions(options, "create queue");
    if (bad !== undefined) throw bad;
    let maxsize: unknown = options?.maxsize;
    if (maxsize === undefined) maxsize = Infinity;
    const error = checkCount(maxsize, "maxsize", "create queue", {
      orInfinity: true,
    });
    if (error !== undefined) throw error;
    this.#maxsize = maxsize as number;
  }

  /** The most items the queue holds (`Infinity`: never full). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** How many items are in the queue now (not counting waiting putters'). */
  get size(): number {
    return this.#size;
  }

  /** Whether {@linkcode Queue.prototype.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** How many callers wait in {@linkcode Queue.prototype.get} right now. */
  get waitingGetters(): number {
    return this.#size === 0 ? this.#waiting : 0;
  }

  /** How many callers wait in {@linkcode Queue.prototype.put} right now. */
  get waitingPutters(): number {
    return this.#size === 0 ? 0 : this.#waiting;
  }

  /**
   * Adds `item` at the end of the queue, waiting while the queue is full.
   * If getters are waiting, the first of them receives the item at once.
   *
   * @example
   * ```ts
   * import { Queue } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<number>({ maxsize: 1 });
   * await queue.put(1);
   * const second = queue.put(2, { signal: AbortSignal.timeout(10) });
   * const error = await second.catch((e) => e);
   * assertEquals(error.name, "TimeoutError");
   * assertEquals([queue.size, await queue.get()], [1, 1]); // 2 was never put
   * ```
   *
   * @param item What to add; any value, `undefined` included.
   * @param options What may cancel the wait.
   * @returns A promise that resolves (to `undefined`) once the item is in the
   * queue or in a getter's hands. It rejects with `signal.reason` if the
   * signal aborts first, with a {@linkcode QueueClosedError} if the queue is
   * closed (before or while waiting), and with a `TypeError` if `options`
   * is not an object or `signal` is not an `AbortSignal`. A rejected put
   * never adds its item.
   */
  put(item: T, options?: QueueWaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const checked = signalOf(options, "put item");
      if (checked instanceof TypeError) return Promise.reject(checked);
      if (checked?.aborted) return Promise.reject(checked.reason);
      signal = checked;
    }
    if (this.#closed) return Promise.reject(closedForPut());
    if (this.#offer(item)) return DONE;
    return this.#park(item, signal) as Promise<void>;
  }

  /**
   * Adds `item` only if that needs no waiting: the queue is not full (or a
   * getter waits for it).
   *
   * @example
   * ```ts
   * import { Queue } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<string>({ maxsize: 1 });
   * assertEquals(queue.tryPut("a"), true);
   * assertEquals(queue.tryPut("b"), false); // full
   * ```
   *
   * @param item What to add; any value, `undefined` included.
   * @returns `true` if the item was added, `false` if the queue is full.
   * @throws {QueueClosedError} If the queue is closed.
   */
  tryPut(item: T): boolean {
    if (this.#closed) throw closedForPut();
    return this.#offer(item);
  }

  /**
   * Takes the first item, waiting while the queue is empty.
   *
   * @example
   * ```ts
   * import { Queue } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<string>();
   * const next = queue.get(); // empty: waits
   * await queue.put("hello");
   * assertEquals(await next, "hello");
   * ```
   *
   * @param options What may cancel the wait.
   * @returns A promise of the item. It rejects with `signal.reason` if the
   * signal aborts first (no item is taken), with a
   * {@linkcode QueueClosedError} once the queue is closed and empty, and
   * with a `TypeError` if `options` is not an object or `signal` is not an
   * `AbortSignal`.
   */
  get(options?: QueueWaitOptions): Promise<T> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const checked = signalOf(options, "get item");
      if (checked instanceof TypeError) return Promise.reject(checked);
      if (checked?.aborted) return Promise.reject(checked.reason);
      signal = checked;
    }
    if (this.#size > 0) return Promise.resolve(this.#take());
    if (this.#closed) return Promise.reject(closedForGet());
    return this.#park(undefined, signal) as Promise<T>;
  }

  /**
   * Takes the first item only if there is one; never waits.
   *
   * The item comes wrapped, `{ value }`, so that an item that is itself
   * `undefined` differs from an empty queue (`undefined`).
   *
   * @example
   * ```ts
   * import { Queue } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<string | undefined>();
   * queue.tryPut(undefined);
   * assertEquals(queue.tryGet(), { value: undefined }); // an item
   * assertEquals(queue.tryGet(), undefined); // empty
   * ```
   *
   * @returns `{ value: item }`, or `undefined` if the queue is empty.
   * @throws {QueueClosedError} If the queue is closed and empty.
   */
  tryGet(): { value: T } | undefined {
    if (this.#size > 0) return { value: this.#take() };
    if (this.#closed) throw closedForGet();
    return undefined;
  }

  /**
   * Closes the queue for putting. Every putter still waiting rejects with a
   * {@linkcode QueueClosedError} (its item is not put), and so does every
   * later `put` or `tryPut`. Getters take the items left in the queue; once
   * it is empty, `get` rejects with `QueueClosedError` (getters waiting at
   * the close, when it is empty, reject at once) and `for await` ends.
   * Calling it again does nothing.
   *
   * @example
   * ```ts
   * import { Queue, QueueClosedError } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<number>();
   * await queue.put(1);
   * queue.close();
   * assertEquals(await queue.get(), 1); // what is left is still delivered
   * const error = await queue.get().catch((e) => e);
   * assertEquals(error instanceof QueueClosedError, true);
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#waiting === 0) return;
    // Waiting putters (the queue is full) or waiting getters (it is empty):
    // none of them can ever be served now.
    const error = this.#size === 0 ? closedForGet() : closedForPut();
    const ring = this.#ring;
    for (let k = 0; k < this.#length; k++) {
      const slot = ((this.#front + k) & this.#mask) * STRIDE;
      const resolve = ring[slot + 1] as Resolve | undefined;
      const waiter = ring[slot + 2] as Waiter | undefined;
      ring[slot] = ring[slot + 1] = ring[slot + 2] = undefined;
      if (resolve === undefined) continue;
      if (waiter === undefined) {
        resolve(new Failure(error));
        continue;
      }
      const signal = waiter.signal;
      unwatch(signal, waiter);
      // Aborted, but its listener has not run yet: the abort came first.
      resolve(new Failure(signal.aborted ? signal.reason : error));
    }
    this.#waiting = 0;
    this.#clearRing();
  }

  /**
   * Yields the items as they come, like calling {@linkcode Queue.prototype.get}
   * in a loop, and ends when the queue is closed and empty. Several loops may
   * consume one queue; each item goes to exactly one of them. Breaking out of
   * the loop takes no further item.
   *
   * @example
   * ```ts
   * import { Queue } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<string>();
   * queue.tryPut("a");
   * queue.tryPut("b");
   * queue.close();
   * const items: string[] = [];
   * for await (const item of queue) items.push(item);
   * assertEquals(items, ["a", "b"]);
   * ```
   *
   * @returns An async iterator over the items.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (error instanceof QueueClosedError && this.#closed) return;
        throw error;
      }
      yield item;
    }
  }

  /**
   * Places `item` without waiting if nobody has to wait for it: straight to
   * the first waiting getter, or at the end of the items if there is room.
   */
  #offer(item: T): boolean {
    if (this.#size === 0 && this.#waiting > 0) {
      // Getters wait only while the queue is empty.
      const slot = this.#first();
      if (slot >= 0) {
        (this.#shift(slot) as Resolve)(item);
        return true;
      }
    }
    if (this.#size >= this.#maxsize) return false;
    this.#push(item);
    return true;
  }

  /** Appends an item to the items ring; there is room. */
  #push(item: T): void {
    if (this.#size > this.#itemMask) this.#growItems();
    this.#items[(this.#head + this.#size) & this.#itemMask] = item;
    this.#size++;
  }

  /**
   * Removes and returns the first item (there is one), then lets the first
   * waiting putter's item in, since there is room for it now.
   */
  #take(): T {
    const items = this.#items;
    const item = items[this.#head] as T;
    items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#itemMask;
    if (--this.#size === 0) {
      this.#head = 0;
      if (this.#itemMask >= SHRINK_ABOVE) {
        this.#items = new Array(MIN_CAPACITY);
        this.#itemMask = MIN_CAPACITY - 1;
      }
    }
    if (this.#waiting > 0) {
      // Putters wait only while the queue is full, and it was.
      const slot = this.#first();
      if (slot >= 0) {
        this.#push(this.#ring[slot] as T);
        (this.#shift(slot) as Resolve)(undefined);
      }
    }
    return item;
  }

  /** Makes the caller wait: a getter (item unused) or a putter. */
  #park(
    item: T | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    if (this.#length > this.#mask) this.#rebuild(2 * (this.#mask + 1));
    const index = (this.#front + this.#length) & this.#mask;
    const slot = index * STRIDE;
    const ring = this.#ring;
    ring[slot] = item;
    const promise = park(ring, slot + 1);
    if (signal !== undefined) {
      const waiter = new Waiter(this as Queue<unknown>, signal, index);
      ring[slot + 2] = waiter;
      watch(signal, waiter);
    }
    this.#length++;
    this.#waiting++;
    return promise;
  }

  /**
   * The ring slot of the longest-waiting caller that may be served, or -1 if
   * none is left. Holes at the front are skipped; a caller whose signal
   * aborted before its listener ran is rejected on the way, never served.
   */
  #first(): number {
    while (this.#waiting > 0) {
      const slot = this.#front * STRIDE;
      const ring = this.#ring;
      if (ring[slot + 1] === undefined) {
        this.#front = (this.#front + 1) & this.#mask;
        this.#length--;
        continue;
      }
      const waiter = ring[slot + 2] as Waiter | undefined;
      if (waiter === undefined || !waiter.signal.aborted) return slot;
      unwatch(waiter.signal, waiter);
      this.#drop(waiter);
    }
    return -1;
  }

  /**
   * Takes the caller at `slot` (the front of the ring) out of the ring and
   * returns its resolve function.
   */
  #shift(slot: number): unknown {
    const ring = this.#ring;
    const resolve = ring[slot + 1];
    const waiter = ring[slot + 2] as Waiter | undefined;
    ring[slot] = ring[slot + 1] = ring[slot + 2] = undefined;
    this.#front = (this.#front + 1) & this.#mask;
    this.#length--;
    if (waiter !== undefined) unwatch(waiter.signal, waiter);
    if (--this.#waiting === 0) this.#clearRing();
    return resolve;
  }

  /** Removes a waiter whose signal aborted, and rejects it with the reason. */
  #drop(waiter: Waiter): void {
    const ring = this.#ring;
    const slot = waiter.index * STRIDE;
    // Already served, refused by close(), or moved: nothing to do.
    if (ring[slot + 2] !== waiter) return;
    const resolve = ring[slot + 1] as Resolve;
    // Leave a hole; the front skips it, or a rebuild drops it.
    ring[slot] = ring[slot + 1] = ring[slot + 2] = undefined;
    if (--this.#waiting === 0) {
      this.#clearRing();
    } else if (this.#length > 64 && this.#waiting < this.#length >> 1) {
      this.#rebuild(this.#mask + 1);
    }
    resolve(new Failure(waiter.signal.reason));
  }

  /**
   * Forgets the holes once nobody waits, and lets a ring that a burst grew
   * large be collected.
   */
  #clearRing(): void {
    this.#front = this.#length = 0;
    if (this.#mask >= SHRINK_ABOVE) {
      this.#ring = new Array(MIN_CAPACITY * STRIDE);
      this.#mask = MIN_CAPACITY - 1;
    }
  }

  /**
   * Copies the waiters, in order, to the front of a ring of `capacity`
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
      const to = count * STRIDE;
      ring[to] = old[from];
      ring[to + 1] = old[from + 1];
      const waiter = old[from + 2] as Waiter | undefined;
      if (waiter !== undefined) {
        waiter.index = count;
        ring[to + 2] = waiter;
      }
      count++;
    }
    this.#ring = ring;
    this.#mask = capacity - 1;
    this.#front = 0;
    this.#length = count;
  }

  /** Doubles the items ring, keeping the order. */
  #growItems(): void {
    const old = this.#items;
    const capacity = 2 * (this.#itemMask + 1);
    const items: (T | undefined)[] = new Array(capacity);
    for (let k = 0; k < this.#size; k++) {
      items[k] = old[(this.#head + k) & this.#itemMask];
    }
    this.#items = items;
    this.#itemMask = capacity - 1;
    this.#head = 0;
  }
}

function closedForPut(): QueueClosedError {
  return new QueueClosedError("Cannot put item as the queue is closed");
}

function closedForGet(): QueueClosedError {
  return new QueueClosedError(
    "Cannot get item as the queue is closed and empty",
  );
}
