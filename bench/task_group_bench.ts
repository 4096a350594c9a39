/**
 * What a TaskGroup costs over the built-ins it replaces, for 1,000 tasks that
 * settle at once (so the bench measures bookkeeping, not waiting).
 *
 * Run: deno bench bench/task_group_bench.ts
 *
 * The peers: `Promise.all` and `Promise.allSettled` (no cancellation), and the
 * hand-written equivalent of a TaskGroup: an AbortController aborted at the
 * first failure plus `Promise.allSettled`.
 *
 * The last groups use tasks that listen to their signal, as real tasks do
 * (`fetch`, `delay`): each adds an "abort" listener and removes it when it
 * is done. By hand, every task listens on the one shared signal, and Deno's
 * `addEventListener` scans the listeners already there: quadratic. A
 * TaskGroup gives each task a signal of its own.
 */
import { TaskGroup } from "../lib/task_group.ts";

const N = 1_000;
const ok = (_signal?: AbortSignal) => Promise.resolve(1);
const failure = new Error("boom");

/** A task that listens to its signal until it is done, as real tasks do. */
function listening(signal: AbortSignal): Promise<number> {
  const onAbort = () => {};
  signal.addEventListener("abort", onAbort, { once: true });
  return Promise.resolve(1).then((value) => {
    signal.removeEventListener("abort", onAbort);
    return value;
  });
}

async function byHand(
  fail: boolean,
  n = N,
  run: (signal: AbortSignal) => Promise<number> = ok,
): Promise<void> {
  const controller = new AbortController();
  const tasks = [];
  for (let i = 0; i < n; i++) {
    const task = fail && i === 0
      ? Promise.reject(failure)
      : run(controller.signal);
    tasks.push(task.catch((error) => {
      if (!controller.signal.aborted) controller.abort(error);
      throw error;
    }));
  }
  const results = await Promise.allSettled(tasks);
  const errors = results.filter((r) => r.status === "rejected");
  if (errors.length > 0) throw new AggregateError(errors.map((r) => r.reason));
}

async function group(
  fail: boolean,
  n = N,
  run: (signal: AbortSignal) => Promise<number> = ok,
): Promise<void> {
  await using g = new TaskGroup();
  for (let i = 0; i < n; i++) {
    g.spawn(fail && i === 0 ? () => Promise.reject(failure) : run);
  }
}

Deno.bench("Promise.all, 1,000 fulfilled tasks", {
  group: "fulfilled",
  baseline: true,
}, async () => {
  const tasks = [];
  for (let i = 0; i < N; i++) tasks.push(ok());
  await Promise.all(tasks);
});

Deno.bench("Promise.allSettled, 1,000 fulfilled tasks", {
  group: "fulfilled",
}, async () => {
  const tasks = [];
  for (let i = 0; i < N; i++) tasks.push(ok());
  await Promise.allSettled(tasks);
});

Deno.bench("AbortController + allSettled by hand, 1,000 fulfilled tasks", {
  group: "fulfilled",
}, async () => {
  await byHand(false);
});

Deno.bench("TaskGroup, 1,000 fulfilled tasks", {
  group: "fulfilled",
}, async () => {
  await group(false);
});

Deno.bench("AbortController + allSettled by hand, first of 1,000 fails", {
  group: "one fails",
  baseline: true,
}, async () => {
  await byHand(true).catch(() => {});
});

Deno.bench("TaskGroup, first of 1,000 fails", {
  group: "one fails",
}, async () => {
  await group(true).catch(() => {});
});

for (const [exponent, n] of [[3, 1_000], [4, 10_000]] as const) {
  Deno.bench(
    `AbortController + allSettled by hand, 10^${exponent} listening tasks`,
    {
      group: `10^${exponent} tasks that listen to their signal`,
      baseline: true,
    },
    async () => {
      await byHand(false, n, listening);
    },
  );
  Deno.bench(
    `TaskGroup, 10^${exponent} listening tasks`,
    { group: `10^${exponent} tasks that listen to their signal` },
    async () => {
      await group(false, n, listening);
    },
  );
}

// What the two mechanisms inside TaskGroup buy, per 1,000 tasks: the clock
// read once per turn of the event loop instead of once per spawn, and the
// running tasks kept in a linked list instead of a Set (added in spawn
// order, each removed when it settles). lib/task_group.ts quotes these.
class Linked extends AbortController {
  prev: Linked | undefined = undefined;
  next: Linked | undefined = undefined;
}

Deno.bench("performance.now() at every spawn", {
  group: "a start time for each of 1,000 tasks",
  baseline: true,
}, () => {
  let sum = 0;
  for (let i = 0; i < N; i++) sum += performance.now();
  if (sum < 0) throw new Error("unreachable");
});

let stamp: number | undefined;
const clearStamp = () => stamp = undefined;
Deno.bench("performance.now() once per turn (TaskGroup's)", {
  group: "a start time for each of 1,000 tasks",
}, async () => {
  let sum = 0;
  for (let i = 0; i < N; i++) {
    if (stamp === undefined) {
      stamp = performance.now();
      queueMicrotask(clearStamp);
    }
    sum += stamp;
  }
  if (sum < 0) throw new Error("unreachable");
  await null;
});

Deno.bench("a Set of the running tasks", {
  group: "1,000 tasks join, then leave in order",
  baseline: true,
}, () => {
  const running = new Set<Linked>();
  const tasks: Linked[] = [];
  for (let i = 0; i < N; i++) {
    const task = new Linked();
    tasks.push(task);
    running.add(task);
  }
  for (const task of tasks) running.delete(task);
});

Deno.bench("a linked list of the running tasks (TaskGroup's)", {
  group: "1,000 tasks join, then leave in order",
}, () => {
  let first: Linked | undefined;
  let last: Linked | undefined;
  const tasks: Linked[] = [];
  for (let i = 0; i < N; i++) {
    const task = new Linked();
    tasks.push(task);
    if (last === undefined) first = task;
    else (last.next = task).prev = last;
    last = task;
  }
  for (const task of tasks) {
    const { prev, next } = task;
    if (prev === undefined) first = next;
    else prev.next = next;
    if (next === undefined) last = prev;
    else next.prev = prev;
  }
  if (first !== undefined) throw new Error("not empty");
});
