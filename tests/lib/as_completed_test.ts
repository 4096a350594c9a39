import {
  assert,
  assertEquals,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { asCompleted, type AsCompletedResult } from "../../lib/as_completed.ts";
import { spy } from "./_abort_spy.ts";
import {
  assertNames,
  refusal,
  settle,
  unhandledRejections,
} from "./_helpers.ts";

async function collect<T>(
  iterator: AsyncIterable<AsCompletedResult<T>>,
): Promise<AsCompletedResult<T>[]> {
  const results: AsCompletedResult<T>[] = [];
  for await (const result of iterator) results.push(result);
  return results;
}

Deno.test("asCompleted() yields each result in the order the inputs settle", async () => {
  const inputs = Array.from(
    { length: 5 },
    () => Promise.withResolvers<string>(),
  );
  const iterator = asCompleted(inputs.map((d) => d.promise));
  const seen: number[] = [];
  const loop = (async () => {
    for await (const result of iterator) seen.push(result.index);
  })();
  for (const i of [3, 0, 4, 1, 2]) {
    inputs[i]!.resolve(`v${i}`);
    await settle();
    assertEquals(seen.at(-1), i); // reported as soon as it settled
  }
  await loop;
  assertEquals(seen, [3, 0, 4, 1, 2]);
});

Deno.test("asCompleted() yields settled results with the input index", async () => {
  const error = new Error("no");
  const a = Promise.withResolvers<number>();
  const b = Promise.withResolvers<number>();
  const iterator = asCompleted([a.promise, b.promise]);
  b.reject(error);
  a.resolve(1);
  const results = await collect(iterator);
  assertEquals(results, [
    { status: "rejected", reason: error, index: 1 },
    { status: "fulfilled", value: 1, index: 0 },
  ]);
  assertStrictEquals((results[0] as { reason: unknown }).reason, error);
});

Deno.test("asCompleted() takes plain values and thenables", async () => {
  const late = Promise.withResolvers<string>();
  const thenable: PromiseLike<string> = {
    then(resolve) {
      return Promise.resolve(resolve?.("thenable")) as never;
    },
  };
  const iterator = asCompleted<string | number | undefined>([
    late.promise,
    1,
    thenable,
    undefined,
    "text",
  ]);
  const first = await iterator.next();
  assertEquals(first, {
    done: false,
    value: { status: "fulfilled", value: 1, index: 1 },
  });
  late.resolve("late");
  const rest = await collect(iterator);
  // Plain values first, in input order; the thenable after them (adopting
  // it takes a turn); the promise that settled last comes last.
  assertEquals(rest.map((r) => r.index), [3, 4, 2, 0]);
  assertEquals(rest.map((r) => r.status === "fulfilled" ? r.value : r.reason), [
    undefined,
    "text",
    "thenable",
    "late",
  ]);
});

Deno.test("asCompleted() takes promises of several types: a value is of their union", async () => {
  // As Promise.allSettled does, with no type argument (`deno task check`).
  const user = Promise.resolve({ name: "ada" });
  const count = Promise.resolve(3);
  const values: ({ name: string } | number | string)[] = [];
  for await (const result of asCompleted([user, count, "text"])) {
    if (result.status === "fulfilled") values.push(result.value);
  }
  assertEquals(values, [{ name: "ada" }, 3, "text"]);
});

Deno.test("asCompleted() accepts any iterable and reads it at once", async () => {
  let read = 0;
  function* inputs() {
    for (let i = 0; i < 3; i++) {
      read++;
      yield Promise.resolve(i);
    }
  }
  const iterator = asCompleted(inputs());
  assertEquals(read, 3); // before the first next()
  assertEquals((await collect(iterator)).map((r) => r.index), [0, 1, 2]);
  assertEquals(
    (await collect(asCompleted(new Set([Promise.resolve("s")])))).map((r) =>
      r.status
    ),
    ["fulfilled"],
  );
  // A function is iterable too when it has Symbol.iterator (a class with a
  // static one): only strings are refused among iterables.
  class Sources {
    static *[Symbol.iterator]() {
      yield Promise.resolve("class");
    }
  }
  assertEquals(
    (await collect(asCompleted(Sources))).map((r) => r.status),
    ["fulfilled"],
  );
});

Deno.test("asCompleted() of nothing ends at once, and stays ended", async () => {
  const iterator = asCompleted([]);
  assertEquals(await iterator.next(), { done: true, value: undefined });
  assertEquals(await iterator.next(), { done: true, value: undefined });
});

Deno.test("asCompleted() never leaves a rejection unhandled", async (t) => {
  using unhandled = unhandledRejections();
  await t.step("never iterated", async () => {
    asCompleted([Promise.reject(new Error("ignored")), Promise.resolve(1)]);
    assertEquals(await unhandled.reported(), []);
  });

  await t.step("stopped early", async () => {
    const later = Promise.withResolvers<never>();
    for await (
      const result of asCompleted([Promise.resolve(1), later.promise])
    ) {
      assertEquals(result.index, 0);
      break;
    }
    later.reject(new Error("after the loop"));
    assertEquals(await unhandled.reported(), []);
  });
});

Deno.test("asCompleted() answers next() calls made before results arrive, in order", async () => {
  const a = Promise.withResolvers<string>();
  const b = Promise.withResolvers<string>();
  const iterator = asCompleted([a.promise, b.promise]);
  const calls = [iterator.next(), iterator.next(), iterator.next()];
  b.resolve("b");
  a.resolve("a");
  assertEquals(await Promise.all(calls), [
    { done: false, value: { status: "fulfilled", value: "b", index: 1 } },
    { done: false, value: { status: "fulfilled", value: "a", index: 0 } },
    { done: true, value: undefined },
  ]);
});

Deno.test("asCompleted() yields a native promise once, whatever its own then does (attack #10)", async (t) => {
  /** A native promise fulfilled with `value`, given a `then` of its own. */
  const withOwnThen = (value: string, then: (...args: never[]) => unknown) =>
    Object.assign(Promise.resolve(value), { then }) as Promise<string>;
  await t.step("a then that calls back twice", async () => {
    const twice = withOwnThen("a", (onFulfilled: (v: string) => void) => {
      onFulfilled("a");
      onFulfilled("a again");
    });
    const slow = settle(3).then(() => "b");
    const seen = (await collect(asCompleted([twice, slow]))).map((r) =>
      r.status === "fulfilled" ? `${r.index}:${r.value}` : "rejected"
    );
    assertEquals(seen, ["0:a", "1:b"]);
  });
  await t.step(
    "a constructor that throws: a rejected result, as await gives",
    async () => {
      const reason = new Error("constructor getter");
      const odd = Object.defineProperty(Promise.resolve("d"), "constructor", {
        get() {
          throw reason;
        },
      });
      assertEquals(await collect(asCompleted([odd])), [
        { status: "rejected", reason, index: 0 },
      ]);
    },
  );
  await t.step(
    "a constructor that throws when read again: a rejected result, and the inputs after it are still watched",
    async () => {
      const reason = new Error("read again");
      let reads = 0;
      const odd = Object.defineProperty(Promise.resolve("e"), "constructor", {
        get() {
          if (reads++ > 0) throw reason;
          return Promise;
        },
      });
      const late = Promise.reject(new Error("after it"));
      using unhandled = unhandledRejections();
      const [first, second] = await collect(asCompleted([odd, late]));
      assertEquals(first, { status: "rejected", reason, index: 0 });
      assertEquals([second?.status, second?.index], ["rejected", 1]);
      assertEquals(await unhandled.reported(), []);
    },
  );
  await t.step("a then that throws: the call does not throw", async () => {
    const throwing = withOwnThen("c", () => {
      throw new Error("then threw");
    });
    const iterator = asCompleted<string | number>([throwing, 1]);
    assertEquals(await collect(iterator), [
      { status: "fulfilled", value: "c", index: 0 },
      { status: "fulfilled", value: 1, index: 1 },
    ]);
  });
});

Deno.test("asCompleted() serves 10^4 concurrent next() calls without moving the waiting ones (attack #11)", async () => {
  // The waiting calls were an array emptied with shift(), which moves every
  // call still waiting: 10^5 of them took 3 to 9 s (bench/as_completed_bench.ts
  // times it). Count the elements that shift() and splice() move.
  const n = 10_000;
  const inputs = Array.from(
    { length: n },
    () => Promise.withResolvers<number>(),
  );
  const iterator = asCompleted(inputs.map((d) => d.promise));
  const calls = Array.from({ length: n + 1 }, () => iterator.next());
  let moved = 0;
  const { shift, splice } = Array.prototype;
  Array.prototype.shift = function (this: unknown[]) {
    moved += Math.max(this.length - 1, 0);
    return shift.call(this);
  };
  Array.prototype.splice = function (this: unknown[], ...args: unknown[]) {
    moved += this.length;
    return (splice as (...a: unknown[]) => unknown[]).apply(this, args);
  };
  try {
    for (const [i, input] of inputs.entries()) input.resolve(i);
    await settle();
  } finally {
    Object.assign(Array.prototype, { shift, splice });
  }
  const results = await Promise.all(calls);
  assertEquals(results.at(-1), { done: true, value: undefined });
  assertEquals(
    results.slice(0, n).map((r) => r.value?.index),
    Array.from({ length: n }, (_, i) => i),
  );
  assert(moved < 10 * n, `${moved} elements moved`);
});

Deno.test("asCompleted() return() ends the iteration and drops what is left", async () => {
  const a = Promise.withResolvers<number>();
  const iterator = asCompleted([a.promise, Promise.resolve(2)]);
  const waiting = iterator.next();
  assertEquals((await waiting).value?.index, 1);
  const pending = iterator.next();
  assertEquals(await iterator.return!(), { done: true, value: undefined });
  assertEquals(await pending, { done: true, value: undefined });
  a.resolve(1);
  await settle();
  assertEquals(await iterator.next(), { done: true, value: undefined });
  assertStrictEquals(iterator[Symbol.asyncIterator](), iterator);
});

Deno.test("asCompleted()'s iterator is an async iterator as a generator's is: await using ends it with its block", async () => {
  const a = Promise.withResolvers<number>();
  let iterator;
  {
    await using results = asCompleted([a.promise, 2]);
    assertEquals((await results.next()).value?.index, 1);
    iterator = results;
  } // return() was called here: what is still to come is dropped
  a.resolve(1);
  assertEquals(await iterator.next(), { done: true, value: undefined });
  const generator = (async function* () {})();
  const dispose = generator[Symbol.asyncDispose];
  assertStrictEquals(iterator[Symbol.asyncDispose], dispose, "the same one");
});

Deno.test("asCompleted() with a signal", async (t) => {
  await t.step(
    "already aborted: the first next() rejects with the reason, then it is done",
    async () => {
      const reason = new Error("stop");
      const iterator = asCompleted([Promise.resolve(1)], {
        signal: AbortSignal.abort(reason),
      });
      assertStrictEquals(await iterator.next().catch((e) => e), reason);
      assertEquals(await iterator.next(), { done: true, value: undefined });
    },
  );

  await t.step(
    "aborted while next() waits: it rejects at once with the reason",
    async () => {
      const controller = new AbortController();
      const never = new Promise<number>(() => {});
      const seen: number[] = [];
      const reason = new Error("enough");
      const loop = (async () => {
        for await (
          const r of asCompleted([never, 1, 2], { signal: controller.signal })
        ) {
          if (r.status === "fulfilled") seen.push(r.value);
        }
      })();
      await settle();
      assertEquals(seen, [1, 2]);
      controller.abort(reason);
      assertStrictEquals(await loop.catch((e) => e), reason);
    },
  );

  await t.step(
    "aborted between two next() calls: the next one rejects",
    async () => {
      const controller = new AbortController();
      const iterator = asCompleted([1, 2, 3], { signal: controller.signal });
      assertEquals((await iterator.next()).value?.index, 0);
      controller.abort(new Error("between"));
      assertEquals((await iterator.next().catch((e) => e)).message, "between");
      assertEquals(await iterator.next(), { done: true, value: undefined });
    },
  );

  await t.step(
    "aborted, then two next() calls in one turn: the first rejects, the second is the end",
    async () => {
      const controller = new AbortController();
      const iterator = asCompleted([1, 2, 3], { signal: controller.signal });
      assertEquals((await iterator.next()).value?.index, 0);
      controller.abort(new Error("stop"));
      const [first, second] = await Promise.allSettled([
        iterator.next(),
        iterator.next(),
      ]);
      assertEquals(first.status, "rejected");
      assertEquals(second, {
        status: "fulfilled",
        value: { done: true, value: undefined },
      });
    },
  );

  await t.step("aborted after the end: nothing happens", async () => {
    const controller = new AbortController();
    const iterator = asCompleted([1], { signal: controller.signal });
    assertEquals((await collect(iterator)).length, 1);
    controller.abort();
    assertEquals(await iterator.next(), { done: true, value: undefined });
  });

  await t.step(
    "listens only while a next() waits, and leaves nothing attached",
    async () => {
      const controller = new AbortController();
      const signal = spy(controller.signal);
      const a = Promise.withResolvers<number>();
      const b = Promise.withResolvers<number>();
      const iterator = asCompleted([a.promise, b.promise, 3], {
        signal: controller.signal,
      });
      assertEquals(signal.watchers, 0); // not before anyone waits
      assertEquals((await iterator.next()).value?.index, 2); // ready: no wait
      assertEquals(signal.watchers, 0);
      const waiting = iterator.next();
      assertEquals(signal.watchers, 1);
      a.resolve(1);
      assertEquals((await waiting).value?.index, 0);
      assertEquals(signal.watchers, 0);
      const last = iterator.next();
      assertEquals(signal.watchers, 1);
      await iterator.return!();
      assertEquals(signal.watchers, 0);
      assertEquals(await last, { done: true, value: undefined });
      b.resolve(2);
      assertEquals(signal.listeners, 1);
    },
  );

  await t.step("many iterators on one signal add one listener", async () => {
    const controller = new AbortController();
    const signal = spy(controller.signal);
    const never = new Promise<number>(() => {});
    const iterators = Array.from(
      { length: 100 },
      () => asCompleted([never], { signal: controller.signal }),
    );
    const calls = iterators.map((iterator) => iterator.next());
    assertEquals([signal.listeners, signal.watchers], [1, 100]);
    controller.abort(new Error("all"));
    const outcomes = await Promise.allSettled(calls);
    assert(
      outcomes.every((o) =>
        o.status === "rejected" && (o.reason as Error).message === "all"
      ),
    );
    assertEquals(signal.watchers, 0);
  });
});

Deno.test("asCompleted() throws a TypeError for bad input, naming it", async (t) => {
  const gen = function* gen() {
    yield 1;
  };
  const cases: [string, unknown, unknown, string, string][] = [
    ["promises 5", 5, undefined, "promises", "5"],
    ["promises undefined", undefined, undefined, "promises", "undefined"],
    ["an object", { length: 2 }, undefined, "promises", "{ length }"],
    ["a single promise", Promise.resolve(1), undefined, "promises", "Promise"],
    [
      "a string, whose characters iterate",
      "abc",
      undefined,
      "promises",
      '"abc"',
    ],
    ["a String object", new String("abc"), undefined, "promises", "String"],
    [
      "a generator function, not its generator",
      gen,
      undefined,
      "promises",
      '"gen"',
    ],
    [
      "promises checked before options, as fetchAll does",
      "abc",
      5,
      "promises",
      '"abc"',
    ],
    ["options 5", [], 5, "options", "5"],
  ];
  for (const [name, promises, options, param, shown] of cases) {
    await t.step(name, async () => {
      const error = await refusal(() =>
        asCompleted(promises as number[], options as { signal?: AbortSignal })
      );
      assertNames(error, TypeError, param, shown);
    });
  }

  await t.step("an iterable that throws while read: thrown as is", () => {
    const boom = new Error("boom");
    const inputs = {
      *[Symbol.iterator]() {
        yield Promise.reject(new Error("handled anyway"));
        throw boom;
      },
    };
    const error = assertThrows(() => asCompleted(inputs));
    assertStrictEquals(error, boom);
  });

  await t.step("a bad signal is refused before the inputs are touched", () => {
    let read = false;
    const inputs = {
      *[Symbol.iterator]() {
        read = true;
        yield 1;
      },
    };
    assertThrows(
      () => asCompleted(inputs, { signal: "x" as never }),
      TypeError,
    );
    assertEquals(read, false);
  });
});
