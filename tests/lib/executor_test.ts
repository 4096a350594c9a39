import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { delay } from "@std/async/delay";
import { Executor, WorkerError } from "../../lib/executor.ts";

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

/** Waits for `condition` by polling: the executor has no event for it. */
async function until(condition: () => boolean, limit = 5000): Promise<void> {
  const end = performance.now() + limit;
  while (!condition()) {
    if (performance.now() > end) throw new Error("Condition not met in time");
    await delay(5);
  }
}

Deno.test("new Executor() rejects bad options", () => {
  assertThrows(
    () => new Executor({ workers: 0 }),
    RangeError,
    "Cannot create executor as 'workers' must be a positive integer: current value is 0",
  );
  assertThrows(
    () => new Executor({ workers: 1.5 }),
    RangeError,
    "current value is 1.5",
  );
  assertThrows(
    () => new Executor({ idleTimeout: -1 }),
    RangeError,
    "Cannot create executor as 'idleTimeout' must be a non-negative number: current value is -1",
  );
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

Deno.test("Executor.run() rejects bad arguments", async () => {
  await using executor = new Executor({ workers: 1 });
  await assertRejects(
    () => executor.run("./tasks.ts", "add"),
    TypeError,
    "Cannot run task as 'module' must be an absolute URL: current value is './tasks.ts'",
  );
  await assertRejects(
    () => executor.run(tasksUrl, ""),
    TypeError,
    "'exportName' must be a non-empty string",
  );
  await assertRejects(
    // deno-lint-ignore no-explicit-any
    () => executor.run(tasksUrl, "add", 1 as any),
    TypeError,
    "Cannot run task as 'args' must be an array: current value is 1",
  );
  assertEquals(executor.workers, 0);
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
  assertThrows(
    () => executor.bind("tasks.ts"),
    TypeError,
    "Cannot bind module as 'module' must be an absolute URL: current value is 'tasks.ts'",
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
  assertEquals(executor.workers, 2);
  const idle = performance.now();
  await until(() => executor.workers === 0);
  assert(performance.now() - idle >= 40, "not before the timeout");
  // Nothing is left running: the sanitizers check it as this test ends
  // without shutdown(). A new task starts a new worker.
  assertEquals(await executor.run(tasksUrl, "add", [1, 2]), 3);
  await until(() => executor.workers === 0);
});
