import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { delay } from "@std/async/delay";
import process from "node:process";
import { Executor, WorkerError } from "../../lib/executor.ts";
import type { Met } from "./fixtures/tasks.ts";
import { spy } from "./_abort_spy.ts";
import { collected } from "./_helpers.ts";
import {
  bounded,
  ended,
  holdMessages,
  reasonOf,
  tasksUrl,
  until,
  within,
} from "./_executor_helpers.ts";

Deno.test("Executor.run() survives a worker that dies, rejecting only its task", async (t) => {
  const executor = new Executor({ workers: 1 });
  // A fatal call run again would kill worker after worker, for ever.
  await using _ = bounded(executor);
  // Each fatal task shares its worker with a task queued behind it: that one
  // has not started when the worker dies, so it runs on the replacement.
  async function fatal(
    module: URL,
    name: string,
    args: unknown[],
    cause: string,
  ): Promise<void> {
    const [dead, next] = await within(
      Promise.allSettled([
        executor.run(module, name, args),
        executor.run(tasksUrl, "add", [20, 22]),
      ]),
      5000,
      "the fatal call and the one behind it",
    );
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
    // Its own executor: the one above may be stuck in a failure of its own.
    await using executor = new Executor({ workers: 1 });
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
    await delay(0);
    // The one worker has a call: the next ones wait in the queue.
    assertEquals(executor.running, 1);
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
      const executor = new Executor({ workers: 1 });
      // A call left behind the spinning one would hold its shutdown for ever.
      await using _ = bounded(executor);
      const first = await executor.run(tasksUrl, "workerName");
      const controller = new AbortController();
      const started = new Int32Array(new SharedArrayBuffer(4));
      const running = executor.run(tasksUrl, "spin", [started], {
        signal: controller.signal,
      });
      // The next task waits behind the spinning one; it must run untouched.
      const next = executor.run(tasksUrl, "workerName");
      // Aborted once it runs (before, its worker would be left alone and
      // `next` run there: the case of the step before). A fixed pause was
      // not always enough under load.
      const { async, value } = Atomics.waitAsync(started, 0, 0);
      if (async) await value;
      let settled = false;
      running.catch(() => settled = true);
      controller.abort(new Error("stop spinning"));
      await Promise.resolve();
      assert(settled, "rejected in the same turn as the abort");
      await assertRejects(() => running, Error, "stop spinning");
      const replacement = await within(next, 5000, "the call behind it");
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

Deno.test("Executor.run() spreads heavy calls over the workers after a warm-up", async () => {
  // One worker is up and warm: four heavy calls still run on both workers,
  // two at a time. Each waits (10 s at most) for another to run beside it:
  // on one worker, the first waits its 10 s out alone.
  await using executor = new Executor({ workers: 2 });
  await executor.run(tasksUrl, "workerName");
  const count = new Int32Array(new SharedArrayBuffer(4));
  const runs = await Promise.all(
    Array.from(
      { length: 4 },
      () => executor.run<Met>(tasksUrl, "meet", [count, 10_000]),
    ),
  );
  assertEquals(new Set(runs.map((run) => run.worker)).size, 2);
  assert(runs.every((run) => run.met), "two calls ran at once");
});

Deno.test("Executor.run() takes back calls waiting behind a long one for a worker that is free", async () => {
  await using executor = new Executor({ workers: 2 });
  await Promise.all([
    executor.run(tasksUrl, "workerName"),
    executor.run(tasksUrl, "workerName"),
  ]);
  // Ten calls at once: each worker takes five, so four quick calls wait on
  // the worker that runs the long one, while the other worker is done in a
  // moment and free. The long one runs until the quick ones are done (a
  // 400 ms call could end first on a loaded machine).
  const order: string[] = [];
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const long = executor.run(tasksUrl, "loopUntilFlag", [flag]).then(() =>
    order.push("long")
  );
  const quick = Array.from(
    { length: 9 },
    () =>
      executor.run<string>(tasksUrl, "workerName").then((name) => {
        order.push("quick");
        return name;
      }),
  );
  // Without take-back the quick calls would wait for ever: end it in 5 s.
  const release = () => Atomics.store(flag, 0, 1);
  const bound = setTimeout(release, 5000);
  await Promise.all(quick);
  clearTimeout(bound);
  release();
  await long;
  // Which worker ran what is not asserted: on a loaded machine a worker
  // that has yet to start the long call can have it taken back too, and
  // the quick calls then run where it was.
  assertEquals(order.indexOf("long"), 9, "every quick call ended first");
});

Deno.test("Executor.run() starts another worker for calls queued behind one that never settles", async () => {
  const executor = new Executor({ workers: 2 });
  await using _ = bounded(executor); // a broken take-back: shutdown waits
  await executor.run<string>(tasksUrl, "workerName");
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
    // They all ended: none waited behind the call that never settles (which
    // worker ran them is not asserted: on a loaded machine the stuck call
    // itself can be taken back before it starts, and run on the other).
    assertEquals(names.length, 10);
    assertEquals(executor.workers, 2);
  } finally {
    controller.abort(new Error("done"));
  }
  await assertRejects(() => stuck, Error, "done");
});

Deno.test("Executor.run() drops calls aborted while their worker starts, and keeps the worker", async () => {
  using workers = holdMessages();
  await using executor = new Executor({ workers: 1 });
  const controllers = Array.from({ length: 30 }, () => new AbortController());
  const calls = controllers.map((controller) =>
    executor.run(tasksUrl, "add", [1, 1], { signal: controller.signal })
  );
  await delay(0);
  // The calls went to the one worker, which is still starting (what was
  // posted to it is held back).
  assertEquals(executor.running, 30);
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

Deno.test("Executor.run() keeps a starting worker through calls that time out, one after another, before it is up", async () => {
  // Held messages keep the worker starting however fast the machine is (a
  // real 5 ms timeout was not: under load every call timed out).
  using workers = holdMessages();
  await using executor = new Executor({ workers: 1 });
  try {
    for (let i = 0; i < 5; i++) {
      const controller = new AbortController();
      const call = executor.run(tasksUrl, "add", [i, 1], {
        signal: controller.signal,
      });
      await delay(0);
      assertEquals(executor.running + executor.queued, 1, "waits its worker");
      controller.abort(new Error(`timed out ${i}`));
      await assertRejects(() => call, Error, `timed out ${i}`);
    }
  } finally {
    // Else a failure above leaves the executor's shutdown waiting for ever.
    workers.release();
  }
  assertEquals(await executor.run(tasksUrl, "add", [1, 1]), 2);
  assertEquals(workers.started, 1, "the starting worker was kept");
});

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
  // This thread's CPU time: what other processes take does not count.
  const cpu = () => {
    const { user, system } = process.threadCpuUsage();
    return (user + system) / 1000;
  };
  const start = cpu();
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 100_000; i++) {
    calls.push(executor.run(tasksUrl, "add", [i, 1], { signal }));
  }
  // Handled before they reject: Deno's bookkeeping of unhandled rejections
  // is itself quadratic.
  const settled = Promise.allSettled(calls);
  const queued = cpu();
  controller.abort(new Error("all of them"));
  const results = await settled;
  const [queueing, aborting] = [queued - start, cpu() - queued];
  assertEquals(seen.listeners, 1);
  assert(results.every((result) => result.status === "rejected"));
  assertEquals(executor.queued, 0);
  assertEquals(executor.running, 0);
  // Linear: the abort settles each call at a constant cost, less than that
  // of queueing it (0.25-0.33 times the CPU time, 0.27-0.56 under four busy
  // loops). A listener per call, or a queue search per abort, is quadratic:
  // 3 to 100 times as long as the queueing at 10^5 calls. On wall-clock
  // time a loaded machine could stop one phase and not the other (seen:
  // 1.2 s and 3.0 s at a load of 22).
  assert(
    aborting < 2 * queueing,
    `10^5 calls queued in ${queueing.toFixed(0)} ms, aborted in ${
      aborting.toFixed(0)
    } ms`,
  );
});

Deno.test("new Executor() says why it cannot work without shared memory, as on a page that is not cross-origin isolated", () => {
  const { SharedArrayBuffer } = globalThis;
  // deno-lint-ignore no-explicit-any
  delete (globalThis as any).SharedArrayBuffer;
  try {
    assertThrows(() => new Executor(), Error, "cross-origin isolated");
  } finally {
    globalThis.SharedArrayBuffer = SharedArrayBuffer;
  }
});

Deno.test("Executor: aborting a running call ends its worker, and a call that worker finished before it still resolves", async () => {
  const executor = new Executor({ workers: 1 });
  await using _ = bounded(executor);
  await executor.run(tasksUrl, "add", [1, 1]); // the worker is up
  // Two calls in one message: the worker answers the first, then runs the
  // second without end, until its caller aborts it.
  const controller = new AbortController();
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const first = executor.run(tasksUrl, "add", [2, 3]);
  const long = executor.run(tasksUrl, "loopUntilFlag", [flag], {
    signal: controller.signal,
  });
  try {
    // The long call has started (it sets flag[1] first thing).
    const { value } = Atomics.waitAsync(flag, 1, 0);
    await within(Promise.resolve(value), 5000, "the long call");
    controller.abort(new Error("enough"));
    await assertRejects(() => long, Error, "enough");
    assertEquals(await within(first, 5000, "the call answered before"), 5);
  } finally {
    Atomics.store(flag, 0, 1); // a loop terminate() cannot stop, on Deno
  }
  assertEquals(executor.running, 0);
});

Deno.test("Executor.run() rejects when a worker cannot start, and this thread goes on", async (t) => {
  const { Worker } = globalThis;
  const refusal = new DOMException("cannot be accessed", "SecurityError");
  const script = "data:text/javascript,throw new Error('no worker here')";
  const cases: [string, typeof Worker, string][] = [[
    "the runtime refuses it, as a page does a worker script from another origin",
    class {
      constructor() {
        throw refusal;
      }
    } as unknown as typeof Worker,
    "SecurityError: cannot be accessed",
  ], [
    // Deno prints the worker's error as it dies; without the port's
    // preventDefault() it would also end this thread.
    "its own script throws as it loads",
    class extends Worker {
      constructor(_url: string | URL, options?: WorkerOptions) {
        super(script, options);
      }
    },
    "no worker here",
  ], [
    // Node's getBuiltinModule() answers undefined for a module it lacks.
    "the runtime has neither a Worker nor node:worker_threads",
    undefined as unknown as typeof Worker,
    "TypeError",
  ]];
  const node = globalThis.process as { getBuiltinModule(id: string): unknown };
  const { getBuiltinModule } = node;
  for (const [what, Replacement, cause] of cases) {
    await t.step(what, async () => {
      [globalThis.Worker, node.getBuiltinModule] = [Replacement, () => {}];
      try {
        await using executor = new Executor({ workers: 1 });
        const call = executor.run<never>(tasksUrl, "add", [1, 2])
          .catch((e: Error) => e);
        const error = await within(call, 5000, "the call");
        assertInstanceOf(error, WorkerError);
        assert(error.message.startsWith("Worker failed to start for 'add'"));
        assert(error.message.includes(cause), error.message);
        assertEquals(executor.workers, 0);
      } finally {
        [globalThis.Worker, node.getBuiltinModule] = [Worker, getBuiltinModule];
      }
    });
  }
});

Deno.test("Executor: a task module's own message handler never hears the executor's messages, and a task's own messages are refused", async () => {
  // A module written for a plain Worker: its handler answers every message.
  // Were it to hear the executor's, its post would throw there, killing the
  // worker (and the call it ran) at every message.
  const source = `self.onmessage = (event) => self.postMessage(event.data);
    export const later = (value) => new Promise((ok) => setTimeout(ok, 1, value));
    export const name = () => self.name;
    export const post = (message) => { self.postMessage(message); return "sent"; };`;
  const url = `data:text/javascript,${encodeURIComponent(source)}`;
  await using executor = new Executor({ workers: 1 });
  const worker = await executor.run(url, "name"); // loaded: its handler is set
  assertEquals(await within(executor.run(url, "later", ["a"]), 5000, "a"), "a");
  assertEquals(await executor.run(url, "name"), worker, "the same worker");
  // A message of the task's own is refused: none reaches the host, where a
  // null would throw and a forged answer would settle the wrong call.
  const forged = { type: "results", values: [666], failed: [] };
  for (const message of [null, "progress", forged]) {
    const [posted, next] = await Promise.allSettled([
      executor.run(url, "post", [message]),
      executor.run(url, "name"),
    ]);
    assertInstanceOf(reasonOf(posted), TypeError);
    assertEquals(next, { status: "fulfilled", value: worker });
  }
  // So is one its top level posts: the module does not load, once.
  const loud =
    "data:text/javascript,self.postMessage(1); export const f = () => 1;";
  for (let i = 0; i < 2; i++) {
    await assertRejects(() => executor.run(loud, "f"), TypeError);
  }
  assertEquals(await executor.run(url, "name"), worker, "still the same");
});

Deno.test("Executor keeps nothing of what a call aborted before it ran was given", async (t) => {
  for (const where of ["queued", "sent behind a long call"]) {
    await t.step(where, async () => {
      await using executor = new Executor({ workers: 1 });
      const stop = new AbortController();
      const long = executor.run(tasksUrl, "never", [], { signal: stop.signal });
      try {
        // Queued: the worker holds a call; sent: both go out in one message.
        if (where === "queued") await until(() => executor.running === 1);
        let argument: object | undefined = { bytes: new Uint8Array(1 << 20) };
        let dropped: Promise<unknown> | undefined;
        const drop = new AbortController();
        dropped = executor.run(tasksUrl, "echo", [argument], {
          signal: drop.signal,
        });
        const refs = [new WeakRef(argument), new WeakRef(dropped)];
        argument = undefined;
        drop.abort();
        await assertRejects(() => dropped!);
        dropped = undefined;
        assert(await collected(refs[0]!), "its argument is still reachable");
        // A queue of nothing but aborted calls is let go (a sent call stays
        // listed until its worker answers).
        if (where === "queued") assert(await collected(refs[1]!), "the call");
      } finally {
        stop.abort();
        await assertRejects(() => long);
      }
    });
  }
});

Deno.test("Executor.run(): a task's promise that calls back twice or throws from a getter settles only its own call", async () => {
  const source = `export const echo = (value) => value;
    export const later = (value) => new Promise((r) => setTimeout(r, 20, value));
    export function twice() {
      const promise = Promise.resolve("one");
      promise.then = (ok) => (ok("first"), ok("second"));
      return promise;
    }
    export function badConstructor() {
      const promise = Promise.resolve("one");
      const get = () => { throw new RangeError("no constructor"); };
      return Object.defineProperty(promise, "constructor", { get });
    }`;
  const url = `data:text/javascript,${encodeURIComponent(source)}`;
  await using executor = new Executor({ workers: 1 });
  await executor.run(url, "echo", [0]); // loaded: each export is called as is
  const results = await Promise.allSettled([
    executor.run(url, "twice"),
    executor.run(url, "later", ["mine"]),
    executor.run(url, "badConstructor"),
    executor.run(url, "echo", ["last"]),
  ]);
  assertEquals(results[0], { status: "fulfilled", value: "first" });
  assertEquals(results[1], { status: "fulfilled", value: "mine" });
  // What the getter threw: the worker did not die of it.
  assertInstanceOf(reasonOf(results[2]!), RangeError);
  assertEquals(results[3], { status: "fulfilled", value: "last" });
});

Deno.test("Executor.shutdown() leaves no Web Lock request behind, even for a worker that ends the moment it is told to", async () => {
  // A worker holds a Web Lock for life, which the executor asks for to learn
  // of its death. A worker that ended between terminate() and the executor's
  // giving up on its lock had it granted after shutdown() resolved: a leaked
  // op_lock_manager_await_steal, seen once at a load of 17. Here terminate()
  // returns only once a watcher thread sees the worker let go of its lock
  // and nobody ask for it (Web Locks have no event for that: it polls).
  const watch = `self.onmessage = async ({ data: [name, done] }) => {
    const named = (lock) => lock.name === name;
    const holder = (await navigator.locks.query()).held.find(named)?.clientId;
    for (;;) {
      const { held, pending } = await navigator.locks.query();
      const kept = held.some((lock) => named(lock) && lock.clientId === holder);
      if (!kept && !pending.some(named)) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
  };`;
  const watcher = new Worker(
    `data:text/javascript,${encodeURIComponent(watch)}`,
    { type: "module" },
  );
  const names: string[] = [];
  const watched: number[] = [];
  const Original = globalThis.Worker;
  globalThis.Worker = class extends Original {
    #name: string;
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      names.push(this.#name = options?.name ?? "");
    }
    override terminate(): void {
      super.terminate();
      const done = new Int32Array(new SharedArrayBuffer(4));
      watcher.postMessage([this.#name, done]);
      Atomics.wait(done, 0, 0, 10_000);
      watched.push(Atomics.load(done, 0));
    }
  };
  try {
    const executor = new Executor({ workers: 1 });
    await executor.run(tasksUrl, "add", [1, 1]);
    await executor.shutdown();
    const locks = (navigator as unknown as {
      locks: { query(): Promise<Record<string, { name: string }[]>> };
    }).locks;
    const { held = [], pending = [] } = await locks.query();
    const left = [...held, ...pending].filter((l) => names.includes(l.name));
    assertEquals(watched, [1], "the worker let go of its lock");
    assertEquals(left, [], "the executor's lock requests are gone");
  } finally {
    globalThis.Worker = Original;
    watcher.terminate();
  }
});

Deno.test("Executor: a worker that exits keeps the answers of the calls it finished before, in the same message", async () => {
  const executor = new Executor({ workers: 1 });
  await using _ = bounded(executor); // a fatal call run again: deaths for ever
  await executor.run(tasksUrl, "add", [1, 1]); // up: the next three go in one message
  const [a, b, dead] = await within(
    Promise.allSettled([
      executor.run(tasksUrl, "add", [1, 2]),
      executor.run(tasksUrl, "add", [2, 2]),
      executor.run(tasksUrl, "exit", [3]),
    ]),
    5000,
    "the calls",
  );
  assertEquals([a, b], [
    { status: "fulfilled", value: 3 },
    { status: "fulfilled", value: 4 },
  ]);
  assertInstanceOf(reasonOf(dead), WorkerError);
});

Deno.test("Executor.run(): a result that cannot be cloned rejects its call with a TypeError, and the calls answered with it keep theirs", async () => {
  await using executor = new Executor({ workers: 1 });
  const module = "data:text/javascript,export const callback = () => () => {};";
  const unsent = "Cannot send the task's result back as it cannot be cloned";
  // Alone (this loads the module, so that below every call runs at once).
  await assertRejects(
    () => executor.run(module, "callback"),
    TypeError,
    unsent,
  );
  // Three answers in one message, which cannot be posted whole.
  const [failed, bad, good] = await Promise.allSettled([
    executor.run(tasksUrl, "fail", ["type"]),
    executor.run(module, "callback"),
    executor.run(tasksUrl, "add", [2, 2]),
  ]);
  assertInstanceOf(reasonOf(failed), TypeError);
  assertEquals(reasonOf(failed).message, "not a number");
  assertInstanceOf(reasonOf(bad), TypeError);
  assert(reasonOf(bad).message.startsWith(unsent));
  assertEquals(good, { status: "fulfilled", value: 4 });
  assertEquals(await executor.run(tasksUrl, "add", [3, 4]), 7, "it goes on");
});

Deno.test("Executor: aborting a call its worker has finished, its answer still on the way, leaves the worker alone", async () => {
  await using executor = new Executor({ workers: 1 });
  const name = await executor.run<string>(tasksUrl, "workerName");
  // One message: the worker finishes the first call, then runs the second,
  // which holds its thread, so that the first one's answer is not yet sent.
  const controller = new AbortController();
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const finished = executor.run(tasksUrl, "add", [2, 3], {
    signal: controller.signal,
  });
  const long = executor.run(tasksUrl, "loopUntilFlag", [flag]);
  await Atomics.waitAsync(flag, 1, 0).value; // the second call has started
  controller.abort(new Error("too late"));
  await assertRejects(() => finished, Error, "too late");
  Atomics.store(flag, 0, 1);
  assertEquals(await long, "stopped");
  assertEquals(await executor.run(tasksUrl, "workerName"), name, "the same");
});

Deno.test("Executor.run(): a settled call leaves nothing on its signal", async () => {
  await using executor = new Executor({ workers: 1 });
  const { signal } = new AbortController();
  const seen = spy(signal);
  assertEquals(await executor.run(tasksUrl, "add", [1, 2], { signal }), 3);
  await assertRejects(
    () => executor.run(tasksUrl, "fail", ["type"], { signal }),
    TypeError,
  );
  assertEquals([seen.listeners, seen.attached, seen.watchers], [1, 0, 0]);
});

Deno.test("Executor.run(): a getter that aborts a call while a batch that cannot be sent goes again one call at a time leaves no call unsettled or counted twice", async (t) => {
  /**
   * Sends the calls `make` lists in one message to one worker; on its second
   * read, the trap's getter runs `second`: the first read is as the batch is
   * cloned (which a function then fails), the second as its calls go again
   * one by one.
   */
  async function retried(
    make: (trap: object) => [string, unknown[], AbortSignal?][],
    second: () => void,
  ): Promise<PromiseSettledResult<unknown>[]> {
    const executor = new Executor({ workers: 1 });
    await using _ = bounded(executor);
    await executor.run(tasksUrl, "add", [0, 0]); // up: the calls go together
    let reads = 0;
    const trap = {
      get trap() {
        if (++reads === 2) second();
        return reads;
      },
    };
    const calls = make(trap).map(([name, args, signal]) =>
      executor.run(tasksUrl, name, args, { signal })
    );
    const results = await within(Promise.allSettled(calls), 5000, "the calls");
    assertEquals(await executor.run(tasksUrl, "add", [1, 1]), 2);
    assertEquals([executor.queued, executor.running], [0, 0]);
    return results;
  }
  await t.step(
    "the call running on that worker: the calls after it go elsewhere",
    async () => {
      const controller = new AbortController();
      const started = new Int32Array(new SharedArrayBuffer(4));
      const results = await retried((trap) => [
        ["spin", [started], controller.signal],
        ["echo", [trap]],
        ["echo", [() => {}]],
        ["add", [3, 4]],
      ], () => {
        Atomics.wait(started, 0, 0, 5000); // the first call runs
        controller.abort(new Error("stop"));
      });
      assertEquals(reasonOf(results[0]!).message, "stop");
      assertEquals(results[1]!.status, "fulfilled");
      assertEquals(reasonOf(results[2]!).name, "DataCloneError");
      assertEquals(results[3], { status: "fulfilled", value: 7 });
    },
  );
  await t.step(
    "a later call of the batch: it is dropped, never run",
    async () => {
      const controller = new AbortController();
      const count = new Int32Array(new SharedArrayBuffer(4));
      const results = await retried((trap) => [
        ["echo", [trap]],
        ["meet", [count, 0], controller.signal],
        ["echo", [() => {}]],
      ], () => controller.abort(new Error("dropped")));
      assertEquals(reasonOf(results[1]!).message, "dropped");
      assertEquals(reasonOf(results[2]!).name, "DataCloneError");
      assertEquals(count[0], 0, "it never ran");
    },
  );
});

Deno.test("Executor: once it took back the calls waiting behind a long one, it stops looking at that worker", async () => {
  const executor = new Executor({ workers: 2 });
  await using _ = bounded(executor);
  await Promise.all([0, 1].map((i) => executor.run(tasksUrl, "add", [i, 1])));
  const count = new Int32Array(new SharedArrayBuffer(4));
  const long = executor.run<Met>(tasksUrl, "meet", [count, 10_000]);
  try {
    // Half of these go behind the long call, and are taken back.
    const trivial = Array.from({ length: 100 }, (_, i) => i);
    await within(
      Promise.all(trivial.map((i) => executor.run(tasksUrl, "add", [i, 1]))),
      5000,
      "the trivial calls",
    );
    // Nothing is left to take back: no look for stuck workers is due. There
    // is no event for "nothing happens": a window of 50 ms, in which the
    // executor looked 40-50 times before.
    const { setTimeout } = globalThis;
    let looks = 0;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      if (ms === 1) looks++;
      return setTimeout(fn, ms);
    }) as typeof setTimeout;
    try {
      await delay(50);
    } finally {
      globalThis.setTimeout = setTimeout;
    }
    assertEquals(looks, 0);
  } finally {
    Atomics.add(count, 0, 2); // the long call ends
    Atomics.notify(count, 0);
  }
  assertEquals((await long).met, true);
});
