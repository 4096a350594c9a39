/**
 * A pool of Deno Workers that runs exported functions of modules on other
 * threads: the counterpart of Python's `loop.run_in_executor()` and
 * `concurrent.futures`.
 *
 * A function that blocks (a long computation, `Atomics.wait`, a synchronous
 * API) freezes everything else on its thread: timers, I/O callbacks, other
 * tasks. An {@linkcode Executor} moves such calls to worker threads and hands
 * back a promise, so the main thread keeps serving its event loop, and
 * CPU-bound work spreads over every core.
 *
 * The functions live in a task module of yours, given by its absolute URL:
 * in a program, a file such as `new URL("./tasks.ts", import.meta.url)`,
 * typed for {@linkcode Executor.prototype.bind} with
 * `typeof import("./tasks.ts")`. The examples write their task module
 * inline, as a `data:` URL, so that they run as they are.
 *
 * @example Run a function of a module on a worker
 * ```ts
 * import { Executor } from "@asincronia/asincronia/executor";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // The task module: usually a file, here inline.
 * const url = "data:text/javascript,export const fib = (n) => n < 2 ? n : fib(n - 1) + fib(n - 2);";
 * type Tasks = { fib(n: number): number }; // usually typeof import("./tasks.ts")
 *
 * await using executor = new Executor();
 * const tasks = executor.bind<Tasks>(url);
 * // Two CPU-bound calls on two other threads; this one stays free meanwhile.
 * assertEquals(await Promise.all([tasks.fib(25), tasks.fib(26)]), [75025, 121393]);
 * ```
 *
 * @module
 */

import { type AbortWatcher, unwatch, watch } from "./_abort.ts";
import {
  claimToWithdraw,
  FINISHED,
  type FunctionName,
  type HostMessage,
  lockManager,
  MAX_IN_FLIGHT,
  newSharedState,
  NOTICE_READ,
  type ResultsMessage,
  RETURNED,
  reviveThrown,
  type SerializedThrown,
  type SharedState,
  SKIPPED,
  TRANSFER,
  type TransferMarker,
  wasRun,
  type WorkerMessage,
  WRAP,
} from "./_executor_protocol.ts";
import {
  checkCount,
  checkOptions,
  checkSignal,
  describe,
  type LongTimeout,
  setLongTimeout,
} from "./_util.ts";

/** Options for {@linkcode Executor}. */
export interface ExecutorOptions {
  /**
   * The most workers that run at once: an integer ≥ 1. Workers start only
   * when there is work for them.
   *
   * @default {navigator.hardwareConcurrency}
   */
  workers?: number;
  /**
   * How many milliseconds a worker with nothing to do lives before it ends
   * (≥ 0; any length, `Infinity` keeps them until shutdown). Deno keeps a
   * process alive while any worker lives: ending idle workers is what lets a
   * script that never calls {@linkcode Executor.prototype.shutdown} exit by
   * itself.
   *
   * @default {1000}
   */
  idleTimeout?: number;
}

/** Options for {@linkcode Executor.prototype.run}. */
export interface RunOptions {
  /**
   * Cancels the call; the promise rejects at once with `signal.reason`. A
   * call that has not started is dropped and its worker left alone. A call
   * that is running is stopped by terminating its worker; the calls that
   * were waiting on that worker run elsewhere. Deno ends a terminated worker
   * only once its code returns to the event loop (see {@linkcode Executor}):
   * a long synchronous loop should also check a flag of its own.
   */
  signal?: AbortSignal;
  /**
   * Objects among the arguments to move to the worker instead of copying
   * them (ArrayBuffers, MessagePorts, …). They are unusable here afterwards.
   * A call that moves objects waits for a worker with nothing else to do.
   */
  transfer?: Transferable[];
}

/** Options for {@linkcode Executor.prototype.bind}. */
export interface BindOptions {
  /** Cancels every call made through the bound module; see {@linkcode RunOptions.signal}. */
  signal?: AbortSignal;
}

/**
 * The functions of module `M`, each made asynchronous: what
 * {@linkcode Executor.prototype.bind} returns.
 *
 * @typeParam M The module's type, `typeof import("./tasks.ts")`.
 */
export type Bound<M> = {
  readonly [
    K in keyof M as M[K] extends (...args: never[]) => unknown ? K
      : never
  ]: M[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/**
 * Why a call failed when it was not the call's own code that threw: its
 * worker died (the task called `Deno.exit()` or `self.close()`, an uncaught
 * error ended the worker, the worker could not start). `cause` holds the
 * uncaught error when there was one.
 */
export class WorkerError extends Error {
  /**
   * Makes the error.
   *
   * @param message What happened.
   * @param options `cause`: the error that killed the worker, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WorkerError";
  }
}

/**
 * Marks a task's result so that the listed objects are moved back to the
 * caller instead of copied. Call it in the task's module, on the value that
 * the task returns; the caller receives `value` itself. If the objects cannot
 * be moved, the call rejects with a `TypeError` that says so.
 *
 * @example Return a large buffer without copying it
 * ```ts
 * import { Executor } from "@asincronia/asincronia/executor";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // The task module (usually a file) marks what it returns:
 * const source = `
 *   import { transfer } from "@asincronia/asincronia/executor";
 *   export function fill(size) {
 *     const bytes = new Uint8Array(size).fill(7);
 *     return transfer(bytes, [bytes.buffer]); // moved back, not copied
 *   }`;
 * const url = `data:text/javascript,${encodeURIComponent(source)}`;
 *
 * await using executor = new Executor();
 * const bytes = await executor.run<Uint8Array>(url, "fill", [1 << 20]);
 * assertEquals([bytes.length, bytes[0]], [1 << 20, 7]);
 * ```
 *
 * @typeParam T The result's type.
 * @param value The result.
 * @param transferList The objects inside `value` to move.
 * @returns A marker that the executor unwraps; typed as `T` so that the
 * task's signature stays the result's.
 * @throws {TypeError} If `transferList` is not an array.
 */
export function transfer<T>(value: T, transferList: Transferable[]): T {
  if (!Array.isArray(transferList)) {
    throw new TypeError(
      `Cannot transfer result as 'transferList' must be an array: current value is ${
        describe(transferList)
      }`,
    );
  }
  const marker: TransferMarker = { value, [TRANSFER]: transferList };
  return marker as T;
}

// ---------------------------------------------------------------------------
// Scheduling constants
// ---------------------------------------------------------------------------

/**
 * The most estimated work, in milliseconds, handed to a busy worker: a worker
 * with nothing to do always gets one call, and then more only while their
 * estimated durations add up to this. Hundreds of trivial calls travel in
 * one message (what makes them cheap); a call that takes longer, or one never
 * measured, travels alone, so heavy calls spread over every worker.
 */
const BATCH_MS = 0.5;
/**
 * A worker that has not finished a call for this long is stuck in one: it is
 * given nothing more, and the calls waiting behind it are taken back and run
 * elsewhere (see {@linkcode Executor.prototype.#checkStuck}).
 */
const STUCK_MS = BATCH_MS;
/** How often, in milliseconds, workers with calls waiting behind a running one are checked. */
const CHECK_MS = 1;

// ---------------------------------------------------------------------------
// Host-side records
// ---------------------------------------------------------------------------

/** An exported function that calls name, and what its calls cost. */
interface Target extends FunctionName {
  /**
   * A running average of how long its calls take, in milliseconds; unknown
   * until the first answer.
   */
  estimateMs: number | undefined;
}

/** A call in the executor's queue, waiting for a worker. */
const QUEUED = 0;
/** A call sent to a worker, not settled yet. */
const SENT = 1;
/** A call whose promise has settled. */
const SETTLED = 2;

/**
 * One call of `run()`, from the queue to its settling. It is also the
 * watcher of the caller's signal (see lib/_abort.ts).
 */
class Call implements AbortWatcher {
  /** {@linkcode QUEUED}, {@linkcode SENT} or {@linkcode SETTLED}. */
  state: number = QUEUED;
  /** The worker it was sent to, while {@linkcode SENT}. */
  worker: PoolWorker | undefined = undefined;
  /** Its number on that worker (calls are numbered in the order sent). */
  number = 0;
  /** The work it was counted as on that worker, in milliseconds. */
  estimateMs = 0;

  constructor(
    readonly target: Target,
    readonly args: unknown[],
    readonly transfer: Transferable[] | undefined,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
    readonly onAbort: (call: Call) => void,
  ) {}

  aborted(): void {
    this.onAbort(this);
  }
}

/** What the executor knows of one of its workers. */
class PoolWorker {
  /** Answered `ready`: holds its lock and runs calls. */
  ready = false;
  /** Ended, or known to be ending; no longer in the executor's list. */
  dead = false;
  /**
   * The calls sent and not answered, oldest first, from index `head` on:
   * `inFlight[head + i]` has number `answered + i`. An entry stays until its
   * answer comes, even once settled (aborted); `null` is a call taken back,
   * which the worker answers as skipped.
   */
  inFlight: (Call | null)[] = [];
  /** Where the unanswered calls start in `inFlight`. */
  head = 0;
  /** How many answers came back: the number of the oldest unanswered call. */
  answered = 0;
  /** How many calls in `inFlight` are still this worker's to run and settle. */
  live = 0;
  /** Their estimated work, in milliseconds. */
  workMs = 0;
  /** The functions this worker has received, and their numbers there (see #post). */
  numbers: Map<Target, number> = new Map();
  /** The last value of the worker's FINISHED counter this side read. */
  seenFinished = 0;
  /** When the worker last finished a call, or was given work while idle. */
  progressAt = 0;
  /** Why it died, in words. */
  cause: string | undefined = undefined;
  /** The error that killed it, if any. */
  causeError: unknown = undefined;
  /** Ends it after `idleTimeout` with nothing to do. */
  idleTimer: LongTimeout | undefined = undefined;
  /** Withdraws this side's request for the worker's lock. */
  lockRequest: AbortController = new AbortController();
  /** Resolves once the worker has ended. */
  gone: Promise<void>;
  /** Resolves `gone`. */
  markGone: () => void;

  constructor(
    readonly worker: Worker,
    readonly state: SharedState,
    readonly lock: string,
  ) {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.gone = promise;
    this.markGone = resolve;
  }

  /** How many calls are unanswered (settled or not). */
  get unanswered(): number {
    return this.inFlight.length - this.head;
  }

  /** How many calls it has finished, read from shared memory. */
  finished(): number {
    const raw = Atomics.load(this.state, FINISHED);
    // Finished and answered are at most MAX_IN_FLIGHT apart: undo the wrap.
    return this.answered + (raw - this.answered % WRAP + WRAP) % WRAP;
  }
}

/**
 * A pool of workers that runs exported functions of modules off the main
 * thread.
 *
 * `run(module, exportName, args)` queues a call; queued calls start in FIFO
 * order on a worker that is free, and the promise settles with what the
 * function returned (awaited if it was a promise) or with what it threw.
 * Arguments and results travel by structured clone, or are moved when listed
 * in `transfer`. Each worker runs one call at a time; several queued calls
 * travel to a worker in one message, which is what makes small calls cheap.
 *
 * Guarantees:
 * - Every call is timed, the first on a fresh worker too. A busy worker is
 *   given more calls only while their measured durations add up to about
 *   half a millisecond, so a heavy call travels alone; a worker that has
 *   been in one call for longer than that is given nothing more, and the
 *   calls already waiting behind it on that worker are taken back (within
 *   about a millisecond) and run elsewhere. Another worker starts whenever
 *   calls wait and `workers` allows it. So heavy calls spread over every
 *   worker, and a call waits behind a running one only when every allowed
 *   worker is busy. (A call that moves objects with `transfer` waits for an
 *   idle worker and is never taken back: its objects live there.)
 * - An error thrown by the task arrives with its class name, message, stack,
 *   `cause` (even one that points back at the error) and cloneable own
 *   fields; built-in classes such as `TypeError` keep `instanceof`. A thrown
 *   value that is not an error arrives as itself, or as a plain copy of its
 *   cloneable fields. Getters or a `toString` that throw change nothing.
 * - A missing module or export rejects with an error naming it. Arguments
 *   that cannot be cloned reject with a `DataCloneError`, a result that
 *   cannot be cloned or moved back with a `TypeError`; the worker goes on.
 * - A bad argument or option rejects that one call with a `TypeError`
 *   naming the value, and changes nothing else.
 * - A worker that dies for any reason — `Deno.exit()` or `self.close()` in
 *   task code, an uncaught error or unhandled rejection, a module whose top
 *   level kills it — rejects only the call it was running, with a
 *   {@linkcode WorkerError} naming the cause; calls it had received but not
 *   started run on another worker. Deaths are noticed through a Web Lock
 *   each worker holds for its whole life, so no call ever hangs.
 * - Aborting a call that has not started (queued, or sent to a worker that
 *   is still starting or busy) drops it and touches no worker. Aborting a
 *   running call rejects it at once and terminates its worker; the calls
 *   waiting behind it run elsewhere, on a new worker if needed.
 * - Many calls may share one signal: the executor adds one listener per
 *   distinct signal, and each call costs O(1) to add and to abort.
 * - Idle workers end after `idleTimeout` (any duration); calling
 *   {@linkcode Executor.prototype.shutdown} finishes queued and running
 *   calls, then ends every worker.
 *
 * What Deno 2.9.6 cannot do, and what to do instead:
 * - `Worker.terminate()` takes effect only when the worker's code returns to
 *   its event loop. A call that never does — a loop such as `for (;;) {}`,
 *   or one that blocks in `Atomics.wait` or awaits only resolved promises —
 *   keeps its thread going after the call was aborted: the call rejects, but
 *   the thread keeps a core busy (or stays parked) and the process never
 *   exits ({@link https://github.com/denoland/deno/pull/35657 | denoland/deno#35657
 *   "fix(runtime): wait for worker cleanup before closing"},
 *   {@link https://github.com/denoland/deno/issues/14003 | denoland/deno#14003
 *   "Don't spawn a thread when terminating a worker"}). In a long loop, check
 *   a flag now and then: pass an `Int32Array` over a `SharedArrayBuffer` as
 *   an argument, set it (`Atomics.store`) when the signal aborts, and leave
 *   the loop when `Atomics.load` sees it; or return to the event loop now
 *   and then (`await new Promise((r) => setTimeout(r, 0))`), which lets
 *   `terminate()` end the worker.
 * - A worker that runs out of heap takes the whole process down: Web Workers
 *   have no memory limit in Deno
 *   ({@link https://github.com/denoland/deno/issues/10036 | denoland/deno#10036
 *   "Resource limit for webworkers"};
 *   {@link https://github.com/denoland/deno/pull/35766 | denoland/deno#35766}
 *   proposes one). Cap the size of the input a call may take and of what it
 *   may build.
 *
 * Workers inherit the process's permissions; loading a local module needs
 * `--allow-read` for it.
 *
 * @example Run a blocking function without blocking the main thread
 * ```ts
 * import { Executor } from "@asincronia/asincronia";
 * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // A task that blocks its thread, as a synchronous API does (usually a file).
 * const url = "data:text/javascript,export function sleepSync(ms) {" +
 *   " Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); return ms; }";
 *
 * await using executor = new Executor({ workers: 2 });
 * let ticks = 0;
 * const timer = setInterval(() => ticks++, 10);
 * const slept = await Promise.all([
 *   executor.run(url, "sleepSync", [100]),
 *   executor.run(url, "sleepSync", [100]),
 * ]);
 * clearInterval(timer);
 * assertEquals(slept, [100, 100]);
 * assert(ticks > 0); // this thread's timers kept firing meanwhile
 * ```
 */
export class Executor implements AsyncDisposable {
  /** The most workers alive at once. */
  #max: number;
  /** How long an idle worker lives, in milliseconds. */
  #idleTimeout: number;
  /** The workers alive (or starting), oldest first. */
  #workers: PoolWorker[] = [];
  /**
   * Calls waiting for a worker, oldest first, from `#queueHead` on. An
   * aborted call stays in place, settled, and is skipped when reached: that
   * makes an abort O(1).
   */
  #queue: Call[] = [];
  /** Where the waiting calls start in `#queue`. */
  #queueHead = 0;
  /** How many calls in `#queue` still wait (the settled ones excluded). */
  #queued = 0;
  /** How many calls are sent to a worker and not settled. */
  #running = 0;
  /** A pump is due in a microtask: calls made in one turn go out together. */
  #pumpDue = false;
  /** The check for stuck workers, while some worker has calls waiting behind a running one. */
  #stuckCheck: ReturnType<typeof setTimeout> | undefined;
  /** `shutdown()` was called: no new calls. */
  #closing = false;
  /** The one wait that every `shutdown()` returns. */
  #shutdown: Promise<void> | undefined;
  /** Resolves the shutdown's wait for queued and running calls. */
  #drained: (() => void) | undefined;
  /** Every worker not yet gone: what shutdown waits for last. */
  #gone: Set<Promise<void>> = new Set();
  /** Every function called so far, by `module \0 exportName`. */
  #targets: Map<string, Target> = new Map();
  /** The last function called: most callers call one function many times. */
  #lastTarget: Target | undefined;
  /** The last module string and its parsed form: parsing costs per call. */
  #lastModule = "";
  #lastUrl = "";
  /** The one abort handler every call shares. */
  #abortCall = (call: Call): void => this.#abort(call);

  /**
   * Makes an executor. No worker starts before the first call.
   *
   * @param options `workers` and `idleTimeout`.
   * @throws {TypeError} If `options` is not an object, or `workers` or
   * `idleTimeout` is not a number.
   * @throws {RangeError} If `workers` is not an integer from 1 to
   * `Number.MAX_SAFE_INTEGER`, or
   * `idleTimeout` is not a non-negative number.
   */
  constructor(options: ExecutorOptions = {}) {
    const bad = checkOptions(options, "create executor");
    if (bad !== undefined) throw bad;
    const workers = options.workers === undefined
      ? (globalThis.navigator?.hardwareConcurrency || 1)
      : options.workers;
    const error = checkCount(workers, "workers", "create executor");
    if (error !== undefined) throw error;
    this.#max = workers as number;
    this.#idleTimeout = checkIdleTimeout(
      options.idleTimeout === undefined ? 1000 : options.idleTimeout,
    );
  }

  /** The most workers this executor runs at once. */
  get maxWorkers(): number {
    return this.#max;
  }

  /** How many workers are alive now (0 before the first call and after idling). */
  get workers(): number {
    return this.#workers.length;
  }

  /** How many calls wait in the queue for a worker. */
  get queued(): number {
    return this.#queued;
  }

  /** How many calls have been sent to a worker and have not settled yet. */
  get running(): number {
    return this.#running;
  }

  /**
   * Runs `module`'s export `exportName` with `args` on a worker.
   *
   * @example Call an exported function
   * ```ts
   * import { Executor } from "@asincronia/asincronia/executor";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * // Usually new URL("./tasks.ts", import.meta.url); here inline.
   * const url = "data:text/javascript,export const add = (a, b) => a + b;";
   *
   * await using executor = new Executor();
   * const sum = await executor.run<number>(url, "add", [1, 2]);
   * assertEquals(sum, 3);
   * ```
   *
   * @typeParam T What the function returns (its awaited value).
   * @param module An absolute URL of the module (`new URL("./tasks.ts",
   * import.meta.url)` or `import.meta.resolve(...)`).
   * @param exportName The name of an exported function.
   * @param args The arguments, cloned (or moved, see `transfer`).
   * @param options `signal` and `transfer`.
   * @returns What the function returned, or its error.
   * @throws {TypeError} (as a rejection) If an argument or option has the
   * wrong type (`module` not an absolute URL, `exportName` not a non-empty
   * string, `args` not an array, `options` not an object, `signal` not an
   * AbortSignal, `transfer` not an array of objects), or the module or the
   * export cannot be found, or the result cannot be sent back.
   * @throws {DOMException} (as a rejection, `DataCloneError`) If the
   * arguments cannot be cloned or moved.
   * @throws {WorkerError} (as a rejection) If the worker died running it.
   * @throws {Error} (as a rejection) If the executor has been shut down.
   */
  run<T = unknown>(
    module: string | URL,
    exportName: string,
    args: readonly unknown[] = [],
    options: RunOptions = {},
  ): Promise<T> {
    let call: Call;
    let promise: Promise<T>;
    try {
      const target = this.#target(module, exportName);
      if (!Array.isArray(args)) {
        throw new TypeError(
          `Cannot run task as 'args' must be an array: current value is ${
            describe(args)
          }`,
        );
      }
      const { signal, transfer } = checkRunOptions(options);
      if (this.#closing) {
        throw new Error(
          `Cannot run '${exportName}' as the executor has been shut down`,
        );
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
      const resolvers = Promise.withResolvers<T>();
      promise = resolvers.promise;
      call = new Call(
        target,
        args as unknown[],
        transfer,
        signal,
        resolvers.resolve as (value: unknown) => void,
        resolvers.reject,
        this.#abortCall,
      );
    } catch (error) {
      return Promise.reject(error);
    }
    if (call.signal) watch(call.signal, call);
    this.#queue.push(call);
    this.#queued++;
    this.#schedule();
    return promise;
  }

  /**
   * Gives the functions of a module as asynchronous functions that run on
   * this executor: `bind<typeof import("./tasks.ts")>(url).fib(30)` is
   * `run(url, "fib", [30])`, typed.
   *
   * @example Typed calls
   * ```ts
   * import { Executor } from "@asincronia/asincronia/executor";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * // Usually new URL("./tasks.ts", import.meta.url); here inline.
   * const url = "data:text/javascript,export const fib = (n) => n < 2 ? n : fib(n - 1) + fib(n - 2);";
   *
   * await using executor = new Executor();
   * // With a file: executor.bind<typeof import("./tasks.ts")>(url)
   * const tasks = executor.bind<{ fib(n: number): number }>(url);
   * const n: number = await tasks.fib(25);
   * assertEquals(n, 75025);
   * ```
   *
   * @typeParam M The module's type: `typeof import("./tasks.ts")`.
   * @param module An absolute URL of the module.
   * @param options `signal`, shared by every call.
   * @returns An object with one asynchronous function per export.
   * @throws {TypeError} If `module` is not an absolute URL, `options` not an
   * object or `signal` not an AbortSignal.
   */
  bind<M extends object>(
    module: string | URL,
    options: BindOptions = {},
  ): Bound<M> {
    const url = parseModule(module, "bind module");
    const bad = checkOptions(options, "bind module");
    if (bad !== undefined) throw bad;
    const { signal } = options;
    const error = checkSignal(signal, "bind module");
    if (error) throw error;
    const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    const runOptions: RunOptions = { signal };
    return new Proxy({}, {
      get: (_target, key) => {
        // Not a thenable: `await executor.bind(...)` gives the object back.
        if (typeof key !== "string" || key === "then") return undefined;
        let fn = cache.get(key);
        if (fn === undefined) {
          fn = (...args: unknown[]) => this.run(url, key, args, runOptions);
          cache.set(key, fn);
        }
        return fn;
      },
    }) as Bound<M>;
  }

  /**
   * Lets queued and running calls finish, then ends every worker. `run`
   * rejects from the moment this is called. Every call returns the same
   * promise, so `await using` after an explicit `shutdown()` waits for the
   * same end.
   *
   * @returns A promise that resolves once every worker has ended.
   */
  shutdown(): Promise<void> {
    return this.#shutdown ??= this.#close();
  }

  /** Same as {@linkcode Executor.prototype.shutdown}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  async #close(): Promise<void> {
    this.#closing = true;
    if (this.#queued > 0 || this.#running > 0) {
      await new Promise<void>((resolve) => (this.#drained = resolve));
    }
    clearTimeout(this.#stuckCheck);
    this.#stuckCheck = undefined;
    for (const worker of [...this.#workers]) this.#retire(worker);
    while (this.#gone.size > 0) await Promise.all([...this.#gone]);
  }

  // -------------------------------------------------------------------------
  // Making a call
  // -------------------------------------------------------------------------

  /** The record of `module`'s `exportName`, made on first use. */
  #target(module: string | URL, exportName: string): Target {
    const url = typeof module === "string" && module === this.#lastModule
      ? this.#lastUrl
      : parseModule(module, "run task");
    if (typeof module === "string") {
      this.#lastModule = module;
      this.#lastUrl = url;
    }
    const last = this.#lastTarget;
    if (last && last.module === url && last.exportName === exportName) {
      return last;
    }
    if (typeof exportName !== "string" || exportName === "") {
      throw new TypeError(
        `Cannot run task as 'exportName' must be a non-empty string: current value is ${
          describe(exportName)
        }`,
      );
    }
    const key = url + "\0" + exportName;
    let target = this.#targets.get(key);
    if (target === undefined) {
      target = { module: url, exportName, estimateMs: undefined };
      this.#targets.set(key, target);
    }
    return this.#lastTarget = target;
  }

  #schedule(): void {
    if (this.#pumpDue) return;
    this.#pumpDue = true;
    queueMicrotask(() => {
      this.#pumpDue = false;
      this.#pump();
    });
  }

  // -------------------------------------------------------------------------
  // Handing calls to workers
  // -------------------------------------------------------------------------

  /**
   * Hands queued calls to the workers that can take them, evenly, then
   * starts workers while calls still wait and `workers` allows more.
   */
  #pump(): void {
    if (this.#queued === 0) return;
    const now = performance.now();
    const open = this.#workers.filter((worker) => this.#canTake(worker, now));
    // Ready workers first, then those still starting; the least loaded first.
    open.sort((a, b) =>
      Number(b.ready) - Number(a.ready) || a.workMs - b.workMs
    );
    for (let i = 0; i < open.length && this.#queued > 0; i++) {
      this.#feed(open[i]!, Math.ceil(this.#queued / (open.length - i)));
    }
    while (this.#queued > 0 && this.#workers.length < this.#max) {
      this.#feed(this.#spawn(), this.#queued);
    }
    // A worker given calls that all failed to post has nothing to do.
    for (const worker of this.#workers) this.#idle(worker);
  }

  /**
   * {@linkcode Executor.prototype.#fill}s `worker`, again while it is left
   * idle (the calls it was given could not be posted) and calls wait.
   */
  #feed(worker: PoolWorker, want: number): void {
    while (this.#fill(worker, want) > 0 && worker.live === 0) {
      if (this.#queued === 0) return;
    }
  }

  /** Whether `worker` may be given more calls now. */
  #canTake(worker: PoolWorker, now: number): boolean {
    if (worker.unanswered >= MAX_IN_FLIGHT) return false;
    if (worker.live === 0) return true;
    return worker.workMs < BATCH_MS && !this.#isStuck(worker, now);
  }

  /**
   * Whether `worker` has been in the same call for more than
   * {@linkcode STUCK_MS}: its FINISHED counter has not moved for that long.
   */
  #isStuck(worker: PoolWorker, now: number): boolean {
    if (!worker.ready || worker.live === 0) return false;
    const finished = Atomics.load(worker.state, FINISHED);
    if (finished !== worker.seenFinished) {
      worker.seenFinished = finished;
      worker.progressAt = now;
      return false;
    }
    return now - worker.progressAt > STUCK_MS;
  }

  /**
   * Sends `worker` up to `want` calls from the head of the queue, as many as
   * fit in {@linkcode BATCH_MS} of estimated work (always one if it is idle).
   *
   * @returns How many calls it took from the queue.
   */
  #fill(worker: PoolWorker, want: number): number {
    const batch: Call[] = [];
    let room = MAX_IN_FLIGHT - worker.unanswered;
    let work = worker.workMs;
    let busy = worker.live > 0;
    while (batch.length < want && room > 0) {
      const call = this.#peek();
      if (call === undefined) break;
      // A function never measured counts as a full batch: it goes alone.
      const estimate = call.target.estimateMs ?? BATCH_MS;
      if (busy && (work + estimate > BATCH_MS || call.transfer)) break;
      this.#dequeue();
      call.estimateMs = estimate;
      batch.push(call);
      work += estimate;
      busy = true;
      room--;
    }
    if (batch.length > 0) this.#post(worker, batch);
    return batch.length;
  }

  /** The oldest call still waiting, dropping aborted ones on the way. */
  #peek(): Call | undefined {
    const queue = this.#queue;
    while (this.#queueHead < queue.length) {
      const call = queue[this.#queueHead]!;
      if (call.state === QUEUED) return call;
      this.#queueHead++;
    }
    this.#queue = [];
    this.#queueHead = 0;
    return undefined;
  }

  /** Removes the call that {@linkcode Executor.prototype.#peek} returned. */
  #dequeue(): void {
    this.#queueHead++;
    this.#queued--;
    const head = this.#queueHead;
    if (head === this.#queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    } else if (head > 1024 && head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(head);
      this.#queueHead = 0;
    }
  }

  /** Puts calls back at the head of the queue, in order. */
  #requeue(calls: Call[]): void {
    if (calls.length === 0) return;
    for (const call of calls) {
      call.state = QUEUED;
      call.worker = undefined;
    }
    if (this.#queueHead >= calls.length) {
      this.#queueHead -= calls.length;
      for (let i = 0; i < calls.length; i++) {
        this.#queue[this.#queueHead + i] = calls[i]!;
      }
    } else {
      this.#queue = calls.concat(this.#queue.slice(this.#queueHead));
      this.#queueHead = 0;
    }
    this.#queued += calls.length;
    this.#schedule();
  }

  /**
   * Posts `calls` to `worker`: runs of calls in one message each, a call
   * that moves objects in a message of its own (if its transfer list is
   * bad, Deno has detached the listed objects by the time postMessage
   * throws, so no other call may share that message).
   */
  #post(worker: PoolWorker, calls: Call[]): void {
    let from = 0;
    for (let i = 0; i < calls.length; i++) {
      if (calls[i]!.transfer === undefined) continue;
      if (i > from) this.#postRun(worker, calls.slice(from, i));
      this.#postRun(worker, [calls[i]!]);
      from = i + 1;
    }
    if (from < calls.length) {
      this.#postRun(worker, from === 0 ? calls : calls.slice(from));
    }
    if (worker.live > 1) this.#watchForStuck();
  }

  /**
   * Posts `calls` in one message. If it cannot be sent, posts them one by
   * one, so that only the calls whose arguments cannot be sent fail.
   *
   * The numbering of functions: `worker.numbers` holds exactly the functions
   * the worker has received, numbered in the order it received them. A
   * function is numbered only after the message that names it was posted, so
   * a message that fails numbers nothing, and the next call of that function
   * names it again.
   */
  #postRun(worker: PoolWorker, calls: Call[]): void {
    const targets: (number | FunctionName)[] = [];
    const args: unknown[][] = [];
    /** Functions this message names for the first time, in order. */
    const named: Target[] = [];
    for (const call of calls) {
      let number = worker.numbers.get(call.target);
      if (number === undefined) {
        const index = named.indexOf(call.target);
        if (index >= 0) number = worker.numbers.size + index;
      }
      if (number === undefined) {
        named.push(call.target);
        targets.push({
          module: call.target.module,
          exportName: call.target.exportName,
        });
      } else {
        targets.push(number);
      }
      args.push(call.args);
    }
    const message: HostMessage = { type: "calls", targets, args };
    try {
      worker.worker.postMessage(message, calls[0]!.transfer ?? []);
    } catch (error) {
      if (calls.length > 1) {
        for (const call of calls) this.#postRun(worker, [call]);
      } else {
        this.#settle(calls[0]!, false, cloneError(calls[0]!, error));
      }
      return;
    }
    for (const target of named) {
      worker.numbers.set(target, worker.numbers.size);
    }
    this.#sent(worker, calls);
  }

  /** Records `calls` as sent to `worker`, numbered in order. */
  #sent(worker: PoolWorker, calls: Call[]): void {
    if (worker.live === 0) {
      worker.progressAt = performance.now();
      worker.workMs = 0;
    }
    for (const call of calls) {
      call.state = SENT;
      call.worker = worker;
      call.number = worker.answered + worker.unanswered;
      worker.inFlight.push(call);
      worker.workMs += call.estimateMs;
    }
    worker.live += calls.length;
    this.#running += calls.length;
    worker.idleTimer?.clear();
    worker.idleTimer = undefined;
  }

  // -------------------------------------------------------------------------
  // Calls stuck behind a long one
  // -------------------------------------------------------------------------

  #watchForStuck(): void {
    this.#stuckCheck ??= setTimeout(() => this.#checkStuck(), CHECK_MS);
  }

  /**
   * Takes back the calls waiting behind a call that has been running for
   * longer than {@linkcode STUCK_MS}, and hands them to other workers.
   * Repeats while some worker has calls waiting behind a running one.
   */
  #checkStuck(): void {
    this.#stuckCheck = undefined;
    const now = performance.now();
    let waiting = false;
    for (const worker of this.#workers) {
      if (this.#isStuck(worker, now)) {
        this.#withdrawFollowers(worker, worker.finished());
      }
      if (worker.live > 1) waiting = true;
    }
    this.#pump();
    if (waiting) this.#watchForStuck();
  }

  /**
   * Takes back from `worker` every call numbered after `after` that it has
   * not started, and queues them again (a call that moved objects to the
   * worker cannot run elsewhere: it stays).
   *
   * @returns How many of those calls had already started.
   */
  #withdrawFollowers(worker: PoolWorker, after: number): number {
    const back: Call[] = [];
    let started = 0;
    for (let i = worker.head; i < worker.inFlight.length; i++) {
      const call = worker.inFlight[i];
      if (!call || call.state !== SENT || call.number <= after) continue;
      if (call.transfer) continue;
      if (!claimToWithdraw(worker.state, call.number)) {
        started++;
        continue;
      }
      worker.inFlight[i] = null;
      this.#release(worker, call);
      back.push(call);
    }
    this.#requeue(back);
    return started;
  }

  // -------------------------------------------------------------------------
  // Answers
  // -------------------------------------------------------------------------

  #onMessage(worker: PoolWorker, message: WorkerMessage): void {
    if (worker.dead) return;
    switch (message.type) {
      case "results":
        this.#onResults(worker, message);
        break;
      case "ready":
        this.#onReady(worker);
        break;
      case "dying":
        worker.cause = message.cause;
        if (message.error !== undefined) {
          worker.causeError = reviveThrown(message.error);
        }
        // The worker waits for this before it exits, so that its lock (and
        // so the news of its death) never arrives before its cause.
        Atomics.store(worker.state, NOTICE_READ, 1);
        Atomics.notify(worker.state, NOTICE_READ);
        break;
    }
  }

  /** The worker holds its lock: ask for it too, to learn when it is gone. */
  #onReady(worker: PoolWorker): void {
    worker.ready = true;
    worker.progressAt = performance.now();
    lockManager().request(
      worker.lock,
      { signal: worker.lockRequest.signal },
      () => {
        // Granted only once the worker has let go of it: it is gone.
        if (!worker.dead) {
          worker.cause ??= "the worker stopped unexpectedly";
          this.#died(worker);
        }
        worker.markGone();
      },
    ).catch(() => {
      // Withdrawn by #stop(): the executor ended the worker itself.
    });
    this.#pump();
  }

  /** Settles the answered calls, learns how long they took, and hands out more. */
  #onResults(worker: PoolWorker, message: ResultsMessage): void {
    const { outcomes, values, durations } = message;
    const count = outcomes.length;
    // Durations are averaged over each run of calls of one function.
    let target: Target | undefined;
    let total = 0;
    let calls = 0;
    for (let i = 0; i < count; i++) {
      const call = worker.inFlight[worker.head + i];
      if (call === null || call === undefined || outcomes[i] === SKIPPED) {
        continue;
      }
      if (call.target !== target) {
        if (target) learn(target, total / calls);
        target = call.target;
        total = calls = 0;
      }
      total += durations[i]!;
      calls++;
      if (call.state !== SENT) continue; // Aborted while it ran.
      this.#release(worker, call);
      if (outcomes[i] === RETURNED) this.#settle(call, true, values[i]);
      else {
        this.#settle(
          call,
          false,
          reviveThrown(values[i] as SerializedThrown),
        );
      }
    }
    if (target) learn(target, total / calls);
    worker.answered += count;
    worker.head += count;
    if (worker.head === worker.inFlight.length) {
      worker.inFlight = [];
      worker.head = 0;
    } else if (worker.head >= MAX_IN_FLIGHT) {
      worker.inFlight = worker.inFlight.slice(worker.head);
      worker.head = 0;
    }
    this.#idle(worker);
    this.#pump();
  }

  /** `call` no longer counts as `worker`'s work. */
  #release(worker: PoolWorker, call: Call): void {
    worker.live--;
    worker.workMs = worker.live === 0 ? 0 : worker.workMs - call.estimateMs;
    this.#running--;
  }

  #settle(call: Call, ok: boolean, value: unknown): void {
    call.state = SETTLED;
    if (call.signal) unwatch(call.signal, call);
    if (ok) call.resolve(value);
    else call.reject(value);
    if (this.#drained && this.#queued === 0 && this.#running === 0) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }

  // -------------------------------------------------------------------------
  // Aborts and deaths
  // -------------------------------------------------------------------------

  /**
   * The caller's signal aborted. A call that has not started is dropped; a
   * running one ends its worker, after the calls behind it were taken back.
   */
  #abort(call: Call): void {
    const reason = call.signal!.reason;
    if (call.state === QUEUED) {
      // It stays in the queue, settled; #peek() drops it.
      this.#queued--;
      this.#settle(call, false, reason);
      return;
    }
    if (call.state !== SENT) return;
    const worker = call.worker!;
    this.#release(worker, call);
    this.#settle(call, false, reason);
    if (claimToWithdraw(worker.state, call.number)) {
      // It never ran, and never will: the worker skips it.
      this.#schedule();
      return;
    }
    // It runs (or just finished). Take back the calls behind it, then end the
    // worker unless the call is over.
    const started = this.#withdrawFollowers(worker, call.number);
    if (started > 0 || worker.finished() > call.number) return;
    worker.cause = "its task was aborted";
    this.#died(worker);
    this.#stop(worker);
  }

  /**
   * A worker is gone (or about to be): reject the calls it started, queue
   * again those it did not.
   */
  #died(worker: PoolWorker): void {
    if (worker.dead) return;
    this.#forget(worker);
    const again: Call[] = [];
    for (let i = worker.head; i < worker.inFlight.length; i++) {
      const call = worker.inFlight[i];
      if (!call || call.state !== SENT) continue;
      this.#release(worker, call);
      // Before it is ready a worker starts nothing: one that dies then
      // failed to start, and its calls fail rather than go round again.
      if (!worker.ready || !claimToWithdraw(worker.state, call.number)) {
        this.#settle(call, false, this.#deathError(worker, call));
      } else if (call.transfer) {
        this.#settle(call, false, this.#deathError(worker, call));
      } else {
        again.push(call);
      }
    }
    worker.inFlight = [];
    worker.head = 0;
    this.#requeue(again);
    if (!worker.ready) worker.markGone();
    this.#schedule();
  }

  /** Why `call` failed with `worker`. */
  #deathError(worker: PoolWorker, call: Call): WorkerError {
    const what =
      `'${call.target.exportName}' of module '${call.target.module}'`;
    const message = !worker.ready
      ? `Worker failed to start for ${what}: ${worker.cause}`
      : wasRun(worker.state, call.number)
      ? `Worker died while running ${what}: ${worker.cause}`
      : `Worker died before running ${what}, with the objects it moved there: ${worker.cause}`;
    return new WorkerError(
      message,
      worker.causeError === undefined
        ? undefined
        : { cause: worker.causeError },
    );
  }

  /** Takes `worker` out of the pool. */
  #forget(worker: PoolWorker): void {
    worker.dead = true;
    this.#workers.splice(this.#workers.indexOf(worker), 1);
    worker.idleTimer?.clear();
    worker.idleTimer = undefined;
  }

  /**
   * Ends a worker for good. A worker terminated in the middle of a call that
   * never returns to its event loop never ends (see the class's notes), and
   * so never lets go of its lock: this side withdraws its request instead of
   * waiting for it.
   */
  #stop(worker: PoolWorker): void {
    worker.worker.terminate();
    worker.lockRequest.abort();
    worker.markGone();
  }

  /** Ends a worker on purpose: idle, or shutting down. */
  #retire(worker: PoolWorker): void {
    if (worker.dead) return;
    this.#forget(worker);
    this.#stop(worker);
  }

  /** Starts the idle timer of a worker left with nothing to do. */
  #idle(worker: PoolWorker): void {
    if (
      worker.live > 0 || this.#queued > 0 || worker.idleTimer !== undefined ||
      this.#idleTimeout === Infinity
    ) return;
    worker.idleTimer = setLongTimeout(() => {
      worker.idleTimer = undefined;
      if (worker.live === 0) this.#retire(worker);
    }, this.#idleTimeout);
  }

  /** Starts a worker. */
  #spawn(): PoolWorker {
    const lock = `asincronia-executor-${crypto.randomUUID()}`;
    const worker = new PoolWorker(
      new Worker(new URL("./_executor_worker.ts", import.meta.url), {
        type: "module",
        name: lock,
      }),
      newSharedState(),
      lock,
    );
    this.#gone.add(worker.gone);
    worker.gone.then(() => this.#gone.delete(worker.gone));
    worker.worker.onmessage = (event: MessageEvent<WorkerMessage>) =>
      this.#onMessage(worker, event.data);
    worker.worker.onerror = (event) => {
      // Only errors the worker could not catch itself land here (it failed
      // to start, for example). Never let them reach the main thread.
      event.preventDefault();
      if (!worker.dead) {
        worker.cause ??= event.message;
        this.#died(worker);
      }
    };
    worker.worker.onmessageerror = () => {};
    const init: HostMessage = {
      type: "init",
      state: worker.state.buffer as SharedArrayBuffer,
    };
    worker.worker.postMessage(init);
    this.#workers.push(worker);
    return worker;
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Folds one more measured duration into a function's running average. */
function learn(target: Target, ms: number): void {
  const old = target.estimateMs;
  target.estimateMs = old === undefined ? ms : (old + ms) / 2;
}

/** The absolute URL of a module given to `run` or `bind`. */
function parseModule(module: unknown, action: string): string {
  if (module instanceof URL) return module.href;
  if (typeof module === "string") {
    try {
      return new URL(module).href;
    } catch {
      // Relative or malformed: reported below.
    }
  }
  throw new TypeError(
    `Cannot ${action} as 'module' must be an absolute URL: current value is ${
      describe(module)
    }`,
  );
}

/** `signal` and `transfer` of `run()`'s options, checked. */
function checkRunOptions(
  options: unknown,
): { signal: AbortSignal | undefined; transfer: Transferable[] | undefined } {
  const bad = checkOptions(options, "run task");
  if (bad !== undefined) throw bad;
  const { signal, transfer } = options as RunOptions;
  const error = checkSignal(signal, "run task");
  if (error) throw error;
  if (transfer === undefined) return { signal, transfer };
  if (!Array.isArray(transfer)) {
    throw new TypeError(
      `Cannot run task as 'transfer' must be an array: current value is ${
        describe(transfer)
      }`,
    );
  }
  for (let i = 0; i < transfer.length; i++) {
    const item: unknown = transfer[i];
    if (item === null || typeof item !== "object") {
      throw new TypeError(
        `Cannot run task as 'transfer[${i}]' must be a transferable object: current value is ${
          describe(item)
        }`,
      );
    }
  }
  return { signal, transfer: transfer.length > 0 ? transfer : undefined };
}

/** `idleTimeout`, checked. */
function checkIdleTimeout(idleTimeout: unknown): number {
  if (typeof idleTimeout !== "number") {
    throw new TypeError(
      `Cannot create executor as 'idleTimeout' must be a number: current value is ${
        describe(idleTimeout)
      }`,
    );
  }
  if (Number.isNaN(idleTimeout) || idleTimeout < 0) {
    throw new RangeError(
      `Cannot create executor as 'idleTimeout' must be a non-negative number: current value is ${
        describe(idleTimeout)
      }`,
    );
  }
  return idleTimeout;
}

/** The error for a call whose arguments could not be posted. */
function cloneError(call: Call, error: unknown): DOMException {
  const why = error instanceof Error ? error.message : describe(error);
  const what = call.transfer
    ? "its arguments cannot be cloned or its 'transfer' list moved"
    : "its arguments cannot be cloned";
  return new DOMException(
    `Cannot run '${call.target.exportName}' of module '${call.target.module}' as ${what}: ${why}`,
    "DataCloneError",
  );
}
