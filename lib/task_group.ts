/**
 * Structured concurrency for promises: a {@linkcode TaskGroup} starts tasks,
 * cancels the rest when one fails, and does not let go until every one of
 * them has finished.
 *
 * `Promise.all` rejects at the first failure and walks away: the other tasks
 * keep running, unobserved, and their own failures are lost. A task group is
 * the missing counterpart of Python's `asyncio.TaskGroup` and trio's nursery.
 * {@linkcode TaskGroup.run} is the scoped form, `async with TaskGroup() as
 * tg:`: the group lives for the duration of a body function, and an error in
 * the body cancels the tasks as a failed task does.
 *
 * @example Run tasks, cancel the siblings when one fails
 * ```ts
 * import { TaskGroup } from "@asincronia/asincronia/task-group";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const forever = (signal: AbortSignal) => // runs until it is cancelled
 *   new Promise((_, reject) => signal.onabort = () => reject(signal.reason));
 * const boom = new Error("boom");
 * let slow: Promise<unknown> | undefined;
 * const error = await TaskGroup.run((group) => {
 *   slow = group.spawn(forever, { name: "slow" });
 *   group.spawn(() => Promise.reject(boom), { name: "fails" });
 * }).then(() => undefined, (error: AggregateError) => error);
 * // Only the failure: the slow task was cancelled, not failed.
 * assertEquals(error?.errors, [boom]);
 * assertEquals(error?.message, '1 task in the group failed: "fails"');
 * assertEquals(await slow!.catch((reason) => reason.name), "AbortError");
 * ```
 *
 * @module
 */
import { type AbortWatcher, unwatch, watch } from "./_abort.ts";
import {
  describe,
  fn as checkFn,
  options as checkOptions,
  refuse,
  signalOf,
} from "./_check.ts";

/** Options for {@linkcode TaskGroup} and {@linkcode TaskGroup.run}. */
export interface TaskGroupOptions {
  /**
   * A parent signal: when it aborts, the group aborts its own signal with
   * the same reason, and {@linkcode TaskGroup.prototype.wait} (or
   * {@linkcode TaskGroup.run}) rejects with that reason once every task has
   * settled (unless a task failed).
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/** Options for {@linkcode TaskGroup.prototype.spawn}. */
export interface SpawnOptions {
  /**
   * The task's name, shown in {@linkcode TaskGroup.prototype.tasks} and in
   * the group's errors.
   *
   * @default {"task 1", "task 2", … in spawn order}
   */
  name?: string;
}

/**
 * A task: a function that receives its signal (which aborts when the
 * group's does) and returns the task's result or a promise of it.
 *
 * @typeParam T The task's result.
 */
export type Task<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/**
 * What a running task is doing: `"running"`, or `"cancelling"` once its
 * signal has aborted and it has not settled yet (it is cleaning up, or it
 * ignores its signal).
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
 * linked into its group's list of running tasks (in spawn order). The list
 * is for speed: 1,000 tasks joining and leaving a `Set` cost twice what
 * they cost in the list (bench/task_group_bench.ts, medians 98 against
 * 46 µs), and a TaskGroup on a `Set` spawned and settled 1,000 tasks 1.3×
 * slower (an A/B run of both versions).
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

/** How many failed tasks the AggregateError's message names. */
const NAMED = 5;

/**
 * A scope for concurrent tasks: the first failure cancels the siblings, and
 * waiting on the group lasts until every task has settled.
 *
 * `Promise.all([a(), b()])` rejects as soon as `a()` fails, but `b()` goes on
 * running: nobody cancels it or waits for it, and if it fails too that error
 * goes nowhere. `Promise.allSettled` waits for everything but cancels
 * nothing. A `TaskGroup` does both. {@linkcode TaskGroup.run} is `async with
 * asyncio.TaskGroup() as tg:`; `new TaskGroup()` with
 * {@linkcode TaskGroup.prototype.wait} (or `await using`) is the open form,
 * for a group that outlives one function.
 *
 * **Guarantees.**
 * - {@linkcode TaskGroup.prototype.spawn} calls `fn(signal)` at once, with a
 *   signal of the task's own that aborts whenever the group's
 *   {@linkcode TaskGroup.prototype.signal} does while the task runs, at that
 *   moment and with the same `reason`. (A signal each keeps a large group
 *   linear: Deno's `addEventListener` scans the listeners already on a
 *   signal, so 100,000 tasks listening on one shared signal would cost
 *   O(N²), over a minute.) A synchronous throw in `fn` is a failed task; a
 *   value that is not a promise is a task that succeeded at once.
 * - The first task that fails (or the body of `run`) aborts the group's
 *   signal, and with it every running task's. Cancellation is cooperative:
 *   a task sees it only if it passes its signal on (`fetch`, `delay` from
 *   `@std/async`) or checks it.
 * - Waiting on the group (`wait()`, `await using`, `run`) settles only when
 *   every task has, even one that ignores its signal. It rejects with an
 *   `AggregateError` of every failure, the original errors in the order
 *   they happened, its message naming the tasks (`2 tasks in the group
 *   failed: "fetch a", "task 3"`); it fulfills if there was none.
 * - As asyncio leaves `CancelledError` out of its `ExceptionGroup`, the
 *   group does not count its own cancellation coming back: once the signal
 *   is aborted, a rejection with `signal.reason` (what `throwIfAborted()`,
 *   `fetch` and `delay` give), the parent signal's reason, or an error named
 *   `"AbortError"` is a cancellation. Any other error is a failure, even
 *   one thrown while cancelling; before the abort, every rejection is.
 * - Each error object is listed once: a task (or body) that awaits a
 *   sibling's promise and rejects with its error passes the failure on, it
 *   does not fail again. (A thrown primitive is counted each time.)
 * - The promise `spawn` returns never becomes an unhandled rejection: the
 *   group observes it. Await it for the task's own result or error.
 * - A failure nobody waits for is not lost: if a task failed and every task
 *   settled before anyone called `wait()` (or reached the end of an `await
 *   using` block), the group settles at once in a promise that nothing
 *   handles, so the runtime reports an unhandled rejection; a later
 *   `wait()` rejects with that same error. So in an `await using` block,
 *   spawn the tasks and let the block end before awaiting anything long of
 *   its own. (`run` waits from the start.)
 * - Tasks may spawn siblings while the group is waited on (in `run`, also
 *   after the body returned). Once the group has settled, `spawn` throws. A
 *   task spawned after the signal aborted is not started: its promise
 *   rejects with `signal.reason`, like `fetch` given an aborted signal.
 * - {@linkcode TaskGroup.prototype.tasks} lists the tasks still running:
 *   `python -m asyncio ps` for one group.
 * - A settled group keeps no link to its parent signal, and its
 *   bookkeeping costs O(1) per task however many run at once.
 *
 * | | cancels siblings | waits for all | reports |
 * |---|---|---|---|
 * | `Promise.all` | no | no, stops at first failure | first error |
 * | `Promise.allSettled` | no | yes | every outcome |
 * | `asyncio.TaskGroup` | yes | yes | `ExceptionGroup` |
 * | `TaskGroup` | yes, via `signal` | yes | `AggregateError` |
 *
 * Where asyncio throws `CancelledError` into a task at the `await` where it
 * is suspended (the task may catch it), JavaScript cannot interrupt a
 * promise: the group aborts an `AbortSignal` and each task decides how to
 * stop.
 *
 * **`await using` is not `async with`.** JavaScript does not tell the
 * disposer that its block threw, so an error thrown in an `await using`
 * block neither cancels the tasks (the group waits for them to finish) nor
 * joins the group's failures (if the group fails too, both arrive in a
 * `SuppressedError`). Use {@linkcode TaskGroup.run} for that.
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
 *   b = group.spawn(() => square(3));
 * } // every task has settled here
 * assertEquals([await a, await b], [4, 9]);
 * ```
 *
 * @example A parent signal as a timeout, waiting explicitly
 * ```ts
 * import { TaskGroup } from "@asincronia/asincronia/task-group";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const group = new TaskGroup({ signal: AbortSignal.timeout(50) });
 * const quick = group.spawn(async () => "done");
 * group.spawn((signal) => // stops when aborted, at 50 ms
 *   new Promise((_, reject) => signal.onabort = () => reject(signal.reason))
 * );
 * const error = await group.wait().then(() => undefined, (e: Error) => e);
 * assertEquals(error?.name, "TimeoutError"); // the parent's reason, as itself
 * assertEquals(await quick, "done"); // it finished in time
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
   * Runs `body` with a new group and settles once the body and every task
   * have settled: the counterpart of `async with asyncio.TaskGroup() as
   * tg:`. The body is called at once, with the group; its value (awaited)
   * is run's result.
   *
   * - An error thrown in the body (or a rejection of what it returns) is a
   *   failure of the group, as a task's is: it cancels every task and joins
   *   the `AggregateError` in the order the failures happened, as "the
   *   body". A body that rejects with the group's cancellation, or with the
   *   error of a failed task it awaited, has not failed.
   * - When a task fails, the body sees it only if it passes `group.signal`
   *   to what it awaits.
   * - A parent signal's abort cancels the tasks, and run rejects with the
   *   parent's reason itself (as asyncio lets `CancelledError` through),
   *   unless a task or the body failed: then the `AggregateError` wins. If
   *   the parent has already aborted, the body is not called.
   * - If the body stops because of {@linkcode TaskGroup.prototype.abort}
   *   and nothing failed, run rejects with the body's error.
   * - The body cannot wait for its own group, which ends after it: in the
   *   body, `group.wait()` rejects with an `Error`. Await the promises that
   *   `spawn` returns instead.
   *
   * @example An error in the body cancels the tasks
   * ```ts
   * import { TaskGroup } from "@asincronia/asincronia/task-group";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * let cancelled = false;
   * const error = await TaskGroup.run((group) => {
   *   group.spawn((signal) => // waits until it is cancelled
   *     new Promise<void>((resolve) => signal.onabort = () => resolve())
   *   ).then(() => cancelled = true);
   *   JSON.parse("not JSON"); // the body fails...
   * }).then(() => undefined, (error: AggregateError) => error);
   * // ...so the task was cancelled, and the body's error is the group's.
   * assertEquals(error?.message, "The body of the task group failed");
   * assertEquals(error?.errors.map((e: Error) => e.name), ["SyntaxError"]);
   * assertEquals(cancelled, true);
   * ```
   *
   * @typeParam T The body's result.
   * @param body Called at once with the group; spawns the tasks, may await
   * anything (pass it `group.signal`), and returns run's result.
   * @param options A parent signal.
   * @returns A promise of the body's value, settled once the body and every
   * task have settled. It rejects with an `AggregateError` of every
   * failure (the body's included) if any, else with the parent signal's
   * reason if the parent aborted, else with the body's error if the body
   * rejected after {@linkcode TaskGroup.prototype.abort}.
   * @throws {TypeError} If `body` is not a function, `options` is not an
   * object, or `signal` is given and is not an `AbortSignal` (as a rejected
   * promise; nothing is started).
   */
  static run<T>(
    body: (group: TaskGroup) => T | PromiseLike<T>,
    options?: TaskGroupOptions,
  ): Promise<T> {
    let group: TaskGroup;
    try {
      checkFn(body, "run task group", "body");
      const signal = signalOf(options, "run task group");
      // Not started, like fetch() given an aborted signal.
      if (signal?.aborted) return Promise.reject(signal.reason);
      group = new TaskGroup({ signal });
    } catch (error) {
      return Promise.reject(error);
    }
    // The body counts as a running member of the group, so the group cannot
    // settle before it; and the group is waited on from the start.
    group.#pending++;
    const done = group.wait();
    group.#inBody = true;
    let result: Promise<T>;
    try {
      result = Promise.resolve(body(group));
    } catch (error) {
      result = Promise.reject(error);
    }
    let outcome!: { value: T } | { error: unknown };
    const end = (settled: typeof outcome) => {
      outcome = settled;
      group.#inBody = false;
      if ("error" in settled) group.#fail(settled.error, undefined);
      group.#settle();
    };
    result.then((value) => end({ value }), (error) => end({ error }));
    return done.then(() => {
      if ("error" in outcome) throw outcome.error;
      return outcome.value;
    });
  }

  /**
   * Creates an empty group whose signal is not aborted (unless the parent
   * signal already is).
   *
   * @param options A parent signal. The group watches it through the
   * library's one listener per signal, and stops watching once it settles.
   * @throws {TypeError} If `options` is not an object, or `signal` is given
   * and is not an `AbortSignal`.
   */
  constructor(options?: TaskGroupOptions) {
    const signal = signalOf(options, "create task group");
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
   * Aborts the group's signal, then the signal of every task still running,
   * in spawn order, with the same reason. (Nothing changes the set while it
   * is walked: spawn refuses once the group's signal is aborted, and tasks
   * leave only in promise reactions.)
   */
  #abortAll(reason: unknown): void {
    this.#controller.abort(reason);
    for (let task = this.#first; task; task = task.next) task.abort(reason);
  }

  /**
   * The group's signal. It aborts at the first failure (with an
   * `AbortError` whose `cause` is that failure), when the parent signal
   * aborts (with the parent's reason), or on
   * {@linkcode TaskGroup.prototype.abort}. Every running task's own signal
   * aborts with it, with the same reason: inside a task, pass on the signal
   * the task received rather than this one. In the body of
   * {@linkcode TaskGroup.run}, pass this one.
   */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * The tasks still running, oldest first: each one's name, state
   * (`"running"`, or `"cancelling"` once its signal has aborted) and age in
   * milliseconds. A task leaves the list when it settles. This is `python
   * -m asyncio ps` for one group: when a group will not settle, it shows
   * which task is holding it, and whether it ignored its signal. Ages are
   * measured once per turn of the event loop, so tasks spawned in the same
   * synchronous run share a start time. Each read builds a new array.
   *
   * @example See who is still running
   * ```ts
   * import { TaskGroup } from "@asincronia/asincronia/task-group";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const group = new TaskGroup();
   * const stop = Promise.withResolvers<void>();
   * group.spawn(() => stop.promise, { name: "stubborn" });
   * group.spawn(() => {}); // settles at once
   * await Promise.resolve();
   * group.abort();
   * const listed = group.tasks.map(({ name, state }) => `${name}: ${state}`);
   * assertEquals(listed, ["stubborn: cancelling"]);
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
      list.push({
        name: task.name,
        state,
        age: Math.max(0, at - task.started),
      });
    }
    return list;
  }

  /**
   * Starts a task in the group: calls `fn(signal)` now, with a signal of the
   * task's own that aborts when the group's signal does (same moment, same
   * reason), and tracks the result. The first task to fail aborts the
   * group's signal.
   *
   * @example Spawn and keep the result
   * ```ts
   * import { TaskGroup } from "@asincronia/asincronia/task-group";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const group = new TaskGroup();
   * const answer = group.spawn(async () => 42, { name: "answer" });
   * await group.wait();
   * assertEquals(await answer, 42);
   * ```
   *
   * @typeParam T The task's result.
   * @param fn The task. It receives its signal, which follows the group's.
   * @param options The task's name, for {@linkcode TaskGroup.prototype.tasks}
   * and error messages; by default `"task N"` for the Nth task spawned.
   * @returns The task's own promise: it settles as the task does. The group
   * observes it, so leaving it unawaited never causes an unhandled
   * rejection.
   * @throws {TypeError} If `fn` is not a function, `options` is not an
   * object, or `name` is not a string.
   * @throws {Error} If the group has already settled.
   */
  spawn<T>(fn: Task<T>, options?: SpawnOptions): Promise<T> {
    checkFn(fn, "spawn task", "fn");
    const name = options === undefined
      ? undefined
      : checkOptions(options, "spawn task").name;
    if (name !== undefined && typeof name !== "string") {
      refuse(TypeError, "spawn task", "name", "a string", name);
    }
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
    // Counted before fn runs, so that whatever fn does synchronously (spawn
    // a sibling, call wait(), abort the group) already sees this task.
    const controller = new TaskController(name ?? `task ${id}`);
    const last = this.#last;
    if (last === undefined) this.#first = controller;
    else (last.next = controller).prev = last;
    this.#last = controller;
    this.#pending++;
    let task: Promise<T>;
    try {
      task = Promise.resolve(fn(controller.signal));
    } catch (error) {
      task = Promise.reject(error);
    }
    // This handler is what keeps an unawaited failure from being unhandled.
    task.then(
      () => this.#leave(controller, false),
      (error) => this.#leave(controller, true, error),
    );
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
   * Aborts the group's signal, asking every task to stop. A deliberate
   * abort is not a failure: {@linkcode TaskGroup.prototype.wait} still
   * fulfills if no task failed, like cancelling trio's
   * `nursery.cancel_scope`. Does nothing if the signal is already aborted.
   *
   * @example Keep the first answer, cancel the rest
   * ```ts
   * import { TaskGroup } from "@asincronia/asincronia/task-group";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const group = new TaskGroup();
   * let winner: string | undefined;
   * for (const name of ["a", "b"]) {
   *   group.spawn(async (signal) => {
   *     await new Promise((r) => setTimeout(r, name === "a" ? 10 : 20));
   *     if (signal.aborted) return;
   *     winner = name;
   *     group.abort();
   *   });
   * }
   * await group.wait();
   * assertEquals(winner, "a");
   * ```
   *
   * @param reason The signal's reason; by default a `DOMException` named
   * `"AbortError"`.
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
   * Waits until every task has settled, including tasks spawned meanwhile.
   * Calling it again returns the same promise.
   *
   * @returns A promise that fulfills when every task has settled and none
   * failed; rejects with an `AggregateError` of every failure, in the order
   * they happened, if any failed; otherwise rejects with the parent
   * signal's reason if the parent aborted before the group settled, as
   * asyncio propagates the cancellation of the task around `async with`.
   * If the group failed and settled before this was first called, the
   * promise is the one already reported as an unhandled rejection. While
   * the body of {@linkcode TaskGroup.run} runs, it rejects with an `Error` at
   * once: the group ends after the body, so the body would wait for itself.
   */
  wait(): Promise<void> {
    if (this.#inBody) {
      return Promise.reject(
        new Error(
          "Cannot wait for the task group inside the body of TaskGroup.run() as the group ends after the body: await the tasks' promises instead",
        ),
      );
    }
    if (this.#done === undefined) {
      this.#done = Promise.withResolvers<void>();
      this.#state = "waiting";
      if (this.#pending === 0) this.#finish();
    }
    return this.#done.promise;
  }

  /**
   * Waits for the group as {@linkcode TaskGroup.prototype.wait} does, so that
   * `await using group = new TaskGroup()` waits at the end of its block. An
   * error thrown in that block does not cancel the tasks: see
   * {@linkcode TaskGroup.run} for the form that does.
   *
   * @returns The promise of {@linkcode TaskGroup.prototype.wait}.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.wait();
  }

  /**
   * Records a rejection of the task named `who` (or of the body, when `who`
   * is undefined): a failure, unless it is the group's own cancellation
   * coming back, or a failure already recorded passed on by whoever awaited
   * the task that failed.
   */
  #fail(error: unknown, who: string | undefined): void {
    const signal = this.#controller.signal;
    const object = (typeof error === "object" && error !== null) ||
      typeof error === "function";
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
    // Siblings are cancelled with an AbortError, as asyncio cancels them with
    // CancelledError; its `cause` is the failure. (Not every runtime accepts
    // `cause` in the DOMException constructor, hence defineProperty.)
    const reason = new DOMException(
      who === undefined
        ? "The body of the task group failed"
        : `A task in the group failed: ${describe(who)}`,
      "AbortError",
    );
    Object.defineProperty(reason, "cause", {
      value: error,
      writable: true,
      configurable: true,
    });
    this.#abortAll(reason);
  }

  #settle(): void {
    if (--this.#pending > 0) return;
    if (this.#state === "waiting") {
      this.#finish();
    } else if (this.#state === "open" && this.#errors.length > 0) {
      // A task failed, every task has settled, and nobody has asked for the
      // outcome: settle now, in a promise that nothing handles, so that the
      // failure surfaces as an unhandled rejection instead of being lost.
      // wait() called later returns this same promise.
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
    } else {
      done.resolve();
    }
  }
}

/**
 * The AggregateError's message: how many failed, and who, in the order of
 * its `errors` (the first few, names quoted and cut short).
 */
function message(failed: (string | undefined)[]): string {
  const tasks = failed.filter((who) => who !== undefined).length;
  if (tasks === 0) return "The body of the task group failed";
  const count = `${tasks} ${tasks === 1 ? "task" : "tasks"}`;
  const shown = failed.slice(0, NAMED).map((who) =>
    who === undefined ? "the body" : describe(who)
  );
  const more = failed.length > NAMED
    ? ` and ${failed.length - NAMED} more`
    : "";
  const who = tasks < failed.length ? `The body and ${count}` : count;
  return `${who} in the group failed: ${shown.join(", ")}${more}`;
}

/**
 * The time of the current turn of the event loop: `performance.now()` read
 * once and kept until the next microtask checkpoint. This is for speed: a
 * reading costs about 85 ns (bench/task_group_bench.ts, medians 86 µs per
 * 1,000 against 2.5 µs once per turn), and reading it at every spawn made a
 * TaskGroup spawn and settle 1,000 tasks 1.5× slower (an A/B run).
 */
let stamp: number | undefined;
function now(): number {
  if (stamp === undefined) {
    stamp = performance.now();
    queueMicrotask(() => stamp = undefined);
  }
  return stamp;
}

function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { name?: unknown }).name === "AbortError";
}
