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
import { count, options as checkOptions } from "./_check.ts";
import { signalFor, Waiters } from "./_waiters.ts";

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
   * Gives up waiting when aborted: the call rejects with `signal.reason` and
   * changes nothing (a putter's item is not put, a getter takes no item).
   * Once the call has resolved, aborting changes nothing.
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

/** The smallest items ring. */
const MIN_CAPACITY = 8;

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
 *   ring buffers that shrink as they empty, so memory follows what the queue
 *   holds, after a burst too. Many waiters that share one signal add a
 *   single "abort" listener to it.
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
  /** The items: a ring buffer of #mask + 1 slots, from #head. */
  #items: (T | undefined)[] = new Array(MIN_CAPACITY);
  #mask = MIN_CAPACITY - 1;
  #head = 0;
  #size = 0;
  /** Getters wait while the queue is empty, putters while it is full. */
  #getters = new Waiters<undefined>();
  #putters = new Waiters<T>();

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
    const { maxsize = Infinity } = checkOptions(options, "create queue");
    this.#maxsize = count(maxsize, "create queue", "maxsize", {
      orInfinity: true,
    });
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
    return this.#getters.size;
  }

  /** How many callers wait in {@linkcode Queue.prototype.put} right now. */
  get waitingPutters(): number {
    return this.#putters.size;
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
    const signal = signalFor(options, "put item");
    if (signal instanceof Promise) return signal;
    if (this.#closed) return Promise.reject(closedForPut());
    if (this.#offer(item)) return DONE;
    return this.#putters.park(item, signal) as Promise<void>;
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
    const signal = signalFor(options, "get item");
    if (signal instanceof Promise) return signal;
    if (this.#size > 0) return Promise.resolve(this.#take());
    if (this.#closed) return Promise.reject(closedForGet());
    return this.#getters.park(undefined, signal) as Promise<T>;
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
    // Waiting putters (the queue is full) or waiting getters (it is empty):
    // none of them can ever be served now.
    this.#putters.settleAll(closedForPut(), true);
    if (this.#size === 0) this.#getters.settleAll(closedForGet(), true);
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
   * (Putters wait only while the queue is full: none can be passed here.)
   */
  #offer(item: T): boolean {
    const getters = this.#getters;
    if (this.#size === 0 && getters.first()) getters.wake(item);
    else if (this.#size < this.#maxsize) this.#push(item);
    else return false;
    return true;
  }

  /** Appends an item; there is room. */
  #push(item: T): void {
    if (this.#size > this.#mask) this.#resize();
    this.#items[(this.#head + this.#size++) & this.#mask] = item;
  }

  /**
   * Removes and returns the first item (there is one), then lets the first
   * waiting putter's item in, since there is room for it now.
   */
  #take(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    const putters = this.#putters;
    if (putters.first()) {
      this.#push(putters.value);
      putters.wake(undefined);
    } else if (this.#mask >= MIN_CAPACITY && this.#size <= this.#mask >> 4) {
      this.#resize();
    }
    return item;
  }

  /**
   * Copies the items to a ring at least twice their number: when it is
   * full, and when it holds under a sixteenth of its capacity, so that
   * memory follows what the queue holds.
   */
  #resize(): void {
    let capacity = MIN_CAPACITY;
    while (capacity < 2 * this.#size) capacity *= 2;
    const items: (T | undefined)[] = new Array(capacity);
    for (let k = 0; k < this.#size; k++) {
      items[k] = this.#items[(this.#head + k) & this.#mask];
    }
    this.#items = items;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}

/** What `put` returns when it need not wait; it holds nothing. */
const DONE: Promise<void> = Promise.resolve();

function closedForPut(): QueueClosedError {
  return new QueueClosedError("Cannot put item as the queue is closed");
}

function closedForGet(): QueueClosedError {
  return new QueueClosedError(
    "Cannot get item as the queue is closed and empty",
  );
}
