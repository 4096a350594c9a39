// A Queue of maxsize 0 (trio's unbuffered memory channel), and the trio
// channel cases that our Queue can express.
//
// Upstream cases whose intent these tests carry (trio,
// src/trio/_tests/test_channel.py):
// - test_unbuffered: "a put waits until a get takes its item…"
// - test_channel: "trio's channel basics, on a queue of maxsize 2"
// - test_553: "a get that gave up leaves no trace…"
// - test_channel_multiple_producers: "ten producers, one rendezvous…"
// - test_channel_multiple_consumers: "five consumers waiting each get…"
// - test_close_basics and test_close_sync (the sending side's half; our
//   close is synchronous, and there is one queue, not two ends): "close()
//   rejects the waiting putter…"
// - test_inf_capacity: "maxsize Infinity never waits"
// - test_statistics (the waiting counts): "waitingPutters and
//   waitingGetters count…"
// - test_channel_fairness: "a waiting getter owns the item…" (the
//   buffered half is in tests/lib/queue_test.ts).
// Not expressible here: clones, closing the receiving end alone
// (BrokenResourceError), as_safe_channel.
// The rest is ours: aborts on either side, and a seeded stress.
import {
  assert,
  assertEquals,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { Queue, QueueClosedError } from "../../lib/queue.ts";
import { random, settle, track } from "./_helpers.ts";

Deno.test("maxsize 0: a put waits until a get takes its item; nothing is ever stored", async () => {
  const queue = new Queue<number>({ maxsize: 0 });
  assertEquals([queue.tryGet(), queue.tryPut(1)], [undefined, false]);
  const put = track(queue.put(1));
  await settle();
  assertEquals([put.state, queue.size, queue.waitingPutters], [
    "pending",
    0,
    1,
  ]);
  assertEquals(await queue.get(), 1);
  await settle();
  assertEquals([put.state, queue.waitingPutters], ["fulfilled", 0]);
  assertEquals(queue.tryGet(), undefined);
});

Deno.test("maxsize 0: a get that finds a putter takes its item at once; a put that finds a getter hands it over", async () => {
  const queue = new Queue<string>({ maxsize: 0 });
  const put = track(queue.put("a"));
  assertEquals(queue.tryGet(), { value: "a" }); // trio's receive_nowait
  await settle();
  assertEquals(put.state, "fulfilled");
  const getter = queue.get();
  assertEquals(queue.tryPut("b"), true); // trio's send_nowait
  assertEquals(await getter, "b");
  const waiting = queue.get();
  await queue.put("c"); // resolves at once: the getter has it
  assertEquals(await waiting, "c");
});

Deno.test("trio's channel basics, on a queue of maxsize 2", async () => {
  const queue = new Queue<number | string | null>({ maxsize: 2 });
  assert(queue.tryPut(1));
  await queue.put(2);
  assertEquals(queue.tryPut(null), false);
  assertEquals(await queue.get(), 1);
  assertEquals(queue.tryGet(), { value: 2 });
  assertEquals(queue.tryGet(), undefined);
  queue.tryPut("last");
  queue.close();
  await assertRejects(() => queue.put("too late"), QueueClosedError);
  assertThrows(() => queue.tryPut("too late"), QueueClosedError);
  queue.close();
  assertEquals(queue.tryGet(), { value: "last" });
  await assertRejects(() => queue.get(), QueueClosedError);
  assertThrows(() => queue.tryGet(), QueueClosedError);
});

Deno.test("a get that gave up leaves no trace: the next put is not swallowed by it", async () => {
  for (const maxsize of [1, 0]) {
    const queue = new Queue<string>({ maxsize });
    await assertRejects(
      () => queue.get({ signal: AbortSignal.timeout(5) }),
      DOMException,
    );
    assertEquals(queue.waitingGetters, 0);
    // Buffered: the item goes in without waiting. Rendezvous: it waits
    // for a getter, and the one that gave up is not one.
    const put = track(queue.put("Test for PR #553"));
    await settle();
    assertEquals([put.state, queue.size], [
      maxsize ? "fulfilled" : "pending",
      maxsize,
    ]);
    assertEquals(await queue.get(), "Test for PR #553");
    await settle();
    assertEquals(put.state, "fulfilled");
  }
});

Deno.test("ten producers, one rendezvous: the consumer gets every item once, each producer's in its order", async () => {
  const queue = new Queue<number>({ maxsize: 0 });
  const producers = Array.from({ length: 10 }, async (_, i) => {
    for (let j = 3 * i; j < 3 * (i + 1); j++) await queue.put(j);
  });
  const consumer = (async () => {
    const got: number[] = [];
    for await (const n of queue) got.push(n);
    return got;
  })();
  await Promise.all(producers);
  queue.close();
  const got = await consumer;
  assertEquals(
    got.toSorted((a, b) => a - b),
    Array.from({ length: 30 }, (_, i) => i),
  );
  for (let i = 0; i < 10; i++) {
    const mine = got.filter((n) => Math.floor(n / 3) === i);
    assertEquals(mine, [3 * i, 3 * i + 1, 3 * i + 2]);
  }
});

Deno.test("five consumers waiting each get an item, in the order they came", async () => {
  for (const maxsize of [1, 0]) {
    const queue = new Queue<number>({ maxsize });
    const received: [number, number][] = [];
    const consumers = Array.from({ length: 5 }, async (_, i) => {
      for await (const n of queue) received.push([i, n]);
    });
    await settle();
    assertEquals(queue.waitingGetters, 5);
    for (let n = 0; n < 10; n++) await queue.put(n);
    queue.close();
    await Promise.all(consumers);
    assertEquals(received.slice(0, 5), [[0, 0], [1, 1], [2, 2], [3, 3], [
      4,
      4,
    ]]);
    assertEquals(received.map(([, n]) => n).toSorted((a, b) => a - b), [
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
    ]);
  }
});

Deno.test("close() rejects the waiting putter of a rendezvous, and every later put; getters find it closed", async () => {
  const queue = new Queue<null>({ maxsize: 0 });
  const putter = queue.put(null);
  await settle();
  queue.close();
  await assertRejects(() => putter, QueueClosedError);
  assertThrows(() => queue.tryPut(null), QueueClosedError);
  await assertRejects(() => queue.put(null), QueueClosedError);
  assertThrows(() => queue.tryGet(), QueueClosedError);
  await assertRejects(() => queue.get(), QueueClosedError);
  // Immediate, with a putter waiting: nothing stored, so nothing dropped.
  const other = new Queue<null>({ maxsize: 0 });
  const waiting = other.put(null);
  assertEquals(other.close({ immediate: true }), []);
  await assertRejects(() => waiting, QueueClosedError);
});

Deno.test("maxsize Infinity never waits", async () => {
  const queue = new Queue<number>({ maxsize: Infinity });
  for (let i = 0; i < 10; i++) assert(queue.tryPut(i));
  queue.close();
  const got: number[] = [];
  for await (const n of queue) got.push(n);
  assertEquals(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("waitingPutters and waitingGetters count the callers that wait, and drop as they give up", async () => {
  const queue = new Queue<null>({ maxsize: 2 });
  queue.tryPut(null);
  queue.tryPut(null);
  assertEquals([queue.size, queue.maxsize], [2, 2]);
  const controller = new AbortController();
  const putters = [1, 2].map(() =>
    queue.put(null, { signal: controller.signal }).catch(() => "gave up")
  );
  assertEquals(queue.waitingPutters, 2);
  controller.abort();
  assertEquals(await Promise.all(putters), ["gave up", "gave up"]);
  assertEquals(queue.waitingPutters, 0);
  queue.tryGet();
  queue.tryGet();
  const gone = new AbortController();
  const getter = queue.get({ signal: gone.signal }).catch(() => "gave up");
  assertEquals(queue.waitingGetters, 1);
  gone.abort();
  assertEquals([await getter, queue.waitingGetters], ["gave up", 0]);
});

Deno.test("maxsize 0: a waiting getter owns the item put; a waiting putter keeps its turn", async () => {
  const queue = new Queue<number>({ maxsize: 0 });
  const getter = queue.get();
  assert(queue.tryPut(2));
  assertEquals(queue.tryGet(), undefined); // the getter's, not ours
  assertEquals(await getter, 2);
  const first = queue.put(1);
  assertEquals(queue.tryPut(3), false); // no getter: a put can only wait
  const second = queue.put(3);
  assertEquals([queue.tryGet(), await queue.get()], [{ value: 1 }, 3]);
  await Promise.all([first, second]);
});

Deno.test("maxsize 0: aborting either side loses nothing", async (t) => {
  await t.step("an aborted putter's item is never delivered", async () => {
    const queue = new Queue<string>({ maxsize: 0 });
    const controller = new AbortController();
    const aborted = queue.put("X", { signal: controller.signal });
    const kept = queue.put("a");
    const reason = new Error("gave up");
    controller.abort(reason);
    assertStrictEquals(await aborted.catch((e) => e), reason);
    assertEquals([queue.waitingPutters, await queue.get()], [1, "a"]); // only "a" waits
    await kept;
  });

  await t.step(
    "nor when a get comes before the abort listener runs",
    async () => {
      const queue = new Queue<string>({ maxsize: 0 });
      const controller = new AbortController();
      let got: unknown;
      controller.signal.addEventListener("abort", () => got = queue.tryGet());
      const aborted = queue.put("X", { signal: controller.signal });
      const kept = queue.put("a");
      controller.abort();
      await assertRejects(() => aborted, DOMException);
      assertEquals(got, { value: "a" });
      await kept;
    },
  );

  await t.step(
    "an aborted getter takes nothing: the item goes to the next one, or waits",
    async () => {
      const queue = new Queue<string>({ maxsize: 0 });
      const controller = new AbortController();
      const aborted = queue.get({ signal: controller.signal });
      const next = queue.get();
      controller.abort();
      await assertRejects(() => aborted, DOMException);
      await queue.put("a");
      assertEquals(await next, "a");
      const alone = new AbortController();
      const gone = queue.get({ signal: alone.signal });
      alone.abort();
      await assertRejects(() => gone, DOMException);
      assertEquals(queue.tryPut("b"), false); // nobody to take it
    },
  );

  await t.step("an abort after the hand-over changes nothing", async () => {
    const queue = new Queue<string>({ maxsize: 0 });
    const controller = new AbortController();
    const put = queue.put("mine", { signal: controller.signal });
    assertEquals(queue.tryGet(), { value: "mine" });
    controller.abort();
    await put;
  });
});

Deno.test("maxsize 0 keeps its invariants under a seeded stress of producers, consumers and aborts", async (t) => {
  for (const seed of [3, 11, 99]) {
    await t.step(`seed ${seed}`, async () => {
      const rand = random(seed);
      const queue = new Queue<string>({ maxsize: 0 });
      const delivered: string[] = [];
      const accepted = new Set<string>();
      let stored = 0;
      const maybeSignal = () => {
        if (rand() >= 0.3) return undefined;
        const controller = new AbortController();
        settle(Math.floor(rand() * 10)).then(() => controller.abort());
        return controller.signal;
      };
      const producer = async (p: number) => {
        for (let i = 0; i < 200; i++) {
          try {
            await queue.put(`${p}:${i}`, { signal: maybeSignal() });
            accepted.add(`${p}:${i}`);
          } catch (error) {
            if (error instanceof QueueClosedError) return;
          }
          stored = Math.max(stored, queue.size);
        }
      };
      const consumer = async () => {
        for (;;) {
          try {
            delivered.push(await queue.get({ signal: maybeSignal() }));
            queue.taskDone();
          } catch (error) {
            if (error instanceof QueueClosedError) return;
          }
          if (rand() < 0.3) await settle(Math.floor(rand() * 3));
        }
      };
      const consumers = Array.from({ length: 3 }, consumer);
      await Promise.all([0, 1, 2].map(producer));
      await queue.join();
      queue.close();
      await Promise.all(consumers);
      assertEquals(stored, 0);
      assertEquals(new Set(delivered).size, delivered.length, "twice");
      // A put resolved exactly for the items a getter took.
      assertEquals(new Set(delivered), accepted);
      assert(accepted.size > 0 && accepted.size < 600);
      for (let p = 0; p < 3; p++) {
        const mine = delivered.filter((s) => s.startsWith(`${p}:`))
          .map((s) => Number(s.slice(2)));
        assertEquals(mine, mine.toSorted((a, b) => a - b));
      }
    });
  }
});
