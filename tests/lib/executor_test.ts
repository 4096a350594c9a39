import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { delay } from "@std/async/delay";
import { lockManager } from "../../lib/_executor_protocol.ts";
import { Executor, transfer, WorkerError } from "../../lib/executor.ts";
import type { Burn } from "./fixtures/tasks.ts";
import { spy } from "./_abort_spy.ts";

const tasksUrl = new URL("./fixtures/tasks.ts", import.meta.url);
type Tasks = typeof import("./fixtures/tasks.ts");

/** The reason of a rejected result (fails if it was fulfilled). */
// deno-lint-ignore no-explicit-any
function reasonOf(result: PromiseSettledResult<unknown>): any {
  if (result.status !== "rejected") {
    throw new Error(`Expected a rejection, got ${String(result.value)}`);
  }
  return result.reason;
}

/** Rejects if `promise` has not settled after `ms` milliseconds. */
async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not settled after ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Replaces `Worker` so that what the executor posts to a worker is held back
 * until `release()`: until then no worker can be told of, or claim, any call,
 * so every worker is still starting however fast the machine is. Counts the
 * workers made.
 */
function holdMessages(): {
  readonly started: number;
  release(): void;
} & Disposable {
  const Original = globalThis.Worker;
  let holding = true;
  const held: (() => void)[] = [];
  const control = {
    started: 0,
    release() {
      holding = false;
      for (const post of held.splice(0)) post();
    },
    [Symbol.dispose]() {
      globalThis.Worker = Original;
    },
  };
  globalThis.Worker = class extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      control.started++;
    }
    // deno-lint-ignore no-explicit-any
    override postMessage(...args: [any, any?]): void {
      if (holding) held.push(() => super.postMessage(...args));
      else super.postMessage(...args);
    }
  };
  return control;
}

/** Waits for `condition` by polling: the executor has no event for it. */
async function until(condition: () => boolean, limit = 5000): Promise<void> {
  const end = performance.now() + limit;
  while (!condition()) {
    if (performance.now() > end) throw new Error("Condition not met in time");
    await delay(5);
  }
}

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
      `'idleTimeout' must be a number: current value is "5"`,
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
  // Each task blocks its worker 50 ms; two of them overlap on two workers.
  const start = performance.now();
  const ids = await Promise.all([
    executor.run(tasksUrl, "blockThenName", [50]),
    executor.run(tasksUrl, "blockThenName", [50]),
  ]);
  assertEquals(new Set(ids).size, 2);
  assertEquals(executor.workers, 2);
  assert(performance.now() - start >= 50);
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

Deno.test("Executor.run() survives a worker that dies, rejecting only its task", async (t) => {
  await using executor = new Executor({ workers: 1 });
  // Each fatal task shares its worker with a task queued behind it: that one
  // has not started when the worker dies, so it runs on the replacement.
  async function fatal(
    module: URL,
    name: string,
    args: unknown[],
    cause: string,
  ): Promise<void> {
    const [dead, next] = await Promise.allSettled([
      executor.run(module, name, args),
      executor.run(tasksUrl, "add", [20, 22]),
    ]);
    assertInstanceOf(reasonOf(dead), WorkerError);
    assertEquals(
      reasonOf(dead).message,
      `Worker died while running '${name}' of module '${module.href}': ${cause}`,
    );
    assertEquals(next, { status: "fulfilled", value: 42 });
    assertEquals(executor.workers, 1);
  }
  await t.step("Deno.exit() in task code", async () => {
    await fatal(tasksUrl, "exit", [3], "the task called Deno.exit(3)");
  });
  await t.step("self.close() in task code", async () => {
    await fatal(tasksUrl, "closeSelf", [], "the task called self.close()");
  });
  await t.step("an uncaught error while the task waits", async () => {
    await fatal(
      tasksUrl,
      "throwWhileWaiting",
      [2000],
      "an uncaught Error: late failure",
    );
  });
  await t.step("an unhandled rejection while the task waits", async () => {
    await fatal(
      tasksUrl,
      "rejectWhileWaiting",
      [2000],
      "an unhandled rejection: RangeError: nobody caught me",
    );
  });
  await t.step("a module that ends its worker while it loads", async () => {
    await fatal(
      new URL("./fixtures/exits_on_load.ts", import.meta.url),
      "never",
      [],
      "the task called Deno.exit(7)",
    );
  });
  await t.step("an uncaught error after the task returned", async () => {
    const first = await executor.run(tasksUrl, "workerName");
    // The task's own result arrives; the error kills the worker afterwards.
    assertEquals(await executor.run(tasksUrl, "throwLater"), "returned");
    await until(() => executor.workers === 0);
    const second = await executor.run(tasksUrl, "workerName");
    assert(first !== second, "the dead worker was replaced");
  });
});

Deno.test("Executor.run() with an aborted signal", async (t) => {
  await t.step("rejects at once if the signal is already aborted", async () => {
    await using executor = new Executor({ workers: 1 });
    const reason = new Error("too late");
    const error = await assertRejects(() =>
      executor.run(tasksUrl, "add", [1, 2], {
        signal: AbortSignal.abort(reason),
      })
    );
    assertEquals(error, reason);
    assertEquals(executor.workers, 0);
  });

  await t.step("removes a queued task", async () => {
    await using executor = new Executor({ workers: 1 });
    const controller = new AbortController();
    const blocking = executor.run(tasksUrl, "block", [50]);
    const queued = executor.run(tasksUrl, "add", [1, 2], {
      signal: controller.signal,
    });
    const after = executor.run(tasksUrl, "add", [3, 4]);
    await delay(0);
    assertEquals(executor.queued, 2);
    controller.abort(new Error("not needed"));
    assertEquals(executor.queued, 1);
    await assertRejects(() => queued, Error, "not needed");
    assertEquals(await blocking, "Finished blocking task");
    assertEquals(await after, 7);
  });

  await t.step(
    "rejects a running task at once and replaces its worker",
    async () => {
      await using executor = new Executor({ workers: 1 });
      const first = await executor.run(tasksUrl, "workerName");
      const controller = new AbortController();
      const running = executor.run(tasksUrl, "spin", [], {
        signal: controller.signal,
      });
      // The next task waits behind the spinning one; it must run untouched.
      const next = executor.run(tasksUrl, "workerName");
      await until(() => executor.running >= 1);
      // Give the worker time to get into the loop (the abort works as well
      // before it starts; this makes the test cover the harder case).
      await delay(20);
      let settled = false;
      running.catch(() => settled = true);
      controller.abort(new Error("stop spinning"));
      await Promise.resolve();
      assert(settled, "rejected in the same turn as the abort");
      await assertRejects(() => running, Error, "stop spinning");
      const replacement = await next;
      assert(replacement !== first, "the task ran on a new worker");
      assertEquals(executor.workers, 1);
    },
  );

  await t.step("ignores an abort after the task finished", async () => {
    await using executor = new Executor({ workers: 1 });
    const controller = new AbortController();
    const name = await executor.run(tasksUrl, "workerName", [], {
      signal: controller.signal,
    });
    controller.abort();
    assertEquals(await executor.run(tasksUrl, "workerName"), name);
  });
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
  await Promise.all([
    executor.run(tasksUrl, "block", [20]),
    executor.run(tasksUrl, "block", [20]),
  ]);
  // Two workers, or one that ran both calls while the other was still
  // starting (a loaded machine); either way someone is alive and idle now.
  assert(executor.workers >= 1);
  const idle = performance.now();
  await until(() => executor.workers === 0);
  assert(performance.now() - idle >= 40, "not before the timeout");
  // Nothing is left running: the sanitizers check it as this test ends
  // without shutdown(). A new task starts a new worker.
  assertEquals(await executor.run(tasksUrl, "add", [1, 2]), 3);
  await until(() => executor.workers === 0);
});

Deno.test("Executor.run() runs the function it names after a batch that could not be sent", async () => {
  await using executor = new Executor({ workers: 1 });
  // Measure the three functions (so they travel together in one batch), then
  // replace the worker so that the batch also names them for the first time.
  for (const name of ["nameA", "nameB", "nameC"]) {
    await executor.run(tasksUrl, name);
  }
  await assertRejects(() => executor.run(tasksUrl, "exit", [0]), WorkerError);
  // One batch: its first call cannot be cloned, so nothing of it is sent at
  // once; the calls are sent one by one and only the bad one fails.
  const batch = await Promise.allSettled([
    executor.run(tasksUrl, "nameB", [() => {}]),
    executor.run(tasksUrl, "nameC"),
    executor.run(tasksUrl, "nameB"),
  ]);
  assertEquals(reasonOf(batch[0]!).name, "DataCloneError");
  assertEquals(batch.slice(1), [
    { status: "fulfilled", value: "c" },
    { status: "fulfilled", value: "b" },
  ]);
  // The host's numbers for the functions still match the worker's.
  for (
    const [name, value] of [["nameA", "a"], ["nameB", "b"], ["nameC", "c"]]
  ) {
    assertEquals(await executor.run(tasksUrl, name!), value);
  }
  assertEquals(executor.workers, 1);
});

/** Whether two calls ran at the same time on different workers. */
function overlapping(runs: Burn[]): boolean {
  return runs.some((a) =>
    runs.some((b) =>
      a.worker !== b.worker && a.start < b.end && b.start < a.end
    )
  );
}

/**
 * Warms a function up on a fresh pool of two with one call of `warmUpMs`,
 * then runs four calls of 150 ms at once: they must end up on both workers,
 * two of them at the same time.
 */
async function assertFourHeavyCallsSpread(warmUpMs: number): Promise<void> {
  await using executor = new Executor({ workers: 2 });
  await executor.run(tasksUrl, "burn", [warmUpMs]);
  const runs = await Promise.all(
    Array.from(
      { length: 4 },
      () => executor.run<Burn>(tasksUrl, "burn", [150]),
    ),
  );
  assertEquals(new Set(runs.map((run) => run.worker)).size, 2);
  assert(overlapping(runs), "two calls ran at once");
}

Deno.test("Executor.run() spreads heavy calls over the workers after a warm-up", async () => {
  // The warm-up is the function's first call on a fresh worker: it is timed
  // like any other, so the four calls are known to be heavy.
  await assertFourHeavyCallsSpread(150);
});

Deno.test("Executor.run() takes back calls batched behind one that turned out long", async () => {
  // Warmed up with a trivial call, the function looks cheap: the four calls
  // go to one worker in one batch. Once the first has run for longer than a
  // batch should, the other three are taken back and spread.
  await assertFourHeavyCallsSpread(0);
});

Deno.test("Executor.run() starts another worker for calls queued behind one that never settles", async () => {
  await using executor = new Executor({ workers: 2 });
  const first = await executor.run<string>(tasksUrl, "workerName");
  const controller = new AbortController();
  const stuck = executor.run(tasksUrl, "never", [], {
    signal: controller.signal,
  });
  stuck.catch(() => {});
  try {
    const names = await within(
      Promise.all(
        Array.from(
          { length: 10 },
          () => executor.run<string>(tasksUrl, "workerName"),
        ),
      ),
      5000,
      "ten quick calls",
    );
    // None of them waited behind the call that never settles.
    assert(names.every((name) => name !== first), "ran beside the stuck call");
    assertEquals(executor.workers, 2);
  } finally {
    controller.abort(new Error("done"));
  }
  await assertRejects(() => stuck, Error, "done");
});

Deno.test("Executor.run() drops a call aborted while its worker starts, and keeps the worker", async () => {
  using workers = holdMessages();
  await using executor = new Executor({ workers: 1 });
  const controllers = Array.from({ length: 30 }, () => new AbortController());
  const calls = controllers.map((controller) =>
    executor.run(tasksUrl, "add", [1, 1], { signal: controller.signal })
  );
  await delay(0);
  // The first call went to the one worker, which is still starting (what
  // was posted to it is held back); the others wait in the queue.
  assertEquals(executor.running, 1);
  assertEquals(executor.queued, 29);
  assertEquals(workers.started, 1);
  controllers.forEach((controller, i) =>
    controller.abort(new Error(`abort ${i}`))
  );
  const results = await Promise.allSettled(calls);
  results.forEach((result, i) =>
    assertEquals(reasonOf(result).message, `abort ${i}`)
  );
  assertEquals(executor.running, 0);
  workers.release();
  const names = await Promise.all(
    Array.from(
      { length: 5 },
      () => executor.run<string>(tasksUrl, "workerName"),
    ),
  );
  assertEquals(new Set(names).size, 1);
  assertEquals(workers.started, 1, "the starting worker was kept");
});

Deno.test("Executor.run() keeps a starting worker when calls time out before it is up", async () => {
  await using executor = new Executor({ workers: 1 });
  // Each call has less time than a worker needs to start. Had each abort
  // killed the starting worker, every one would fail; the worker survives
  // them, and once it is up the calls succeed.
  const outcomes: string[] = [];
  for (let i = 0; i < 30; i++) {
    const [result] = await Promise.allSettled([
      executor.run(tasksUrl, "add", [i, 1], { signal: AbortSignal.timeout(5) }),
    ]);
    outcomes.push(result.status);
  }
  assert(outcomes.includes("fulfilled"), `every call timed out: ${outcomes}`);
  assertEquals(await executor.run(tasksUrl, "add", [1, 1]), 2);
  assertEquals(executor.workers, 1);
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

/** Resolves once the worker named `name` has ended: its lock is free. */
function ended(name: string): Promise<unknown> {
  return within(
    lockManager().request(name, () => {}),
    5000,
    `worker ${name} ending`,
  );
}

Deno.test("Executor.run(): a long loop that checks a flag stops when its call is aborted", async () => {
  // Worker.terminate() cannot stop a loop that never returns to the event
  // loop (Deno 2.9.6); a loop that checks a shared flag, which the caller
  // sets when the signal aborts, can stop, and then its worker ends.
  await using executor = new Executor({ workers: 1 });
  const name = await executor.run<string>(tasksUrl, "workerName");
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const controller = new AbortController();
  controller.signal.addEventListener("abort", () => Atomics.store(flag, 0, 1));
  const call = executor.run(tasksUrl, "loopUntilFlag", [flag], {
    signal: controller.signal,
  });
  await Atomics.waitAsync(flag, 1, 0).value;
  controller.abort(new Error("enough"));
  await assertRejects(() => call, Error, "enough");
  await ended(name);
  assertEquals(Atomics.load(flag, 1), 2, "the loop saw the flag");
  assertEquals(await executor.run(tasksUrl, "add", [1, 1]), 2);
});

Deno.test("Executor.run(): a loop that returns to the event loop stops when its call is aborted", async () => {
  await using executor = new Executor({ workers: 1 });
  const name = await executor.run<string>(tasksUrl, "workerName");
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const controller = new AbortController();
  const call = executor.run(tasksUrl, "yieldForever", [counter], {
    signal: controller.signal,
  });
  await Atomics.waitAsync(counter, 0, 0).value;
  controller.abort(new Error("enough"));
  await assertRejects(() => call, Error, "enough");
  await ended(name);
  const rounds = Atomics.load(counter, 0);
  assertEquals(await executor.run(tasksUrl, "add", [1, 1]), 2);
  assertEquals(Atomics.load(counter, 0), rounds, "the loop is gone");
});

Deno.test("Executor.run() adds one listener to a signal shared by 10^5 calls", async () => {
  await using executor = new Executor({ workers: 1 });
  const controller = new AbortController();
  const signal = controller.signal;
  const seen = spy(signal);
  const start = performance.now();
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 100_000; i++) {
    calls.push(executor.run(tasksUrl, "add", [i, 1], { signal }));
  }
  // Handled before they reject: Deno's bookkeeping of unhandled rejections
  // is itself quadratic.
  const settled = Promise.allSettled(calls);
  controller.abort(new Error("all of them"));
  const results = await settled;
  const elapsed = performance.now() - start;
  assertEquals(seen.listeners, 1);
  assert(results.every((result) => result.status === "rejected"));
  assertEquals(executor.queued, 0);
  assertEquals(executor.running, 0);
  // Linear: a few µs per call. Listener per call, or a queue search per
  // abort, is quadratic: minutes.
  assert(elapsed < 5_000, `10^5 calls took ${elapsed.toFixed(0)} ms`);
});
