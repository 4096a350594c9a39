import {
  assert,
  assertEquals,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { Event } from "../../lib/event.ts";
import { spy } from "./_abort_spy.ts";
import { random, settle, shuffle, track } from "./_helpers.ts";

Deno.test("Event starts unset; set() and clear() flip isSet", () => {
  const event = new Event();
  assertEquals([event.isSet, event.waiting], [false, 0]);
  event.set();
  assertEquals(event.isSet, true);
  event.set(); // twice: still set
  assertEquals(event.isSet, true);
  event.clear();
  assertEquals(event.isSet, false);
  event.clear();
  assertEquals(event.isSet, false);
  for (const key of ["isSet", "waiting"]) {
    assertThrows(() => {
      (event as unknown as Record<string, unknown>)[key] = true;
    }, TypeError);
  }
});

Deno.test("Event.wait() waits until set() and wakes every waiter in order", async () => {
  const event = new Event();
  const woke: number[] = [];
  const waiters = Array.from(
    { length: 1000 },
    (_, i) => event.wait().then(() => woke.push(i)),
  );
  await settle();
  assertEquals([woke.length, event.waiting], [0, 1000]);
  event.set();
  assertEquals(event.waiting, 0);
  await Promise.all(waiters);
  assertEquals(woke, Array.from({ length: 1000 }, (_, i) => i));
});

Deno.test("Event.wait() resolves at once while the event is set", async () => {
  const event = new Event();
  event.set();
  const order: string[] = [];
  const waited = event.wait().then(() => order.push("wait"));
  // Only a microtask: before any timer or later macrotask.
  await Promise.resolve();
  await Promise.resolve();
  order.push("after two microtasks");
  await waited;
  assertEquals(order, ["wait", "after two microtasks"]);
  assertEquals(event.waiting, 0);
});

Deno.test("Event.clear() right after set() does not put the waiters back to sleep", async () => {
  const event = new Event();
  const waiters = [event.wait(), event.wait()].map(track);
  event.set();
  event.clear();
  await settle();
  assertEquals(waiters.map((w) => w.state), ["fulfilled", "fulfilled"]);
  // A waiter that comes after the clear waits for the next set(); so does
  // one waiting through a clear() of an unset event.
  const later = track(event.wait());
  event.clear();
  await settle();
  assertEquals([later.state, event.waiting], ["pending", 1]);
  event.set();
  await settle();
  assertEquals(later.state, "fulfilled");
});

Deno.test("Event.wait() honours an AbortSignal", async (t) => {
  await t.step("already aborted: rejects at once, even when set", async () => {
    const event = new Event();
    const reason = new Error("stop");
    assertStrictEquals(
      await event.wait({ signal: AbortSignal.abort(reason) }).catch((e) => e),
      reason,
    );
    event.set();
    assertStrictEquals(
      await event.wait({ signal: AbortSignal.abort(reason) }).catch((e) => e),
      reason,
    );
    assertEquals(event.waiting, 0);
  });

  await t.step(
    "aborted while waiting: leaves at once; the others still wake",
    async () => {
      const event = new Event();
      const controller = new AbortController();
      const before = track(event.wait());
      const aborted = event.wait({ signal: controller.signal });
      const after = track(event.wait());
      assertEquals(event.waiting, 3);
      const reason = new Error("gave up");
      controller.abort(reason);
      assertEquals(event.waiting, 2);
      assertStrictEquals(await aborted.catch((e) => e), reason);
      event.set();
      await settle();
      assertEquals([before.state, after.state], ["fulfilled", "fulfilled"]);
    },
  );

  await t.step(
    "a set() that comes before the abort listener runs does not wake it",
    async () => {
      const event = new Event();
      const controller = new AbortController();
      // Runs before the event hears of the abort.
      controller.signal.addEventListener("abort", () => event.set());
      const aborted = event.wait({ signal: controller.signal });
      const other = track(event.wait());
      controller.abort(new Error("late"));
      assertEquals((await aborted.catch((e) => e)).message, "late");
      await settle();
      assertEquals([other.state, event.waiting], ["fulfilled", 0]);
    },
  );

  await t.step("aborted after set(): the waiter stays woken", async () => {
    const event = new Event();
    const controller = new AbortController();
    const waiter = event.wait({ signal: controller.signal });
    event.set();
    controller.abort();
    await waiter;
  });

  await t.step(
    "a woken waiter's signal, aborted later, does not touch the waiter now in its place",
    async () => {
      const event = new Event();
      const controller = new AbortController();
      const first = event.wait({ signal: controller.signal });
      event.set();
      await first;
      event.clear();
      const second = track(event.wait()); // the same slot as the first
      controller.abort();
      await settle();
      assertEquals([second.state, event.waiting], ["pending", 1]);
      event.set();
      await settle();
      assertEquals(second.state, "fulfilled");
    },
  );
});

Deno.test("Event waiters that share a signal add one listener and leave nothing attached", async (t) => {
  await t.step(
    "1,000 waiters on one signal: one listener; abort rejects them all",
    async () => {
      const event = new Event();
      const controller = new AbortController();
      const signal = spy(controller.signal);
      const waiters = Array.from(
        { length: 1000 },
        () => event.wait({ signal: controller.signal }),
      );
      assertEquals([signal.listeners, signal.watchers], [1, 1000]);
      const reason = new Error("all");
      controller.abort(reason);
      assertEquals([event.waiting, signal.watchers], [0, 0]);
      const outcomes = await Promise.allSettled(waiters);
      assert(
        outcomes.every((o) => o.status === "rejected" && o.reason === reason),
      );
    },
  );

  await t.step(
    "set() detaches every woken waiter from its signal",
    async () => {
      const event = new Event();
      const controller = new AbortController();
      const signal = spy(controller.signal);
      const waiters = Array.from(
        { length: 10 },
        () => event.wait({ signal: controller.signal }),
      );
      assertEquals(signal.watchers, 10);
      event.set();
      assertEquals(signal.watchers, 0);
      await Promise.all(waiters);
    },
  );
});

Deno.test("Event keeps order and aborts the right waiter as its list compacts", async () => {
  const rand = random(11);
  const event = new Event();
  const controllers = new Map<number, AbortController>();
  const woke: number[] = [];
  const outcomes: Promise<string>[] = [];
  const add = (from: number, to: number) => {
    for (let id = from; id < to; id++) {
      const controller = new AbortController();
      controllers.set(id, controller);
      outcomes.push(
        event.wait({ signal: controller.signal }).then(
          () => (woke.push(id), `woke ${id}`),
          (e: Error) => e.message,
        ),
      );
    }
  };
  const abort = (ids: number[]) => {
    for (const id of shuffle(ids, rand)) {
      controllers.get(id)!.abort(new Error(`aborted ${id}`));
    }
  };
  add(0, 300);
  abort(Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 !== 0));
  assertEquals(event.waiting, 100);
  add(300, 700);
  abort(
    Array.from({ length: 400 }, (_, i) => 300 + i).filter((i) => i % 5 !== 0),
  );
  assertEquals(event.waiting, 180);
  event.set();
  const results = await Promise.all(outcomes);
  const kept = Array.from({ length: 700 }, (_, i) => i).filter((i) =>
    i < 300 ? i % 3 === 0 : i % 5 === 0
  );
  assertEquals(woke, kept);
  for (let id = 0; id < 700; id++) {
    assertEquals(
      results[id],
      kept.includes(id) ? `woke ${id}` : `aborted ${id}`,
    );
  }
});

Deno.test("A signal whose waiters all left carries nothing: a later waiter brings its own listener", async () => {
  const controller = new AbortController();
  const { signal } = controller;
  signal.addEventListener("abort", () => {}); // the engine's own bookkeeping
  const seen = spy(signal);
  const keys = Reflect.ownKeys(signal);
  const event = new Event();
  const first = [event.wait({ signal }), event.wait({ signal })];
  assertEquals(Reflect.ownKeys(signal), keys, "a property a program can see");
  event.set();
  await Promise.all(first);
  assertEquals([seen.listeners, seen.attached, seen.watchers], [1, 0, 0]);
  const later = track(new Event().wait({ signal }));
  assertEquals([seen.attached, seen.watchers], [1, 1]);
  controller.abort();
  await settle();
  assertEquals([later.state, seen.attached], ["rejected", 0]);
});
