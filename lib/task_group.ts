/**
 * Structured concurrency for promises, as Python's `asyncio.TaskGroup` and
 * trio's nursery: a {@linkcode TaskGroup} starts tasks, cancels the rest when
 * one fails, and does not let go until every one of them has finished.
 *
 * @module
 */
import { type AbortWatcher, unwatch, watch } from "./_abort.ts";
import * as check from "./_check.ts";
import { genuineThen as then, signalFor } from "./_waiters.ts";

/** Options for {@linkcode TaskGroup} and {@linkcode TaskGroup.run}. */
export interface TaskGroupOptions {
  /**
   * A parent signal: when it aborts, so does the group, with the same reason
   * (see {@linkcode TaskGroup.prototype.wait}).
   */
  signal?: AbortSignal;
}

/** Options for {@linkcode TaskGroup.prototype.spawn}. */
export interface SpawnOptions {
  /**
   * The task's name, in {@linkcode TaskGroup.prototype.tasks} and errors.
   *
   * @default {"task N" for the Nth task spawned}
   */
  name?: string;
}

/**
 * A task: a function of its signal (which aborts with the group's) that
 * returns the task's result or a promise of it.
 */
export type Task<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/**
 * `"running"`, or `"cancelling"` once its signal aborted and it has not
 * settled yet (it is cleaning up, or it ignores its signal).
 */
export type TaskState = "running" | "cancelling";

/** One running task, as listed by {@linkcode TaskGroup.prototype.tasks}. */
export interface TaskInfo {
  /** The name given to `spawn`, or `"task N"` for the Nth task spawned. */
  readonly name: string;
  /** Whether it runs or has been asked to stop. */
  readonly state: TaskState;
  /** Milliseconds since it was spawned. */
  readonly age: number;
}

/**
 * The controller of one running task's signal, with what `tasks` shows,
 * linked into its group's list of running tasks. A linked list for speed:
 * on a `Set`, a TaskGroup spawned and settled 1,000 tasks 1.3× slower (A/B
 * run; bench/task_group_bench.ts times the two structures alone).
 */
class TaskController extends AbortController {
  prev: TaskController | undefined = undefined;
  next: TaskController | undefined = undefined;
  name: string;
  started: number = now();

  constructor(name: string) {
    super();
    this.name = name;
  }
}

/**
 * A scope for concurrent tasks. {@linkcode TaskGroup.run} is
 * `async with asyncio.TaskGroup() as tg:`; `new TaskGroup()` with `wait()`
 * or `await using` is the open form. `Promise.all` stops at the first
 * failure and `Promise.allSettled` cancels nothing; a TaskGroup cancels the
 * siblings (through `signal`), waits for all and reports every failure.
 *
 * Guarantees:
 *
 * - **Cancellation.** Each task gets a signal of its own that aborts with
 *   the group's {@linkcode TaskGroup.prototype.signal}, at that moment and
 *   with the same reason; the first failure (a task's, or the body's in
 *   `run`) aborts it. A promise cannot be interrupted: a task stops only if
 *   it passes its signal on (`fetch`, `delay` from `@std/async`) or checks it.
 * - **Waiting.** Waiting on the group settles once every task has, even one
 *   that ignores its signal: fulfilled, or with an `AggregateError` of the
 *   failures in order, naming the tasks (`2 tasks in the group failed:
 *   "fetch a", "task 3"`).
 * - **What counts as a failure.** Once the signal is aborted, a rejection
 *   with its reason, the parent signal's, or an error named `"AbortError"`
 *   is the cancellation coming back, as asyncio leaves `CancelledError` out
 *   of its `ExceptionGroup`; any other error is a failure. Each error object
 *   counts once: a task that rejects with a sibling's error it awaited
 *   passes it on. (A thrown primitive counts each time.)
 * - **Nothing is lost.** The promise `spawn` returns never becomes an
 *   unhandled rejection. But if a task failed and all settled before anyone
 *   waited, the group settles in a promise nothing handles, which the
 *   runtime reports (a later `wait()` rejects with it): end an `await using`
 *   block before awaiting anything long of your own.
 * - **Spawning.** Tasks may spawn siblings while the group is waited on;
 *   once it settled, `spawn` throws. A task spawned after the signal
 *   aborted is not started: its promise rejects with `signal.reason`.
 * - **Cost.** O(1) per task; a settled group keeps no link to its parent.
 *
 * **`await using` is not `async with`:** JavaScript does not tell the disposer
 * that its block threw: such an error neither cancels the tasks nor joins the
 * failures (both come in a `SuppressedError`); {@linkcode TaskGroup.run} does.
 *
 * @example The open form, with `await using`
 * ```ts
 * import { TaskGroup } from "@asincronia/asincronia/task-group";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const square = async (n: number) => n * n;
 * let a: Promise<number>, b: Promise<number>;
 * {
 *   await using group = new TaskGroup();
 *   a = group.spawn(() => square(2));
 *   b = group.spawn(() => square(3), { name: "three" });
 * } // every task has settled here
 * assertEquals([await a, await b], [4, 9]);
 * ```
 */
export class TaskGroup {
  #controller = new AbortController();
  /** The tasks still running, oldest first. */
  #first: TaskController | undefined;
  #last: TaskController | undefined;
  /** The parent signal and its watcher, while the group watches it. */
  #parent: (AbortWatcher & { signal: AbortSignal }) | undefined;
  /** The parent signal's reason, once it aborted. */
  #parentAbort: { reason: unknown } | undefined;
  #state: "open" | "waiting" | "settled" = "open";
  /** Running tasks, plus the body of `run` while it runs. */
  #pending = 0;
  /** How many tasks `spawn` has accepted: the N of the next "task N". */
  #spawned = 0;
  #inBody = false;
  #errors: unknown[] = [];
  /** The error objects in `#errors`, so that none is counted twice. */
  #recorded: Set<unknown> | undefined;
  /** Who failed, in the order of `#errors`: a task's name, or undefined for the body. */
  #failed: (string | undefined)[] = [];
  #done: PromiseWithResolvers<void> | undefined;

  /**
   * Runs `body` (at once) with a new group and settles once the body and
   * every task have, with the body's value (awaited). Besides:
   *
   * - An error of the body is a failure of the group, as a task's: it cancels
   *   every task and joins the `AggregateError` as "the body". Rejecting with
   *   the group's cancellation, or an awaited failed task's error, is not one.
   * - A task's failure reaches the body only via `group.signal`: pass it on.
   * - A parent signal's abort cancels the tasks, and run rejects with its
   *   reason unless something failed; if it aborted first, the body never runs.
   * - After {@linkcode TaskGroup.prototype.abort}, a body that rejects
   *   without a failure makes run reject with the body's error.
   * - The body cannot wait for its own group: there `group.wait()` rejects.
   */
  static run<T>(
    body: (group: TaskGroup) => T | PromiseLike<T>,
    options?: TaskGroupOptions,
  ): Promise<T> {
    let group: TaskGroup;
    try {
      check.fn(body, "run task group", "body");
      // Not started, like fetch() given an aborted signal.
      const signal = signalFor(options, "run task group");
      if (signal instanceof Promise) return signal;
      group = new TaskGroup({ signal }); // throws for a signal deaf to listeners
    } catch (error) {
      return Promise.reject(error);
    }
    // The body counts as a running task; the group is waited on at once.
    group.#pending++;
    const done = group.wait();
    group.#inBody = true;
    // A promise of ours: the body's own then may call back twice.
    const result = new Promise<T>((ok) => ok(body(group)));
    const end = (failed: boolean, error?: unknown) => {
      group.#inBody = false;
      if (failed) group.#fail(error, undefined);
      group.#settle();
    };
    result.then(() => end(false), (error) => end(true, error));
    return done.then(() => result);
  }

  /** Creates an empty group, aborted if the parent signal already is. */
  constructor(options?: TaskGroupOptions) {
    const signal = check.signalOf(options, "create task group");
    if (signal?.aborted) this.#parentAborted(signal.reason);
    else if (signal !== undefined) {
      this.#parent = {
        signal,
        aborted: () => {
          this.#parent = undefined;
          this.#parentAborted(signal.reason);
        },
      };
      watch(signal, this.#parent);
    }
  }

  #parentAborted(reason: unknown): void {
    this.#parentAbort = { reason };
    if (!this.#controller.signal.aborted) this.#abortAll(reason);
  }

  /**
   * Aborts the group's signal, then every running task's, in spawn order
   * (meanwhile spawn refuses, and tasks leave only in promise reactions).
   */
  #abortAll(reason: unknown): void {
    this.#controller.abort(reason);
    for (let task = this.#first; task; task = task.next) task.abort(reason);
  }

  /**
   * The group's signal: aborts at the first failure (with an `AbortError`
   * whose `cause` is that failure), with the parent signal (and its reason)
   * or on {@linkcode TaskGroup.prototype.abort}. A task passes on its signal.
   */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * The tasks still running, oldest first, with their state and age in ms:
   * `python -m asyncio ps` for one group: which task holds a group that will
   * not settle, and did it ignore its signal? Ages are read once a loop turn.
   *
   * @example See who is still running
   * ```ts
   * import { TaskGroup } from "@asincronia/asincronia/task-group";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const group = new TaskGroup();
   * const stop = Promise.withResolvers<void>();
   * group.spawn(() => stop.promise, { name: "stubborn" }); // ignores its signal
   * group.abort(); // not a failure: wait() will fulfil
   * assertEquals(group.tasks.map(({ name, state }) => `${name}: ${state}`), ["stubborn: cancelling"]);
   * stop.resolve();
   * await group.wait();
   * assertEquals(group.tasks, []);
   * ```
   */
  get tasks(): TaskInfo[] {
    const at = performance.now();
    const list: TaskInfo[] = [];
    for (let task = this.#first; task; task = task.next) {
      const state = task.signal.aborted ? "cancelling" : "running";
      const age = Math.max(0, at - task.started);
      list.push({ name: task.name, state, age });
    }
    return list;
  }

  /**
   * Starts a task in the group: calls `fn(signal)` now, with the task's own
   * signal, and returns its promise. A synchronous throw is a failed task, a
   * value that is not a promise a task that succeeded at once.
   *
   * @throws {TypeError} If `fn` is not a function or an option has the wrong
   * type: thrown, not rejected, as the task's promise is often left unheld.
   * @throws {Error} If the group has already settled.
   */
  spawn<T>(fn: Task<T>, options?: SpawnOptions): Promise<T> {
    check.fn(fn, "spawn task", "fn");
    const { name } = check.options(options, "spawn task");
    if (name !== undefined) check.string(name, "spawn task", "name");
    if (this.#state === "settled") {
      throw new Error(
        "Cannot spawn task as the task group has already settled: create a new group",
      );
    }
    const id = ++this.#spawned;
    const signal = this.#controller.signal;
    if (signal.aborted) {
      // Not started, like fetch() given an aborted signal; not a failure.
      const task = Promise.reject(signal.reason);
      task.catch(() => {});
      return task;
    }
    // Counted first: what fn does synchronously (spawn, wait(), abort) sees it.
    const controller = new TaskController(name ?? `task ${id}`);
    const last = this.#last;
    if (last === undefined) this.#first = controller;
    else (last.next = controller).prev = last;
    this.#last = controller;
    this.#pending++;
    // These handlers keep an unawaited failure from being unhandled.
    const left = () => this.#leave(controller, false);
    const failed = (error: unknown) => this.#leave(controller, true, error);
    let task: Promise<T>;
    try {
      task = Promise.resolve(fn(controller.signal));
      then.call(task, left, failed);
    } catch (error) {
      // fn threw, or a getter of its promise did (then reads `constructor`).
      task = Promise.reject(error);
      task.then(left, failed);
    }
    return task;
  }

  #leave(task: TaskController, failed: boolean, error?: unknown): void {
    const { prev, next } = task;
    if (prev === undefined) this.#first = next;
    else prev.next = next;
    if (next === undefined) this.#last = prev;
    else next.prev = prev;
    if (failed) this.#fail(error, task.name);
    this.#settle();
  }

  /**
   * Aborts the group's signal, asking every task to stop; does nothing if
   * it is aborted. A deliberate abort is not a failure: waiting fulfils if
   * no task failed, as when trio's `nursery.cancel_scope` is cancelled.
   *
   * @param reason The signal's reason; by default a `DOMException` "AbortError".
   */
  abort(reason?: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#abortAll(
      reason === undefined
        ? new DOMException("The task group was aborted", "AbortError")
        : reason,
    );
  }

  /**
   * Waits until every task has settled, including tasks spawned meanwhile;
   * calling it again returns the same promise.
   *
   * @example A parent signal as a timeout
   * ```ts
   * import { TaskGroup } from "@asincronia/asincronia/task-group";
   * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const group = new TaskGroup({ signal: AbortSignal.timeout(50) });
   * const quick = group.spawn(async () => "done");
   * group.spawn((signal) => // stops when aborted, at 50 ms
   *   new Promise((_, reject) => signal.onabort = () => reject(signal.reason))
   * );
   * await assert.rejects(group.wait(), { name: "TimeoutError" }); // the parent's reason
   * assertEquals(await quick, "done"); // it finished in time
   * ```
   *
   * @returns Fulfils when no task failed; else rejects with an `AggregateError`
   * of the failures or, if none, the parent signal's reason (as asyncio passes
   * on a cancellation); in run()'s body, at once (it would wait for itself).
   */
  wait(): Promise<void> {
    if (this.#inBody) {
      const message =
        "Cannot wait for the task group inside the body of TaskGroup.run() as the group ends after the body: await the tasks' promises instead";
      return Promise.reject(new Error(message));
    }
    if (this.#done === undefined) {
      this.#done = Promise.withResolvers<void>();
      this.#state = "waiting";
      if (this.#pending === 0) this.#finish();
    }
    return this.#done.promise;
  }

  /** `await using group = new TaskGroup()` waits at the end of its block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.wait();
  }

  /**
   * Records a rejection of the task named `who` (the body when undefined),
   * unless it is the cancellation coming back or a failure already recorded.
   */
  #fail(error: unknown, who: string | undefined): void {
    const signal = this.#controller.signal;
    const object = Object(error) === error; // an object or a function
    if (
      signal.aborted &&
      (error === signal.reason || isAbortError(error) ||
        (this.#parentAbort !== undefined &&
          error === this.#parentAbort.reason) ||
        (object && this.#recorded?.has(error)))
    ) return;
    this.#errors.push(error);
    this.#failed.push(who);
    if (object) (this.#recorded ??= new Set()).add(error);
    if (signal.aborted) return;
    // Siblings get an AbortError (asyncio: CancelledError), the failure as its
    // `cause`: defined after, as not every DOMException constructor takes one.
    const reason = new DOMException(
      who === undefined
        ? "The body of the task group failed"
        : `A task in the group failed: ${check.describe(who)}`,
      "AbortError",
    );
    const cause = { value: error, writable: true, configurable: true };
    Object.defineProperty(reason, "cause", cause);
    this.#abortAll(reason);
  }

  #settle(): void {
    if (--this.#pending > 0) return;
    if (this.#state === "waiting") this.#finish();
    else if (this.#state === "open" && this.#errors.length > 0) {
      // A failure nobody waits for: settle in a promise nothing handles.
      this.#done = Promise.withResolvers<void>();
      this.#finish();
    }
  }

  #finish(): void {
    this.#state = "settled";
    if (this.#parent !== undefined) {
      unwatch(this.#parent.signal, this.#parent);
      this.#parent = undefined;
    }
    const done = this.#done!;
    if (this.#errors.length > 0) {
      done.reject(new AggregateError(this.#errors, message(this.#failed)));
    } else if (this.#parentAbort !== undefined) {
      done.reject(this.#parentAbort.reason);
    } else done.resolve();
  }
}

/**
 * The AggregateError's message: how many failed, and who, in the order of
 * its `errors` (the first few, names quoted and cut short).
 */
function message(failed: (string | undefined)[], most = 5): string {
  const tasks = failed.filter((who) => who !== undefined).length;
  if (tasks === 0) return "The body of the task group failed";
  const count = `${tasks} ${tasks === 1 ? "task" : "tasks"}`;
  const shown = failed.slice(0, most).map((who) =>
    who === undefined ? "the body" : check.describe(who)
  );
  const more = failed.length > most ? ` and ${failed.length - most} more` : "";
  const who = tasks < failed.length ? `The body and ${count}` : count;
  return `${who} in the group failed: ${shown.join(", ")}${more}`;
}

/**
 * `performance.now()` read once per turn of the event loop. For speed: a
 * reading costs about 85 ns (bench/task_group_bench.ts), and one per spawn
 * made a TaskGroup spawn and settle 1,000 tasks 1.5× slower (A/B run).
 */
let stamp: number | undefined;
function now(): number {
  if (stamp === undefined) {
    stamp = performance.now();
    queueMicrotask(() => stamp = undefined);
  }
  return stamp;
}

/** An object named "AbortError" (one whose `name` getter throws is not). */
const isAbortError = (error: unknown): boolean =>
  typeof error === "object" && check.field(error, "name") === "AbortError";
