/**
 * Queue against the queue people write by hand (an array of items plus
 * arrays of resolve functions) and against `p-queue`, streaming 10^6 items
 * from one producer to 1 or 4 consumers through a queue of maxsize 1, 64 or
 * unbounded. Each group runs every side in the same run: read the ratios.
 *
 * Run: deno task bench:queue (deno bench bench/queue_bench.ts)
 *
 * The consumers do nothing with an item, so what is measured is the queue's
 * own cost per item: storing it, waking a getter or a putter, settling the
 * promises each side awaits.
 *
 * p-queue is a different shape, a task queue with a concurrency limit: the
 * comparison gives it one task per item, `concurrency` = consumers, and
 * bounds its backlog to maxsize with `onSizeLessThan`, which is how its
 * README applies back-pressure.
 *
 * @module
 */
import PQueue from "p-queue";
import { Queue } from "../lib/queue.ts";

const ITEMS = 1_000_000;
/** The sentinel that tells a consumer to stop (both hand-rolled sides). */
const STOP = -1;
/** One run of ours or the plain queue takes about 0.1 s. */
const RUNS = { n: 10, warmup: 2 };
/**
 * One p-queue run takes 4 to 10 s: three suffice to place it. To time only
 * the target comparison, skip it: deno bench --filter "/^(asincronia|array)/" …
 */
const PQUEUE_RUNS = { n: 3, warmup: 1 };

/**
 * The queue people write: an array of items, an array of waiting getters'
 * resolve functions, and waiting putters kept in two more arrays. A put that
 * finds a getter hands the item over; a get that frees a place lets the
 * first putter's item in. No signals, no close, no checks: the floor a
 * general Queue is measured against.
 */
class PlainQueue<T> {
  items: T[] = [];
  getters: ((item: T) => void)[] = [];
  putItems: T[] = [];
  putters: (() => void)[] = [];
  constructor(readonly maxsize: number) {}

  put(item: T): Promise<void> {
    if (this.getters.length > 0) {
      this.getters.shift()!(item);
      return Promise.resolve();
    }
    if (this.items.length < this.maxsize) {
      this.items.push(item);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.putItems.push(item);
      this.putters.push(resolve);
    });
  }

  get(): Promise<T> {
    if (this.items.length > 0) {
      const item = this.items.shift()!;
      if (this.putters.length > 0) {
        this.items.push(this.putItems.shift()!);
        this.putters.shift()!();
      }
      return Promise.resolve(item);
    }
    return new Promise((resolve) => this.getters.push(resolve));
  }
}

interface Channel {
  put(item: number): Promise<void>;
  get(): Promise<number>;
}

/** One producer puts ITEMS items, then one STOP per consumer. */
async function stream(queue: Channel, consumers: number): Promise<void> {
  let received = 0;
  const consume = async (): Promise<void> => {
    for (;;) {
      const item = await queue.get();
      if (item === STOP) return;
      received++;
    }
  };
  const done = Array.from({ length: consumers }, consume);
  for (let i = 0; i < ITEMS; i++) await queue.put(i);
  for (let c = 0; c < consumers; c++) await queue.put(STOP);
  await Promise.all(done);
  if (received !== ITEMS) throw new Error(`received ${received} items`);
}

/** The same stream through p-queue: one task per item. */
async function streamPQueue(maxsize: number, consumers: number): Promise<void> {
  const queue = new PQueue({ concurrency: consumers });
  let received = 0;
  const task = (): void => {
    received++;
  };
  for (let i = 0; i < ITEMS; i++) {
    if (queue.size >= maxsize) await queue.onSizeLessThan(maxsize);
    queue.add(task);
  }
  await queue.onIdle();
  if (received !== ITEMS) throw new Error(`received ${received} items`);
}

for (const maxsize of [1, 64, Infinity]) {
  for (const consumers of [1, 4]) {
    const size = maxsize === Infinity ? "unbounded" : `maxsize ${maxsize}`;
    const group = `10^6 items, ${size}, ${consumers} consumer${
      consumers === 1 ? "" : "s"
    }`;
    Deno.bench({
      name: `asincronia Queue (${size}, ${consumers})`,
      group,
      baseline: true,
      ...RUNS,
      async fn() {
        await stream(new Queue<number>({ maxsize }), consumers);
      },
    });
    Deno.bench({
      name: `array + resolvers (${size}, ${consumers})`,
      group,
      ...RUNS,
      async fn() {
        await stream(new PlainQueue<number>(maxsize), consumers);
      },
    });
    Deno.bench({
      name: `p-queue, concurrency ${consumers} (${size})`,
      group,
      ...PQUEUE_RUNS,
      async fn() {
        await streamPQueue(maxsize, consumers);
      },
    });
  }
}
