import {
  assert,
  assertEquals,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { type Permit, Semaphore } from "../../lib/semaphore.ts";
import { spy } from "./_abort_spy.ts";
import {
  assertNames,
  collected,
  heapKept,
  random,
  refusal,
  settle,
  shuffle,
} from "./_helpers.ts";

Deno.test("new Semaphore() refuses permits that are not an integer from 1 to MAX_SAFE_INTEGER with a RangeError naming them (the contract: whatever the type)", async () => {
  const cases: [unknown, string][] = [
    [0, "0"],
    [-1, "-1"],
    [1.5, "1.5"],
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    [2 ** 53, "9007199254740992"],
    [1e300, "1e+300"],
    ["2", '"2"'],
    [2n, "2n"],
    [Symbol("two"), "Symbol(two)"],
    [{ valueOf: () => 2 }, "an object { valueOf }"],
    [new Number(2), "a Number"],
    [null, "null"],
    [undefined, "undefined"],
  ];
  for (const [bad, shown] of cases) {
    const error = await refusal(() => new Semaphore(bad as number));
    assertNames(error, RangeError, "permits", shown);
  }
  // The largest allowed count still counts: a permit taken shows.
  const sem = new Semaphore(Number.MAX_SAFE_INTEGER);
  using _permit = sem.tryAcquire();
  assertEquals(sem.available, Number.MAX_SAFE_INTEGER - 1);
});

Deno.test("Semaphore exposes read-only permits, available and waiting", async () => {
  const sem = new Semaphore(3);
  assertEquals([sem.permits, sem.available, sem.waiting], [3, 3, 0]);
  for (const key of ["permits", "available", "waiting"]) {
    assertThrows(() => {
      (sem as unknown as Record<string, number>)[key] = 99;
    }, TypeError);
  }
  const a = await sem.acquire();
  const b = await sem.acquire();
  const c = await sem.acquire();
  const d = sem.acquire();
  assertEquals([sem.permits, sem.available, sem.waiting], [3, 0, 1]);
  a.release();
  (await d).release();
  b.release();
  c.release();
  assertEquals([sem.permits, sem.available, sem.waiting], [3, 3, 0]);
});

Deno.test("Semaphore.acquire() resolves waiters in FIFO order", async (t) => {
  await t.step("1,000 waiters on one permit", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const order: number[] = [];
    const all = Array.from({ length: 1000 }, async (_, i) => {
      using _permit = await sem.acquire();
      order.push(i);
      await settle(2);
    });
    assertEquals(sem.waiting, 1000);
    held.release();
    await Promise.all(all);
    assertEquals(order, Array.from({ length: 1000 }, (_, i) => i));
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("1,000 waiters on three permits through run()", async () => {
    const sem = new Semaphore(3);
    const order: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const all = Array.from({ length: 1000 }, (_, i) =>
      sem.run(async () => {
        order.push(i);
        peak = Math.max(peak, ++inFlight);
        await settle(1 + (i % 4));
        inFlight--;
        return i * 2;
      }));
    assertEquals(sem.waiting, 997);
    const results = await Promise.all(all);
    assertEquals(order, Array.from({ length: 1000 }, (_, i) => i));
    assertEquals(results, Array.from({ length: 1000 }, (_, i) => i * 2));
    assertEquals(peak, 3);
    assertEquals([sem.available, sem.waiting], [3, 0]);
  });
});

Deno.test("Semaphore does not let a newcomer barge past a waiter", async (t) => {
  await t.step("tryAcquire() gets nothing while someone waits", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const queued = sem.acquire();
    held.release();
    // The permit went straight to the waiter, before its promise callback ran.
    assertEquals(sem.available, 0);
    assertStrictEquals(sem.tryAcquire(), undefined);
    const permit = await queued;
    assertStrictEquals(sem.tryAcquire(), undefined);
    permit.release();
    const again = sem.tryAcquire();
    assert(again !== undefined);
    again!.release();
  });

  await t.step("nor with a free permit while someone waits", async () => {
    const sem = new Semaphore(2);
    const a = await sem.acquire();
    const b = await sem.acquire();
    const order: string[] = [];
    const first = sem.acquire().then((p) => (order.push("first"), p));
    const second = sem.acquire().then((p) => (order.push("second"), p));
    a.release();
    // One permit came back and went to "first"; "second" still waits, so a
    // newcomer gets nothing although the semaphore has two permits.
    assertStrictEquals(sem.tryAcquire(), undefined);
    b.release();
    (await first).release();
    (await second).release();
    assertEquals(order, ["first", "second"]);
    assertEquals(sem.available, 2);
  });

  await t.step("acquire() and run() queue behind earlier waiters", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const order: string[] = [];
    const early = sem.run(() => order.push("early"));
    held.release();
    const late = sem.run(() => order.push("late"));
    const latest = sem.acquire().then((p) => (order.push("latest"), p));
    await Promise.all([early, late]);
    (await latest).release();
    assertEquals(order, ["early", "late", "latest"]);
  });
});

Deno.test("Semaphore.acquire() honours an AbortSignal", async (t) => {
  await t.step(
    "already aborted: rejects, even if a permit is free",
    async () => {
      const sem = new Semaphore(1);
      const reason = new Error("stop");
      await assertRejects(
        () => sem.acquire({ signal: AbortSignal.abort(reason) }),
        Error,
        "stop",
      );
      let ran = false;
      const error = await sem.run(() => ran = true, {
        signal: AbortSignal.abort(reason),
      }).catch((e) => e);
      assertStrictEquals(error, reason);
      assertEquals(ran, false);
      assertEquals([sem.available, sem.waiting], [1, 0]);
    },
  );

  await t.step("aborted while queued: leaves the queue at once", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    const order: string[] = [];
    const before = sem.acquire().then((p) => (order.push("before"), p));
    const aborted = sem.acquire({ signal: controller.signal });
    const after = sem.run(() => order.push("after"));
    assertEquals(sem.waiting, 3);
    const reason = new Error("gave up");
    controller.abort(reason);
    assertEquals(sem.waiting, 2);
    assertStrictEquals(await aborted.catch((e) => e), reason);
    held.release();
    (await before).release();
    await after;
    assertEquals(order, ["before", "after"]);
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("aborted while queued in run(): fn never runs", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    let ran = false;
    const task = sem.run(() => ran = true, { signal: controller.signal });
    controller.abort();
    const error = await task.catch((e) => e);
    assert(error instanceof DOMException);
    assertEquals(error.name, "AbortError");
    held.release();
    await settle();
    assertEquals(ran, false);
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("aborting the head, the tail, the only waiter", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controllers = Array.from(
      { length: 5 },
      () => new AbortController(),
    );
    const got: number[] = [];
    const calls = controllers.map((c, i) =>
      sem.run(() => {
        got.push(i);
      }, { signal: c.signal }).catch(() => undefined)
    );
    controllers[0]!.abort();
    controllers[4]!.abort();
    controllers[2]!.abort();
    assertEquals(sem.waiting, 2);
    held.release();
    await Promise.all(calls);
    assertEquals(got, [1, 3]);
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("aborted after the grant: the permit is kept", async () => {
    const sem = new Semaphore(1);
    const controller = new AbortController();
    const permit = await sem.acquire({ signal: controller.signal });
    controller.abort();
    assertEquals(sem.available, 0);
    assertEquals(permit.released, false);
    permit.release();
    assertEquals(sem.available, 1);
  });

  await t.step("aborted between the grant and the resumption", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    const queued = sem.acquire({ signal: controller.signal });
    held.release(); // grants the permit to the waiter synchronously
    controller.abort(); // too late: changes nothing
    const permit = await queued;
    assertEquals([sem.available, sem.waiting], [0, 0]);
    permit.release();
    assertEquals(sem.available, 1);
  });
});

Deno.test("Semaphore keeps order and aborts the right waiter as its queue grows and compacts", async () => {
  const rand = random(42);
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const controllers = new Map<number, AbortController>();
  const order: number[] = [];
  const outcomes: Promise<string>[] = [];
  const enqueue = (from: number, to: number) => {
    for (let id = from; id < to; id++) {
      const controller = new AbortController();
      controllers.set(id, controller);
      const call = id % 2 === 0
        ? sem.run(() => {
          order.push(id);
        }, { signal: controller.signal })
        : sem.acquire({ signal: controller.signal }).then((permit) => {
          order.push(id);
          permit.release();
        });
      outcomes.push(
        call.then(() => `ran ${id}`, (e: Error) => e.message),
      );
    }
  };
  const abort = (ids: number[]) => {
    // Abort in a shuffled order, so holes appear all over the ring.
    for (const id of shuffle(ids, rand)) {
      controllers.get(id)!.abort(new Error(`aborted ${id}`));
    }
  };
  enqueue(0, 300); // grows the ring several times
  const first = Array.from({ length: 300 }, (_, i) => i).filter((i) =>
    i % 3 !== 0
  );
  abort(first); // mostly holes: compacts
  assertEquals(sem.waiting, 100);
  enqueue(300, 700); // grows again, after compaction
  abort(
    Array.from({ length: 400 }, (_, i) => 300 + i).filter((i) => i % 5 !== 0),
  );
  assertEquals(sem.waiting, 180);
  held.release();
  const results = await Promise.all(outcomes);
  const kept = Array.from({ length: 700 }, (_, i) => i).filter((i) =>
    i < 300 ? i % 3 === 0 : i % 5 === 0
  );
  assertEquals(order, kept);
  const expected = Array.from(
    { length: 700 },
    (_, id) => kept.includes(id) ? `ran ${id}` : `aborted ${id}`,
  );
  assertEquals(results, expected);
  assertEquals([sem.available, sem.waiting], [1, 0]);
});

Deno.test("Permit.release() is idempotent", async () => {
  const sem = new Semaphore(2);
  const permit = await sem.acquire();
  assertEquals(permit.released, false);
  permit.release();
  permit.release();
  permit[Symbol.dispose]();
  assertEquals(permit.released, true);
  assertEquals(sem.available, 2);
  // An extra release must not hand a second permit to a waiter either.
  const a = await sem.acquire();
  const b = await sem.acquire();
  let granted = false;
  const waiter = sem.acquire().then((p) => (granted = true, p));
  permit.release();
  await settle();
  assertEquals(granted, false);
  a.release();
  a.release();
  (await waiter).release();
  b.release();
  assertEquals([sem.available, sem.waiting], [2, 0]);
});

Deno.test("Semaphore permits work with `using`, released even when the block throws", async () => {
  const sem = new Semaphore(1);
  {
    using permit = await sem.acquire();
    assertEquals([sem.available, permit.released], [0, false]);
  }
  assertEquals(sem.available, 1);
  let seen: Permit | undefined;
  await assertRejects(async () => {
    using permit = await sem.acquire();
    seen = permit;
    throw new Error("boom");
  });
  assertEquals([seen?.released, sem.available], [true, 1]);
  {
    using permit = sem.tryAcquire();
    assert(permit !== undefined);
    assertEquals(sem.available, 0);
  }
  assertEquals(sem.available, 1);
});

Deno.test("Semaphore.run() holds a permit around fn", async (t) => {
  await t.step("returns what fn returns, sync or async", async () => {
    const sem = new Semaphore(1);
    assertEquals(await sem.run(() => 42), 42);
    assertEquals(await sem.run(() => Promise.resolve("x")), "x");
    assertEquals(sem.available, 1);
  });

  await t.step("releases when fn throws synchronously", async () => {
    const sem = new Semaphore(1);
    await assertRejects(
      () =>
        sem.run(() => {
          throw new Error("sync");
        }),
      Error,
      "sync",
    );
    assertEquals(sem.available, 1);
  });

  await t.step("releases when fn rejects; the next one runs", async () => {
    const sem = new Semaphore(1);
    const failing = sem.run(async () => {
      await settle(2);
      throw new Error("async");
    });
    const next = sem.run(() => sem.available);
    await assertRejects(() => failing, Error, "async");
    assertEquals(await next, 0);
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("2,000 queued fns that throw each release", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const calls = Array.from({ length: 2000 }, (_, i) =>
      sem.run(() => {
        throw new Error(`n${i}`);
      }).catch((e: Error) => e.message));
    const last = sem.run(() => "last");
    held.release();
    const messages = await Promise.all(calls);
    assertEquals(messages[0], "n0");
    assertEquals(messages[1999], "n1999");
    assertEquals(await last, "last");
    assertEquals([sem.available, sem.waiting], [1, 0]);
    // The queue, grown by the burst and emptied, still works in order.
    const again = await sem.acquire();
    const order: number[] = [];
    const more = [1, 2, 3].map((i) => sem.run(() => order.push(i)));
    again.release();
    await Promise.all(more);
    assertEquals(order, [1, 2, 3]);
  });

  await t.step("a queued fn never runs inside release()", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    let ran = false;
    const queued = sem.run(() => {
      ran = true;
      throw new Error("at once");
    });
    const after = sem.run(() => "after");
    held.release();
    assertEquals(ran, false);
    assertEquals(sem.available, 0);
    await assertRejects(() => queued, Error, "at once");
    assertEquals(ran, true);
    assertEquals(await after, "after");
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("a fn that queues work then throws: count right", async () => {
    const sem = new Semaphore(1);
    let inner: Promise<string> | undefined;
    await assertRejects(
      () =>
        sem.run(() => {
          inner = sem.run(() => "inner");
          throw new Error("outer");
        }),
      Error,
      "outer",
    );
    assertEquals(await inner, "inner");
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("refuses a fn that is not a function, naming it", async () => {
    const sem = new Semaphore(1);
    for (
      const [bad, shown] of [[undefined, "undefined"], [42, "42"], [
        {},
        "an empty object",
      ]]
    ) {
      const error = await refusal(() => sem.run(bad as () => void));
      assertNames(error, TypeError, "fn", shown as string);
    }
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });
});

Deno.test("Semaphore keeps its invariants under a seeded stress of random aborts", async (t) => {
  for (const seed of [1, 7, 2024]) {
    await t.step(`seed ${seed}`, async () => {
      const rand = random(seed);
      const permits = 1 + Math.floor(rand() * 6);
      const sem = new Semaphore(permits);
      const total = 4000;
      let inFlight = 0;
      let peak = 0;
      let ran = 0;
      let aborted = 0;
      let skipped = 0;
      let broken = 0;
      let abortedQueued = 0;
      let abortedLate = 0;

      async function hold(state: { granted: boolean }) {
        state.granted = true;
        peak = Math.max(peak, ++inFlight);
        if (sem.available + inFlight > permits) broken++;
        await settle(Math.floor(rand() * 4));
        inFlight--;
        ran++;
      }

      const tasks: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        const controller = rand() < 0.3 ? new AbortController() : undefined;
        const signal = controller?.signal;
        const reason = new Error(`abort ${i}`);
        const state = { granted: false };
        if (controller !== undefined) {
          // Abort now, soon (maybe while queued) or late (maybe after the grant).
          const after = Math.floor(rand() * 40);
          if (after === 0) controller.abort(reason);
          else {
            settle(after).then(() => {
              if (state.granted) abortedLate++;
              else if (sem.waiting > 0) abortedQueued++;
              controller.abort(reason);
            });
          }
        }
        const mode = rand();
        let task: Promise<void>;
        if (mode < 0.45) {
          task = sem.run(() => hold(state), { signal });
        } else if (mode < 0.9) {
          task = (async () => {
            using _permit = await sem.acquire({ signal });
            await hold(state);
          })();
        } else {
          const permit = sem.tryAcquire();
          if (permit === undefined) {
            skipped++;
            task = Promise.resolve();
          } else {
            task = hold(state).finally(() => permit.release());
          }
        }
        tasks.push(task.catch((error) => {
          if (error !== reason) throw error;
          aborted++;
        }));
        if (rand() < 0.1) await settle(Math.floor(rand() * 5));
      }
      await Promise.all(tasks);
      assertEquals(ran + aborted + skipped, total);
      assert(ran > 0 && aborted > 0 && skipped > 0);
      assert(abortedQueued > 0 && abortedLate > 0);
      assertEquals(broken, 0);
      assert(peak <= permits, `peak ${peak} > ${permits}`);
      assertEquals(sem.available, permits);
      assertEquals(sem.waiting, 0);
      assertEquals(inFlight, 0);
    });
  }
});

Deno.test("Semaphore.run() never calls fn inside the call", async (t) => {
  await t.step("with a free permit", async () => {
    const sem = new Semaphore(1);
    let calls = 0;
    const task = sem.run(() => ++calls);
    assertEquals(calls, 0);
    // The permit is taken at once, so nobody can barge in meanwhile.
    assertEquals([sem.available, sem.waiting], [0, 0]);
    assertStrictEquals(sem.tryAcquire(), undefined);
    assertEquals(await task, 1);
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("when fn throws at once", async () => {
    const sem = new Semaphore(1);
    let thrown = false;
    const task = sem.run(() => {
      thrown = true;
      throw new Error("at once");
    });
    const outcome = task.catch((e: Error) => e.message);
    assertEquals(thrown, false);
    assertEquals(await outcome, "at once");
    assertEquals(sem.available, 1);
  });

  await t.step("nor inside the release that hands it the permit", async () => {
    const sem = new Semaphore(1);
    const order: string[] = [];
    const first = sem.run(() => {
      order.push("first");
    });
    const second = sem.run(() => {
      order.push("second");
    });
    order.push("after run()");
    await Promise.all([first, second]);
    assertEquals(order, ["after run()", "first", "second"]);
  });
});

Deno.test("Semaphore.run() never runs fn once its signal aborted", async (t) => {
  await t.step("abort right after run() took a free permit", async () => {
    const sem = new Semaphore(1);
    const controller = new AbortController();
    const reason = new Error("changed my mind");
    let ran = false;
    const task = sem.run(() => ran = true, { signal: controller.signal });
    assertEquals(sem.available, 0);
    controller.abort(reason);
    assertStrictEquals(await task.catch((e) => e), reason);
    assertEquals(ran, false);
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("abort between the grant and fn's start", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    const reason = new Error("too late to start");
    const order: string[] = [];
    const aborted = sem.run(() => order.push("aborted"), {
      signal: controller.signal,
    });
    const next = sem.run(() => order.push("next"));
    held.release(); // hands the permit to the first waiter...
    assertEquals(sem.waiting, 1);
    controller.abort(reason); // ...which has not started fn yet
    assertStrictEquals(await aborted.catch((e) => e), reason);
    await next;
    assertEquals(order, ["next"]);
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("an abort after fn started changes nothing", async () => {
    const sem = new Semaphore(1);
    const controller = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((resolve) => started = resolve);
    let finish!: (value: string) => void;
    const task = sem.run(() => {
      started();
      return new Promise<string>((resolve) => finish = resolve);
    }, { signal: controller.signal });
    await running;
    controller.abort();
    finish("done");
    assertEquals(await task, "done");
    assertEquals(sem.available, 1);
  });
});

Deno.test("Semaphore.run() calls fn in the caller's async context", async (t) => {
  const storage = new AsyncLocalStorage<number | string>();

  await t.step("100 callers queued on one permit", async () => {
    const sem = new Semaphore(1);
    const seen = await Promise.all(
      Array.from(
        { length: 100 },
        (_, i) => storage.run(i, () => sem.run(() => storage.getStore())),
      ),
    );
    assertEquals(seen, Array.from({ length: 100 }, (_, i) => i));
  });

  await t.step("callers that pass a signal, and fns that await", async () => {
    const sem = new Semaphore(3);
    const signal = new AbortController().signal;
    const seen = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) =>
          storage.run(`caller ${i}`, () =>
            sem.run(async () => {
              const before = storage.getStore();
              await settle(i % 3);
              return [before, storage.getStore()];
            }, { signal })),
      ),
    );
    assertEquals(
      seen,
      Array.from({ length: 50 }, (_, i) => [`caller ${i}`, `caller ${i}`]),
    );
  });
});

Deno.test("Semaphore keeps nothing of a caller once its call has settled", async (t) => {
  await t.step(
    "not what a queued run() resolved or rejected with",
    async () => {
      const sem = new Semaphore(1);
      const held = await sem.acquire();
      let resolved: Promise<object> | undefined = sem.run(() => ({ big: 1 }));
      let rejected: Promise<never> | undefined = sem.run(() => {
        throw new Error("big failure");
      });
      held.release();
      const refs = [
        new WeakRef(await resolved),
        new WeakRef(await rejected.catch((e) => e)),
      ];
      resolved = rejected = undefined;
      assert(await collected(refs[0]!), "the result is still reachable");
      assert(await collected(refs[1]!), "the error is still reachable");
      assertEquals([sem.available, sem.waiting], [1, 0]);
    },
  );

  await t.step("not a queued acquire()'s permit, nor its signal", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    let controller: AbortController | undefined = new AbortController();
    let queued: Promise<Permit> | undefined = sem.acquire({
      signal: controller.signal,
    });
    held.release();
    let permit: Permit | undefined = await queued;
    permit.release();
    const refs = [new WeakRef(permit), new WeakRef(controller.signal)];
    queued = permit = controller = undefined;
    assert(await collected(refs[0]!), "the permit is still reachable");
    assert(refs[1]!.deref() === undefined, "the signal is still reachable");
  });
});

Deno.test("Semaphore adds one listener to a signal that many waiters share", async (t) => {
  await t.step("1,000 waiters: in order, the rest aborted", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    const { signal } = controller;
    const seen = spy(signal);
    const order: number[] = [];
    const calls = Array.from(
      { length: 1000 },
      (_, i) =>
        i % 2 === 0
          ? sem.run(async () => {
            order.push(i);
            if (i === 498) controller.abort(new Error("enough"));
            await settle(1);
          }, { signal })
          : sem.acquire({ signal }).then((permit) => {
            order.push(i);
            permit.release();
          }),
    );
    assertEquals([seen.listeners, seen.watchers], [1, 1000]);
    held.release();
    const results = await Promise.allSettled(calls);
    assertEquals(order, Array.from({ length: 499 }, (_, i) => i));
    assertEquals(results.filter((r) => r.status === "rejected").length, 501);
    assertEquals([seen.listeners, seen.attached], [1, 0]);
    assertEquals([sem.available, sem.waiting], [1, 0]);
  });

  await t.step("2,000 waiters on one signal: one listener", async () => {
    // (bench/waiters_bench.ts times 10^5 waiters on one signal against 10^5
    // on signals of their own: the cost this guards against is quadratic.)
    const sem = new Semaphore(4);
    const held = [];
    for (let i = 0; i < 4; i++) held.push(await sem.acquire());
    const controller = new AbortController();
    const { signal } = controller;
    const seen = spy(signal);
    let granted = 0;
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 2000; i++) {
      calls.push(
        i % 2 === 0
          ? sem.run(() => granted++, { signal })
          : sem.acquire({ signal }).then((permit) => {
            granted++;
            permit.release();
          }),
      );
    }
    // Half of them get a permit and leave the signal one by one...
    for (const permit of held) permit.release();
    while (granted < 1000) await settle(1);
    assertEquals([seen.listeners, seen.watchers], [1, sem.waiting]);
    // ...and the other half leave at once when it aborts.
    controller.abort();
    const results = await Promise.allSettled(calls);
    const rejected = results.filter((r) => r.status === "rejected").length;
    assertEquals(rejected, 2000 - granted);
    assertEquals([seen.listeners, seen.attached, seen.watchers], [1, 0, 0]);
    assertEquals([sem.available, sem.waiting], [4, 0]);
  });
});

Deno.test("Semaphore gives its memory back after a burst of waiters (attack #13)", async () => {
  const n = 100_000;
  const sem = new Semaphore(n);
  let last: Promise<Permit> | undefined;
  let first: Permit | undefined;
  const kept = heapKept(() => {
    const held = Array.from({ length: n }, () => sem.tryAcquire()!);
    for (let i = 1; i < n; i++) sem.acquire();
    last = sem.acquire();
    for (let i = 1; i < n; i++) held[i]!.release(); // serves all but `last`
    first = held[0];
    return sem;
  });
  assert(kept < 2 ** 20, `${(kept / 2 ** 20).toFixed(1)} MiB kept`);
  assertEquals(sem.waiting, 1);
  first!.release();
  (await last!).release();
});
