// Queue.taskDone(), Queue.join() and close({ immediate: true }), for each
// kind of queue (Queue, LifoQueue, PriorityQueue), as asyncio defines them.
//
// Upstream cases whose intent these tests carry (CPython,
// Lib/test/test_asyncio/test_queues.py; each mixin runs there for Queue,
// LifoQueue and PriorityQueue, and so do these tests):
// - _QueueJoinTestMixin.test_join_empty_queue: "join() resolves at once…"
// - _QueueJoinTestMixin.test_task_done_underflow: "taskDone() more times…"
// - _QueueJoinTestMixin.test_task_done: "two consumers mark 100 items done…"
// - _QueueShutdownTestMixin.test_shutdown_empty: "close() of an empty
//   queue…"
// - _QueueShutdownTestMixin.test_shutdown_nonempty: "join() after close()
//   still waits…"
// - _QueueShutdownTestMixin.test_shutdown_immediate: "close({ immediate })
//   drops the items…"
// - _QueueShutdownTestMixin.test_shutdown_immediate_with_unfinished: the
//   same test, second step.
// The rest is ours: what counts as put, join's own signal, the waiters an
// immediate close rejects, and bad options.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { Queue, QueueClosedError } from "../../lib/queue.ts";
import { spy } from "./_abort_spy.ts";
import { settle, track } from "./_helpers.ts";
import { KINDS } from "./_queue_kinds.ts";

/** Every way of using a closed queue is refused with QueueClosedError. */
async function assertClosed(queue: Queue<number>): Promise<void> {
  await assertRejects(() => queue.put(9), QueueClosedError);
  assertThrows(() => queue.tryPut(9), QueueClosedError);
  await assertRejects(() => queue.get(), QueueClosedError);
  assertThrows(() => queue.tryGet(), QueueClosedError);
}

for (const { name, make, order } of KINDS) {
  Deno.test(`${name}: join() resolves at once when nothing is unfinished, twice in a row`, async () => {
    const queue = make();
    await queue.join();
    await queue.join();
    // Every item done: at once again.
    queue.tryPut(1);
    queue.tryGet();
    queue.taskDone();
    const again = track(queue.join());
    await settle(1);
    assertEquals(again.state, "fulfilled");
  });

  Deno.test(`${name}: taskDone() more times than items put is a RangeError that changes nothing`, async () => {
    const queue = make();
    // The library's grammar for a call out of turn (docs/library.md).
    assertThrows(
      () => queue.taskDone(),
      RangeError,
      "Cannot mark task done as",
    );
    queue.tryPut(1);
    queue.tryPut(2);
    queue.taskDone(); // done before it was even taken: allowed, as in asyncio
    queue.taskDone();
    assertThrows(() => queue.taskDone(), RangeError);
    await queue.join();
    queue.tryPut(3);
    const joined = track(queue.join());
    queue.taskDone();
    await settle();
    assertEquals(joined.state, "fulfilled");
    assertEquals(queue.size, 3);
  });

  Deno.test(`${name}: two consumers mark 100 items done; join() resolves after the last, then close() stops them`, async () => {
    const queue = make();
    for (let i = 0; i < 100; i++) queue.tryPut(i);
    let sum = 0;
    let done = 0;
    const consumers = [1, 2].map(async (n) => {
      for await (const item of queue) {
        await settle(n); // the two interleave
        sum += item;
        done++;
        queue.taskDone();
      }
    });
    let doneAtJoin = -1;
    await queue.join().then(() => doneAtJoin = done);
    assertEquals([doneAtJoin, sum], [100, 4950]);
    queue.close();
    await Promise.all(consumers);
  });

  Deno.test(`${name}: close() of an empty queue rejects the waiting getter; join() resolves`, async () => {
    const queue = make();
    const getter = queue.get();
    queue.close();
    assertEquals(queue.size, 0);
    await queue.join();
    await assertRejects(() => getter, QueueClosedError);
    await assertClosed(queue);
  });

  Deno.test(`${name}: join() after close() still waits for the items put and not yet done`, async () => {
    const queue = make({ maxsize: 1 });
    queue.tryPut(1);
    const joined = track(queue.join());
    const putter = queue.put(2);
    queue.close();
    assertEquals(queue.size, 1);
    await assertRejects(() => putter, QueueClosedError); // 2 was never put
    assertEquals(await queue.get(), 1);
    await settle();
    assertEquals(joined.state, "pending"); // 1 is taken, not done
    await assertClosed(queue);
    queue.taskDone();
    await settle();
    assertEquals(joined.state, "fulfilled");
    assertThrows(() => queue.taskDone(), RangeError); // 2 does not count
  });

  Deno.test(`${name}: close({ immediate: true }) drops the items, returns them in the order get() would, and join() resolves`, async () => {
    const queue = make();
    for (const n of [1, 3, 2]) queue.tryPut(n);
    const joined = track(queue.join());
    assertEquals(queue.close({ immediate: true }), order);
    assertEquals(queue.size, 0);
    await settle();
    assertEquals(joined.state, "fulfilled");
    await assertClosed(queue);
    assertThrows(() => queue.taskDone(), RangeError);
  });

  Deno.test(`${name}: close({ immediate: true }) with an item taken and not done: join() waits for that one`, async () => {
    const queue = make();
    queue.tryPut(1);
    queue.tryPut(1);
    const joined = track(queue.join());
    assertEquals(await queue.get(), 1);
    assertEquals(queue.close({ immediate: true }), [1]);
    assertEquals(queue.size, 0);
    await settle();
    assertEquals(joined.state, "pending");
    await assertClosed(queue);
    queue.taskDone();
    assertThrows(() => queue.taskDone(), RangeError);
    await settle();
    assertEquals(joined.state, "fulfilled");
  });
}

Deno.test("join() counts every item that went in, however it went in, and none that did not", async (t) => {
  await t.step(
    "handed to a waiting getter, put by a waiting putter, tryPut",
    async () => {
      const queue = new Queue<string>({ maxsize: 1 });
      const getter = queue.get();
      await queue.put("to the getter");
      queue.tryPut("in the queue");
      const putter = queue.put("waited");
      assertEquals(await getter, "to the getter");
      assertEquals(queue.tryGet(), { value: "in the queue" }); // lets "waited" in
      await putter;
      const joined = track(queue.join());
      queue.taskDone();
      queue.taskDone();
      await settle();
      assertEquals(joined.state, "pending"); // "waited" is not done
      queue.taskDone();
      await settle();
      assertEquals(joined.state, "fulfilled");
      assertThrows(() => queue.taskDone(), RangeError);
    },
  );

  await t.step(
    "handed to a waiting getter: counted before its promise reads the item",
    async () => {
      const queue = new Queue<object>();
      const got = queue.get();
      let joined: { state: string } | undefined;
      queue.tryPut({
        get then() { // resolving the getter's promise reads this at once
          joined ??= track(queue.join());
          return undefined;
        },
      });
      await got;
      await settle();
      assertEquals(joined?.state, "pending"); // the item is not done yet
      queue.taskDone();
      await settle();
      assertEquals(joined?.state, "fulfilled");
    },
  );

  await t.step("refused, aborted or not taken: not counted", async () => {
    const queue = new Queue<string>({ maxsize: 1 });
    queue.tryPut("a");
    assertEquals(queue.tryPut("full"), false);
    const controller = new AbortController();
    const aborted = queue.put("aborted", { signal: controller.signal });
    controller.abort();
    await assertRejects(() => aborted);
    const refused = queue.put("refused");
    queue.close();
    await assertRejects(() => refused, QueueClosedError);
    queue.taskDone(); // "a", the only item put
    await queue.join();
    assertThrows(() => queue.taskDone(), RangeError);
  });
});

Deno.test("join({ signal }): an abort ends that join only", async (t) => {
  await t.step(
    "already aborted: rejects at once, even with nothing unfinished",
    async () => {
      const queue = new Queue<number>();
      const reason = new Error("no");
      const signal = AbortSignal.abort(reason);
      assertStrictEquals(await queue.join({ signal }).catch((e) => e), reason);
      queue.tryPut(1);
      assertStrictEquals(await queue.join({ signal }).catch((e) => e), reason);
      assertEquals(queue.size, 1);
    },
  );

  await t.step(
    "aborted while waiting: that join rejects; the others, the items and the count stay",
    async () => {
      const queue = new Queue<number>();
      queue.tryPut(1);
      const controller = new AbortController();
      const signal = spy(controller.signal);
      const mine = queue.join({ signal: controller.signal });
      const other = track(queue.join());
      assertEquals(signal.watchers, 1);
      const reason = new Error("gave up");
      controller.abort(reason);
      assertStrictEquals(await mine.catch((e) => e), reason);
      assertEquals([signal.watchers, queue.size], [0, 1]);
      await settle();
      assertEquals(other.state, "pending");
      queue.tryGet();
      queue.taskDone();
      await settle();
      assertEquals(other.state, "fulfilled");
    },
  );

  await t.step(
    "resolved: the signal is let go, and a later abort changes nothing",
    async () => {
      const queue = new Queue<number>();
      queue.tryPut(1);
      const controller = new AbortController();
      const signal = spy(controller.signal);
      const joins = [1, 2, 3].map(() =>
        queue.join({ signal: controller.signal })
      );
      assertEquals([signal.listeners, signal.watchers], [1, 3]);
      queue.taskDone();
      assertEquals(signal.watchers, 0);
      controller.abort();
      assertEquals(await Promise.all(joins), [undefined, undefined, undefined]);
    },
  );

  await t.step(
    "a bad options object or signal rejects; it never throws",
    async () => {
      const queue = new Queue<number>();
      for (const bad of [null, 5, { signal: {} }]) {
        const result = queue.join(bad as never);
        assertInstanceOf(result, Promise);
        await assertRejects(() => result, TypeError);
      }
    },
  );
});

Deno.test("close({ immediate: true }) rejects every waiter at once, and drops what a closed queue still holds", async (t) => {
  await t.step(
    "waiting putters: rejected, their items neither put nor returned",
    async () => {
      const queue = new Queue<string>({ maxsize: 1 });
      queue.tryPut("queued");
      const putters = [queue.put("x"), queue.put("y")];
      assertEquals(queue.close({ immediate: true }), ["queued"]);
      assertEquals(queue.waitingPutters, 0);
      for (const putter of putters) {
        await assertRejects(() => putter, QueueClosedError);
      }
    },
  );

  await t.step(
    "waiting getters and for await loops: rejected, ended",
    async () => {
      const queue = new Queue<string>();
      const getters = [queue.get(), queue.get()];
      const seen: string[] = [];
      const loop = (async () => {
        for await (const item of queue) seen.push(item);
      })();
      await settle();
      assertEquals(queue.waitingGetters, 3);
      assertEquals(queue.close({ immediate: true }), []);
      assertEquals(queue.waitingGetters, 0);
      for (const getter of getters) {
        await assertRejects(() => getter, QueueClosedError);
      }
      await loop;
      assertEquals(seen, []);
    },
  );

  await t.step(
    "a waiter whose signal aborted first gets its own reason",
    async () => {
      const queue = new Queue<string>({ maxsize: 1 });
      queue.tryPut("queued");
      const controller = new AbortController();
      controller.signal.addEventListener(
        "abort",
        () => queue.close({ immediate: true }),
      );
      const aborted = queue.put("x", { signal: controller.signal });
      const other = queue.put("y");
      const reason = new Error("first");
      controller.abort(reason);
      assertStrictEquals(await aborted.catch((e) => e), reason);
      await assertRejects(() => other, QueueClosedError);
    },
  );

  await t.step(
    "after a graceful close: drops what is left; close() returns []",
    async () => {
      const queue = new Queue<number>();
      for (const n of [1, 2, 3]) queue.tryPut(n);
      assertEquals(queue.close(), []);
      assertEquals(queue.close(), []);
      assertEquals(await queue.get(), 1);
      assertEquals(queue.close({ immediate: true }), [2, 3]);
      assertEquals(queue.close({ immediate: true }), []);
      await assertRejects(() => queue.get(), QueueClosedError);
    },
  );

  await t.step(
    "items done before they were taken do not count twice",
    async () => {
      const queue = new Queue<number>();
      queue.tryPut(1);
      queue.tryPut(2);
      queue.taskDone();
      queue.taskDone();
      assertEquals(queue.close({ immediate: true }), [1, 2]);
      await queue.join();
      assertThrows(() => queue.taskDone(), RangeError);
    },
  );

  await t.step(
    "bad options: a TypeError naming them, and the queue stays open",
    () => {
      const queue = new Queue<number>();
      queue.tryPut(1);
      for (
        const [bad, named] of [
          [{ immediate: "yes" }, "'immediate'"],
          [{ immediate: 1 }, "'immediate'"],
          [null, "'options'"],
          ["now", "'options'"],
        ] as const
      ) {
        const error = assertThrows(() => queue.close(bad as never), TypeError);
        assert(error.message.includes(named), error.message);
      }
      assertEquals([queue.closed, queue.size], [false, 1]);
    },
  );
});
