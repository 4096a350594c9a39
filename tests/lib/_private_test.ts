// lib's private modules, one test module for the three (a module costs
// ~0.08 CPU-s to start in the suite, whatever it holds): _check.ts (argument
// checks), _abort.ts (one listener per signal) and _timer.ts (timers past
// 2^31 ms).
import {
  assert,
  assertEquals,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  count,
  describe,
  duration,
  fn,
  list,
  options,
  signal,
  signalOf,
  string,
} from "../../lib/_check.ts";
import { type AbortWatcher, unwatch, watch } from "../../lib/_abort.ts";
import { spy } from "./_abort_spy.ts";
import { MAX_TIMEOUT, setLongTimeout } from "../../lib/_timer.ts";

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
  assertEquals(describe(new Array(100_000)), "an array of 100000 items");
  assertEquals(
    describe("y".repeat(10_000)),
    `"${"y".repeat(40)}…" (10000 characters)`,
  );
  const hostile = {
    get aborted(): never {
      throw new Error("getter called");
    },
    toString(): never {
      throw new Error("toString called");
    },
  };
  assertEquals(describe(hostile), "an object { aborted, toString }");
  const proxy = new Proxy({}, { getPrototypeOf: () => Array.prototype });
  assert(describe(proxy).length < 80);
  const many = Object.fromEntries(
    Array.from({ length: 1000 }, (_, i) => [`key${i}`, i]),
  );
  assert(describe(many).length < 80, describe(many));
});

/** Asserts that `check` throws `Kind` naming the parameter and the value. */
function refuses(
  check: () => unknown,
  Kind: TypeErrorConstructor | RangeErrorConstructor,
  name: string,
  value: unknown,
) {
  const error = assertThrows(check, Kind);
  assert(
    error.message.startsWith(`Cannot act as '${name}' must be `),
    error.message,
  );
  assert(
    error.message.endsWith(`: current value is ${describe(value)}`),
    error.message,
  );
}

Deno.test("options() takes any object but an array, and undefined as {}", () => {
  assertEquals(options(undefined, "act"), {});
  const mine = { signal: undefined };
  assert(options(mine, "act") === mine);
  const bare = Object.create(null);
  assert(options(bare, "act") === bare);
  for (const bad of [null, 5, "x", true, [], () => {}, Symbol("s"), 1n]) {
    refuses(() => options(bad as object, "act"), TypeError, "options", bad);
  }
  refuses(
    () => options(null as never, "act", "retry"),
    TypeError,
    "retry",
    null,
  );
});

Deno.test("signal() takes only a real AbortSignal, look-alikes refused", () => {
  const real = new AbortController().signal;
  assert(signal(real, "act") === real);
  assertEquals(signal(undefined, "act"), undefined);
  const aborted = AbortSignal.abort();
  assert(signal(aborted, "act") === aborted);
  for (
    const bad of [
      {},
      null,
      42,
      new EventTarget(),
      { aborted: true, reason: "r" },
      Object.create(AbortSignal.prototype),
    ]
  ) {
    refuses(() => signal(bad, "act"), TypeError, "signal", bad);
  }
});

Deno.test("signalOf() reads the signal of an options object once", () => {
  const real = new AbortController().signal;
  let reads = 0;
  const once = {
    get signal() {
      reads++;
      return real;
    },
  };
  assert(signalOf(once, "act") === real);
  assertEquals(reads, 1);
  assertEquals(signalOf(undefined, "act"), undefined);
  assertEquals(signalOf({}, "act"), undefined);
  refuses(() => signalOf(5 as never, "act"), TypeError, "options", 5);
  const lookalike = Object.create(AbortSignal.prototype);
  refuses(
    () => signalOf({ signal: lookalike }, "act"),
    TypeError,
    "signal",
    lookalike,
  );
});

Deno.test("count() takes a safe integer from its minimum, Infinity when allowed", () => {
  assertEquals(count(1, "act", "n"), 1);
  assertEquals(count(Number.MAX_SAFE_INTEGER, "act", "n"), 2 ** 53 - 1);
  assertEquals(count(0, "act", "n", { min: 0 }), 0);
  assertEquals(count(Infinity, "act", "n", { orInfinity: true }), Infinity);
  for (const bad of [0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53]) {
    refuses(() => count(bad, "act", "n"), RangeError, "n", bad);
  }
  refuses(() => count(-1, "act", "n", { min: 0 }), RangeError, "n", -1);
  for (const bad of ["2", null, undefined, 2n, {}]) {
    refuses(() => count(bad, "act", "n"), TypeError, "n", bad);
  }
  refuses(
    () => count("2", "act", "n", { type: RangeError }),
    RangeError,
    "n",
    "2",
  );
});

Deno.test("duration() takes a non-negative number, Infinity when allowed", () => {
  assertEquals(duration(0, "act", "ms"), 0);
  assertEquals(duration(3e9, "act", "ms"), 3e9);
  assertEquals(duration(Infinity, "act", "ms", true), Infinity);
  for (const bad of [-1, NaN, Infinity, -Infinity]) {
    refuses(() => duration(bad, "act", "ms"), RangeError, "ms", bad);
  }
  for (const bad of ["5", null, 5n]) {
    refuses(() => duration(bad, "act", "ms"), TypeError, "ms", bad);
  }
});

Deno.test("string(), fn() and list() refuse a value of another kind", () => {
  assertEquals(string("", "act", "name"), "");
  for (const bad of [1, null, undefined, new String("s")]) {
    refuses(() => string(bad, "act", "name"), TypeError, "name", bad);
  }
  const f = () => 1;
  assert(fn(f, "act", "fn") === f);
  for (const bad of [1, "f", null, {}]) {
    refuses(() => fn(bad as never, "act", "fn"), TypeError, "fn", bad);
  }
  const set = new Set([1]);
  assert(list(set, "act", "items", "numbers") === set);
  class Iterates {
    static *[Symbol.iterator]() {}
  }
  assert(list(Iterates as never, "act", "items", "numbers") === Iterates);
  for (const bad of ["abc", new String("abc"), 5, null, {}, undefined]) {
    refuses(
      () => list(bad as never, "act", "items", "numbers"),
      TypeError,
      "items",
      bad,
    );
  }
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

Deno.test("a watcher unwatched while the abort is told is not told", () => {
  // A watcher's code may settle another caller on the same signal (a task
  // group's abort runs user code that releases a permit a waiter gets);
  // that waiter leaves, and must not then be told of the abort.
  const controller = new AbortController();
  const { signal } = controller;
  const told: string[] = [];
  const later: AbortWatcher = { aborted: () => told.push("later") };
  watch(signal, {
    aborted: () => (told.push("first"), unwatch(signal, later)),
  });
  watch(signal, later);
  watch(signal, { aborted: () => told.push("last") });
  controller.abort();
  assertEquals(told, ["first", "last"]);
});

Deno.test("watching leaves no property a program can see on the signal", () => {
  const { signal } = new AbortController();
  signal.addEventListener("abort", () => {}); // Deno's own bookkeeping
  const keys = Reflect.ownKeys(signal);
  const watcher: AbortWatcher = { aborted() {} };
  watch(signal, watcher);
  assertEquals(Reflect.ownKeys(signal), keys);
  unwatch(signal, watcher);
  assertEquals(Reflect.ownKeys(signal), keys);
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

Deno.test("watch() adds one listener for 200,000 watchers of one signal, and tells each once", () => {
  // One listener each made this O(N²): Deno scans a signal's listeners on
  // every add (80,000 waiters took 30 s). The watchers join a Set instead.
  const controller = new AbortController();
  const seen = spy(controller.signal);
  const n = 200_000;
  let told = 0;
  const watchers = Array.from({ length: n }, () => ({
    aborted: () => told++,
  }));
  for (const w of watchers) watch(controller.signal, w);
  for (let i = 0; i < n; i += 2) unwatch(controller.signal, watchers[i]!);
  assertEquals([seen.listeners, seen.watchers], [1, n / 2]);
  controller.abort();
  assertEquals([told, seen.attached, seen.watchers], [n / 2, 0, 0]);
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
