// Every public entry point of lib/ refuses bad input the same way: a wrong
// type is a TypeError, a value out of range a RangeError, the message names
// the parameter and shows the value, a method that returns a promise rejects
// (it never throws), and nothing is left half-done. One table, every entry
// point, one message grammar.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { asCompleted } from "../../lib/as_completed.ts";
import { Event } from "../../lib/event.ts";
import { Executor } from "../../lib/executor.ts";
import { fetchAll, fetchWithRetry } from "../../lib/fetch.ts";
import { Lock } from "../../lib/lock.ts";
import { PriorityQueue, Queue } from "../../lib/queue.ts";
import { Semaphore } from "../../lib/semaphore.ts";
import { TaskGroup } from "../../lib/task_group.ts";
import { Timeline } from "../../lib/timeline.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
type Kind = typeof TypeError | typeof RangeError;
/** A bad value, the error it gets, the parameter named and the value shown. */
type Bad = [value: unknown, kind: Kind, name: string, shown: string];

interface Entry {
  /** How a caller writes the call. */
  call: string;
  /** Whether the call returns a promise: then it must reject, never throw. */
  async: boolean;
  /** Calls the entry point with one bad value. */
  run: (bad: unknown) => unknown;
  /** What the call must refuse, beyond a bad options object. */
  bad: Bad[];
  /** The name of its options parameter, if it has one. */
  options?: string;
  /** Whether its options take a `signal`. */
  signal?: boolean;
  /** Checks that the refused call started nothing and left nothing behind. */
  after?: () => void | Promise<void>;
}

/** Values that are not an options object, and how messages show them. */
const NOT_OPTIONS: [unknown, string][] = [
  [null, "null"],
  [5, "5"],
  ["x", '"x"'],
  [true, "true"],
  [Symbol("s"), "Symbol(s)"],
  [2n, "2n"],
  [function named() {}, 'a function ("named")'],
  [[], "an empty array"],
  [[{ signal: undefined }], "an array of 1 item"],
];

/** Values that are not an AbortSignal, look-alikes included. */
const NOT_SIGNALS: [unknown, string][] = [
  [{}, "an empty object"],
  [{ aborted: true }, "an object { aborted }"],
  [new EventTarget(), "an EventTarget"],
  [new AbortController(), "an AbortController"],
  [null, "null"],
];

/**
 * A look-alike that passes `instanceof AbortSignal` but is none: its first
 * `aborted` read throws "Illegal invocation" (attack #12). Every entry point
 * that takes a signal refuses it.
 */
const LOOK_ALIKE: [unknown, string] = [
  Object.create(AbortSignal.prototype),
  "an AbortSignal",
];

// The module of a task that is never loaded: bad input stops the call first.
const MODULE = new URL("./fixtures/tasks.ts", import.meta.url).href;

/** Retry options that fetchWithRetry and fetchAll refuse alike. */
const BAD_RETRY: Bad[] = [
  [{ timeout: "5" }, TypeError, "timeout", '"5"'],
  [{ timeout: -1 }, RangeError, "timeout", "-1"],
  [{ timeout: NaN }, RangeError, "timeout", "NaN"],
  [{ retry: "3" }, TypeError, "retry", '"3"'],
  [{ retry: [3] }, TypeError, "retry", "an array of 1 item"],
  [{ retry: null }, TypeError, "retry", "null"],
  [{ retry: -1 }, RangeError, "retry", "-1"],
  [{ retry: 1.5 }, RangeError, "retry", "1.5"],
  [{ retry: { limit: "2" } }, TypeError, "retry.limit", '"2"'],
  [{ retry: { limit: Infinity } }, RangeError, "retry.limit", "Infinity"],
  [{ retry: { maxRetryAfter: -5 } }, RangeError, "retry.maxRetryAfter", "-5"],
  [{ retry: { maxRetryAfter: "1" } }, TypeError, "retry.maxRetryAfter", '"1"'],
  [{ retry: { onRetry: 42 } }, TypeError, "retry.onRetry", "42"],
  [{ retry: { backoff: 100 } }, TypeError, "retry.backoff", "100"],
  [
    { retry: { backoff: { base: -1 } } },
    RangeError,
    "retry.backoff.base",
    "-1",
  ],
  [
    { retry: { backoff: { base: Infinity } } },
    RangeError,
    "retry.backoff.base",
    "Infinity",
  ],
  [{ retry: { backoff: { max: "9" } } }, TypeError, "retry.backoff.max", '"9"'],
  [{ retry: { statusCodes: "500" } }, TypeError, "retry.statusCodes", '"500"'],
  [
    { retry: { statusCodes: [500, "503"] } },
    TypeError,
    "retry.statusCodes[1]",
    '"503"',
  ],
  [
    { retry: { statusCodes: [500, 99] } },
    RangeError,
    "retry.statusCodes[1]",
    "99",
  ],
  [{ retry: { methods: "GET" } }, TypeError, "retry.methods", '"GET"'],
  [{ retry: { methods: ["GET", 1] } }, TypeError, "retry.methods[1]", "1"],
];

/** Counts that must be integers from 1 to Number.MAX_SAFE_INTEGER. */
function badCounts(wrap: (n: unknown) => unknown, name: string): Bad[] {
  return [0, -1, 1.5, NaN, 2 ** 53].map((n) => [
    wrap(n),
    RangeError,
    name,
    String(n),
  ]);
}

const noop = () => {};
const sem = new Semaphore(1);
const lock = new Lock();
const group = new TaskGroup();
let executor = new Executor({ workers: 1 });
const timeline = new Timeline({ now: () => 0 });
timeline.start("running");
let bodyCalled = false;
const body = () => {
  bodyCalled = true;
};
const semaphoreUntouched = () =>
  assertEquals([sem.available, sem.waiting], [1, 0]);
const lockUntouched = () =>
  assertEquals([lock.locked, lock.waiting], [false, 0]);

/** The entry points, fetching from `URL_` (where no request must arrive). */
const entries = (URL_: string): Entry[] => [
  {
    call: "new Semaphore()",
    async: false,
    run: (n) => new Semaphore(n as number),
    bad: badCounts((n) => n, "permits"),
  },
  {
    call: "Semaphore.acquire()",
    async: true,
    run: (o) => sem.acquire(o as Any),
    bad: [],
    options: "options",
    signal: true,
    after: semaphoreUntouched,
  },
  {
    call: "Semaphore.run()",
    async: true,
    run: (o) => sem.run(noop, o as Any),
    bad: [],
    options: "options",
    signal: true,
    after: semaphoreUntouched,
  },
  {
    call: "Semaphore.run(fn)",
    async: true,
    run: (fn) => sem.run(fn as Any),
    bad: [[42, TypeError, "fn", "42"], [
      undefined,
      TypeError,
      "fn",
      "undefined",
    ]],
    after: semaphoreUntouched,
  },
  {
    call: "Lock.acquire()",
    async: true,
    run: (o) => lock.acquire(o as Any),
    bad: [],
    options: "options",
    signal: true,
    after: lockUntouched,
  },
  {
    call: "Lock.run()",
    async: true,
    run: (o) => lock.run(noop, o as Any),
    bad: [],
    options: "options",
    signal: true,
    after: lockUntouched,
  },
  {
    call: "Event.wait()",
    async: true,
    run: (o) => {
      const event = new Event();
      event.set(); // an accepted call would not wait
      return event.wait(o as Any);
    },
    bad: [],
    options: "options",
    signal: true,
  },
  {
    call: "new Queue()",
    async: false,
    run: (o) => new Queue(o as Any),
    // 0 is a rendezvous: allowed.
    bad: [
      ...badCounts((n) => ({ maxsize: n }), "maxsize").slice(1),
      [{ maxsize: "2" }, TypeError, "maxsize", '"2"'],
    ],
    options: "options",
  },
  {
    call: "new PriorityQueue(compare)",
    async: false,
    run: (compare) => new PriorityQueue(compare as Any),
    bad: [
      [undefined, TypeError, "compare", "undefined"],
      [1, TypeError, "compare", "1"],
    ],
  },
  {
    call: "new PriorityQueue(compare, options)",
    async: false,
    run: (o) => new PriorityQueue(() => 0, o as Any),
    bad: [[{ maxsize: -1 }, RangeError, "maxsize", "-1"]],
    options: "options",
  },
  {
    call: "Queue.join()",
    async: true,
    // Nothing unfinished: an accepted call would not wait.
    run: (o) => new Queue().join(o as Any),
    bad: [],
    options: "options",
    signal: true,
  },
  {
    call: "Queue.close()",
    async: false,
    run: (o) => new Queue().close(o as Any),
    bad: [[{ immediate: "yes" }, TypeError, "immediate", '"yes"']],
    options: "options",
  },
  {
    call: "Queue.put()",
    async: true,
    run: (o) => new Queue().put(1, o as Any),
    bad: [],
    options: "options",
    signal: true,
  },
  {
    call: "Queue.get()",
    async: true,
    // One item in the queue: an accepted call would not wait.
    run: (o) => {
      const queue = new Queue();
      queue.tryPut(1);
      return queue.get(o as Any);
    },
    bad: [],
    options: "options",
    signal: true,
  },
  {
    call: "asCompleted()",
    async: false,
    run: (o) => asCompleted([], o as Any),
    bad: [],
    options: "options",
    signal: true,
  },
  {
    call: "asCompleted(promises)",
    async: false,
    run: (promises) => asCompleted(promises as Any),
    bad: [
      [42, TypeError, "promises", "42"],
      ["abc", TypeError, "promises", '"abc"'],
      [null, TypeError, "promises", "null"],
    ],
  },
  {
    call: "new TaskGroup()",
    async: false,
    run: (o) => new TaskGroup(o as Any),
    bad: [],
    options: "options",
    signal: true,
  },
  {
    call: "TaskGroup.run()",
    async: true,
    run: (o) => TaskGroup.run(body, o as Any),
    bad: [],
    options: "options",
    signal: true,
    after: () => assertEquals(bodyCalled, false, "the body was called"),
  },
  {
    call: "TaskGroup.run(body)",
    async: true,
    run: (fn) => TaskGroup.run(fn as Any),
    bad: [
      [42, TypeError, "body", "42"],
      [Promise.resolve(1), TypeError, "body", "a Promise"],
      [new Array(100_000), TypeError, "body", "an array of 100000 items"],
    ],
  },
  {
    call: "TaskGroup.spawn()",
    async: false,
    run: (o) => group.spawn(body, o as Any),
    bad: [[{ name: 42 }, TypeError, "name", "42"]],
    options: "options",
    after: () => {
      assertEquals([bodyCalled, group.tasks.length], [false, 0]);
    },
  },
  {
    call: "TaskGroup.spawn(fn)",
    async: false,
    run: (fn) => group.spawn(fn as Any),
    bad: [
      [42, TypeError, "fn", "42"],
      [{ then: 1 }, TypeError, "fn", "an object { then }"],
      [undefined, TypeError, "fn", "undefined"],
    ],
    after: () => assertEquals(group.tasks.length, 0),
  },
  {
    call: "new Executor()",
    async: false,
    run: (o) => new Executor(o as Any),
    bad: [
      ...badCounts((n) => ({ workers: n }), "workers"),
      [{ idleTimeout: -1 }, RangeError, "idleTimeout", "-1"],
      [{ idleTimeout: "1" }, TypeError, "idleTimeout", '"1"'],
    ],
    options: "options",
  },
  {
    call: "Executor.run()",
    async: true,
    run: (o) => executor.run(MODULE, "double", [1], o as Any),
    bad: [[{ transfer: 5 }, TypeError, "transfer", "5"]],
    options: "options",
    signal: true,
    after: async () => {
      const started = executor.workers;
      await executor.shutdown();
      executor = new Executor({ workers: 1 });
      assertEquals(started, 0, "a worker started");
    },
  },
  {
    call: "Executor.run(module, exportName, args)",
    async: true,
    run: (args) => (executor.run as Any)(...(args as unknown[])),
    bad: [
      [["./tasks.ts", "double"], TypeError, "module", '"./tasks.ts"'],
      [[MODULE, ""], TypeError, "exportName", '""'],
      [[MODULE, "double", 5], TypeError, "args", "5"],
    ].map(([args, kind, name, shown]) => [args, kind, name, shown] as Bad),
  },
  {
    call: "Executor.bind()",
    async: false,
    run: (o) => executor.bind(MODULE, o as Any),
    bad: [],
    options: "options",
    signal: true,
  },
  {
    call: "fetchWithRetry()",
    async: true,
    run: (o) => fetchWithRetry(URL_, o as Any),
    bad: BAD_RETRY,
    options: "init",
    signal: true,
  },
  {
    call: "fetchWithRetry(input)",
    async: true,
    run: (input) => fetchWithRetry(input as Any),
    bad: [
      ["not a url", TypeError, "input", '"not a url"'],
      ["/relative", TypeError, "input", '"/relative"'],
      [42, TypeError, "input", "42"],
    ],
  },
  {
    call: "fetchAll()",
    async: true,
    run: (o) => fetchAll([URL_], o as Any),
    bad: [
      ...BAD_RETRY,
      ...badCounts((n) => ({ concurrency: n }), "concurrency"),
      [{ concurrency: "2" }, TypeError, "concurrency", '"2"'],
      [{ parse: "json" }, TypeError, "parse", '"json"'],
      [{ onProgress: 1 }, TypeError, "onProgress", "1"],
    ],
    options: "options",
    signal: true,
  },
  {
    call: "fetchAll(inputs)",
    async: true,
    run: (inputs) => fetchAll(inputs as Any),
    bad: [
      [42, TypeError, "inputs", "42"],
      [null, TypeError, "inputs", "null"],
      [URL_, TypeError, "inputs", JSON.stringify(URL_)],
      [new String(URL_), TypeError, "inputs", "a String"],
      [{}, TypeError, "inputs", "an empty object"],
      [[URL_, "/relative"], TypeError, "inputs[1]", '"/relative"'],
    ],
  },
  {
    call: "new Timeline()",
    async: false,
    run: (o) => new Timeline(o as Any),
    bad: [
      [{ now: 5 }, TypeError, "now", "5"],
      [{ now: () => "5" }, TypeError, "now()", '"5"'],
      [{ now: () => NaN }, TypeError, "now()", "NaN"],
    ],
    options: "options",
  },
  {
    call: "Timeline.start(name)",
    async: false,
    run: (name) => timeline.start(name as Any),
    bad: [[42, TypeError, "name", "42"]],
    after: () => assertEquals(timeline.spans().length, 1),
  },
  {
    call: "Timeline.end(name, outcome)",
    async: false,
    run: (args) => (timeline.end as Any)(...(args as unknown[])),
    bad: [
      [[null], TypeError, "name", "null"],
      [["running", "bogus"], RangeError, "outcome", '"bogus"'],
      [["running", 1], TypeError, "outcome", "1"],
    ],
    after: () => assertEquals(timeline.span("running")?.outcome, "running"),
  },
  {
    call: "Timeline.span(name)",
    async: false,
    run: (name) => timeline.span(name as Any),
    bad: [[1, TypeError, "name", "1"]],
  },
  {
    call: "Timeline.track(name, task)",
    async: true,
    run: (args) => (timeline.track as Any)(...(args as unknown[])),
    bad: [
      [[42, noop], TypeError, "name", "42"],
      [["x", 42], TypeError, "task", "42"],
    ],
    after: () => assertEquals(timeline.spans().length, 1),
  },
  ...(["render", "toSVG"] as const).map((method): Entry => ({
    call: `Timeline.${method}()`,
    async: false,
    run: (o) => timeline[method](o as Any),
    bad: [
      ...[0, -1, NaN, Infinity].map((unit): Bad => [
        { unit },
        RangeError,
        "unit",
        String(unit),
      ]),
      [{ unit: "1000" }, TypeError, "unit", '"1000"'],
      [{ unitLabel: 5 }, TypeError, "unitLabel", "5"],
      [{ width: "80" }, TypeError, "width", '"80"'],
      ...(method === "render"
        ? [19, 0, 1001, 50.5, NaN, Infinity, 1e9]
        : [199, 4001, 500.5]).map((width): Bad => [
          { width },
          RangeError,
          "width",
          String(width),
        ]),
      ...(method === "render"
        ? [[{ color: "yes" }, TypeError, "color", '"yes"'] as Bad]
        : [[{ title: 7 }, TypeError, "title", "7"] as Bad]),
    ],
    options: "options",
  })),
];

/** What a call did with one bad value: threw, rejected, or accepted it. */
async function outcome(
  call: () => unknown,
): Promise<{ how: "threw" | "rejected" | "accepted"; error?: unknown }> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return { how: "threw", error };
  }
  if (result instanceof Promise) {
    try {
      result = await result;
    } catch (error) {
      return { how: "rejected", error };
    }
  }
  // Accepted: give back what was taken.
  if (result instanceof TaskGroup) await result.wait();
  (result as { release?: () => void } | undefined)?.release?.();
  return { how: "accepted" };
}

/** Whether `message` reads "Cannot … as 'name' must be …: current value is shown". */
function grammar(message: string, name: string, shown: string): boolean {
  const head = /^Cannot \S.* as '([^']+)' must be \S.*: current value is /;
  const match = head.exec(message);
  return match?.[1] === name && message.slice(match[0].length) === shown;
}

/** The bad values of an entry: its own, its options', its signal's. */
function casesOf(entry: Entry): Bad[] {
  const cases = [...entry.bad];
  if (entry.options !== undefined) {
    for (const [value, shown] of NOT_OPTIONS) {
      cases.push([value, TypeError, entry.options, shown]);
    }
  }
  if (entry.signal) {
    const signals = [...NOT_SIGNALS];
    signals.push(LOOK_ALIKE);
    for (const [signal, shown] of signals) {
      // fetch takes `signal: null` for "no signal", as fetch does.
      if (signal === null && entry.call.startsWith("fetch")) continue;
      cases.push([{ signal }, TypeError, "signal", shown]);
    }
  }
  return cases;
}

Deno.test("every entry point in lib/ refuses bad input alike: the right class, the parameter and the value named, a rejection for a promise", async (t) => {
  // A local server that must see no request: bad input stops a fetch first.
  let hits = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => (hits++, new Response("sent")),
  );
  try {
    for (const entry of entries(`http://127.0.0.1:${server.addr.port}/`)) {
      await t.step(entry.call, async () => {
        const wrong: string[] = [];
        for (const [value, kind, name, shown] of casesOf(entry)) {
          const got = await outcome(() => entry.run(value));
          await entry.after?.();
          const message = String((got.error as Error | undefined)?.message);
          const problems = [
            got.how !== (entry.async ? "rejected" : "threw") && got.how,
            !(got.error instanceof kind) && `not a ${kind.name}`,
            !grammar(message, name, shown) &&
            `does not read "Cannot … as '${name}' must be …: current value is ${shown}"`,
          ].filter(Boolean);
          if (problems.length > 0) {
            wrong.push(
              `${name} = ${shown}: ${problems.join(", ")} (${message})`,
            );
          }
        }
        assertEquals(wrong, [], entry.call);
      });
    }
    assertEquals(hits, 0, "a refused fetch sent a request");
  } finally {
    await executor.shutdown();
    await server.shutdown();
  }
});

Deno.test("an options object may be any object but an array: a class instance or a null-prototype object", async () => {
  class Options {
    signal = undefined;
  }
  for (const options of [undefined, {}, new Options(), Object.create(null)]) {
    const sem = new Semaphore(1);
    (await sem.acquire(options)).release();
    assertEquals(await sem.run(() => 7, options), 7);
    assertEquals(await new Lock().run(() => 8, options), 8);
    assertEquals(await TaskGroup.run(() => 9, options), 9);
    assertEquals(new Queue(options).maxsize, Infinity);
    assert(new Timeline(options).render({ width: 20 }) === "");
  }
});

/** A proxy revoked: whatever reads it, even `Array.isArray`, throws. */
function revoked(target: object = {}): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

Deno.test("a refused value is shown as a caller would write it, briefly, and its code is never called", () => {
  const hostile = {
    get aborted(): never {
      throw new Error("getter called");
    },
    toString(): never {
      throw new Error("toString called");
    },
  };
  const many = Object.fromEntries(
    Array.from({ length: 1000 }, (_, i) => [`key${i}`, i]),
  );
  const cases: [unknown, string][] = [
    ["2", '"2"'],
    ["", '""'],
    ["y".repeat(10_000), `"${"y".repeat(40)}…" (10000 characters)`],
    [NaN, "NaN"],
    [-0, "-0"],
    [0.5, "0.5"],
    [-Infinity, "-Infinity"],
    [2n, "2n"],
    [undefined, "undefined"],
    [Symbol("s"), "Symbol(s)"],
    [[1], "an array of 1 item"],
    [new Array(100_000), "an array of 100000 items"],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5 }, "an object { a, b, c, … 2 more }"],
    [Object.create(null), "an empty object"],
    [new Map(), "a Map"],
    [function named() {}, 'a function ("named")'],
    [() => {}, "an anonymous function"],
    [hostile, "an object { aborted, toString }"],
    [many, "an object { key0, key1, key2, … 997 more }"],
    [new Proxy({}, { getPrototypeOf: () => Array.prototype }), "an Array"],
    [revoked(), "an object"], // whose every trap throws
    [
      Object.defineProperty(() => {}, "name", { get: hostile.toString }),
      "an anonymous function",
    ],
    [new Proxy({}, { ownKeys: () => [1] as never }), "an object"],
    [revoked(() => {}), "a function"], // even its name's descriptor throws
    [
      new Proxy(() => {}, { getOwnPropertyDescriptor: hostile.toString }),
      "a function",
    ],
  ];
  const wrong = cases.flatMap(([value, shown]) => {
    try {
      new Semaphore(value as number);
    } catch (error) {
      const { message } = error as Error;
      return message.endsWith(`current value is ${shown}`) ? [] : [message];
    }
    return [`${shown} accepted`];
  });
  assertEquals(wrong, []);
});

Deno.test("fetch's retry, a count or an options object, names both forms when it is neither", async () => {
  for (const retry of ["3", null, [3]]) {
    await assertRejects(
      () => fetchWithRetry("http://127.0.0.1:9/", { retry } as Any),
      TypeError,
      "'retry' must be a number or an object",
    );
  }
});
