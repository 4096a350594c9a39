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
