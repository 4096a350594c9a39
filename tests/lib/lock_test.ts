import {
  assert,
  assertEquals,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { Lock } from "../../lib/lock.ts";
import { Semaphore } from "../../lib/semaphore.ts";
import { settle } from "./_helpers.ts";

Deno.test("Lock exposes read-only permits, available, waiting and locked", async () => {
  const lock = new Lock();
  assertEquals(
    [lock.permits, lock.available, lock.waiting, lock.locked],
    [1, 1, 0, false],
  );
  for (const key of ["permits", "available", "waiting", "locked"]) {
    assertThrows(() => {
      (lock as unknown as Record<string, unknown>)[key] = 0;
    }, TypeError);
  }
  const held = await lock.acquire();
  const queued = lock.acquire();
  assertEquals(
    [lock.permits, lock.available, lock.waiting, lock.locked],
    [1, 0, 1, true],
  );
  held.release();
  assertEquals(lock.locked, true); // handed straight to the waiter
  (await queued).release();
  assertEquals([lock.available, lock.waiting, lock.locked], [1, 0, false]);
});

Deno.test("Lock.acquire() resolves waiters in FIFO order", async () => {
  const lock = new Lock();
  const order: number[] = [];
  let inside = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
    using _held = await lock.acquire();
    peak = Math.max(peak, ++inside);
    order.push(i);
    await settle(1 + (i % 3));
    inside--;
  }));
  assertEquals(order, Array.from({ length: 1000 }, (_, i) => i));
  assertEquals(peak, 1);
  assertEquals(lock.locked, false);
});

Deno.test("Lock.tryAcquire() never barges past a waiter", async () => {
  const lock = new Lock();
  const held = lock.tryAcquire();
  assert(held !== undefined);
  assertStrictEquals(lock.tryAcquire(), undefined);
  const queued = lock.acquire();
  held!.release();
  assertStrictEquals(lock.tryAcquire(), undefined);
  (await queued).release();
  using again = lock.tryAcquire();
  assert(again !== undefined);
});

Deno.test("Lock.acquire() honours an AbortSignal", async (t) => {
  await t.step("already aborted", async () => {
    const lock = new Lock();
    const reason = new Error("no");
    assertStrictEquals(
      await lock.acquire({ signal: AbortSignal.abort(reason) }).catch((e) => e),
      reason,
    );
    assertEquals(lock.locked, false);
  });
  await t.step("aborted while queued", async () => {
    const lock = new Lock();
    const held = await lock.acquire();
    const controller = new AbortController();
    const queued = lock.run(() => "ran", { signal: controller.signal });
    assertEquals(lock.waiting, 1);
    controller.abort(new Error("late"));
    assertEquals(lock.waiting, 0);
    await assertRejects(() => queued, Error, "late");
    held.release();
    assertEquals(lock.locked, false);
  });
  await t.step("aborted after the grant", async () => {
    const lock = new Lock();
    const controller = new AbortController();
    const held = await lock.acquire({ signal: controller.signal });
    controller.abort();
    assertEquals(lock.locked, true);
    held.release();
    assertEquals(lock.locked, false);
  });
});

Deno.test("Lock is not reentrant: a second acquire by the holder waits", async () => {
  const lock = new Lock();
  const held = await lock.acquire();
  let second = false;
  const again = lock.acquire().then((p) => (second = true, p));
  await settle();
  assertEquals(second, false);
  assertEquals(lock.waiting, 1);
  held.release();
  (await again).release();
  assertEquals(second, true);
});

Deno.test("Lock.run() releases the lock when fn throws", async () => {
  const lock = new Lock();
  await assertRejects(
    () =>
      lock.run(() => {
        throw new RangeError("bad");
      }),
    RangeError,
    "bad",
  );
  assertEquals(lock.locked, false);
  assertEquals(await lock.run(() => Promise.resolve(7)), 7);
  await assertRejects(
    () => lock.run("nope" as unknown as () => void),
    TypeError,
    `Cannot run task as 'fn' must be a function: current value is "nope"`,
  );
  assertEquals([lock.locked, lock.waiting], [false, 0]);
});

Deno.test("Lock permit release is idempotent", async () => {
  const lock = new Lock();
  const held = await lock.acquire();
  const other = lock.acquire();
  held.release();
  held.release();
  held[Symbol.dispose]();
  const permit = await other;
  assertEquals(lock.locked, true);
  assertStrictEquals(lock.tryAcquire(), undefined);
  permit.release();
  assertEquals(lock.locked, false);
});

Deno.test("Lock.run() never calls fn inside the call", async () => {
  const lock = new Lock();
  let calls = 0;
  const task = lock.run(() => ++calls);
  assertEquals(calls, 0);
  assertEquals(lock.locked, true);
  assertEquals(await task, 1);
  assertEquals(lock.locked, false);
});

Deno.test("Lock.run() never runs fn once its signal aborted", async () => {
  const lock = new Lock();
  const controller = new AbortController();
  const reason = new Error("stop");
  let ran = false;
  const task = lock.run(() => ran = true, { signal: controller.signal });
  controller.abort(reason);
  assertStrictEquals(await task.catch((e) => e), reason);
  assertEquals(ran, false);
  assertEquals([lock.locked, lock.waiting], [false, 0]);
});

Deno.test("Lock.run() calls fn in the caller's async context", async () => {
  const storage = new AsyncLocalStorage<number>();
  const lock = new Lock();
  const seen = await Promise.all(
    Array.from(
      { length: 100 },
      (_, i) => storage.run(i, () => lock.run(() => storage.getStore())),
    ),
  );
  assertEquals(seen, Array.from({ length: 100 }, (_, i) => i));
});

Deno.test("Semaphore and Lock give the permit back when what fn returns has a `then` getter that throws", async () => {
  const hostile = () => ({
    get then(): never {
      throw new Error("then getter");
    },
  });
  for (const queued of [false, true]) {
    const sem = new Semaphore(1);
    const held = queued ? await sem.acquire() : undefined;
    const run = sem.run(hostile);
    held?.release();
    await assertRejects(() => run, Error, "then getter");
    assertEquals([sem.available, sem.waiting], [1, 0], `queued: ${queued}`);
  }
  const lock = new Lock();
  await assertRejects(() => lock.run(hostile), Error, "then getter");
  assertEquals(lock.locked, false);
  assertEquals(await lock.run(() => "next"), "next");
});

Deno.test("Semaphore and Lock settle run() one microtask after fn's promise when a permit is free, whatever the options", async () => {
  /** How many microtasks after fn's promise settles `call` settles. */
  async function lag(call: (fn: () => Promise<void>) => Promise<unknown>) {
    let settleIt!: () => void;
    const promise = new Promise<void>((resolve) => settleIt = resolve);
    const task = call(() => promise);
    await settle(); // fn has started: it is `promise` the call waits for
    let ticks = 0;
    let settledAt: number | undefined;
    task.then(() => settledAt = ticks);
    settleIt();
    while (settledAt === undefined) {
      await null;
      ticks++;
    }
    return settledAt;
  }
  const awaited = await lag(async (fn) => {
    await null;
    return await fn();
  });
  const signal = new AbortController().signal;
  const options = [undefined, {}, { signal }];
  for (const sem of [new Semaphore(2), new Lock()]) {
    const name = sem.constructor.name;
    assertEquals(await lag((fn) => sem.run(fn)), awaited, name);
    for (const option of options) {
      const shown = `${name}, ${JSON.stringify(option)}`;
      assertEquals(await lag((fn) => sem.run(fn, option)), awaited, shown);
      assertEquals([sem.available, sem.waiting], [sem.permits, 0], shown);
    }
  }
});
