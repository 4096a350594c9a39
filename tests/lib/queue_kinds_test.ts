// LifoQueue and PriorityQueue: their order, and the Queue's rules for
// waiters, cancellation and closing, which they share.
//
// Upstream cases whose intent these tests carry (CPython,
// Lib/test/test_asyncio/test_queues.py):
// - LifoQueueTests.test_order, PriorityQueueTests.test_order: "items leave
//   in the kind's order".
// - Run for each kind ("the Queue's waiter rules hold"; for Queue alone they
//   are also in tests/lib/queue_test.ts): QueueBasicTests.test_maxsize ("a
//   put waits while full…"), QueuePutTests.test_put_with_waiting_getters
//   ("getters are served in the order they came…"),
//   QueueGetTests.test_get_with_waiting_putters ("waiting putters enter in
//   the order they came…"), QueuePutTests.test_put_cancelled_race and
//   QueueGetTests.test_get_cancelled_race ("an aborted putter's item never
//   enters…").
// The rest is ours: stability among equals, the comparator's checks and
// failures, O(log n) comparisons, and memory after a burst.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueClosedError,
} from "../../lib/queue.ts";
import { assertNames, heapKept, random, refusal, settle } from "./_helpers.ts";
import { KINDS } from "./_queue_kinds.ts";

for (const { name, make, order } of KINDS) {
  Deno.test(`${name}: items leave in the kind's order, through put/get and tryPut/tryGet`, async () => {
    const queue = make();
    for (const n of [1, 3, 2]) await queue.put(n);
    assertEquals(
      [await queue.get(), await queue.get(), await queue.get()],
      order,
    );
    for (const n of [1, 3, 2]) assert(queue.tryPut(n));
    assertEquals([1, 2, 3].map(() => queue.tryGet()?.value), order);
    assertEquals(queue.tryGet(), undefined);
  });

  Deno.test(`${name}: the Queue's waiter rules hold`, async (t) => {
    await t.step(
      "a put waits while full, and a get lets the first putter in",
      async () => {
        const queue = make({ maxsize: 2 });
        const put: number[] = [];
        const producer = (async () => {
          for (const n of [1, 3, 2]) {
            await queue.put(n);
            put.push(n);
          }
        })();
        await settle();
        assertEquals([put, queue.size, queue.waitingPutters], [[1, 3], 2, 1]);
        queue.tryGet();
        await producer;
        assertEquals([put, queue.size], [[1, 3, 2], 2]);
      },
    );

    await t.step(
      "getters are served in the order they came, straight from put",
      async () => {
        const queue = make();
        const getters = [0, 1, 2, 3].map(() => queue.get());
        for (const n of [5, 7, 6, 4]) await queue.put(n);
        assertEquals(await Promise.all(getters), [5, 7, 6, 4]);
        assertEquals(queue.size, 0);
      },
    );

    await t.step(
      "waiting putters enter in the order they came; no barging",
      async () => {
        const queue = make({ maxsize: 1 });
        queue.tryPut(0);
        const putters = [1, 2, 3].map((n) => queue.put(n));
        assertEquals(queue.tryPut(9), false);
        const got: number[] = [];
        for (let i = 0; i < 4; i++) {
          got.push(queue.tryGet()!.value);
          assertEquals(queue.tryPut(9), i === 3); // the place went to a putter
        }
        await Promise.all(putters);
        assertEquals(got, [0, 1, 2, 3]);
      },
    );

    await t.step(
      "an aborted putter's item never enters; an aborted getter takes nothing",
      async () => {
        const queue = make({ maxsize: 1 });
        queue.tryPut(1);
        const controller = new AbortController();
        const aborted = queue.put(99, { signal: controller.signal });
        const kept = queue.put(2);
        controller.abort();
        await assertRejects(() => aborted);
        assertEquals([await queue.get(), await queue.get()], [1, 2]);
        await kept;
        const gone = new AbortController();
        const getter = queue.get({ signal: gone.signal });
        const next = queue.get();
        gone.abort();
        await assertRejects(() => getter);
        queue.tryPut(3);
        assertEquals(await next, 3);
        assertEquals([queue.size, queue.waitingGetters], [0, 0]);
      },
    );

    await t.step(
      "close() refuses putters, drains in order, then for await ends",
      async () => {
        const queue = make({ maxsize: 3 });
        for (const n of [1, 3, 2]) queue.tryPut(n);
        const refused = queue.put(4);
        queue.close();
        await assertRejects(() => refused, QueueClosedError);
        const seen: number[] = [];
        for await (const n of queue) seen.push(n);
        assertEquals(seen, order);
      },
    );

    await t.step(
      "with maxsize 0, a rendezvous: a put waits for a get",
      async () => {
        const queue = make({ maxsize: 0 });
        const putters = [1, 3, 2].map((n) => queue.put(n));
        assertEquals([queue.size, queue.waitingPutters], [0, 3]);
        // Nothing is stored, so the putters' order is the items' order.
        assertEquals([1, 2, 3].map(() => queue.tryGet()?.value), [1, 3, 2]);
        await Promise.all(putters);
      },
    );
  });
}

Deno.test("LifoQueue is a Queue that holds what Queue holds", () => {
  const stack = new LifoQueue<number>({ maxsize: 2 });
  assertInstanceOf(stack, Queue);
  assertEquals([stack.maxsize, stack.size, stack.closed], [2, 0, false]);
  assertThrows(() => new LifoQueue({ maxsize: -1 }), RangeError);
});

Deno.test("LifoQueue and PriorityQueue give their memory back after a burst", () => {
  for (const { name, make } of KINDS.slice(1)) {
    const kept = heapKept(() => {
      const queue = make();
      // 2·10^5 items: a store that kept its peak would keep 2 MiB or more.
      // Two values: the priority queue holds them as two runs of equals.
      for (let i = 0; i < 200_000; i++) queue.tryPut(i % 2);
      for (let i = 1; i < 200_000; i++) queue.tryGet();
      assertEquals(queue.size, 1);
      return queue;
    });
    assert(kept < 2 ** 20, `${name}: ${(kept / 2 ** 20).toFixed(1)} MiB kept`);
  }
});

Deno.test("PriorityQueue: equal items leave in the order they came", async () => {
  type Job = { priority: number; name: string };
  const jobs = new PriorityQueue<Job>((a, b) => a.priority - b.priority);
  const names = ["a", "b", "c", "d", "e", "f", "g", "h"];
  for (const [i, name] of names.entries()) {
    await jobs.put({ priority: i % 2, name });
  }
  const out: string[] = [];
  while (jobs.size > 0) out.push((await jobs.get()).name);
  assertEquals(out, ["a", "c", "e", "g", "b", "d", "f", "h"]);
});

Deno.test("PriorityQueue: close({ immediate: true }) returns equal items in the order they came", () => {
  // The heap holds c, a and d, and b behind a: b must come before d.
  const priority: Record<string, number> = { a: 1, b: 1, c: 0, d: 1 };
  const queue = new PriorityQueue<string>((x, y) =>
    priority[x]! - priority[y]!
  );
  for (const name of ["a", "b", "c", "d"]) queue.tryPut(name);
  assertEquals(queue.close({ immediate: true }), ["c", "a", "b", "d"]);
});

Deno.test("PriorityQueue: 0 and NaN from the comparator both mean a tie", () => {
  const queue = new PriorityQueue<string>(() => NaN);
  for (const s of ["x", "y", "z"]) queue.tryPut(s);
  assertEquals([1, 2, 3].map(() => queue.tryGet()?.value), ["x", "y", "z"]);
});

Deno.test("PriorityQueue compares O(log n) times per item", () => {
  let calls = 0;
  const queue = new PriorityQueue<number>((a, b) => (calls++, a - b));
  const n = 1 << 14;
  const rand = random(14);
  for (let i = 0; i < n; i++) queue.tryPut(Math.floor(rand() * n));
  for (let i = 0; i < n; i++) queue.tryGet();
  // A put climbs at most 14 levels; a take goes down and back up a path
  // of 14, comparing the two children at each level.
  const perItem = calls / n;
  assert(perItem < 3 * 14, `${perItem.toFixed(1)} comparisons per item`);
});

Deno.test("PriorityQueue: equal items cost no sifting past each other", () => {
  let calls = 0;
  const queue = new PriorityQueue<number>((a, b) => (calls++, a - b));
  const n = 1 << 14;
  const rand = random(4);
  for (let i = 0; i < n; i++) queue.tryPut(Math.floor(rand() * 4));
  for (let i = 0; i < n; i++) queue.tryGet();
  // With 4 priorities a take sifts past no equal item: about 2 comparisons
  // each way, where sinking past equals takes about 14 per take.
  const perItem = calls / n;
  assert(perItem < 6, `${perItem.toFixed(1)} comparisons per item`);
});

Deno.test("new PriorityQueue() refuses a comparator that is not a function, then checks options", async () => {
  for (
    const [bad, shown] of [[undefined, "undefined"], [42, "42"], ["<", '"<"']]
  ) {
    assertNames(
      await refusal(() => new PriorityQueue(bad as never)),
      TypeError,
      "compare",
      shown as string,
    );
  }
  const byValue = (a: number, b: number) => a - b;
  assertNames(
    await refusal(() => new PriorityQueue(byValue, { maxsize: -1 })),
    RangeError,
    "maxsize",
    "-1",
  );
  assertNames(
    await refusal(() => new PriorityQueue(byValue, null as never)),
    TypeError,
    "options",
    "null",
  );
});

Deno.test("PriorityQueue: a comparator that throws fails that call and leaves the queue as it was", async (t) => {
  const boom = new Error("cannot compare");
  // Throws when either item is the poisoned one, or once `broken`.
  const poisoned = -1;
  let broken = false;
  const make = (maxsize = Infinity) =>
    new PriorityQueue<number>((a, b) => {
      if (broken || a === poisoned || b === poisoned) throw boom;
      return a - b;
    }, { maxsize });

  await t.step(
    "put rejects (never throws) and tryPut throws; the item is not put",
    async () => {
      const queue = make();
      queue.tryPut(5);
      queue.tryPut(3);
      const put = queue.put(poisoned);
      assertInstanceOf(put, Promise);
      assertStrictEquals(await put.catch((e) => e), boom);
      assertStrictEquals(assertThrows(() => queue.tryPut(poisoned)), boom);
      assertEquals(queue.size, 2);
      assertEquals([queue.tryGet()?.value, queue.tryGet()?.value], [3, 5]);
      queue.taskDone();
      queue.taskDone();
      // The refused puts did not count.
      assertThrows(() => queue.taskDone(), RangeError);
    },
  );

  await t.step("get rejects and tryGet throws; nothing is taken", async () => {
    const queue = make();
    for (const n of [3, 1, 2]) queue.tryPut(n);
    broken = true;
    // Taking the top compares the two items left, which throws.
    assertStrictEquals(await queue.get().catch((e) => e), boom);
    assertStrictEquals(assertThrows(() => queue.tryGet()), boom);
    broken = false;
    assertEquals([1, 2, 3, 4].map(() => queue.tryGet()?.value), [
      1,
      2,
      3,
      undefined,
    ]);
  });

  await t.step(
    "taking one of several equal items: the take throws, nothing moves",
    () => {
      const queue = make();
      for (const n of [1, 1, 2, 1]) queue.tryPut(n);
      broken = true;
      // The next 1 is compared with the 2 before it takes the top's place.
      assertStrictEquals(assertThrows(() => queue.tryGet()), boom);
      broken = false;
      assertEquals(queue.close({ immediate: true }), [1, 1, 1, 2]);
    },
  );

  await t.step(
    "a take that throws deep in the heap: every item still comes out in order",
    () => {
      // Throws at the n-th comparison of a take, n = 1 to 10 in turn: the
      // later ones after items on the way down have moved up.
      let left = Infinity;
      const queue = new PriorityQueue<number>((a, b) => {
        if (--left === 0) throw boom;
        return a - b;
      });
      const items = Array.from({ length: 64 }, (_, i) => (i * 37) % 64);
      for (const n of items) queue.tryPut(n);
      const out = [];
      let threw = 0;
      for (let k = 0; queue.size > 0; k++) {
        left = 1 + (k % 10);
        try {
          out.push(queue.tryGet()!.value);
        } catch (error) {
          assertStrictEquals(error, boom);
          threw++;
          left = Infinity;
          out.push(queue.tryGet()!.value);
        }
      }
      assertEquals(threw >= 20, true);
      assertEquals(out, items.toSorted((a, b) => a - b));
    },
  );

  await t.step(
    "a waiting putter whose item it refuses is rejected; the next one enters",
    async () => {
      const queue = make(2);
      queue.tryPut(1);
      queue.tryPut(2);
      const refused = queue.put(poisoned);
      const next = queue.put(0);
      assertEquals(await queue.get(), 1); // room: the poisoned item is tried first
      assertStrictEquals(await refused.catch((e) => e), boom);
      await next;
      assertEquals([await queue.get(), await queue.get(), queue.size], [
        0,
        2,
        0,
      ]);
    },
  );

  await t.step(
    "close({ immediate: true }) with a sound comparator returns the items in order",
    () => {
      const queue = make();
      for (const n of [4, 1, 3, 2]) queue.tryPut(n);
      assertEquals(queue.close({ immediate: true }), [1, 2, 3, 4]);
    },
  );

  await t.step(
    "close({ immediate: true }) that throws: the queue stays open, with every item and its waiting putter",
    async () => {
      let left = Infinity;
      const queue = new PriorityQueue<number>((a, b) => {
        if (--left === 0) throw boom;
        return a - b;
      }, { maxsize: 4 });
      for (const n of [4, 1, 3, 2]) queue.tryPut(n);
      const waiting = queue.put(0).catch((e) => e);
      // Throws at the third comparison, when a close that took the items one
      // by one had dropped the 1.
      left = 3;
      assertStrictEquals(
        assertThrows(() => queue.close({ immediate: true })),
        boom,
      );
      left = Infinity;
      assertEquals([queue.closed, queue.size, queue.waitingPutters], [
        false,
        4,
        1,
      ]);
      assertEquals(queue.close({ immediate: true }), [1, 2, 3, 4]);
      assertInstanceOf(await waiting, QueueClosedError);
    },
  );
});

Deno.test("PriorityQueue: the comparator is called as a plain function", () => {
  const seen: unknown[] = [];
  const queue = new PriorityQueue<number>(function (this: unknown, a, b) {
    seen.push(this);
    return a - b;
  });
  for (const n of [3, 1, 2]) queue.tryPut(n);
  queue.tryGet();
  assert(seen.length > 0 && seen.every((self) => self === undefined));
});
