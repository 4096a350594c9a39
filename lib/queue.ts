/**
 * Queues for passing items between tasks, with back-pressure, joining and
 * closing: the counterparts of Python's `asyncio.Queue`, `LifoQueue` and
 * `PriorityQueue`, closed the way trio closes a memory channel.
 *
 * @module
 */
import { count, fn, options as checkOptions, refuse } from "./_check.ts";
import { DONE, signalFor, Waiters } from "./_waiters.ts";

/** Options for {@linkcode Queue} and its kinds. */
export interface QueueOptions {
  /**
   * The most items the queue holds; {@linkcode Queue.prototype.put} waits
   * while it is full. An integer from 0 to `Number.MAX_SAFE_INTEGER`, or
   * `Infinity` (never full; Python says `maxsize=0` for that). `0` makes a
   * rendezvous, trio's unbuffered channel: a put waits for a getter.
   *
   * @default {Infinity}
   */
  maxsize?: number;
}

/** Options for a Queue's `put`, `get` and `join`. */
export interface QueueWaitOptions {
  /** Gives up waiting when aborted (see **Cancellation** on {@linkcode Queue}). */
  signal?: AbortSignal;
}

/** Options for {@linkcode Queue.prototype.close}. */
export interface QueueCloseOptions {
  /**
   * Drops the items left and returns them: Python's `shutdown(immediate=True)`.
   *
   * @default {false}
   */
  immediate?: boolean;
}

/** What a closed {@linkcode Queue} refuses with (see **Closing** there). */
export class QueueClosedError extends Error {
  /** Creates the error; the queue does so, user code rarely needs to. */
  constructor(message = "Queue is closed", options?: ErrorOptions) {
    super(message, options);
    this.name = "QueueClosedError";
  }
}

/** Where a queue keeps its items: the one thing in which its kinds differ. */
type Store<T> = Ring<T> | Heap<T>;

const MIN_CAPACITY = 8;

/**
 * FIFO or LIFO: a ring buffer of #mask + 1 slots from #head that grows when
 * full and shrinks under a sixteenth full (memory follows what it holds).
 */
class Ring<T> {
  size = 0;
  #slots: (T | undefined)[] = new Array(MIN_CAPACITY);
  #mask = MIN_CAPACITY - 1;
  #head = 0;
  #lifo: boolean;
  constructor(lifo: boolean) {
    this.#lifo = lifo;
  }

  push(item: T): void {
    if (this.size > this.#mask) this.#resize();
    this.#slots[(this.#head + this.size++) & this.#mask] = item;
  }

  /** The `k`-th item from the head, left in place. */
  at(k: number): T {
    return this.#slots[(this.#head + k) & this.#mask] as T;
  }

  take(): T {
    const mask = this.#mask;
    const at = this.#lifo ? (this.#head + this.size - 1) & mask : this.#head;
    const item = this.#slots[at] as T;
    this.#slots[at] = undefined;
    if (!this.#lifo) this.#head = (at + 1) & mask;
    if (--this.size <= mask >> 4 && mask >= MIN_CAPACITY) this.#resize();
    return item;
  }

  drain(): T[] {
    return Array.from({ length: this.size }, () => this.take());
  }

  /** Copies the items to a ring of at least twice their number. */
  #resize(): void {
    let capacity = MIN_CAPACITY;
    while (capacity < 2 * this.size) capacity *= 2;
    const slots: (T | undefined)[] = new Array(capacity);
    for (let k = 0; k < this.size; k++) slots[k] = this.at(k);
    this.#slots = slots;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}

/**
 * Smallest first by `compare`, ties in the order they came: a binary heap of
 * runs. A node is an item and the run of equal items pushed behind it
 * (#runs, oldest first); #order holds twice its arrival number, plus 1 while
 * it heads a run. A comparator that throws leaves the heap as it was.
 */
class Heap<T> {
  #items: T[] = [];
  #order: number[] = [];
  // Runs, by their head's #order: 10 priorities 1.03x a bare heap, not 1.77x.
  #runs = new Map<number, Ring<T | number>>();
  #inRuns = 0; // items in runs
  #count = 0;
  #compare: (a: T, b: T) => number;
  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }
  get size(): number {
    return this.#items.length + this.#inRuns;
  }

  push(item: T): void {
    const items = this.#items;
    const order = this.#order;
    const compare = this.#compare;
    // Up while it leaves before its parent; equal to it, into its run.
    let at = items.length, c = 1;
    while (at > 0 && (c = compare(item, items[(at - 1) >> 1]!)) < 0) {
      at = (at - 1) >> 1;
    }
    if (!(c < 0 || c > 0)) {
      const parent = (at - 1) >> 1;
      let run = order[parent]! % 2 ? this.#runs.get(order[parent]!) : undefined;
      if (!run) this.#runs.set(++order[parent]!, run = new Ring(false));
      run.push(item), run.push(2 * this.#count++ + 1), this.#inRuns++;
      return;
    }
    for (let i = items.length; i > at; i = (i - 1) >> 1) {
      items[i] = items[(i - 1) >> 1]!;
      order[i] = order[(i - 1) >> 1]!;
    }
    items[at] = item;
    order[at] = 2 * this.#count++;
  }

  take(): T {
    const items = this.#items;
    const order = this.#order;
    const top = items[0]!;
    const first = order[0]!;
    const run = first % 2 ? this.#runs.get(first) : undefined;
    let n = items.length;
    // The top's place goes to the next of its run, else to the last item.
    const next = run ? run.at(0) as T : items[--n]!;
    const arrived = run ? run.at(1) as number : order[n]!;
    // Floyd's sift-down (one comparison a level), moving as it goes: 100
    // priorities 1.34-1.50x a bare heap, 1.54-1.63x moving after. A run's
    // next item mostly stays at the top.
    let at = 0;
    try {
      const m = run && !(n > 1 && this.#before(1, next, arrived)) &&
          !(n > 2 && this.#before(2, next, arrived))
        ? 0
        : n;
      for (let child = 1; child < m; child = 2 * at + 1) {
        if (
          child + 1 < m && this.#before(child + 1, items[child]!, order[child]!)
        ) child++;
        items[at] = items[child]!;
        order[at] = order[child]!;
        at = child;
      }
      let to = at;
      while (to > 0 && !this.#before((to - 1) >> 1, next, arrived)) {
        to = (to - 1) >> 1;
      }
      for (; at > to; at = (at - 1) >> 1) {
        items[at] = items[(at - 1) >> 1]!;
        order[at] = order[(at - 1) >> 1]!;
      }
    } catch (error) {
      // The path moves back down, the top to the root: the heap as it was.
      for (let i = at; i > 0; i = (i - 1) >> 1) {
        items[i] = items[(i - 1) >> 1]!;
        order[i] = order[(i - 1) >> 1]!;
      }
      items[0] = top, order[0] = first;
      throw error;
    }
    items[at] = next;
    order[at] = arrived;
    if (run) {
      run.take(), run.take(), this.#inRuns--;
      this.#runs.delete(first);
      if (run.size > 0) this.#runs.set(arrived, run);
      else order[at] = arrived - 1; // the last of a run heads none
    } else if (n & (n - 1)) items.pop(), order.pop();
    // pop() keeps an array's memory, setting its length trims it: that,
    // slower, at each power of two (10^6 items drained kept 20 MiB).
    else items.length = order.length = n;
    return top;
  }

  /** Takes every item in `take`'s order; none if the comparator throws. */
  drain(): T[] {
    const [order, compare] = [this.#order, this.#compare];
    const all = this.#items.map((item, i): [T, number] => [item, order[i]!]);
    for (const run of this.#runs.values()) {
      for (let k = 0; k < run.size; k += 2) {
        all.push([run.at(k) as T, run.at(k + 1) as number]);
      }
    }
    all.sort(([a, i], [b, j]) => compare(a, b) || i - j); // NaN: a tie
    this.#items.length = this.#order.length = this.#inRuns = 0;
    this.#runs.clear();
    return all.map(([item]) => item);
  }

  /** Whether the item at `i` leaves before `item`, the `order`-th to come. */
  #before(i: number, item: T, order: number): boolean {
    const compare = this.#compare; // called as a plain function
    const c = compare(this.#items[i]!, item);
    return c < 0 || (!(c > 0) && this.#order[i]! < order);
  }
}

/** Gives a queue of another kind its store (from Queue's static block). */
let useStore: <T>(queue: Queue<T>, store: Store<T>) => void;

/**
 * A first-in, first-out queue from tasks that produce to tasks that consume:
 * Python's `asyncio.Queue`, closed by trio's rules; {@linkcode LifoQueue} and
 * {@linkcode PriorityQueue} order items otherwise. A put waits while it is
 * full (`maxsize`), so producers cannot outrun consumers; a get, while empty.
 *
 * Guarantees:
 *
 * - **Fairness.** Items come out in the order they went in; waiting getters,
 *   and waiting putters, are served in the order they came. Nobody barges,
 *   `tryPut` and `tryGet` included: a put that finds a getter waiting hands
 *   it the item, a get that makes room lets the first waiting putter's in.
 * - **Rendezvous.** With `maxsize: 0` the queue holds nothing: a put waits
 *   until a getter takes its item.
 * - **Cancellation.** A signal given to `put`, `get` or `join` rejects the
 *   call with `signal.reason` at once if already aborted, or as it aborts;
 *   once the call has resolved, aborting changes nothing. Nothing is lost: a
 *   waiting getter holds no item yet, a waiting putter's item is not put, and
 *   an aborted waiter is never served, even by an item that arrives before
 *   the abort listener has run. Bad options reject with a `TypeError`.
 * - **Closing.** After `close()`, every `put` (waiting or new) rejects with a
 *   {@linkcode QueueClosedError}; getters still get every item left, then
 *   `get` rejects with it and `for await` ends. `close({ immediate: true })`
 *   drops the items left instead, and returns them.
 * - **Cost.** O(1) per operation (amortised; O(log n) in a `PriorityQueue`).
 *   Items live in a ring buffer that shrinks as it empties, so memory follows
 *   what the queue holds. Waiters that share a signal add one listener to it.
 *
 * `get()`'s promise adopts an item that is a thenable, as promises do (not
 * {@linkcode Queue.prototype.tryGet}): wrap it (`{ promise }`) to pass it whole.
 */
export class Queue<T> implements AsyncIterable<T> {
  #maxsize: number;
  /** Made by close(): what a get finds once the queue is closed and empty. */
  #end: QueueClosedError | undefined;
  #items: Store<T> = new Ring<T>(false);
  /** Getters wait while the queue is empty, putters while it is full. */
  #getters = new Waiters<undefined>();
  #putters = new Waiters<T>();
  /** Callers of join(), and the items put and not yet marked done. */
  #joiners = new Waiters<undefined>();
  #unfinished = 0;

  static {
    useStore = (queue, store) => {
      queue.#items = store;
    };
  }

  /**
   * Creates an empty, open queue.
   *
   * @throws {TypeError | RangeError} If `options` is not an object, or
   * `maxsize` not a number (a `TypeError`) or out of range.
   */
  constructor(options?: QueueOptions) {
    const { maxsize = Infinity } = checkOptions(options, "create queue");
    const rule = { min: 0, orInfinity: true } as const;
    this.#maxsize = count(maxsize, "create queue", "maxsize", rule);
  }

  /** The most items it holds (`Infinity`: never full; `0`: a rendezvous). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** How many items are in the queue now (not counting waiting putters'). */
  get size(): number {
    return this.#items.size;
  }

  /** Whether {@linkcode Queue.prototype.close} was called. */
  get closed(): boolean {
    return this.#end !== undefined;
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
   *
   * @example A rendezvous: each put waits until a getter has its item
   * ```ts
   * import { Queue } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<number>({ maxsize: 0 });
   * const first = queue.put(1);
   * const second = queue.put(2, { signal: AbortSignal.timeout(10) });
   * assertEquals((await second.catch((e) => e)).name, "TimeoutError");
   * assertEquals([queue.size, await queue.get()], [0, 1]); // 2 was never put
   * await first; // resolved by the get
   * ```
   *
   * @param item Any value, `undefined` included.
   */
  put(item: T, options?: QueueWaitOptions): Promise<void> {
    const signal = signalFor(options, "put item");
    if (signal instanceof Promise) return signal;
    if (this.#end) return Promise.reject(closed());
    try {
      if (this.#offer(item)) return DONE;
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#putters.park(item, signal) as Promise<void>;
  }

  /**
   * Adds `item` if that needs no wait: not full, or a getter waits for it.
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
   * @throws {QueueClosedError} If the queue is closed.
   */
  tryPut(item: T): boolean {
    if (this.#end) throw closed();
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
   */
  get(options?: QueueWaitOptions): Promise<T> {
    const signal = signalFor(options, "get item");
    if (signal instanceof Promise) return signal;
    if (this.#items.size > 0 || this.#putters.first()) {
      try {
        return Promise.resolve(this.#take());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#end) return Promise.reject(this.#end);
    return this.#getters.park(undefined, signal) as Promise<T>;
  }

  /**
   * Takes the first item only if there is one (in a rendezvous, if a putter
   * waits); never waits. The item comes wrapped, `{ value }`, so that an item
   * that is itself `undefined` differs from an empty queue (`undefined`).
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
   * @throws {QueueClosedError} If the queue is closed and empty.
   */
  tryGet(): { value: T } | undefined {
    if (this.#items.size > 0 || this.#putters.first()) {
      return { value: this.#take() };
    }
    if (this.#end) throw this.#end;
    return undefined;
  }

  /**
   * Marks one item taken from the queue as done: asyncio's `task_done()`.
   * Every item put is unfinished until a consumer calls this once for it;
   * {@linkcode Queue.prototype.join} waits until none is. Call it when the
   * work on the item ends, well or badly, or `join()` waits forever.
   *
   * @example
   * ```ts
   * import { Queue } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<string>();
   * await queue.put("job");
   * const joined = queue.join(); // one item unfinished: waits
   * assertEquals(await queue.get(), "job"); // taken, not yet done
   * queue.taskDone(); // done: the join resolves
   * await joined;
   * ```
   *
   * @throws {RangeError} If every item put was already marked done.
   */
  taskDone(): void {
    if (this.#unfinished === 0) {
      throw new RangeError(
        "Cannot mark task done as every item put is already marked done",
      );
    }
    if (--this.#unfinished === 0) this.#joiners.settleAll(undefined);
  }

  /**
   * Waits until every item put has been taken and marked done with
   * {@linkcode Queue.prototype.taskDone}: asyncio's `join()`; at once if none
   * is unfinished. Closing does not end the wait (taken items may be in work),
   * but `close({ immediate: true })` counts the items it drops as done.
   *
   * @example Put the jobs, start a consumer, join, then stop it
   * ```ts
   * import { Queue } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const jobs = new Queue<number>();
   * for (const job of [1, 2, 3]) jobs.tryPut(job);
   * const consumer = (async () => {
   *   for await (const _job of jobs) jobs.taskDone();
   * })();
   * await jobs.join(); // every job done
   * assertEquals(jobs.size, 0);
   * jobs.close(); // the consumer's loop ends
   * await consumer;
   * ```
   */
  join(options?: QueueWaitOptions): Promise<void> {
    const signal = signalFor(options, "join queue");
    if (signal instanceof Promise) return signal;
    if (this.#unfinished === 0) return DONE;
    return this.#joiners.park(undefined, signal) as Promise<void>;
  }

  /**
   * Closes the queue for putting, as **Closing** on {@linkcode Queue} says;
   * called again, it only drops the items left, if `immediate`.
   *
   * @example
   * ```ts
   * import { Queue, QueueClosedError } from "@asincronia/asincronia";
   * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<number>();
   * for (const n of [1, 2, 3]) queue.tryPut(n);
   * queue.close();
   * assertEquals(await queue.get(), 1); // what is left is still delivered,
   * assertEquals(queue.close({ immediate: true }), [2, 3]); // unless dropped
   * await assert.rejects(queue.get(), QueueClosedError);
   * ```
   *
   * @returns The items dropped, in `get`'s order (`[]` unless `immediate`).
   * @throws {TypeError} If `options` is not an object, or `immediate` is not
   * a boolean. A PriorityQueue's comparator may throw too: see there.
   */
  close(options?: QueueCloseOptions): T[] {
    const { immediate = false } = checkOptions(options, "close queue");
    if (typeof immediate !== "boolean") {
      refuse(TypeError, "close queue", "immediate", "a boolean", immediate);
    }
    // Dropped first: if a PriorityQueue's comparator throws, nothing changes.
    const dropped = immediate ? this.#items.drain() : [];
    if (!this.#end) {
      this.#end = closed("get");
      this.#putters.settleAll(closed(), true);
    }
    if (this.#items.size === 0) this.#getters.settleAll(this.#end, true);
    // Dropped items will never be done: they no longer count for join().
    this.#unfinished = Math.max(0, this.#unfinished - dropped.length);
    if (this.#unfinished === 0) this.#joiners.settleAll(undefined);
    return dropped;
  }

  /**
   * Yields the items as they come, like calling {@linkcode Queue.prototype.get}
   * in a loop, and ends when the queue is closed and empty. Several loops may
   * share a queue, each item to exactly one; breaking out takes no more items.
   * It takes no signal: to stop a loop that waits (a consumer in a cancelled
   * `TaskGroup`), close the queue.
   *
   * @example
   * ```ts
   * import { Queue } from "@asincronia/asincronia";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const queue = new Queue<string>();
   * for (const item of ["a", "b"]) queue.tryPut(item);
   * queue.close();
   * assertEquals(await Array.fromAsync(queue), ["a", "b"]);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (error === this.#end) return; // the end, not an item's rejection
        throw error;
      }
      yield item;
    }
  }

  /**
   * Places `item` if that needs no wait: to a waiting getter (counted first:
   * waking it reads the item's `then`, which may be a getter), or in.
   */
  #offer(item: T): boolean {
    const getters = this.#getters;
    if (this.#items.size === 0 && getters.first()) {
      this.#unfinished++;
      getters.wake(item);
    } else if (this.#items.size < this.#maxsize) {
      this.#items.push(item);
      this.#unfinished++;
    } else return false;
    return true;
  }

  /** Takes the next item; a rendezvous takes it from the first putter. */
  #take(): T {
    if (this.#items.size === 0) this.#admit();
    const item = this.#items.take();
    if (this.#maxsize > 0) this.#admit(); // there is room now
    return item;
  }

  /** Lets the first waiting putter's item in; if refused, the next one's. */
  #admit(): void {
    const putters = this.#putters;
    while (putters.first()) {
      try {
        this.#items.push(putters.value);
        this.#unfinished++;
        return putters.wake(undefined);
      } catch (error) {
        putters.fail(error);
      }
    }
  }
}

/**
 * A {@linkcode Queue} whose items come out last in, first out: Python's
 * `asyncio.LifoQueue`. Waiters, `maxsize`, cancellation, `join()` and
 * closing are the Queue's.
 *
 * @example
 * ```ts
 * import { LifoQueue } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const stack = new LifoQueue<number>();
 * for (const n of [1, 3, 2]) stack.tryPut(n);
 * stack.close();
 * assertEquals(await Array.fromAsync(stack), [2, 3, 1]); // last in, first out
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  /** Creates an empty, open LIFO queue; throws as {@linkcode Queue}'s does. */
  constructor(options?: QueueOptions) {
    super(options);
    useStore(this, new Ring<T>(true));
  }
}

/**
 * A {@linkcode Queue} whose items come out smallest first by a comparator,
 * equal ones in the order they went in: Python's `asyncio.PriorityQueue`,
 * on a binary heap (O(log n) per item). Waiters, `maxsize`, cancellation,
 * `join()` and closing are the Queue's. If the comparator throws, the `put`,
 * `tryPut`, `get`, `tryGet` or `close({ immediate: true })` that called it
 * rejects or throws its error and the queue stays as it was.
 *
 * @example Most urgent first, ties in arrival order
 * ```ts
 * import { PriorityQueue } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * type Job = { priority: number; name: string };
 * const jobs = new PriorityQueue<Job>((a, b) => a.priority - b.priority);
 * await jobs.put({ priority: 2, name: "backup" });
 * await jobs.put({ priority: 1, name: "alert" });
 * await jobs.put({ priority: 2, name: "report" });
 * const order: string[] = [];
 * while (jobs.size > 0) order.push((await jobs.get()).name);
 * assertEquals(order, ["alert", "backup", "report"]);
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  /**
   * Creates an empty, open priority queue.
   *
   * @param compare Orders two items as `Array.prototype.sort`'s comparator
   * does (negative: `a` leaves first; positive: `b`; 0: the first to come).
   * It may not call this queue: a put or get inside it corrupts the heap.
   * @throws {TypeError | RangeError} If `compare` is not a function (a
   * `TypeError`), and as {@linkcode Queue}'s constructor.
   */
  constructor(compare: (a: T, b: T) => number, options?: QueueOptions) {
    fn(compare, "create priority queue", "compare");
    super(options);
    useStore(this, new Heap(compare));
  }
}

function closed(get?: "get"): QueueClosedError {
  return new QueueClosedError(
    get
      ? "Cannot get item as the queue is closed and empty"
      : "Cannot put item as the queue is closed",
  );
}
