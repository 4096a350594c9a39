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
import {
  assertNames,
  heapKept,
  random,
  refusal,
  settle,
  shuffle,
  track,
} from "./_helpers.ts";

Deno.test("new Queue() is unbounded by default, takes maxsize 0 for a rendezvous, and refuses a bad maxsize, naming it", async () => {
  for (const queue of [new Queue<number>(), new Queue({ maxsize: Infinity })]) {
    assertEquals(queue.maxsize, Infinity);
    for (let i = 0; i < 10_000; i++) assert(queue.tryPut(i));
    assertEquals(queue.size, 10_000);
  }
  assertEquals(new Queue({}).maxsize, Infinity);
  assertEquals(new Queue({ maxsize: undefined }).maxsize, Infinity);
  const largest = Number.MAX_SAFE_INTEGER;
  assertEquals(new Queue({ maxsize: largest }).maxsize, largest);
  // 0 (and -0) hold nothing: no put goes in without a getter.
  for (const maxsize of [0, -0]) {
    const queue = new Queue<number>({ maxsize });
    assertEquals([queue.maxsize === 0, queue.tryPut(1), queue.size], [
      true,
      false,
      0,
    ]);
  }
  const cases: [
    unknown,
    RangeErrorConstructor | TypeErrorConstructor,
    string,
  ][] = [
    [-1, RangeError, "-1"],
    [1.5, RangeError, "1.5"],
    [NaN, RangeError, "NaN"],
    [-Infinity, RangeError, "-Infinity"],
    [2 ** 53, RangeError, "9007199254740992"],
    ["2", TypeError, '"2"'],
    [null, TypeError, "null"],
    [2n, TypeError, "2n"],
    [{}, TypeError, "an empty object"],
  ];
  for (const [bad, Kind, shown] of cases) {
    const maxsize = bad as number;
    assertNames(
      await refusal(() => new Queue({ maxsize })),
      Kind,
      "maxsize",
      shown,
    );
  }
  for (const [bad, shown] of [[5, "5"], ["big", '"big"'], [null, "null"]]) {
    const options = bad as unknown as { maxsize: number };
    assertNames(
      await refusal(() => new Queue(options)),
      TypeError,
      "options",
      shown as string,
    );
  }
});

Deno.test("Queue exposes read-only size, maxsize, closed and waiting counts", async () => {
  const queue = new Queue<string>({ maxsize: 2 });
  const read = () => [
    queue.size,
    queue.maxsize,
    queue.closed,
    queue.waitingGetters,
    queue.waitingPutters,
  ];
  assertEquals(read(), [0, 2, false, 0, 0]);
  for (
    const key of [
      "size",
      "maxsize",
      "closed",
      "waitingGetters",
      "waitingPutters",
    ]
  ) {
    assertThrows(() => {
      (queue as unknown as Record<string, unknown>)[key] = 1;
    }, TypeError);
  }
  const getters = [queue.get(), queue.get()];
  assertEquals(read(), [0, 2, false, 2, 0]);
  await queue.put("a");
  await queue.put("b");
  assertEquals(await Promise.all(getters), ["a", "b"]);
  await queue.put("c");
  await queue.put("d");
  const putter = queue.put("e");
  assertEquals(read(), [2, 2, false, 0, 1]);
  queue.close();
  assertEquals(read(), [2, 2, true, 0, 0]);
  await assertRejects(() => putter, QueueClosedError);
});

Deno.test("Queue delivers items in FIFO order", async (t) => {
  await t.step("items come out in the order they went in", async () => {
    const queue = new Queue<number>();
    for (const n of [1, 3, 2]) await queue.put(n);
    assertEquals([await queue.get(), await queue.get(), await queue.get()], [
      1,
      3,
      2,
    ]);
  });

  await t.step("getters are served in the order they came", async () => {
    const queue = new Queue<number>();
    const got: [number, number][] = [];
    const getters = Array.from(
      { length: 1000 },
      (_, i) =>
        queue.get().then((item) => {
          got.push([i, item]);
        }),
    );
    assertEquals(queue.waitingGetters, 1000);
    for (let item = 0; item < 1000; item++) {
      await queue.put(item);
    }
    await Promise.all(getters);
    assertEquals(got, Array.from({ length: 1000 }, (_, i) => [i, i]));
    assertEquals([queue.size, queue.waitingGetters], [0, 0]);
  });

  await t.step("waiting putters enter in the order they came", async () => {
    const queue = new Queue<number>({ maxsize: 3 });
    const putters = Array.from({ length: 1000 }, (_, i) => queue.put(i));
    assertEquals([queue.size, queue.waitingPutters], [3, 997]);
    const got: number[] = [];
    for (let i = 0; i < 1000; i++) got.push(await queue.get());
    await Promise.all(putters);
    assertEquals(got, Array.from({ length: 1000 }, (_, i) => i));
    assertEquals([queue.size, queue.waitingPutters], [0, 0]);
  });

  await t.step(
    "a put that finds a getter hands the item straight to it",
    async () => {
      const queue = new Queue<string>();
      const getter = queue.get();
      assertEquals(queue.tryPut("x"), true);
      // The item is the getter's already: nothing is left for a newcomer.
      assertEquals([queue.size, queue.waitingGetters], [0, 0]);
      assertEquals(queue.tryGet(), undefined);
      assertEquals(await getter, "x");
    },
  );

  await t.step(
    "a get that makes room lets the first putter's item in at once",
    async () => {
      const queue = new Queue<string>({ maxsize: 1 });
      await queue.put("a");
      const waiting = queue.put("b");
      assertEquals(queue.tryGet(), { value: "a" });
      // "b" took the free place before any newcomer could.
      assertEquals([queue.size, queue.waitingPutters], [1, 0]);
      assertEquals(queue.tryPut("c"), false);
      await waiting;
      assertEquals(queue.tryGet(), { value: "b" });
      assertEquals(queue.tryGet(), undefined);
    },
  );
});

Deno.test("Queue.put() waits while the queue is full", async () => {
  const queue = new Queue<number>({ maxsize: 2 });
  const put: number[] = [];
  const producer = (async () => {
    for (let i = 0; i < 3; i++) {
      await queue.put(i);
      put.push(i);
    }
  })();
  await settle();
  assertEquals(put, [0, 1]); // blocked on the third item
  assertEquals(queue.size, 2);
  assertEquals(await queue.get(), 0);
  await producer;
  assertEquals(put, [0, 1, 2]);
  assertEquals([await queue.get(), await queue.get()], [1, 2]);
});

Deno.test("Queue.get() waits while the queue is empty", async () => {
  const queue = new Queue<string>();
  const getter = track(queue.get());
  await settle();
  assertEquals(getter.state, "pending");
  await queue.put("late");
  await settle();
  assertEquals(getter, { state: "fulfilled", value: "late" });
});

Deno.test("Queue.tryPut() and tryGet() never wait", async (t) => {
  await t.step("tryPut() says whether the item went in", () => {
    const queue = new Queue<number>({ maxsize: 2 });
    assertEquals([queue.tryPut(1), queue.tryPut(2), queue.tryPut(3)], [
      true,
      true,
      false,
    ]);
    assertEquals(queue.size, 2);
    assertEquals([queue.tryGet(), queue.tryGet(), queue.tryGet()], [
      { value: 1 },
      { value: 2 },
      undefined,
    ]);
  });

  await t.step("tryGet() tells an undefined item from an empty queue", () => {
    const queue = new Queue<undefined | null>();
    queue.tryPut(undefined);
    queue.tryPut(null);
    assertEquals(queue.tryGet(), { value: undefined });
    assertEquals(queue.tryGet(), { value: null });
    assertStrictEquals(queue.tryGet(), undefined);
  });

  await t.step(
    "tryPut() and tryGet() do not take a waiter's turn",
    async () => {
      const queue = new Queue<number>({ maxsize: 1 });
      const getter = queue.get();
      assertEquals(queue.tryGet(), undefined);
      queue.tryPut(1); // to the getter
      assertEquals(await getter, 1);
      queue.tryPut(2);
      const putter = queue.put(3);
      assertEquals(queue.tryPut(4), false);
      assertEquals(queue.tryGet(), { value: 2 });
      assertEquals(queue.tryPut(4), false); // 3 took the place
      await putter;
      assertEquals(queue.tryGet(), { value: 3 });
    },
  );
});

Deno.test("Queue.get() adopts an item that is a promise; tryGet() does not", async () => {
  const queue = new Queue<Promise<number>>();
  const promise = Promise.resolve(5);
  await queue.put(promise);
  await queue.put(promise);
  assertEquals(await queue.get(), 5);
  assertStrictEquals(queue.tryGet()?.value, promise);
});

Deno.test("Queue.get() honours an AbortSignal", async (t) => {
  await t.step("already aborted: rejects, takes no item", async () => {
    const queue = new Queue<number>();
    await queue.put(1);
    const reason = new Error("stop");
    const error = await queue.get({ signal: AbortSignal.abort(reason) })
      .catch((e) => e);
    assertStrictEquals(error, reason);
    assertEquals(queue.size, 1);
    assertEquals(await queue.get(), 1);
  });

  await t.step(
    "aborted while waiting: leaves at once; the next item goes to the next getter",
    async () => {
      const queue = new Queue<string>();
      const controller = new AbortController();
      const first = queue.get({ signal: controller.signal });
      const second = queue.get();
      assertEquals(queue.waitingGetters, 2);
      const reason = new Error("gave up");
      controller.abort(reason);
      assertEquals(queue.waitingGetters, 1);
      assertStrictEquals(await first.catch((e) => e), reason);
      await queue.put("a");
      assertEquals(await second, "a");
      assertEquals([queue.size, queue.waitingGetters], [0, 0]);
    },
  );

  await t.step(
    "aborting the head, the tail and the middle keeps the others in order",
    async () => {
      const queue = new Queue<number>();
      const controllers = Array.from(
        { length: 5 },
        () => new AbortController(),
      );
      const results = controllers.map((c) =>
        queue.get({ signal: c.signal }).catch(() => "aborted")
      );
      controllers[0]!.abort();
      controllers[4]!.abort();
      controllers[2]!.abort();
      assertEquals(queue.waitingGetters, 2);
      await queue.put(10);
      await queue.put(11);
      assertEquals(await Promise.all(results), [
        "aborted",
        10,
        "aborted",
        11,
        "aborted",
      ]);
    },
  );

  await t.step(
    "an item that arrives before the abort listener runs goes to the next getter",
    async () => {
      const queue = new Queue<string>();
      const controller = new AbortController();
      // This listener runs before the queue's: the signal is aborted, the
      // queue has not heard of it yet, and an item arrives.
      controller.signal.addEventListener("abort", () => queue.tryPut("x"));
      const aborted = queue.get({ signal: controller.signal });
      const next = queue.get();
      controller.abort(new Error("late"));
      assertEquals((await aborted.catch((e) => e)).message, "late");
      assertEquals(await next, "x");
      assertEquals([queue.size, queue.waitingGetters], [0, 0]);
    },
  );

  await t.step(
    "aborted after the item was handed over: the getter keeps it",
    async () => {
      const queue = new Queue<string>();
      const controller = new AbortController();
      const getter = queue.get({ signal: controller.signal });
      queue.tryPut("mine");
      controller.abort();
      assertEquals(await getter, "mine");
    },
  );
});

Deno.test("Queue.put() honours an AbortSignal", async (t) => {
  await t.step("already aborted: rejects, puts nothing", async () => {
    const queue = new Queue<number>();
    const reason = new Error("stop");
    assertStrictEquals(
      await queue.put(1, { signal: AbortSignal.abort(reason) }).catch((e) => e),
      reason,
    );
    assertEquals(queue.size, 0);
    // Even straight to a waiting getter.
    const getter = track(queue.get());
    await queue.put(2, { signal: AbortSignal.abort(reason) }).catch(() => {});
    await settle();
    assertEquals(getter.state, "pending");
    queue.tryPut(3);
    await settle();
    assertEquals(getter, { state: "fulfilled", value: 3 });
  });

  await t.step("aborted while waiting: its item is never put", async () => {
    const queue = new Queue<string>({ maxsize: 1 });
    await queue.put("a");
    const b = queue.put("b");
    const controller = new AbortController();
    const x = queue.put("X", { signal: controller.signal });
    const c = queue.put("c");
    assertEquals(queue.waitingPutters, 3);
    controller.abort();
    assertEquals(queue.waitingPutters, 2);
    assertEquals((await x.catch((e) => e)).name, "AbortError");
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await queue.get());
    await Promise.all([b, c]);
    assertEquals(got, ["a", "b", "c"]);
    assertEquals([queue.size, queue.waitingPutters], [0, 0]);
  });

  await t.step(
    "room that appears before the abort listener runs goes to the next putter",
    async () => {
      const queue = new Queue<string>({ maxsize: 1 });
      await queue.put("a");
      const controller = new AbortController();
      controller.signal.addEventListener("abort", () => queue.tryGet());
      const aborted = queue.put("X", { signal: controller.signal });
      const next = queue.put("b");
      controller.abort();
      await assertRejects(() => aborted, DOMException);
      await next;
      assertEquals(queue.tryGet(), { value: "b" });
      assertEquals(queue.tryGet(), undefined);
    },
  );
});

Deno.test("Queue waiters that share a signal add one listener and leave nothing attached", async (t) => {
  await t.step(
    "1,000 getters on one signal: one listener; abort rejects them all",
    async () => {
      const queue = new Queue<number>();
      const controller = new AbortController();
      const signal = spy(controller.signal);
      const getters = Array.from(
        { length: 1000 },
        () => queue.get({ signal: controller.signal }),
      );
      assertEquals([signal.listeners, signal.watchers], [1, 1000]);
      const reason = new Error("all");
      controller.abort(reason);
      assertEquals(queue.waitingGetters, 0);
      const outcomes = await Promise.allSettled(getters);
      assert(
        outcomes.every((o) => o.status === "rejected" && o.reason === reason),
      );
      assertEquals(signal.watchers, 0);
    },
  );

  await t.step("served, refused or aborted: detached", async () => {
    const queue = new Queue<number>({ maxsize: 1 });
    const controller = new AbortController();
    const signal = spy(controller.signal);
    const { signal: s } = controller;
    const getters = [queue.get({ signal: s }), queue.get({ signal: s })];
    assertEquals(signal.watchers, 2);
    queue.tryPut(1);
    assertEquals(signal.watchers, 1); // served
    queue.tryPut(2);
    assertEquals(signal.watchers, 0);
    assertEquals(await Promise.all(getters), [1, 2]);
    queue.tryPut(3);
    const putter = queue.put(4, { signal: s });
    assertEquals(signal.watchers, 1);
    queue.close();
    assertEquals(signal.watchers, 0); // refused by close()
    await assertRejects(() => putter, QueueClosedError);
    assertEquals(signal.listeners, 1);
  });

  await t.step(
    "a served waiter's signal, aborted later, does not touch the waiter now in its place",
    async () => {
      const queue = new Queue<string>();
      const controller = new AbortController();
      const first = queue.get({ signal: controller.signal });
      queue.tryPut("a");
      assertEquals(await first, "a");
      const second = track(queue.get()); // the same ring slot as the first
      controller.abort();
      await settle();
      assertEquals([second.state, queue.waitingGetters], ["pending", 1]);
      queue.tryPut("b");
      await settle();
      assertEquals(second, { state: "fulfilled", value: "b" });
    },
  );
});

Deno.test("Queue keeps order and aborts the right waiter as its ring grows and compacts", async (t) => {
  for (const kind of ["getters", "putters"] as const) {
    await t.step(kind, async () => {
      const rand = random(kind.length);
      const queue = new Queue<number>({ maxsize: 1 });
      if (kind === "putters") queue.tryPut(-1);
      const controllers = new Map<number, AbortController>();
      const outcomes: Promise<string>[] = [];
      const enqueue = (from: number, to: number) => {
        for (let id = from; id < to; id++) {
          const controller = new AbortController();
          controllers.set(id, controller);
          const call = kind === "getters"
            ? queue.get({ signal: controller.signal }).then((item) =>
              `got ${item}`
            )
            : queue.put(id, { signal: controller.signal }).then(() =>
              `put ${id}`
            );
          outcomes.push(call.catch((e: Error) => e.message));
        }
      };
      const abort = (ids: number[]) => {
        for (const id of shuffle(ids, rand)) {
          controllers.get(id)!.abort(new Error(`aborted ${id}`));
        }
      };
      const waiting = () =>
        kind === "getters" ? queue.waitingGetters : queue.waitingPutters;
      enqueue(0, 300); // grows the ring several times
      abort(
        Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 !== 0),
      ); // mostly holes
      assertEquals(waiting(), 100);
      enqueue(300, 700);
      abort(
        Array.from({ length: 400 }, (_, i) => 300 + i).filter((i) =>
          i % 5 !== 0
        ),
      );
      assertEquals(waiting(), 180);
      const kept = Array.from({ length: 700 }, (_, i) => i).filter((i) =>
        i < 300 ? i % 3 === 0 : i % 5 === 0
      );
      const items: number[] = [];
      for (let k = 0; k < kept.length; k++) {
        if (kind === "getters") queue.tryPut(1000 + k);
        else items.push(queue.tryGet()!.value);
      }
      const results = await Promise.all(outcomes);
      if (kind === "putters") assertEquals(items, [-1, ...kept.slice(0, -1)]);
      for (let id = 0, k = 0; id < 700; id++) {
        const expected = !kept.includes(id)
          ? `aborted ${id}`
          : kind === "getters"
          ? `got ${1000 + k++}`
          : `put ${id}`;
        assertEquals(results[id], expected);
      }
      assertEquals(waiting(), 0);
    });
  }
});

Deno.test("Queue.close() refuses putters and lets getters drain", async (t) => {
  await t.step(
    "waiting putters are refused and their items are not put",
    async () => {
      const queue = new Queue<string>({ maxsize: 1 });
      await queue.put("kept");
      const refused = [queue.put("x"), queue.put("y")];
      queue.close();
      for (const put of refused) {
        assertInstanceOf(await put.catch((e) => e), QueueClosedError);
      }
      assertEquals(queue.waitingPutters, 0);
      assertEquals(await queue.get(), "kept");
      await assertRejects(() => queue.get(), QueueClosedError);
    },
  );

  await t.step("later put() rejects and tryPut() throws", async () => {
    const queue = new Queue<number>();
    queue.close();
    await assertRejects(() => queue.put(1), QueueClosedError);
    assertThrows(() => queue.tryPut(1), QueueClosedError);
    assertEquals(queue.size, 0);
  });

  await t.step("getters drain what is left, then refused", async () => {
    const queue = new Queue<number>();
    for (let i = 0; i < 3; i++) await queue.put(i);
    queue.close();
    assertEquals(await queue.get(), 0);
    assertEquals(queue.tryGet(), { value: 1 });
    assertEquals(await queue.get(), 2);
    await assertRejects(() => queue.get(), QueueClosedError);
    assertThrows(() => queue.tryGet(), QueueClosedError);
  });

  await t.step("getters waiting on an empty queue: refused", async () => {
    const queue = new Queue<number>();
    const getters = Array.from({ length: 3 }, () => queue.get());
    queue.close();
    assertEquals(queue.waitingGetters, 0);
    for (const getter of getters) {
      await assertRejects(() => getter, QueueClosedError);
    }
  });

  await t.step(
    "a waiter whose signal aborted just before the close gets the abort reason",
    async () => {
      const queue = new Queue<number>();
      const controller = new AbortController();
      controller.signal.addEventListener("abort", () => queue.close());
      const aborted = queue.get({ signal: controller.signal });
      const other = queue.get();
      const reason = new Error("first");
      controller.abort(reason);
      assertStrictEquals(await aborted.catch((e) => e), reason);
      await assertRejects(() => other, QueueClosedError);
    },
  );

  await t.step("closing twice does nothing; an abort wins", async () => {
    const queue = new Queue<number>();
    queue.close();
    queue.close();
    assertEquals(queue.closed, true);
    const reason = new Error("mine");
    const signal = AbortSignal.abort(reason);
    assertStrictEquals(await queue.get({ signal }).catch((e) => e), reason);
  });

  await t.step("QueueClosedError is an Error with its own name", () => {
    const error = new QueueClosedError();
    assertInstanceOf(error, Error);
    assertEquals(error.name, "QueueClosedError");
    assertEquals(new QueueClosedError("x", { cause: 1 }).cause, 1);
  });
});

Deno.test("for await over a Queue ends at close after the last item", async (t) => {
  await t.step("one consumer sees every item, in order", async () => {
    const queue = new Queue<number>({ maxsize: 4 });
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const item of queue) seen.push(item);
    })();
    for (let i = 0; i < 100; i++) await queue.put(i);
    queue.close();
    await consumer;
    assertEquals(seen, Array.from({ length: 100 }, (_, i) => i));
  });

  await t.step("four consumers: each item exactly once", async () => {
    const queue = new Queue<number>({ maxsize: 1 });
    const seen: number[][] = [[], [], [], []];
    const consumers = seen.map(async (mine) => {
      for await (const item of queue) {
        mine.push(item);
        await settle(mine.length % 3);
      }
    });
    for (let i = 0; i < 400; i++) await queue.put(i);
    queue.close();
    await Promise.all(consumers);
    assertEquals(
      seen.flat().sort((a, b) => a - b),
      Array.from({ length: 400 }, (_, i) => i),
    );
    assert(seen.every((mine) => mine.length > 0));
    for (const mine of seen) {
      assertEquals(
        mine,
        [...mine].sort((a, b) => a - b),
      );
    }
  });

  await t.step("a closed queue still yields what it holds", async () => {
    const queue = new Queue<string>();
    queue.tryPut("a");
    queue.tryPut("b");
    queue.close();
    const seen: string[] = [];
    for await (const item of queue) seen.push(item);
    assertEquals(seen, ["a", "b"]);
  });

  await t.step("break takes no further item", async () => {
    const queue = new Queue<number>();
    for (let i = 0; i < 3; i++) queue.tryPut(i);
    for await (const item of queue) {
      assertEquals(item, 0);
      break;
    }
    assertEquals(queue.size, 2);
    assertEquals(queue.waitingGetters, 0);
  });

  await t.step("an item that fails with another queue's close", async () => {
    const source = new Queue<number>();
    const forwarded = source.get(); // rejects as source closes empty
    source.close();
    const queue = new Queue<Promise<number> | string>();
    [forwarded, "after"].forEach((item) => queue.tryPut(item));
    queue.close();
    // Thrown as any rejected item is, not taken for the end of the loop.
    await assertRejects(() => Array.fromAsync(queue), QueueClosedError);
    assertEquals(queue.tryGet(), { value: "after" });
    // The end is one error, made by close(), for every get (as documented).
    const ends = [queue.get(), queue.get()].map((p) => p.catch((e) => e));
    assertStrictEquals(await ends[0], await ends[1]);
  });
});

Deno.test("Queue keeps its invariants under a seeded stress of producers, consumers and aborts", async (t) => {
  for (const seed of [1, 7, 2024]) {
    await t.step(`seed ${seed}`, async () => {
      const rand = random(seed);
      const maxsize = rand() < 0.25 ? Infinity : 1 + Math.floor(rand() * 5);
      const queue = new Queue<string>({ maxsize });
      const accepted = new Set<string>();
      const refused = new Set<string>();
      const received: string[] = [];
      let broken = 0;

      const maybeSignal = () => {
        if (rand() >= 0.3) return undefined;
        const controller = new AbortController();
        const after = Math.floor(rand() * 20);
        if (after === 0) controller.abort();
        else settle(after).then(() => controller.abort());
        return controller.signal;
      };

      const producer = async (p: number) => {
        for (let i = 0; i < 300; i++) {
          const item = `${p}:${i}`;
          if (rand() < 0.2) {
            try {
              if (queue.tryPut(item)) accepted.add(item);
            } catch (error) {
              if (!(error instanceof QueueClosedError)) throw error;
            }
            continue;
          }
          try {
            await queue.put(item, { signal: maybeSignal() });
            accepted.add(item);
          } catch (error) {
            if (error instanceof QueueClosedError) return;
            refused.add(item);
          }
          if (queue.size > maxsize) broken++;
        }
      };

      const consumer = async () => {
        for (;;) {
          try {
            received.push(await queue.get({ signal: maybeSignal() }));
          } catch (error) {
            if (error instanceof QueueClosedError) return;
          }
          if (rand() < 0.3) await settle(Math.floor(rand() * 4));
        }
      };

      const consumers = Array.from({ length: 3 }, consumer);
      await Promise.all(Array.from({ length: 3 }, (_, p) => producer(p)));
      queue.close();
      await Promise.all(consumers);
      assertEquals(broken, 0);
      assertEquals(
        new Set(received).size,
        received.length,
        "an item was delivered twice",
      );
      assertEquals(
        new Set(received),
        accepted,
        "an accepted item was lost, or a refused one delivered",
      );
      assert(refused.size > 0 && accepted.size > 0);
      // Items leave in the order they entered: each producer's in its order.
      for (let p = 0; p < 3; p++) {
        const mine = received.filter((item) => item.startsWith(`${p}:`)).map((
          item,
        ) => Number(item.slice(2)));
        assertEquals(mine, [...mine].sort((a, b) => a - b));
      }
      assertEquals([queue.size, queue.waitingGetters, queue.waitingPutters], [
        0,
        0,
        0,
      ]);
    });
  }
});

Deno.test("Queue gives its memory back after a burst, even while not empty (attack #13)", async (t) => {
  const MiB = 2 ** 20;
  // A ring that kept its peak would keep 2 MiB (2^18 slots).
  await t.step("2·10^5 items drained to 1", () => {
    const kept = heapKept(() => {
      const queue = new Queue<number>();
      for (let i = 0; i < 200_000; i++) queue.tryPut(i);
      for (let i = 1; i < 200_000; i++) queue.tryGet();
      assertEquals(queue.size, 1);
      return queue;
    });
    assert(kept < MiB, `${(kept / MiB).toFixed(1)} MiB kept`);
  });
  await t.step("10^5 getters served down to 1", async () => {
    const queue = new Queue<number>();
    let last: Promise<number> | undefined;
    const kept = heapKept(() => {
      for (let i = 1; i < 100_000; i++) queue.get();
      last = queue.get();
      for (let i = 1; i < 100_000; i++) queue.tryPut(i);
      assertEquals(queue.waitingGetters, 1);
      return queue;
    });
    assert(kept < MiB, `${(kept / MiB).toFixed(1)} MiB kept`);
    queue.tryPut(0);
    assertEquals(await last, 0);
  });
});
