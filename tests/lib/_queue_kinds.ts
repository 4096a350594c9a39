/**
 * The three kinds of queue that the queue tests run alike, and the order in
 * which each gives back the items 1, 3, 2 (CPython's test_order).
 *
 * @module
 */
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  type QueueOptions,
} from "../../lib/queue.ts";

/** A kind of queue: its name, a maker, and how it orders 1, 3, 2. */
export interface Kind {
  name: string;
  make: (options?: QueueOptions) => Queue<number>;
  order: number[];
}

export const KINDS: Kind[] = [
  { name: "Queue", make: (o) => new Queue(o), order: [1, 3, 2] },
  { name: "LifoQueue", make: (o) => new LifoQueue(o), order: [2, 3, 1] },
  {
    name: "PriorityQueue",
    make: (o) => new PriorityQueue((a, b) => a - b, o),
    order: [1, 2, 3],
  },
];
