// Every primitive but the Executor and fetch, on every runtime
// (tests/runtimes/_harness.ts): the contract's main promise of each.
import assert, { deepStrictEqual as equal, rejects } from "node:assert/strict";
import {
  asCompleted,
  Event,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  QueueClosedError,
  Semaphore,
  TaskGroup,
  Timeline,
} from "../../mod.ts";
import { runtime } from "./_harness.ts";

/** A promise and what settles it, for steering tasks by hand. */
const gate = <T = void>() => Promise.withResolvers<T>();
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export async function semaphoreCapsConcurrencyInFifoOrder(): Promise<void> {
  const semaphore = new Semaphore(2);
  let now = 0;
  let peak = 0;
  const started: number[] = [];
  const gates = Array.from({ length: 5 }, () => gate());
  const runs = gates.map((g, i) =>
    semaphore.run(async () => {
      started.push(i);
      peak = Math.max(peak, ++now);
      await g.promise;
      now--;
    })
  );
  await tick();
  equal([started, semaphore.available, semaphore.waiting], [[0, 1], 0, 3]);
  for (const g of gates) g.resolve();
  await Promise.all(runs);
  equal([started, peak, semaphore.available], [[0, 1, 2, 3, 4], 2, 2]);
}

export async function semaphoreDropsAWaiterWhoseSignalAborts(): Promise<
  void
> {
  const semaphore = new Semaphore(1);
  const permit = semaphore.tryAcquire();
  assert(permit);
  const controller = new AbortController();
  const waiter = semaphore.acquire({ signal: controller.signal });
  controller.abort(new Error("gave up"));
  await rejects(waiter, { message: "gave up" });
  equal(semaphore.waiting, 0);
  permit.release();
  permit.release(); // idempotent: no permit is made twice
  equal(semaphore.available, 1);
}

export async function lockLetsOneIn(): Promise<void> {
  const lock = new Lock();
  const order: string[] = [];
  const first = gate();
  const a = lock.run(async () => {
    order.push("a in");
    await first.promise;
    order.push("a out");
  });
  const b = lock.run(() => order.push("b in"));
  await tick();
  equal([lock.locked, order], [true, ["a in"]]);
  first.resolve();
  await Promise.all([a, b]);
  equal([lock.locked, order], [false, ["a in", "a out", "b in"]]);
}

export async function eventWakesEveryWaiter(): Promise<void> {
  const event = new Event();
  const waiters = [event.wait(), event.wait()];
  equal([event.isSet, event.waiting], [false, 2]);
  event.set();
  await Promise.all(waiters);
  await event.wait(); // set: at once
  event.clear();
  await rejects(event.wait({ signal: AbortSignal.abort() }), {
    name: "AbortError",
  });
}

export async function queueKindsOrderTheirItems(): Promise<void> {
  const kinds: [Queue<number>, number[]][] = [
    [new Queue(), [1, 3, 2]],
    [new LifoQueue(), [2, 3, 1]],
    [new PriorityQueue((a, b) => a - b), [1, 2, 3]],
  ];
  for (const [queue, order] of kinds) {
    for (const item of [1, 3, 2]) await queue.put(item);
    equal([await queue.get(), await queue.get(), await queue.get()], order);
  }
}

export async function queueHoldsPuttersBackAndCloses(): Promise<void> {
  const queue = new Queue<string>({ maxsize: 1 });
  await queue.put("a");
  const blocked = queue.put("b");
  equal(queue.waitingPutters, 1);
  equal(await queue.get(), "a");
  await blocked;
  queue.close();
  const drained: string[] = [];
  for await (const item of queue) drained.push(item);
  equal(drained, ["b"]);
  await rejects(queue.get(), QueueClosedError);
}

export async function rendezvousHandsEachItemOverInPerson(): Promise<void> {
  const queue = new Queue<string>({ maxsize: 0 });
  equal(queue.tryPut("nobody there"), false);
  const put = queue.put("hand over");
  await tick();
  equal([queue.size, queue.waitingPutters], [0, 1], "held by its putter");
  equal(await queue.get(), "hand over");
  await put;
}

export async function joinWaitsForEveryTaskDoneAndImmediateCloseDrops(): Promise<
  void
> {
  const queue = new Queue<number>();
  for (const n of [1, 2, 3]) await queue.put(n);
  let joined = false;
  const join = queue.join().then(() => (joined = true));
  equal(await queue.get(), 1);
  queue.taskDone();
  await tick();
  equal(joined, false, "two items still unfinished");
  const getter = new Queue<number>();
  const waiting = getter.get();
  getter.close({ immediate: true });
  await rejects(waiting, QueueClosedError);
  equal(queue.close({ immediate: true }), [2, 3]);
  await join; // the dropped items count as done
  await rejects(queue.get(), QueueClosedError);
}

export async function taskGroupCancelsSiblingsOnAFailure(): Promise<void> {
  const boom = new Error("boom");
  let sibling: AbortSignal | undefined;
  const error = await TaskGroup.run((group) => {
    group.spawn((signal) => {
      sibling = signal;
      return new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      );
    });
    group.spawn(() => Promise.reject(boom));
  }).then(() => undefined, (error: unknown) => error);
  assert(error instanceof AggregateError);
  equal(error.errors, [boom]);
  equal(sibling?.aborted, true);
}

export async function asCompletedYieldsInCompletionOrder(): Promise<void> {
  const [slow, fast] = [gate<string>(), gate<string>()];
  const seen: unknown[] = [];
  const done = (async () => {
    for await (const result of asCompleted([slow.promise, fast.promise])) {
      seen.push(result.status === "fulfilled" ? result.value : result.reason);
    }
  })();
  fast.resolve("fast");
  await tick();
  slow.resolve("slow");
  await done;
  equal(seen, ["fast", "slow"]);
}

export function timelineMeasuresAndDraws(): void {
  let t = 0;
  const timeline = new Timeline({ now: () => t });
  timeline.start("A");
  timeline.start("B");
  t = 1000;
  timeline.end("B");
  t = 2000;
  timeline.end("A");
  equal(timeline.completionOrder(), ["B", "A"]);
  equal(timeline.maxConcurrency(), 2);
  const rows = timeline.render({ width: 40, color: false }).split("\n");
  equal(rows[0], "A ################################ 2.00s");
  assert(timeline.toSVG().startsWith("<svg"));
}

export function timelineFitsTheTerminal(): void {
  let t = 0;
  const timeline = new Timeline({ now: () => t });
  timeline.start("A");
  t = 1000;
  const width = () => timeline.render().split("\n")[0]!.length; // the bar's
  // The suite's output is a pipe: the default width and no colour.
  equal(width(), 80);
  type Out = { isTTY?: boolean; columns?: number };
  const { process } = globalThis as { process?: { stdout: Out; env: object } };
  if (runtime === "deno" || runtime === "browser" || !process) return;
  // Node and Bun tell a terminal by these two (Deno's is asked directly).
  const { isTTY, columns } = process.stdout;
  const env = process.env as { NO_COLOR?: string };
  const noColor = env.NO_COLOR;
  Object.assign(process.stdout, { isTTY: true, columns: 50 });
  try {
    delete env.NO_COLOR;
    assert(timeline.render().includes("\x1b["), "coloured on a terminal");
    env.NO_COLOR = "1";
    equal(width(), 50);
  } finally {
    Object.assign(process.stdout, { isTTY, columns });
    if (noColor === undefined) delete env.NO_COLOR;
    else env.NO_COLOR = noColor;
  }
}
