import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { checkSignal, describe } from "../../lib/_util.ts";

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
