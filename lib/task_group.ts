/**
 * Structured concurrency for promises: a {@linkcode TaskGroup} starts tasks,
 * cancels the rest when one fails, and does not let go until every one of
 * them has finished.
 *
 * `Promise.all` rejects at the first failure and walks away: the other tasks
 * keep running, unobserved, and their own failures are lost. A task group is
 * the missing counterpart of Python's `asyncio.TaskGroup` and trio's nursery.
 *
 * @example Run tasks, cancel the siblings when one fails
 * ```ts
 * import { TaskGroup } from "@asincronia/asincronia/task-group";
 *
 * const wait = (ms: number, signal: AbortSignal) =>
 *   new Promise<void>((resolve, reject) => {
 *     const id = setTimeout(resolve, ms);
 *     signal.addEventListener("abort", () => {
 *       clearTimeout(id);
 *       reject(signal.reason);
 *     }, { once: true });
 *   });
 *
 * try {
 *   await using group = new TaskGroup();
 *   group.spawn((signal) => wait(1000, signal)); // aborted after 10 ms
 *   group.spawn(async (signal) => {
 *     await wait(10, signal);
 *     throw new Error("boom");
 *   });
 * } catch (error) {
 *   console.log((error as AggregateError).errors); // [Error: boom]
 * }
 * ```
 *
 * @module
 */
import { type AbortWatcher, unwatch, watch } from "./_abort.ts";
import { checkSignal, describe } from "./_util.ts";

/** Options for {@linkcode TaskGroup}. */
export interface TaskGroupOptions {
  /**
   * A parent signal: when it aborts, the group aborts its own signal with
   * the same reason, and {@linkcode TaskGroup.prototype.wait} rejects with
   * that reason once every task has settled (unless a task failed).
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * A task: a function that receives its signal (which aborts when the
 * group's does) and returns the task's result or a promise of it.
 *
 * @typeParam T The task's result.
 */
export type Task<T> = (signal: AbortSignal) => T | PromiseLike<T>;

type State = "open" | "waiting" | "settled";

/**
 * The controller of one running task's signal, linked into its group's list
 * of running tasks: joining and leaving the list cost a few writes, cheaper
 * than a Set, and the list keeps spawn order for aborting.
 */
class TaskController extends AbortController {
  prev: TaskController | undefined = undefined;
  next: TaskController | undefined = undefined;
}

/**
 * A scope for concurrent tasks: the first failure cancels the siblings, and
 * waiting on the group lasts until every task has settled.
 *
 * **The problem.** `Promise.all([a(), b()])` rejects as soon as `a()` fails,
 * but `b()` goes on running: nobody cancels it, nobody waits for it, and if
 * it fails too that error goes nowhere. `Promise.allSettled` waits for
 * everything but cancels nothing, so one failure does not stop a long
 * sibling. A `TaskGroup` does both: it cancels and it waits.
 *
 * **Guarantees.**
 * - {@linkcode TaskGroup.prototype.spawn} calls `fn(signal)` at once. The
 *   signal is the task's own, and it follows the group's
 *   {@linkcode TaskGroup.prototype.signal}: whenever the group's signal
 *   aborts while the task runs, the task's signal aborts too, at that moment
 *   and with the same `reason`. (One signal per task is what keeps a large
 *   group cheap: Deno's `addEventListener` scans every listener already on a
 *   signal, so 100,000 tasks listening on one shared signal would cost
 *   O(N²), over a minute; on signals of their own they cost O(N).) A
 *   synchronous throw in `fn` is a failed task, as it would be in an `async`
 *   function; a value that is not a promise is a task that succeeded at
 *   once.
 * - The first task that fails aborts the group's signal, and with it the
 *   signal of every task still running. Cancellation is cooperative, as
 *   everywhere on the web platform: a task sees it only if it passes its
 *   signal on (`fetch`, `delay` from `@std/async`) or checks it.
 * - {@linkcode TaskGroup.prototype.wait} (and `await using`) settles only
 *   when every task has settled, including one that ignores the signal. It
 *   rejects with an `AggregateError` holding every failure, in the order they
 *   happened; it fulfills if there was none.
 * - Like asyncio, which leaves `CancelledError` out of its `ExceptionGroup`,
 *   the group does not count a rejection caused by its own cancellation: once
 *   the signal is aborted, a task that rejects with `signal.reason` (what
 *   `signal.throwIfAborted()`, `fetch` and `delay` do), with the parent
 *   signal's reason, or with an error named `"AbortError"` was cancelled,
 *   not failed. Any other error is a failure, even one thrown while
 *   cancelling. Before the signal aborts, every rejection is a failure.
 * - The promise returned by `spawn` never becomes an unhandled rejection:
 *   the group observes it. Await it for the task's own result or error.
 * - A failure of a group that nobody waits on is not lost: if a task has
 *   failed and every task has settled before anyone called
 *   {@linkcode TaskGroup.prototype.wait} (or reached the end of an
 *   `await using` block), the group settles at once with its
 *   `AggregateError` in a promise that nothing handles, so Deno reports an
 *   unhandled rejection, as it does for a rejected promise nobody awaits.
 *   `wait()` called afterwards still rejects with that same error. So in an
 *   `await using` block, spawn the tasks and let the block end (or `await
 *   group.wait()`) before awaiting anything long of the block's own.
 * - Tasks may spawn siblings while the group is being waited on, as in
 *   asyncio. Once the group has settled, `spawn` throws. A task spawned
 *   after the signal aborted is not started: its promise rejects with
 *   `signal.reason`, like `fetch` given an aborted signal.
 * - A settled group keeps no link to its parent signal, and the group's
 *   bookkeeping costs O(1) per task however many tasks run at once.
 *
 * **Compared with its neighbours.**
 *
 * | | cancels siblings | waits for all | reports |
 * |---|---|---|---|
 * | `Promise.all` | no | no, stops at first failure | first error |
 * | `Promise.allSettled` | no | yes | every outcome |
 * | `asyncio.TaskGroup` | yes | yes | `ExceptionGroup` |
 * | `TaskGroup` | yes, via `signal` | yes | `AggregateError` |
 *
 * Where asyncio cancels a task by throwing `CancelledError` into it at its
 * next `await`, JavaScript cannot interrupt a promise: the group aborts an
 * `AbortSignal` and each task decides how to stop. And where `async with`
 * learns that its body raised and cancels the tasks, `await using` does not
 * tell the group: if the body throws, the group still waits for its tasks
 * (call {@linkcode TaskGroup.prototype.abort} in a `catch` to stop them
 * sooner), and an error of the group is then joined to the body's in a
 * `SuppressedError`.
 *
 * @example The counterpart of `async with asyncio.TaskGroup() as tg:`
 * ```ts
 * import { TaskGroup } from "@asincronia/asincronia/task-group";
 *
 * const square = async (n: number) => n * n;
 * let a: Promise<number>, b: Promise<number>;
 * {
 *   await using group = new TaskGroup();
 *   a = group.spawn(() => square(2));
 *   b = group.spawn(() => square(3));
 * } // every task has settled here
 * console.log(await a, await b); // 4 9
 * ```
 *
 * @example A parent signal as a timeout, waiting explicitly
 * ```ts
 * import { TaskGroup } from "@asincronia/asincronia/task-group";
 *
 * const sleep = (ms: number, signal: AbortSignal) =>
 *   new Promise<void>((resolve, reject) => {
 *     const id = setTimeout(resolve, ms);
 *     signal.addEventListener("abort", () => {
 *       clearTimeout(id);
 *       reject(signal.reason);
 *     }, { once: true });
 *   });
 *
 * const group = new TaskGroup({ signal: AbortSignal.timeout(50) });
 * const quick = group.spawn(async () => "done");
 * group.spawn((signal) => sleep(10_000, signal)); // aborted at 50 ms
 * try {
 *   await group.wait();
 * } catch (error) {
 *   console.log((error as DOMException).name); // "TimeoutError"
 * }
 * console.log(await quick); // "done": it finished in time
 * ```
 *
 * @example Cancel the tasks when the block itself throws
 * ```ts
 * import { TaskGroup } from "@asincronia/asincronia/task-group";
 *
 * const parse = (text: string) => JSON.parse(text) as unknown;
 * const sleep = (ms: number, signal: AbortSignal) =>
 *   new Promise<void>((resolve, reject) => {
 *     const id = setTimeout(resolve, ms);
 *     signal.addEventListener("abort", () => {
 *       clearTimeout(id);
 *       reject(signal.reason);
 *     }, { once: true });
 *   });
 *
 * try {
 *   await using group = new TaskGroup();
 *   group.spawn((signal) => sleep(10_000, signal));
 *   try {
 *     parse("not JSON"); // the block fails...
 *   } catch (error) {
 *     group.abort(error); // ...so stop the tasks instead of waiting 10 s
 *     throw error;
 *   }
 * } catch (error) {
 *   console.log((error as Error).name); // "SyntaxError"
 * }
 * ```
 */
export class TaskGroup {
  #controller = new AbortController();
  /** The tasks still running, oldest first, as a doubly linked list. */
  #first: TaskController | undefined;
  #last: TaskController | undefined;
  #parent: AbortSignal | undefined;
  #parentWatcher: AbortWatcher | undefined;
  #parentAborted = false;
  #parentReason: unknown;
  #state: State = "open";
  #pending = 0;
  #errors: unknown[] = [];
  #done: PromiseWithResolvers<void> | undefined;

  /**
   * Creates an empty group whose signal is not aborted (unless the parent
   * signal already is).
   *
   * @param options A parent signal. The group watches it through the
   * library's one listener per signal, and stops watching once it settles.
   * @throws {TypeError} If `signal` is given and is not an `AbortSignal`.
   */
  constructor(options: TaskGroupOptions = {}) {
    const parent = options?.signal;
    const refused = checkSignal(parent, "create task group");
    if (refused !== undefined) throw refused;
    if (parent === undefined) return;
    if (parent.aborted) {
      this.#parentAbort(parent.reason);
      return;
    }
    this.#parent = parent;
    this.#parentWatcher = {
      aborted: (signal) => {
        this.#parent = this.#parentWatcher = undefined;
        this.#parentAbort(signal.reason);
      },
    };
    watch(parent, this.#parentWatcher);
  }

  #parentAbort(reason: unknown): void {
    this.#parentAborted = true;
    this.#parentReason = reason;
    if (!this.#controller.signal.aborted) this.#abortAll(reason);
  }

  /**
   * Aborts the group's signal, then the signal of every task still running,
   * in the order they were spawned, all with the same reason.
   */
  #abortAll(reason: unknown): void {
    this.#controller.abort(reason);
    let task = this.#first;
    this.#first = this.#last = undefined;
    while (task !== undefined) {
      const next = task.next;
      task.prev = task.next = undefined;
      task.abort(reason);
      task = next;
    }
  }

  #leave(task: TaskController): void {
    const { prev, next } = task;
    if (prev === undefined) {
      // The head, or no longer linked (the list was detached by an abort).
      if (this.#first !== task) return;
      this.#first = next;
    } else {
      prev.next = next;
    }
    if (next === undefined) this.#last = prev;
    else next.prev = prev;
    task.prev = task.next = undefined;
  }

  /**
   * The group's signal. It aborts at the first failure (with an
   * `AbortError` whose `cause` is that failure), when the parent signal
   * aborts (with the parent's reason), or on
   * {@linkcode TaskGroup.prototype.abort}. Every running task's own signal
   * aborts with it, with the same reason: inside a task, pass on the signal
   * the task received rather than this one.
   */
  get signal(): AbortSignal {
    return this.#controller.signal;
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
   *
   * const group = new TaskGroup();
   * const answer = group.spawn(async () => 42);
   * await group.wait();
   * console.log(await answer); // 42
   * ```
   *
   * @typeParam T The task's result.
   * @param fn The task. It receives its signal, which follows the group's.
   * @returns The task's own promise: it settles as the task does. The group
   * observes it, so leaving it unawaited never causes an unhandled
   * rejection.
   * @throws {TypeError} If `fn` is not a function.
   * @throws {Error} If the group has already settled.
   */
  spawn<T>(fn: Task<T>): Promise<T> {
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot spawn task as 'fn' must be a function: current value is ${
          describe(fn)
        }`,
      );
    }
    if (this.#state === "settled") {
      throw new Error(
        "Cannot spawn task as the task group has already settled: create a new group",
      );
    }
    const signal = this.#controller.signal;
    let task: Promise<T>;
    if (signal.aborted) {
      // Not started, like fetch() given an aborted signal; not a failure.
      task = Promise.reject(signal.reason);
      task.catch(ignore);
      return task;
    }
    // Counted before fn runs, so that whatever fn does synchronously (spawn
    // a sibling, call wait(), abort the group) already sees this task.
    const controller = new TaskController();
    const last = this.#last;
    if (last === undefined) this.#first = controller;
    else {
      last.next = controller;
      controller.prev = last;
    }
    this.#last = controller;
    this.#pending++;
    try {
      task = Promise.resolve(fn(controller.signal));
    } catch (error) {
      task = Promise.reject(error);
    }
    // This handler is what keeps an unawaited failure from being unhandled.
    task.then(
      () => {
        this.#leave(controller);
        this.#settle();
      },
      (error) => {
        this.#leave(controller);
        this.#fail(error);
        this.#settle();
      },
    );
    return task;
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
   * console.log(winner); // "a"
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
   * promise is the one already reported as an unhandled rejection.
   */
  wait(): Promise<void> {
    if (this.#done === undefined) {
      this.#done = Promise.withResolvers<void>();
      this.#state = "waiting";
      if (this.#pending === 0) this.#finish();
    }
    return this.#done.promise;
  }

  /**
   * Waits for the group as {@linkcode TaskGroup.prototype.wait} does, so that
   * `await using group = new TaskGroup()` waits at the end of its block.
   *
   * @returns The promise of {@linkcode TaskGroup.prototype.wait}.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.wait();
  }

  #fail(error: unknown): void {
    const signal = this.#controller.signal;
    if (signal.aborted) {
      if (
        error === signal.reason || isAbortError(error) ||
        (this.#parentAborted && error === this.#parentReason)
      ) return;
      this.#errors.push(error);
      return;
    }
    this.#errors.push(error);
    // Siblings are cancelled with an AbortError, as asyncio cancels them with
    // CancelledError; its `cause` is the failure. (Not every runtime accepts
    // `cause` in the DOMException constructor, hence defineProperty.)
    const reason = new DOMException("A task in the group failed", "AbortError");
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
    if (this.#parentWatcher !== undefined) {
      unwatch(this.#parent!, this.#parentWatcher);
      this.#parent = this.#parentWatcher = undefined;
    }
    const done = this.#done!;
    const count = this.#errors.length;
    if (count > 0) {
      done.reject(
        new AggregateError(
          this.#errors,
          `${count} ${count === 1 ? "task" : "tasks"} in the group failed`,
        ),
      );
    } else if (this.#parentAborted) {
      done.reject(this.#parentReason);
    } else {
      done.resolve();
    }
  }
}

function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { name?: unknown }).name === "AbortError";
}

function ignore(): void {}
