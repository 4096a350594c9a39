import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import {
  checkSignal,
  describe,
  MAX_TIMEOUT,
  setLongTimeout,
} from "../../lib/_util.ts";
import { type AbortWatcher, unwatch, watch } from "../../lib/_abort.ts";
import { spy } from "./_abort_spy.ts";

Deno.test("describe() shows a value as the caller wrote it, briefly", () => {
  const cases: [unknown, string][] = [
    ["2", '"2"'],
    ["", '""'],
    [2, "2"],
    [NaN, "NaN"],
    [-0, "-0"],
    [Infinity, "Infinity"],
    [3e9, "3000000000"],
    [2n, "2n"],
    [true, "true"],
    [undefined, "undefined"],
    [null, "null"],
    [Symbol("s"), "Symbol(s)"],
    [[], "an empty array"],
    [[1], "an array of 1 item"],
    [{}, "an empty object"],
    [{ aborted: true, reason: 1 }, "an object { aborted, reason }"],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5 }, "an object { a, b, c, … 2 more }"],
    [Object.create(null), "an empty object"],
    [new EventTarget(), "an EventTarget"],
    [new Map(), "a Map"],
    [function named() {}, 'a function ("named")'],
    [() => {}, "an anonymous function"],
  ];
  for (const [value, shown] of cases) assertEquals(describe(value), shown);
});

Deno.test("describe() never dumps a large value and never calls user code", () => {
  const big = new Array(100_000).fill("x");
  assertEquals(describe(big), "an array of 100000 items");
  const long = describe("y".repeat(10_000));
  assertEquals(long, `"${"y".repeat(40)}…" (10000 characters)`);
  const hostile = {
    get aborted(): never {
      throw new Error("getter called");
    },
    toString(): never {
      throw new Error("toString called");
    },
  };
  assertEquals(describe(hostile), "an object { aborted, toString }");
  const proxy = new Proxy({}, {
    getPrototypeOf: () => Array.prototype,
  });
  assert(describe(proxy).length < 80);
  const many = Object.fromEntries(
    Array.from({ length: 1000 }, (_, i) => [`key${i}`, i]),
  );
  assert(describe(many).length < 80, describe(many));
});

Deno.test("checkSignal() refuses look-alikes and names them", () => {
  assertStrictEquals(checkSignal(undefined, "wait"), undefined);
  assertStrictEquals(checkSignal(new AbortController().signal, "x"), undefined);
  for (
    const [bad, shown] of [
      [{}, "an empty object"],
      [42, "42"],
      [null, "null"],
      [new EventTarget(), "an EventTarget"],
      [{ aborted: true, reason: "r" }, "an object { aborted, reason }"],
    ] as const
  ) {
    const error = checkSignal(bad, "acquire permit");
    assert(error instanceof TypeError);
    assertEquals(
      error?.message,
      `Cannot acquire permit as 'signal' must be an AbortSignal: current value is ${shown}`,
    );
  }
});

Deno.test("setLongTimeout() waits past 2^31 ms in steps instead of firing at once", () => {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const armed: { fn: () => void; ms: number; id: number }[] = [];
  const cleared: number[] = [];
  // Record what the helper asks of setTimeout, and fire by hand.
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    armed.push({ fn, ms, id: armed.length + 1 });
    return armed.length;
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((id: number) => {
    cleared.push(id);
  }) as unknown as typeof clearTimeout;
  try {
    let fired = 0;
    const timer = setLongTimeout(() => fired++, 3e9);
    assertEquals(armed.map((a) => a.ms), [MAX_TIMEOUT]);
    armed[0]!.fn();
    assertEquals(fired, 0);
    assertEquals(armed.map((a) => a.ms), [MAX_TIMEOUT, 3e9 - MAX_TIMEOUT]);
    timer.clear();
    assertEquals(cleared, [2]);

    armed.length = 0;
    const days40 = 40 * 24 * 3600 * 1000;
    setLongTimeout(() => fired++, days40);
    armed[0]!.fn();
    armed[1]!.fn();
    assertEquals(fired, 1);
    assertEquals(armed.map((a) => a.ms), [MAX_TIMEOUT, days40 - MAX_TIMEOUT]);

    armed.length = 0;
    setLongTimeout(() => fired++, 5);
    assertEquals(armed.map((a) => a.ms), [5]);

    armed.length = 0;
    setLongTimeout(() => fired++, Infinity).clear();
    assertEquals(armed.length, 0);
  } finally {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
  }
});

Deno.test("setLongTimeout() fires a short timer and clear() stops it", async () => {
  const { promise, resolve } = Promise.withResolvers<string>();
  const stopped = setLongTimeout(() => resolve("cleared timer fired"), 1);
  stopped.clear();
  setLongTimeout(() => resolve("fired"), 2);
  assertEquals(await promise, "fired");
});

Deno.test("watch() adds one listener per signal and tells watchers in order", () => {
  const controller = new AbortController();
  const seen = spy(controller.signal);
  const told: number[] = [];
  const watchers: AbortWatcher[] = Array.from({ length: 5 }, (_, i) => ({
    aborted(signal: AbortSignal) {
      assertStrictEquals(signal, controller.signal);
      told.push(i);
    },
  }));
  for (const w of watchers) watch(controller.signal, w);
  unwatch(controller.signal, watchers[2]!);
  unwatch(controller.signal, watchers[2]!); // twice does nothing
  assertEquals(seen.listeners, 1);
  controller.abort();
  assertEquals(told, [0, 1, 3, 4]);
});

Deno.test("unwatch() takes the listener off the signal with its last watcher", () => {
  const controller = new AbortController();
  const seen = spy(controller.signal);
  const first: AbortWatcher = { aborted() {} };
  const second: AbortWatcher = { aborted() {} };
  watch(controller.signal, first);
  watch(controller.signal, second);
  unwatch(controller.signal, first);
  assertEquals(seen.attached, 1);
  unwatch(controller.signal, second);
  assertEquals([seen.attached, seen.watchers], [0, 0]);
  // A watcher that comes later brings a listener of its own, and is told.
  let told = 0;
  watch(controller.signal, { aborted: () => told++ });
  assertEquals([seen.attached, seen.listeners], [1, 1]);
  controller.abort();
  assertEquals([told, seen.attached], [1, 0]);
});

Deno.test("watch() tells every watcher even if one throws", () => {
  const controller = new AbortController();
  const told: string[] = [];
  const reported: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    reported.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    watch(controller.signal, {
      aborted() {
        throw new Error("boom");
      },
    });
    watch(controller.signal, { aborted: () => told.push("second") });
    controller.abort();
  } finally {
    globalThis.removeEventListener("error", onError);
  }
  assertEquals(told, ["second"]);
  assertEquals((reported[0] as Error).message, "boom");
});

Deno.test("watch() costs O(1) per watcher on one shared signal", () => {
  const controller = new AbortController();
  const n = 200_000;
  let told = 0;
  const watchers = Array.from({ length: n }, () => ({
    aborted: () => told++,
  }));
  const t0 = performance.now();
  for (const w of watchers) watch(controller.signal, w);
  for (let i = 0; i < n; i += 2) unwatch(controller.signal, watchers[i]!);
  controller.abort();
  const ms = performance.now() - t0;
  assertEquals(told, n / 2);
  // One listener each would take minutes (Deno scans the list on each add).
  assert(ms < 2_000, `${n} watchers took ${ms.toFixed(0)} ms`);
});
