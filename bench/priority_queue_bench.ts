/**
 * PriorityQueue against a bare binary heap: the array-and-comparator heap one
 * writes by hand, with no waiters, no checks and no tie-breaking (equal
 * items leave in any order). Each group runs every side in the same run:
 * read the ratios. The target is at most 1.5× the bare heap.
 *
 * Run: deno task bench:priority-queue
 * (deno bench --config bench/deno.json bench/priority_queue_bench.ts)
 *
 * What ours adds per item: the queue's bookkeeping (waiters to check, the
 * count that join() waits on) and stability among equals (the number each
 * item came as, compared when the comparator says 0, and runs of equal
 * items that a take hands out without sifting).
 *
 * - "fill then drain": 10^5 random priorities put, then all taken (the
 *   heap grows to 10^5, then shrinks to 0).
 * - "steady": a heap of 10^3 items, then 10^5 times one taken and one put.
 * - "many ties": the fill then drain of 10^5 items with 10 priorities, where
 *   stability would cost most (most comparisons are ties) and runs save most.
 * - "some ties": the same with 100 priorities, where runs are short and cost
 *   more than they save.
 * - "async": the steady case through `await put()` / `await get()`, against
 *   the bare heaps behind the same two awaits.
 *
 * A third side is the bare heap made stable the way one would by hand: each
 * item wrapped with its arrival number, compared on a tie. Stability has a
 * cost of its own where most comparisons are ties: a stable heap sifts each
 * item down past its equals, where an unstable one stops at the first (ours
 * keeps equals in runs instead).
 *
 * @module
 */
import { PriorityQueue } from "../lib/queue.ts";

const ITEMS = 100_000;
const DEPTH = 1_000;
const RUNS = { n: 30, warmup: 5 };

/** Repeatable pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Job {
  priority: number;
  id: number;
}

function jobs(n: number, priorities: number): Job[] {
  const rand = random(n + priorities);
  return Array.from({ length: n }, (_, id) => ({
    priority: Math.floor(rand() * priorities),
    id,
  }));
}

const byPriority = (a: Job, b: Job): number => a.priority - b.priority;

/** The heap written by hand: smallest first, ties in any order. */
class BareHeap<T> {
  items: T[] = [];
  compare: (a: T, b: T) => number;
  constructor(compare: (a: T, b: T) => number) {
    this.compare = compare;
  }

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(item, items[parent]!) >= 0) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    const n = items.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.compare(items[child + 1]!, items[child]!) < 0) {
        child++;
      }
      if (this.compare(items[child]!, last) >= 0) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/** What each side offers: put and take. */
interface Side {
  put(job: Job): void;
  take(): Job;
}

const ours = (): Side => {
  const queue = new PriorityQueue<Job>(byPriority);
  return {
    put: (job) => void queue.tryPut(job),
    take: () => queue.tryGet()!.value,
  };
};

const bare = (): Side => {
  const heap = new BareHeap<Job>(byPriority);
  return { put: (job) => heap.push(job), take: () => heap.pop() };
};

/** The bare heap made stable by hand: each job with its arrival number. */
const bareStable = (): Side => {
  let count = 0;
  const heap = new BareHeap<{ job: Job; n: number }>((a, b) =>
    byPriority(a.job, b.job) || a.n - b.n
  );
  return {
    put: (job) => heap.push({ job, n: count++ }),
    take: () => heap.pop().job,
  };
};

let sink = 0;

function fillThenDrain(side: Side, all: Job[]): void {
  for (const job of all) side.put(job);
  for (let i = 0; i < all.length; i++) sink += side.take().id;
}

function steady(side: Side, all: Job[]): void {
  for (let i = 0; i < DEPTH; i++) side.put(all[i]!);
  for (let i = DEPTH; i < all.length; i++) {
    sink += side.take().id;
    side.put(all[i]!);
  }
  for (let i = 0; i < DEPTH; i++) sink += side.take().id;
}

/** `steady` with each put and take awaited: ours through put() and get(). */
async function steadyAsync(side: Side | "ours", all: Job[]): Promise<void> {
  const queue = new PriorityQueue<Job>(byPriority);
  const put = side === "ours" ? (job: Job) => queue.put(job) : side.put;
  const take = side === "ours" ? () => queue.get() : side.take;
  for (let i = 0; i < DEPTH; i++) await put(all[i]!);
  for (let i = DEPTH; i < all.length; i++) {
    sink += (await take()).id;
    await put(all[i]!);
  }
  for (let i = 0; i < DEPTH; i++) sink += (await take()).id;
}

const spread = jobs(ITEMS, 1_000_000_000);
const tied = jobs(ITEMS, 10);

const SIDES: [string, () => Side][] = [
  ["PriorityQueue (ours)", ours],
  ["bare binary heap", bare],
  ["bare binary heap, stable", bareStable],
];

for (
  const [group, run, all] of [
    ["fill then drain, 10^5 items", fillThenDrain, spread],
    ["steady, 10^3 deep, 10^5 items", steady, spread],
    ["many ties: 10 priorities, 10^5 items", fillThenDrain, tied],
    ["some ties: 100 priorities, 10^5 items", fillThenDrain, jobs(ITEMS, 100)],
  ] as const
) {
  for (const [name, make] of SIDES) {
    Deno.bench({
      name: `${name}: ${group}`,
      group,
      baseline: make === ours,
      ...RUNS,
      fn() {
        run(make(), all);
      },
    });
  }
}

for (const [name, make] of SIDES) {
  const group = "async: steady, 10^3 deep, 10^5 items";
  Deno.bench({
    name: `${name}: ${group}`,
    group,
    baseline: make === ours,
    ...RUNS,
    async fn() {
      await steadyAsync(make === ours ? "ours" : make(), spread);
    },
  });
}

addEventListener("unload", () => {
  if (sink === 0) console.log("nothing was taken");
});
