import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { Executor, transfer, WorkerError } from "../../lib/executor.ts";
import { reasonOf, tasksUrl, until, within } from "./_executor_helpers.ts";
import { aCallQueuedBehindTheOnlyWorkerRunsOnceThatWorkerEnds } from "../runtimes/executor.ts";

type Tasks = typeof import("./fixtures/tasks.ts");
type Met = import("./fixtures/tasks.ts").Met;

Deno.test("new Executor() rejects bad options, naming the value", async (t) => {
  const cases: [unknown, ErrorConstructor, string][] = [
    [null, TypeError, "'options' must be an object: current value is null"],
    [5, TypeError, "'options' must be an object: current value is 5"],
    [
      { workers: "2" },
      TypeError,
      `'workers' must be a number: current value is "2"`,
    ],
    [
      { workers: null },
      TypeError,
      "'workers' must be a number: current value is null",
    ],
    [
      { workers: 0 },
      RangeError,
      "'workers' must be a positive integer: current value is 0",
    ],
    [
      { workers: -1 },
      RangeError,
      "'workers' must be a positive integer: current value is -1",
    ],
    [
      { workers: 1.5 },
      RangeError,
      "'workers' must be a positive integer: current value is 1.5",
    ],
    [
      { workers: NaN },
      RangeError,
      "'workers' must be a positive integer: current value is NaN",
    ],
    [
      { workers: Infinity },
      RangeError,
      "'workers' must be a positive integer: current value is Infinity",
    ],
    [
      { workers: 2 ** 53 },
      RangeError,
      "'workers' must be at most Number.MAX_SAFE_INTEGER (9007199254740991): current value is 9007199254740992",
    ],
    [
      { idleTimeout: "5" },
      TypeError,
      `'idleTimeout' must be a non-negative number: current value is "5"`,
    ],
    [
      { idleTimeout: -1 },
      RangeError,
      "'idleTimeout' must be a non-negative number: current value is -1",
    ],
    [
      { idleTimeout: NaN },
      RangeError,
      "'idleTimeout' must be a non-negative number: current value is NaN",
    ],
  ];
  for (const [options, Class, message] of cases) {
    await t.step(message, () => {
      assertThrows(
        () => new Executor(options as never),
        Class,
        `Cannot create executor as ${message}`,
      );
    });
  }
  // The edges that are fine.
  assertEquals(new Executor({ workers: 3e9 }).maxWorkers, 3e9);
  new Executor({ idleTimeout: Infinity });
  new Executor({ idleTimeout: 3e9 });
  new Executor({ idleTimeout: 0 });
});

Deno.test("new Executor() starts no worker before the first task", async () => {
  await using executor = new Executor({ workers: 2 });
  assertEquals(executor.maxWorkers, 2);
  assertEquals(executor.workers, 0);
  assertEquals(await executor.run(tasksUrl, "add", [1, 2]), 3);
  assertEquals(executor.workers, 1);
});

Deno.test("An Executor's worker on Deno starts without reading globalThis.process, which loads Node's compatibility layer", async () => {
  const url = new URL("./fixtures/process_watch.ts", import.meta.url);
  const worker = new Worker(url, { type: "module" });
  try {
    const read = await new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => resolve(data);
      worker.onerror = (event) => reject(event.message);
    });
    assertEquals(read, 0);
  } finally {
    worker.terminate();
  }
});

Deno.test("new Executor() defaults to one worker per core", async () => {
  await using executor = new Executor();
  assertEquals(executor.maxWorkers, navigator.hardwareConcurrency);
});

Deno.test("Executor.run() resolves with what the function returns", async (t) => {
  await using executor = new Executor({ workers: 2 });
  await t.step("a synchronous function", async () => {
    assertEquals(await executor.run(tasksUrl, "add", [2, 3]), 5);
  });
  await t.step("an asynchronous function", async () => {
    assertEquals(await executor.run(tasksUrl, "later", ["x", 5]), "x");
  });
  await t.step("a module given as a string", async () => {
    assertEquals(await executor.run(tasksUrl.href, "add", [1, 1]), 2);
  });
  await t.step("many tasks at once, each with its own result", async () => {
    const results = await Promise.all(
      Array.from(
        { length: 2000 },
        (_, i) => executor.run(tasksUrl, "add", [i, 1]),
      ),
    );
    assertEquals(results, Array.from({ length: 2000 }, (_, i) => i + 1));
  });
});

Deno.test("Executor.run() starts tasks in FIFO order, one at a time per worker", async () => {
  await using executor = new Executor({ workers: 1 });
  const order: string[] = [];
  // The first task takes longest: with one worker the others still wait.
  await Promise.all([
    executor.run(tasksUrl, "later", ["a", 40]).then((v) =>
      order.push(v as string)
    ),
    executor.run(tasksUrl, "later", ["b", 1]).then((v) =>
      order.push(v as string)
    ),
    executor.run(tasksUrl, "later", ["c", 20]).then((v) =>
      order.push(v as string)
    ),
    executor.run(tasksUrl, "later", ["d", 1]).then((v) =>
      order.push(v as string)
    ),
  ]);
  assertEquals(order, ["a", "b", "c", "d"]);
});

Deno.test("Executor.run() spreads tasks over its workers", async () => {
  await using executor = new Executor({ workers: 2 });
  // Each call holds its worker until the other has started (10 s at most):
  // they meet only on two workers at once. (Two 50 ms blocks, compared by
  // name, ran on one worker under load: the first was done before the
  // second worker had started.)
  const count = new Int32Array(new SharedArrayBuffer(4));
  const both = await Promise.all(
    [1, 2].map(() => executor.run<Met>(tasksUrl, "meet", [count, 10_000])),
  );
  assertEquals(both.map(({ met }) => met), [true, true]);
  assertEquals(new Set(both.map(({ worker }) => worker)).size, 2);
  assertEquals(executor.workers, 2);
});

Deno.test("Executor.run() rejects bad arguments and options with a rejected promise, and keeps working", async (t) => {
  await using executor = new Executor({ workers: 1 });
  const signal = new AbortController().signal;
  const cases: [() => Promise<unknown>, ErrorConstructor, string][] = [
    [
      () => executor.run("./tasks.ts", "add"),
      TypeError,
      `'module' must be an absolute URL: current value is "./tasks.ts"`,
    ],
    [
      () => executor.run(42 as never, "add"),
      TypeError,
      "'module' must be an absolute URL: current value is 42",
    ],
    [
      () => executor.run(tasksUrl, ""),
      TypeError,
      `'exportName' must be a non-empty string: current value is ""`,
    ],
    [
      () => executor.run(tasksUrl, 5 as never),
      TypeError,
      "'exportName' must be a non-empty string: current value is 5",
    ],
    [
      () => executor.run(tasksUrl, "add", 1 as never),
      TypeError,
      "'args' must be an array: current value is 1",
    ],
    [
      () => executor.run(tasksUrl, "add", "12" as never),
      TypeError,
      `'args' must be an array: current value is "12"`,
    ],
    [
      () => executor.run(tasksUrl, "add", [], null as never),
      TypeError,
      "'options' must be an object: current value is null",
    ],
    [
      () => executor.run(tasksUrl, "add", [], 5 as never),
      TypeError,
      "'options' must be an object: current value is 5",
    ],
    [
      () => executor.run(tasksUrl, "add", [], { signal: {} as never }),
      TypeError,
      "'signal' must be an AbortSignal: current value is an empty object",
    ],
    [
      () => executor.run(tasksUrl, "add", [], { signal: 42 as never }),
      TypeError,
      "'signal' must be an AbortSignal: current value is 42",
    ],
    [
      () =>
        executor.run(tasksUrl, "add", [], {
          signal: new EventTarget() as never,
        }),
      TypeError,
      "'signal' must be an AbortSignal: current value is an EventTarget",
    ],
    [
      () =>
        executor.run(tasksUrl, "add", [], {
          signal: { aborted: true, reason: "x" } as never,
        }),
      TypeError,
      "'signal' must be an AbortSignal: current value is an object { aborted, reason }",
    ],
    [
      () =>
        executor.run(tasksUrl, "add", [], {
          signal: Object.create(AbortSignal.prototype),
        }),
      TypeError,
      "'signal' must be an AbortSignal: current value is an AbortSignal",
    ],
    [
      () => executor.run(tasksUrl, "add", [], { transfer: 5 as never }),
      TypeError,
      "'transfer' must be an array: current value is 5",
    ],
    [
      () => executor.run(tasksUrl, "add", [], { transfer: "ab" as never }),
      TypeError,
      `'transfer' must be an array: current value is "ab"`,
    ],
    [
      () =>
        executor.run(tasksUrl, "add", [], {
          transfer: [new ArrayBuffer(1), 5 as never],
        }),
      TypeError,
      "'transfer[1]' must be a transferable object: current value is 5",
    ],
  ];
  for (const [call, Class, message] of cases) {
    await t.step(message, async () => {
      let promise: Promise<unknown> | undefined;
      try {
        promise = call();
      } catch (error) {
        throw new Error("Threw instead of rejecting", { cause: error });
      }
      await within(
        assertRejects(() => promise!, Class, `Cannot run task as ${message}`),
        5000,
        "the rejection",
      );
    });
  }
  // Nothing was started, nothing was left listening.
  assertEquals(executor.workers, 0);
  assertEquals(executor.queued, 0);
  assertEquals(await executor.run(tasksUrl, "add", [1, 2], { signal }), 3);
  // An object that is not transferable is found out when the call is sent:
  // that call rejects, the next one runs.
  const [bad, good] = await Promise.allSettled([
    executor.run(tasksUrl, "length", [new ArrayBuffer(8)], {
      transfer: [{} as never],
    }),
    executor.run(tasksUrl, "add", [2, 2]),
  ]);
  assertEquals(reasonOf(bad).name, "DataCloneError");
  assertEquals(good, { status: "fulfilled", value: 4 });
});

Deno.test("Executor.run() passes on the task's error with its name, message and stack", async (t) => {
  await using executor = new Executor({ workers: 1 });
  await t.step("a built-in class keeps instanceof", async () => {
    const error = await assertRejects(
      () => executor.run(tasksUrl, "fail", ["type"]),
      TypeError,
      "not a number",
    );
    assertStringIncludes(error.stack!, "fixtures/tasks.ts");
  });
  await t.step("a custom class keeps its name and fields", async () => {
    const error = await assertRejects(
      () => executor.run(tasksUrl, "fail", ["custom"]),
      Error,
      "bad input",
    );
    assertEquals(error.name, "ValidationError");
    assertEquals((error as Error & { code: string }).code, "E_BAD");
    assertStringIncludes(error.stack!, "ValidationError: bad input");
    assertStringIncludes(error.stack!, "fixtures/tasks.ts");
  });
  await t.step(
    "a custom class that sets no name is named after its class",
    async () => {
      const error = await assertRejects(
        () => executor.run(tasksUrl, "fail", ["unnamed"]),
        Error,
        "no name set",
      );
      assertEquals(error.name, "Unnamed");
    },
  );
  await t.step("the cause comes along", async () => {
    const error = await assertRejects(
      () => executor.run(tasksUrl, "fail", ["plain"]),
      Error,
      "plain failure",
    );
    assertInstanceOf(error.cause, RangeError);
    assertEquals((error.cause as Error).message, "inner");
  });
  await t.step(
    "a thrown value that is not an Error arrives as is",
    async () => {
      const [result] = await Promise.allSettled([
        executor.run(tasksUrl, "throwString"),
      ]);
      assertEquals(result, { status: "rejected", reason: "just a string" });
    },
  );
  await t.step("the worker survives and runs the next task", async () => {
    assertEquals(await executor.run(tasksUrl, "add", [1, 1]), 2);
  });
});

Deno.test("Executor.run() rejects an unknown module or export by name", async (t) => {
  await using executor = new Executor({ workers: 1 });
  await t.step("a missing module", async () => {
    const missing = new URL("./fixtures/missing.ts", import.meta.url);
    const error = await assertRejects(
      () => executor.run(missing, "x"),
      TypeError,
      `Cannot load module '${missing.href}'`,
    );
    assertStringIncludes(error.message, "Module not found");
  });
  await t.step("a missing export", async () => {
    await assertRejects(
      () => executor.run(tasksUrl, "nope"),
      TypeError,
      `Cannot run 'nope' as module '${tasksUrl.href}' has no such export`,
    );
  });
  await t.step("an export that is not a function", async () => {
    await assertRejects(
      () => executor.run(tasksUrl, "notAFunction"),
      TypeError,
      `Cannot run 'notAFunction' of module '${tasksUrl.href}' as it is not a function: it is number`,
    );
  });
  await t.step("a module that throws while it loads", async () => {
    const broken = new URL("./fixtures/throws_on_load.ts", import.meta.url);
    const [bad, good] = await Promise.allSettled([
      executor.run(broken, "x"),
      executor.run(tasksUrl, "add", [1, 1]),
    ]);
    assertEquals(
      reasonOf(bad).message,
      `Cannot load module '${broken.href}': Error: broken module`,
    );
    assertEquals(reasonOf(bad).cause.message, "broken module");
    assertEquals(good, { status: "fulfilled", value: 2 });
  });
});

Deno.test("Executor.run() rejects arguments that cannot be cloned before sending anything", async () => {
  await using executor = new Executor({ workers: 1 });
  const results = await Promise.allSettled([
    executor.run(tasksUrl, "add", [1, 2]),
    executor.run(tasksUrl, "echo", [() => 1]),
    executor.run(tasksUrl, "echo", ["fine"]),
  ]);
  assertEquals(results[0], { status: "fulfilled", value: 3 });
  assertInstanceOf(reasonOf(results[1]), DOMException);
  assertEquals(reasonOf(results[1]).name, "DataCloneError");
  assertStringIncludes(
    reasonOf(results[1]).message,
    `Cannot run 'echo' of module '${tasksUrl.href}' as its arguments cannot be cloned`,
  );
  assertEquals(results[2], { status: "fulfilled", value: "fine" });
});

Deno.test("Executor.run(): a value thrown by a getter, among the arguments or in the result, that even instanceof cannot read fails that call alone", async () => {
  await using executor = new Executor({ workers: 1 });
  const name = await executor.run<string>(tasksUrl, "workerName");
  const revoked = (target = {}) => {
    const { proxy, revoke } = Proxy.revocable(target, {});
    revoke();
    return proxy;
  };
  const trap = new Proxy({}, {
    getPrototypeOf: () => {
      throw new Error("trap");
    },
  });
  for (const thrown of [revoked(), trap, revoked(() => {})]) {
    const bad = executor.run<never>(tasksUrl, "echo", [{
      get x(): never {
        throw thrown;
      },
    }]);
    const error = await within(bad.catch((e: Error) => e), 5000, "the call");
    assertEquals(error.name, "DataCloneError");
  }
  // A result so made: the worker could not say why it cannot be sent.
  const module = "data:text/javascript,export const result = () => { " +
    "const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); " +
    "return { get x() { throw proxy; } }; };";
  await assertRejects(() => executor.run(module, "result"), TypeError);
  // A module whose top level throws one cannot be loaded, and says so.
  const thrower = "data:text/javascript,const { proxy, revoke } = " +
    "Proxy.revocable({}, {}); revoke(); throw proxy;";
  await assertRejects(() => executor.run(thrower, "f"), Error, "Cannot load");
  // An error whose prototype can be read once only: thrown by the task.
  const once = "data:text/javascript,export const f = () => { let n = 0; " +
    "throw new Proxy(new Error('x'), { getPrototypeOf() { " +
    "if (n++) throw 0; return Error.prototype; } }); };";
  const error = await executor.run<never>(once, "f").catch((e: Error) => e);
  assertEquals([error instanceof WorkerError, error.message], [false, "x"]);
  assertEquals(await executor.run(tasksUrl, "workerName"), name, "it lived");
});

Deno.test("Executor.run() moves transferred objects both ways", async () => {
  await using executor = new Executor({ workers: 1 });
  const buffer = new ArrayBuffer(1024);
  const length = await executor.run(tasksUrl, "length", [buffer], {
    transfer: [buffer],
  });
  assertEquals(length, 1024);
  assertEquals(buffer.byteLength, 0);
  const bytes = await executor.run<Uint8Array>(tasksUrl, "bytes", [4096]);
  assertInstanceOf(bytes, Uint8Array);
  assertEquals(bytes.length, 4096);
  assertEquals(bytes[4095], 7);
});

Deno.test("Executor.bind() gives typed asynchronous functions", async () => {
  await using executor = new Executor({ workers: 1 });
  const tasks = executor.bind<Tasks>(tasksUrl);
  const sum: number = await tasks.add(40, 2);
  assertEquals(sum, 42);
  assertEquals(await tasks.later("ok", 1), "ok");
  // Awaiting the bound module itself does not call an export named "then".
  assertEquals((await Promise.resolve(tasks)) === tasks, true);
});

Deno.test("Executor.bind(): making the bound module a string or JSON runs no task", async () => {
  await using executor = new Executor({ workers: 1 });
  const tasks = executor.bind<Tasks>(tasksUrl);
  const object = "[object Object]";
  assertEquals([`${tasks}`, String(tasks), JSON.stringify(tasks)], [
    object,
    object,
    "{}",
  ]);
  assertEquals(tasks.valueOf(), tasks);
  // Nothing was asked of a worker (a task named "toString" would reject,
  // unhandled); the module's own functions still are.
  assertEquals([executor.queued, executor.workers], [0, 0]);
  assertEquals(await tasks.add(1, 2), 3);
});

Deno.test("Executor.bind() rejects a bad module or options, naming the value", async () => {
  await using executor = new Executor({ workers: 1 });
  assertThrows(
    () => executor.bind("tasks.ts"),
    TypeError,
    `Cannot bind module as 'module' must be an absolute URL: current value is "tasks.ts"`,
  );
  assertThrows(
    () => executor.bind(tasksUrl, null as never),
    TypeError,
    "Cannot bind module as 'options' must be an object: current value is null",
  );
  assertThrows(
    () => executor.bind(tasksUrl, { signal: { aborted: false } as never }),
    TypeError,
    "Cannot bind module as 'signal' must be an AbortSignal: current value is an object { aborted }",
  );
  assertEquals(executor.workers, 0);
});

Deno.test("transfer() rejects a transfer list that is not an array", () => {
  assertThrows(
    () => transfer(1, 5 as never),
    TypeError,
    "Cannot transfer result as 'transferList' must be an array: current value is 5",
  );
  assertThrows(
    () => transfer(1, "ab" as never),
    TypeError,
    `Cannot transfer result as 'transferList' must be an array: current value is "ab"`,
  );
});

Deno.test("Executor.shutdown() finishes queued and running tasks, then ends the workers", async () => {
  const executor = new Executor({ workers: 1 });
  const results = [
    executor.run(tasksUrl, "later", ["a", 20]),
    executor.run(tasksUrl, "later", ["b", 1]),
    executor.run(tasksUrl, "later", ["c", 1]),
  ];
  const done = executor.shutdown();
  await assertRejects(
    () => executor.run(tasksUrl, "add", [1, 2]),
    Error,
    "Cannot run 'add' as the executor has been shut down",
  );
  await done;
  assertEquals(await Promise.all(results), ["a", "b", "c"]);
  assertEquals(executor.workers, 0);
  assertEquals(executor.running, 0);
});

Deno.test("Executor[Symbol.asyncDispose]() shuts down", async () => {
  let executor: Executor;
  {
    await using e = new Executor({ workers: 1 });
    executor = e;
    assertEquals(await e.run(tasksUrl, "add", [1, 2]), 3);
  }
  assertEquals(executor.workers, 0);
  await assertRejects(() => executor.run(tasksUrl, "add", [1, 2]));
});

Deno.test("Executor ends idle workers after idleTimeout", async () => {
  const executor = new Executor({ workers: 2, idleTimeout: 50 });
  const both = () =>
    Promise.all([
      executor.run(tasksUrl, "block", [20]),
      executor.run(tasksUrl, "block", [20]),
    ]);
  await both(); // the workers start
  // A worker's idle timer starts when its last answer comes, after `sent`
  // (a time read after the answers could be late: the thread may be held).
  const sent = performance.now();
  await both();
  // Two workers, or one that ran both calls while the other was still
  // starting (a loaded machine); either way someone is alive and idle now.
  assert(executor.workers >= 1);
  await until(() => executor.workers === 0);
  assert(performance.now() - sent >= 50, "not before the timeout");
  // Nothing is left running: the sanitizers check it as this test ends
  // without shutdown(). A new task starts a new worker.
  assertEquals(await executor.run(tasksUrl, "add", [1, 2]), 3);
  await until(() => executor.workers === 0);
});

Deno.test("Executor.shutdown() waits for a call sent after one whose arguments could not be", async () => {
  const executor = new Executor({ workers: 1 });
  // One batch: the first call cannot be cloned, so both are sent one by
  // one, and for a moment neither is queued nor running.
  const bad = executor.run(tasksUrl, "echo", [() => {}]);
  const good = executor.run(tasksUrl, "later", ["done", 20]);
  const done = executor.shutdown();
  await assertRejects(() => bad);
  assertEquals(await within(good, 5000, "the good call"), "done");
  await within(done, 5000, "shutdown");
  assertEquals(executor.workers, 0);
});

Deno.test("Executor.shutdown() called twice returns one wait that settles", async () => {
  const executor = new Executor({ workers: 1 });
  const result = executor.run(tasksUrl, "later", ["a", 20]);
  const first = executor.shutdown();
  const second = executor.shutdown();
  assert(first === second, "the same promise");
  await within(Promise.all([first, second]), 5000, "shutdown");
  assertEquals(await result, "a");
  // And as `await using` does after an explicit shutdown().
  {
    await using disposed = new Executor({ workers: 1 });
    const late = disposed.run(tasksUrl, "later", ["b", 20]);
    const wait = disposed.shutdown();
    assertEquals(await late, "b");
    await within(wait, 5000, "explicit shutdown");
  }
});

Deno.test("Executor.run() passes on thrown values that resist serialising", async (t) => {
  await using executor = new Executor({ workers: 1 });
  const worker = await executor.run<string>(tasksUrl, "workerName");
  await t.step("an error whose cause points back at it", async () => {
    const error = await assertRejects(
      () => executor.run(tasksUrl, "throwCyclic"),
      Error,
      "outer",
    );
    assertInstanceOf(error.cause, RangeError);
    assertEquals((error.cause as Error).message, "inner");
    assert((error.cause as Error).cause === error, "the cycle is kept");
  });
  await t.step("an object whose toString throws", async () => {
    const [result] = await Promise.allSettled([
      executor.run(tasksUrl, "throwUnprintable"),
    ]);
    assertEquals(reasonOf(result), { message: "unprintable" });
  });
  await t.step("an error with a getter that throws", async () => {
    const error = await assertRejects(
      () => executor.run(tasksUrl, "throwWithGetters"),
      TypeError,
      "has getters",
    );
    assertEquals(error.name, "TypeError", "named after its class");
    assertEquals((error as TypeError & { code: string }).code, "E_GET");
    assertEquals((error as TypeError & { details: unknown }).details, {
      retry: false,
    });
    assert(
      !("explosive" in error),
      "the field that cannot be read is left out",
    );
  });
  await t.step("a plain object arrives as that object", async () => {
    const [result] = await Promise.allSettled([
      executor.run(tasksUrl, "throwObject"),
    ]);
    assertEquals(reasonOf(result), {
      message: "plain object",
      details: { code: 42, tags: ["a", "b"] },
    });
  });
  await t.step("a plain object keeps its cloneable fields", async () => {
    const [result] = await Promise.allSettled([
      executor.run(tasksUrl, "throwObjectWithFunction"),
    ]);
    assertEquals(reasonOf(result), {
      message: "with a callback",
      details: { code: 7 },
    });
  });
  await t.step(
    "an AggregateError arrives as one, with its errors",
    async () => {
      const error = await assertRejects(
        () => executor.run(tasksUrl, "throwAggregate"),
        AggregateError,
      );
      assertInstanceOf(error.errors[0], Error);
      assertEquals([error.errors[0].message, error.errors[1]], ["a", "b"]);
      // A class of the task's own that is named so has no `errors`: not one.
      const named = await assertRejects(
        () => executor.run(tasksUrl, "throwNamedAggregate"),
        Error,
        "not one",
      );
      assertEquals([named.name, named instanceof AggregateError], [
        "AggregateError",
        false,
      ]);
    },
  );
  await t.step("a revoked proxy arrives as an empty object", async () => {
    const [result] = await Promise.allSettled([
      executor.run(tasksUrl, "throwRevoked"),
    ]);
    assertEquals(reasonOf(result), {});
  });
  await t.step("an error whose message cannot be made a string", async () => {
    const error = await assertRejects(
      () => executor.run(tasksUrl, "throwUnprintableMessage"),
      RangeError,
    );
    assertEquals(error.message, "");
  });
  await t.step("the worker survived all of them", async () => {
    assertEquals(await executor.run(tasksUrl, "workerName"), worker);
  });
});

Deno.test("Executor.run() rejects a result that cannot be moved back with a TypeError, and the worker goes on", async () => {
  await using executor = new Executor({ workers: 1 });
  const worker = await executor.run<string>(tasksUrl, "workerName");
  const [bad, next] = await Promise.allSettled([
    executor.run(tasksUrl, "badTransfer"),
    executor.run(tasksUrl, "workerName"),
  ]);
  assertInstanceOf(reasonOf(bad), TypeError);
  assertStringIncludes(
    reasonOf(bad).message,
    "Cannot send the task's result back as its transfer list cannot be moved",
  );
  assertEquals(next, { status: "fulfilled", value: worker });
});

Deno.test("Executor keeps idle workers for an idleTimeout past 2^31 ms", async () => {
  // Timers fire in deadline order: once a worker with a 30 ms idle timeout
  // has ended, a 3e9 ms one must still be alive (setTimeout would have
  // fired it after ~1 ms).
  await using long = new Executor({ workers: 1, idleTimeout: 3e9 });
  const short = new Executor({ workers: 1, idleTimeout: 30 });
  await long.run(tasksUrl, "add", [1, 1]);
  await short.run(tasksUrl, "add", [1, 1]);
  await until(() => short.workers === 0);
  assertEquals(long.workers, 1);
});

Deno.test("Executor.run(): a call that a getter of its arguments aborts as they are sent rejects with its reason and never runs; the calls beside and after it run", async (t) => {
  // The getter runs inside postMessage, while the call is on its way to a
  // worker: neither in the queue nor sent. On 2 workers, the first two
  // calls go to one worker in one message, the third waits in the queue.
  const run = async (neighbour: unknown[]) => {
    await using executor = new Executor({ workers: 2 });
    const count = new Int32Array(new SharedArrayBuffer(4));
    const controller = new AbortController();
    const reason = new Error("aborted as it was sent");
    const trap = {
      get trap() {
        return controller.abort(reason);
      },
    };
    const calls = [
      executor.run(tasksUrl, "meet", [count, 0, trap], {
        signal: controller.signal,
      }),
      executor.run(tasksUrl, "echo", neighbour),
      executor.run(tasksUrl, "add", [3, 4]),
    ];
    const results = await within(Promise.allSettled(calls), 5000, "the calls");
    assertEquals(reasonOf(results[0]!), reason);
    assertEquals(count[0], 0, "the aborted call never ran");
    assertEquals(results[2], { status: "fulfilled", value: 7 });
    assertEquals([executor.queued, executor.running], [0, 0]);
    await within(executor.shutdown(), 5000, "shutdown");
    return results[1]!;
  };
  await t.step("its message is sent", async () => {
    assertEquals(await run(["beside"]), {
      status: "fulfilled",
      value: "beside",
    });
  });
  await t.step(
    "its message cannot be sent: the calls go one by one",
    async () => {
      assertEquals(reasonOf(await run([() => 1])).name, "DataCloneError");
    },
  );
});

// The portable suite's case, here too: `deno task test` guards it as well.
Deno.test(
  "Executor: a call queued behind its only worker runs when that worker dies or its call is aborted",
  aCallQueuedBehindTheOnlyWorkerRunsOnceThatWorkerEnds,
);
