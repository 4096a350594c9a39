import { assert, assertEquals, assertThrows } from "@std/assert";
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
