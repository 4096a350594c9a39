// The Executor's guarantees, on every runtime (tests/runtimes/_harness.ts).
import assert, { deepStrictEqual as equal, rejects } from "node:assert/strict";
import { Executor, WorkerError } from "../../lib/executor.ts";
import { changed, runtime } from "./_harness.ts";
import type * as Tasks from "./_tasks.ts";

// Beside this file: .ts, or .js as built for npm or bundled for a page.
const tasks = new URL(`./_tasks.${import.meta.url.slice(-2)}`, import.meta.url);
const shared = (length = 1) =>
  new Int32Array(new SharedArrayBuffer(4 * length));

export async function runsExportsOnWorkersTypedThroughBind(): Promise<void> {
  await using executor = new Executor({ workers: 2 });
  equal(await executor.run(tasks, "add", [1, 2]), 3);
  const bound = executor.bind<typeof Tasks>(tasks);
  equal(await Promise.all([bound.add(2, 2), bound.add(3, 3)]), [4, 6]);
}

export async function errorsArriveWithTheirClassNameAndFields(): Promise<void> {
  await using executor = new Executor({ workers: 1 });
  await rejects(executor.run(tasks, "fail", ["type"]), TypeError);
  await rejects(executor.run(tasks, "fail", ["custom"]), {
    name: "ValidationError",
    message: "bad input",
    code: "E_BAD",
  });
  await rejects(executor.run(tasks, "missing"), TypeError);
  const error = await executor.run(tasks, "fail", ["cause"]).catch((e) => e);
  assert(error instanceof Error && error.cause instanceof RangeError);
  equal([error.message, error.cause.message], ["outer", "inner"]);
}

export async function noCallWaitsBehindARunningOne(): Promise<void> {
  await using executor = new Executor({ workers: 2 });
  const flag = shared();
  const held = executor.run(tasks, "hold", [flag]);
  try {
    // Half of these go to the worker that blocks; they must be taken back
    // and run on the other, or this waits until the case's time is up.
    const quick = Array.from(
      { length: 200 },
      (_, i) => executor.run(tasks, "add", [i, 1]),
    );
    equal((await Promise.all(quick)).length, 200);
  } finally {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
  equal(await held, "released");
}

export async function aDeadWorkerRejectsOnlyItsCallAndIsReplaced(): Promise<
  void
> {
  await using executor = new Executor({ workers: 1 });
  for (const task of ["die", "throwWhileWaiting"]) {
    const [dead, next] = await Promise.allSettled([
      executor.run(tasks, task),
      executor.run(tasks, "add", [20, 22]),
    ]);
    assert(dead.status === "rejected" && dead.reason instanceof WorkerError);
    equal(next, { status: "fulfilled", value: 42 });
  }
  equal(executor.workers, 1);
}

// A call left in the queue (its only worker busy) when that worker died or
// its running call was aborted waited for ever: nothing started another.
export async function aCallQueuedBehindTheOnlyWorkerRunsOnceThatWorkerEnds(): Promise<
  void
> {
  await using executor = new Executor({ workers: 1 });
  for (const end of ["die", "abort"]) {
    const flag = shared(2);
    const stop = new AbortController();
    const busy = executor.run(tasks, "dieOnFlag", [flag], {
      signal: stop.signal,
    });
    await changed(flag, 1, 0);
    const queued = executor.run(tasks, "add", [20, 22]);
    equal(executor.queued, 1, "not sent: its worker is busy");
    if (end === "abort") stop.abort(new Error("stop"));
    else Atomics.store(flag, 0, 1), Atomics.notify(flag, 0);
    await rejects(busy, end === "abort" ? { message: "stop" } : WorkerError);
    equal(await queued, 42, `after the worker's ${end}`);
  }
}

export async function abortDropsAQueuedCallAndStopsARunningOne(): Promise<
  void
> {
  await using executor = new Executor({ workers: 1 });
  const rounds = shared();
  const running = new AbortController();
  const queued = new AbortController();
  const spin = executor.run(tasks, "spin", [rounds], {
    signal: running.signal,
  });
  const behind = executor.run(tasks, "add", [1, 1], {
    signal: queued.signal,
  });
  await changed(rounds, 0, 0);
  queued.abort(new Error("not wanted"));
  await rejects(behind, { message: "not wanted" });
  running.abort(new Error("enough"));
  await rejects(spin, { message: "enough" });
  equal(await executor.run(tasks, "add", [2, 2]), 4);
  // Deno cannot stop a loop that never returns to its event loop (see the
  // Executor's documentation); every other runtime can.
  if (runtime === "deno") return;
  const started = shared();
  const stop = new AbortController();
  const loop = executor.run(tasks, "loop", [started], {
    signal: stop.signal,
  });
  await changed(started, 0, 0);
  stop.abort(new Error("stop looping"));
  await rejects(loop, { message: "stop looping" });
  equal(await executor.run(tasks, "add", [3, 3]), 6);
}

export async function aTaskCannotTakeOverItsWorkersChannel(): Promise<
  void
> {
  await using executor = new Executor({ workers: 1 });
  equal(await executor.run(tasks, "takeOver"), "taken");
  // Its listener never hears the executor's messages: were it to, its post
  // would throw there, and kill the worker and the call it ran.
  const worker = await executor.run<string>(tasks, "whoAmI");
  equal(await executor.run(tasks, "later", [worker]), worker);
  equal(await executor.run(tasks, "whoAmI"), worker, "the same worker");
  // A null would throw on the host, a forged answer settle the wrong call.
  const forged = { type: "results", values: [666], failed: [] };
  for (const message of [null, forged]) {
    const [posted, next] = await Promise.allSettled([
      executor.run(tasks, "post", [message]),
      executor.run(tasks, "add", [20, 22]),
    ]);
    assert(posted.status === "rejected" && posted.reason instanceof TypeError);
    equal(next, { status: "fulfilled", value: 42 });
  }
}

export async function transferMovesArgumentsAndResults(): Promise<void> {
  await using executor = new Executor({ workers: 1 });
  const buffer = new ArrayBuffer(1024);
  equal(
    await executor.run(tasks, "length", [buffer], { transfer: [buffer] }),
    1024,
  );
  equal(buffer.byteLength, 0, "moved, so detached here");
  const bytes = await executor.run<Uint8Array>(tasks, "fill", [1 << 16]);
  equal([bytes.length, bytes[0]], [1 << 16, 7]);
}

export async function shutdownFinishesItsCallsThenEndsEveryWorker(): Promise<
  void
> {
  const executor = new Executor({ workers: 2 });
  const calls = Array.from(
    { length: 10 },
    (_, i) => executor.run(tasks, "add", [i, i]),
  );
  const done = executor.shutdown();
  await rejects(executor.run(tasks, "add", [1, 1]), Error);
  equal((await Promise.all(calls))[9], 18);
  await done;
  equal(executor.workers, 0);
}

export async function anIdleExecutorLetsTheProcessExit(): Promise<void> {
  // Never shut down: its worker ends after 50 ms of idleness, and then
  // nothing keeps the process alive (the runner checks that it exits).
  const executor = new Executor({ workers: 1, idleTimeout: 50 });
  equal(await executor.run(tasks, "add", [1, 1]), 2);
}
