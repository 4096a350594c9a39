/**
 * What the Executor's two test files share: the task module, and ways to
 * wait for what the executor has no event for.
 *
 * @module
 */
import { delay } from "@std/async/delay";
import type { Executor } from "../../lib/executor.ts";

export const tasksUrl: URL = new URL("./fixtures/tasks.ts", import.meta.url);

/** The reason of a rejected result (fails if it was fulfilled). */
// deno-lint-ignore no-explicit-any
export function reasonOf(result: PromiseSettledResult<unknown>): any {
  if (result.status !== "rejected") {
    throw new Error(`Expected a rejection, got ${String(result.value)}`);
  }
  return result.reason;
}

/** Rejects if `promise` has not settled after `ms` milliseconds. */
export async function within<T>(
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
 * Shuts `executor` down once disposed (`await using _ = bounded(executor)`),
 * failing in 5 s instead of hanging where a broken executor never drains.
 */
export function bounded(executor: Executor): AsyncDisposable {
  const shutdown = () => within(executor.shutdown(), 5000, "shutdown");
  return { [Symbol.asyncDispose]: shutdown };
}

/**
 * Replaces `Worker` so that what the executor posts to a worker is held back
 * until `release()`: until then no worker can be told of, or claim, any call,
 * so every worker is still starting however fast the machine is. Counts the
 * workers made.
 */
export function holdMessages(): {
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
export async function until(
  condition: () => boolean,
  limit = 5000,
): Promise<void> {
  const end = performance.now() + limit;
  while (!condition()) {
    if (performance.now() > end) throw new Error("Condition not met in time");
    await delay(5);
  }
}

/** Resolves once the worker named `name` has ended: its lock is free. */
export function ended(name: string): Promise<unknown> {
  return within(
    (navigator as unknown as {
      locks: { request(name: string, granted: () => void): Promise<void> };
    }).locks.request(name, () => {}),
    5000,
    `worker ${name} ending`,
  );
}
