/**
 * A pool of workers that runs exported functions of modules on other
 * threads, on Deno, Node, Bun and browsers: the counterpart of Python's
 * `loop.run_in_executor()` and `concurrent.futures`.
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
 * `typeof import("./tasks.ts")`. The examples inline it as a base64 `data:`
 * URL, which every runtime loads (Bun loses a percent-encoded one's exports).
 *
 * @example Run a function of a module on a worker
 * ```ts
 * import { Executor } from "@asincronia/asincronia/executor";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // The task module: usually a file, here inline.
 * const url = "data:text/javascript;base64," + btoa("export const fib = (n) => n < 2 ? n : fib(n - 1) + fib(n - 2);");
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
  count,
  duration,
  options as checkOptions,
  refuse,
  signalOf,
} from "./_check.ts";
import {
  checkRun,
  type HostMessage,
  moduleUrl,
  NOTICE,
  PROGRESS,
  type ResultsMessage,
  revive,
  RUNNING,
  summarize,
  type Thrown,
  TRANSFER,
  type TransferMarker,
  withdraw,
  type WorkerMessage,
} from "./_executor_messages.ts";
import { type Port, startWorker } from "./_executor_port.ts";
import { type LongTimeout, setLongTimeout } from "./_timer.ts";

/** Options for {@linkcode Executor}. */
export interface ExecutorOptions {
  /**
   * The most workers that run at once (an integer ≥ 1), started as work comes.
   *
   * @default {navigator.hardwareConcurrency}
   */
  workers?: number;
  /**
   * How many ms a worker with nothing to do lives before it ends (≥ 0, any
   * length; `Infinity`: till shutdown), so that a script that never calls
   * {@linkcode Executor.prototype.shutdown} exits (a live worker holds it).
   *
   * @default {1000}
   */
  idleTimeout?: number;
}

/** Options for {@linkcode Executor.prototype.run}. */
export interface RunOptions {
  /**
   * Cancels the call: it rejects at once with `signal.reason`. One not started
   * touches no worker; a running one ends it (Deno: see {@linkcode Executor}).
   */
  signal?: AbortSignal;
  /**
   * Objects among the arguments to move to the worker instead of copying
   * them (ArrayBuffers, MessagePorts, …); they are unusable here afterwards.
   * Such a call travels alone, to a worker with nothing else to do.
   */
  transfer?: object[];
}

/** Options for {@linkcode Executor.prototype.bind}. */
export interface BindOptions {
  /** Cancels every call made through the bound module; see {@linkcode RunOptions.signal}. */
  signal?: AbortSignal;
}

/**
 * What {@linkcode Executor.prototype.bind} returns: `M`'s functions, async.
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
 * Why a call failed when not its own code threw: its worker died (the task
 * called `process.exit()`, `self.close()` or `Deno.exit()`, an uncaught error
 * ended it, it could not start). `cause` holds the uncaught error, if any.
 */
export class WorkerError extends Error {
  /** Makes the error; `options.cause`: the error that killed the worker, if any. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WorkerError";
  }
}

/**
 * Marks a task's result so that the listed objects move back to the caller,
 * not copied. Call it in the task's module on what the task returns; the
 * caller gets `value` itself, or, if they cannot move, a `TypeError` rejection.
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
 * const lib = import.meta.resolve("@asincronia/asincronia/executor"); // inline: a data: URL needs it absolute
 * const url = "data:text/javascript;base64," + btoa(source.replace("@asincronia/asincronia/executor", lib));
 *
 * await using executor = new Executor();
 * const bytes = await executor.run<Uint8Array>(url, "fill", [1 << 20]);
 * assertEquals([bytes.length, bytes[0]], [1 << 20, 7]);
 * ```
 *
 * @typeParam T The result's type.
 * @param value The result.
 * @param list The objects inside `value` to move.
 * @returns A marker the executor unwraps, typed `T` to keep the task's type.
 * @throws {TypeError} If `list` is not an array.
 */
export function transfer<T>(value: T, list: object[]): T {
  if (!Array.isArray(list)) {
    refuse(TypeError, "transfer result", "transferList", "an array", list);
  }
  const marker: TransferMarker = { value, [TRANSFER]: list };
  return marker as T;
}

// How it works, and what each part buys. Figures from bench/executor_bench.ts
// on 2 shared cores, medians of 3 runs; "without it" from a copy of lib/ with
// that part removed, run beside it (both in bench/README.md):
//
// - Batching. A free worker takes its share of the queue (the queue split
//   over every allowed worker, at most BATCH calls) in one message, and
//   posts its answers in one message whenever it is about to wait. 20,000
//   trivial calls on 2 workers: 39 ms; one message per call to a bare
//   Worker: 107 ms; piscina: 987 ms (25x).
// - Claiming. Each call sent has a slot in shared memory that the worker and
//   the host race for (_executor_messages.ts), so the host can take back at
//   once any call a worker has not started: an aborted one (O(1); 20,000
//   calls on one signal aborted in 33 ms), or those waiting behind a long
//   call. Without it they could only wait.
// - Stuck detection. While a worker is free (or another may start) and some
//   worker has calls waiting behind the one it runs, the host looks every
//   millisecond; a worker that started no call since the last look has its
//   waiting calls taken back, to run elsewhere. 1,000 trivial calls sent
//   with a 100 ms one on 2 workers: done in 13 ms; without it, 102 ms.
// - Death detection (_executor_port.ts): a Web Lock that the worker holds
//   for life, or the Worker's exit event. Without it a call whose worker
//   called Deno.exit() would hang.
// - The last module string is kept parsed (about 1 µs, as long as the rest of
//   a trivial call): 20,000 calls by a string take 37 ms with it, 55 without.

/** A call's states. */
const QUEUED = 0, SENT = 1, SETTLED = 2;
/** How often, in milliseconds, the host looks for stuck workers. */
const LOOK_MS = 1;
/**
 * The most calls in one message: bounds its size, and how long the first
 * answer of a long queue waits; throughput is as with no bound (A/B runs).
 */
const BATCH = 1024;

/** One call of `run()`, from the queue to its settling; its signal's watcher. */
interface Call extends AbortWatcher {
  module: string;
  exportName: string;
  /** Dropped once it settled: an aborted call may wait in a list for long. */
  args: unknown[] | undefined;
  transfer: object[] | undefined;
  signal: AbortSignal | undefined;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  /** QUEUED, SENT or SETTLED. */
  state: number;
  /** While SENT: its worker, and its claim slot there. */
  thread: Thread | undefined;
  claims: Int32Array | undefined;
  slot: number;
}

/** What the executor knows of one of its workers. */
interface Thread {
  port: Port;
  /** The worker's PROGRESS and NOTICE. */
  state: Int32Array;
  /** It holds its lock, so runs calls. */
  ready: boolean;
  /** Gone, or going: out of the pool. Ending: to end once answered. */
  dead: boolean;
  ending?: boolean;
  /** Calls sent and not answered, from `head` on; `null`: taken back. */
  calls: (Call | null)[];
  head: number;
  /** PROGRESS at the last look for stuck workers. */
  seen: number;
  /** What waited here was taken back: nothing more to take till it is free. */
  taken?: boolean;
  /** Why it died; the error that killed it, as `{ cause }`. */
  cause?: string;
  killer?: ErrorOptions;
  idleTimer?: LongTimeout;
}

/**
 * A pool of workers that runs exported functions of modules off the main
 * thread: Web Workers on Deno, Bun and browsers, `node:worker_threads` on
 * Node, with the same guarantees on each but where said below.
 *
 * `run(module, exportName, args)` queues a call; queued calls start in FIFO
 * order on a free worker, and the promise settles with what the function
 * returned (awaited) or threw. Arguments and results travel by structured
 * clone, or are moved when listed in `transfer`. A worker runs one call at a
 * time, and takes its share of the queue in one message (cheap small calls).
 *
 * Guarantees:
 * - A call waits behind a running one only while every allowed worker is
 *   busy: another worker starts whenever calls wait and `workers` allows it,
 *   and calls waiting on a worker behind one that runs for more than a
 *   millisecond are taken back, a millisecond or two after another worker
 *   is free, and run there: heavy calls spread over every worker.
 * - An error thrown by the task arrives with its name (custom classes keep
 *   theirs, built-in ones `instanceof`), message, stack, `cause` (even one
 *   that points back at it) and its own fields that clone. A thrown value
 *   that is not an error arrives as itself, or as a plain copy of its
 *   fields that clone. Getters or a `toString` that throw change nothing.
 * - A missing module or export rejects with an error naming it; arguments
 *   that cannot be cloned with a `DataCloneError`; a result that cannot be
 *   cloned or moved back with a `TypeError`. The worker goes on.
 * - The worker's channel is the executor's: a task module's own message
 *   listeners never hear it, and a task's `postMessage` throws a `TypeError`.
 * - A bad argument or option (a look-alike signal too) rejects that one call
 *   with a `TypeError` naming the value, and changes nothing else.
 * - A worker that dies — `self.close()`, `Deno.exit()` or `process.exit()`
 *   in task code, an uncaught error or rejection, a module whose top level
 *   kills it — rejects only its running call, with a {@linkcode WorkerError}
 *   naming the cause; its other calls run on another worker. No call hangs.
 * - Aborting a call that has not started (queued, or sent to a worker that
 *   is starting or busy) drops it and touches no worker. Aborting a running
 *   call rejects it at once and terminates its worker; the calls waiting
 *   behind it run elsewhere, and those it ran before keep their results.
 * - Calls may share one signal: one listener per distinct signal, and O(1)
 *   per call to add and to abort.
 * - Idle workers end after `idleTimeout`; {@linkcode Executor.prototype.shutdown}
 *   finishes queued and running calls, then ends every worker.
 *
 * What a runtime cannot do, and what to do instead:
 * - On Deno 2.9.6, `Worker.terminate()` acts only once the worker's code
 *   returns to its event loop: an aborted call that never does (`for (;;) {}`,
 *   a loop in `Atomics.wait`) rejects, but its thread keeps a core and the
 *   process never exits ({@link https://github.com/denoland/deno/issues/14003 | denoland/deno#14003}).
 *   A long loop can check a flag set on abort, or await a timer now and then.
 * - Deno and Bun limit no worker's memory: one out of heap takes a Deno
 *   process down ({@link https://github.com/denoland/deno/issues/10036 | denoland/deno#10036});
 *   on Bun it grows until the process runs out ({@link https://github.com/oven-sh/bun/issues/31411 | oven-sh/bun#31411}).
 *   Cap what a call takes and builds. (On Node only its call rejects.)
 * - A browser gives shared memory only to a cross-origin isolated page
 *   (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy:
 *   require-corp`); elsewhere the constructor throws. `_executor_worker.js`
 *   must be served beside the executor's module.
 * - No runtime loads a task module that exports `then`: `import()` takes
 *   it for a promise and calls that `then`: its calls and `shutdown()` hang.
 *
 * On Deno, workers inherit the permissions: a task file needs `--allow-read`.
 *
 * @example Run a blocking function without blocking the main thread
 * ```ts
 * import { Executor } from "@asincronia/asincronia";
 * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // A task that blocks its thread, as a synchronous API does (usually a file).
 * const url = "data:text/javascript;base64," + btoa("export function sleepSync(ms) {" +
 *   " Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); return ms; }");
 *
 * await using executor = new Executor({ workers: 2 });
 * let ticks = 0;
 * const timer = setInterval(() => ticks++, 10);
 * const slept = await Promise.all([100, 100].map((ms) => executor.run(url, "sleepSync", [ms])));
 * clearInterval(timer);
 * assertEquals(slept, [100, 100]);
 * assert(ticks > 0); // this thread's timers kept firing meanwhile
 * ```
 */
export class Executor implements AsyncDisposable {
  #max: number;
  #idleTimeout: number;
  /** The workers alive (or starting), oldest first. */
  #threads: Thread[] = [];
  /** Calls waiting from `#head`, oldest first; an aborted one stays: O(1). */
  #queue: Call[] = [];
  #head = 0;
  #queued = 0;
  #running = 0;
  /** A pump is due in a microtask: calls made in one turn go out together. */
  #pumpDue = false;
  /** The next look for stuck workers. */
  #look: ReturnType<typeof setTimeout> | undefined;
  #shutdown: Promise<void> | undefined;
  /** Resolves shutdown's wait for queued and running calls. */
  #drained: (() => void) | undefined;

  /**
   * Makes an executor. No worker starts before the first call.
   *
   * @throws {TypeError} If `options` or an option in it has the wrong type.
   * @throws {RangeError} If `workers` is not an integer from 1 to
   * `Number.MAX_SAFE_INTEGER`, or `idleTimeout` is negative or NaN.
   * @throws {Error} Without `SharedArrayBuffer` (not cross-origin isolated).
   */
  constructor(options: ExecutorOptions = {}) {
    const action = "create executor";
    const {
      workers = globalThis.navigator?.hardwareConcurrency || 1,
      idleTimeout = 1000,
    } = checkOptions(options, action);
    this.#max = count(workers, action, "workers");
    this.#idleTimeout = duration(idleTimeout, action, "idleTimeout", true);
    if (typeof SharedArrayBuffer !== "function") {
      const why = "a page must be cross-origin isolated";
      throw new Error(`Cannot create executor without shared memory: ${why}`);
    }
  }

  /** The most workers this executor runs at once. */
  get maxWorkers(): number {
    return this.#max;
  }

  /** How many workers are alive now (0 before the first call and after idling). */
  get workers(): number {
    return this.#threads.length;
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
   * const url = "data:text/javascript;base64," + btoa("export const add = (a, b) => a + b;");
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
   * @returns What the function returned, or its error.
   * @throws {TypeError} (as a rejection) If an argument or option is wrong
   * (`module` not an absolute URL, `exportName` not a non-empty string, `args`
   * not an array, `transfer` not of objects, `options` not an object, `signal`
   * not an AbortSignal), the export is missing, or the result cannot go back.
   * @throws {DOMException} (as a rejection, `DataCloneError`) If the
   * arguments cannot be cloned or moved.
   * @throws {WorkerError} (as a rejection) If the worker died running it.
   * @throws {Error} (as a rejection) If the executor has been shut down, or
   * the module cannot be loaded (what `import()` threw: on Deno a TypeError).
   */
  run<T = unknown>(
    module: string | URL,
    exportName: string,
    args: readonly unknown[] = [],
    options: RunOptions = {},
  ): Promise<T> {
    try {
      const checked = checkRun(module, exportName, args, options);
      const { url, signal, transfer } = checked;
      if (this.#shutdown) {
        const why = "the executor has been shut down";
        throw new Error(`Cannot run '${exportName}' as ${why}`);
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
      const { promise, resolve, reject } = Promise.withResolvers<T>();
      const call: Call = {
        module: url,
        exportName,
        args: args as unknown[],
        transfer,
        signal,
        aborted: () => this.#abort(call),
        resolve: resolve as (value: unknown) => void,
        reject,
        state: QUEUED,
        thread: undefined,
        claims: undefined,
        slot: 0,
      };
      if (signal) watch(signal, call);
      this.#queue.push(call);
      this.#queued++;
      this.#schedule();
      return promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Gives the functions of a module as asynchronous functions that run on
   * this executor: `bind<typeof import("./tasks.ts")>(url).fib(30)` is
   * `run(url, "fib", [30])`, typed (the module's example shows it).
   *
   * @typeParam M The module's type: `typeof import("./tasks.ts")`.
   * @param module An absolute URL of the module.
   * @param options `signal`, shared by every call.
   * @returns An object with one asynchronous function per export (but for
   * `then`, `toJSON` and names all objects have: `toString`… run() calls them).
   * @throws {TypeError} If `module`, `options` or `signal` has the wrong type.
   */
  bind<M extends object>(
    module: string | URL,
    options: BindOptions = {},
  ): Bound<M> {
    const url = moduleUrl(module, "bind module");
    const runOptions = { signal: signalOf(options, "bind module") };
    const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    // Not exports: `then` (`await` gives the object back), `toJSON`, toString…
    return new Proxy({ then: undefined, toJSON: undefined }, {
      get: (own, key) => {
        if (typeof key !== "string") return undefined;
        let fn = cache.get(key); // one lookup a call, once the name is known
        if (fn === undefined) {
          if (key in own) return Reflect.get(own, key);
          fn = (...args) => this.run(url, key, args, runOptions);
          cache.set(key, fn);
        }
        return fn;
      },
    }) as Bound<M>;
  }

  /**
   * Lets queued and running calls finish, then ends every worker; `run`
   * rejects from this call on. Every call returns the same promise, so
   * `await using` after an explicit `shutdown()` waits for the same end.
   *
   * @returns A promise that resolves once every worker has ended.
   */
  shutdown(): Promise<void> {
    return this.#shutdown ??= (async () => {
      while (this.#queued > 0 || this.#running > 0) {
        await new Promise<void>((resolve) => (this.#drained = resolve));
      }
      clearTimeout(this.#look);
      for (const thread of [...this.#threads]) this.#forget(thread, true);
    })();
  }

  /** Same as {@linkcode Executor.prototype.shutdown}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #schedule(): void {
    if (this.#pumpDue) return;
    this.#pumpDue = true;
    queueMicrotask(() => {
      this.#pumpDue = false;
      this.#pump();
    });
  }

  /** Batching (see "How it works"), starting workers as `workers` allows. */
  #pump(): void {
    const share = Math.min(Math.ceil(this.#queued / this.#max), BATCH);
    for (let i = 0; this.#queued > 0; i++) {
      const thread = this.#threads[i] ??
        (i < this.#max ? this.#spawn() : undefined);
      if (thread === undefined) break;
      // Again while it is left idle: what it was given could not be posted.
      while (this.#queued > 0 && !thread.dead && free(thread)) {
        this.#post(thread, this.#take(share));
      }
    }
    this.#lookSoon();
  }

  /**
   * Up to `want` calls from the head of the queue. A call that moves
   * objects comes alone: if its transfer list is bad, the listed objects
   * are detached by the time `postMessage` throws, so it shares no message.
   */
  #take(want: number): Call[] {
    const batch: Call[] = [];
    while (batch.length < want) {
      const call = this.#queue[this.#head];
      if (call === undefined) break;
      if (call.state !== QUEUED) {
        this.#head++; // aborted while it waited
        continue;
      }
      if (call.transfer && batch.length > 0) break;
      batch.push(call);
      this.#head++;
      this.#queued--;
      if (call.transfer) break;
    }
    const { length } = this.#queue;
    if (this.#head === length || this.#head * 2 > length + 1024) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return batch;
  }

  /** Puts calls taken back from a worker at the head of the queue, in order. */
  #requeue(calls: Call[]): void {
    if (calls.length === 0) return;
    this.#running -= calls.length;
    for (const call of calls) call.state = QUEUED;
    this.#queue = calls.concat(this.#queue.slice(this.#head));
    this.#head = 0;
    this.#queued += calls.length;
    this.#schedule();
  }

  /**
   * Posts `batch` to `thread` in one message; if that fails, its calls one
   * by one, back through the queue, so that only those whose arguments
   * cannot be sent fail. A getter among the arguments runs inside `post`:
   * it may abort any call (one of the batch, sent, is withdrawn and skipped;
   * queued, dropped), even the one `thread` runs, which ends `thread`.
   */
  #post(thread: Thread, batch: Call[]): void {
    const claims = new Int32Array(new SharedArrayBuffer(4 * batch.length));
    const message: HostMessage = {
      type: "calls",
      claims: claims.buffer as SharedArrayBuffer,
      modules: batch.map((call) => call.module),
      names: batch.map((call) => call.exportName),
      args: batch.map((call) => call.args!),
      abortable: abortable(batch),
    };
    batch.forEach((call, slot) => {
      call.state = SENT;
      call.thread = thread;
      call.claims = claims;
      call.slot = slot;
      thread.calls.push(call);
    });
    this.#running += batch.length;
    try {
      thread.port.post(message, batch[0]!.transfer);
    } catch (error) {
      thread.calls.length -= batch.length;
      const left = batch.filter((call) => call.state === SENT);
      if (batch.length > 1) {
        this.#requeue(left);
        for (const _ of left) {
          if (this.#queued > 0 && !thread.dead) {
            this.#post(thread, this.#take(1));
          }
        }
      } else if (left[0]) {
        this.#settle(left[0], false, cloneError(left[0], error));
      }
      return this.#idle(thread);
    }
    thread.seen = NaN;
    thread.idleTimer?.clear();
    thread.idleTimer = undefined;
  }

  /** Stuck detection (see "How it works"): a look in LOOK_MS, if it helps. */
  #lookSoon(): void {
    if (this.#look !== undefined || !this.#threads.some(waiting)) return;
    if (!this.#spare()) return;
    this.#look = setTimeout(() => {
      this.#look = undefined;
      for (const thread of this.#spare() ? this.#threads : []) {
        if (!waiting(thread)) continue;
        const progress = Atomics.load(thread.state, PROGRESS);
        if (progress === thread.seen) this.#takeBack(thread);
        thread.seen = progress;
      }
      this.#pump();
    }, LOOK_MS);
  }

  /** Some worker has nothing to do, or another may start. */
  #spare(): boolean {
    return this.#threads.length < this.#max || this.#threads.some(free);
  }

  /**
   * Takes back the calls of `thread` that have not started and queues them
   * again, but for one that moved objects there: they live there.
   */
  #takeBack(thread: Thread): void {
    const back: Call[] = [];
    for (let i = thread.head; i < thread.calls.length; i++) {
      const call = thread.calls[i];
      if (!call || call.state !== SENT || call.transfer) continue;
      if (!withdraw(call.claims!, call.slot)) continue;
      thread.calls[i] = null;
      back.push(call);
    }
    thread.taken = true;
    this.#requeue(back);
  }

  #onMessage(thread: Thread, message: WorkerMessage): void {
    if (thread.dead && !thread.ending) return;
    if (message.type === "results") return this.#onResults(thread, message);
    if (message.type === "ready") {
      thread.ready = true;
      return this.#pump();
    }
    thread.cause = message.cause;
    if (message.error) thread.killer = { cause: revive(message.error) };
    // The cause is in: the worker may die (_executor_messages.ts, step 5).
    Atomics.store(thread.state, NOTICE, 1);
    Atomics.notify(thread.state, NOTICE);
  }

  /** Settles the answered calls and hands out more. */
  #onResults(thread: Thread, { values, failed }: ResultsMessage) {
    for (let i = 0, f = 0; i < values.length; i++) {
      // A call taken back (its answer: nothing) is no longer SENT here.
      const call = thread.calls[thread.head++];
      const threw = failed[f] === i && ++f > 0;
      if (call?.state !== SENT) continue;
      const value = values[i];
      this.#settle(call, !threw, threw ? revive(value as Thrown) : value);
    }
    if (free(thread)) {
      thread.calls = [];
      thread.head = 0;
      thread.taken = false;
      this.#idle(thread);
    }
    if (thread.ending) this.#end(thread);
    this.#pump();
  }

  #settle(call: Call, ok: boolean, value: unknown): void {
    if (call.state === SENT) this.#running--;
    call.state = SETTLED;
    call.thread = call.claims = call.args = undefined;
    if (call.signal) unwatch(call.signal, call);
    (ok ? call.resolve : call.reject)(value);
    if (this.#queued === 0 && this.#running === 0) this.#drained?.();
  }

  /**
   * The caller's signal aborted. A call that has not started is dropped; a
   * running one ends its worker, once the calls behind it were taken back.
   */
  #abort(call: Call): void {
    const { state, thread, claims, slot } = call;
    // It stays in the queue, settled, until reached; none left: let all go.
    if (state === QUEUED && --this.#queued === 0) {
      this.#head = this.#queue.length = 0;
    }
    this.#settle(call, false, call.signal!.reason);
    if (thread?.ending) return this.#end(thread);
    if (state !== SENT || withdraw(claims!, slot)) return;
    if (Atomics.load(claims!, slot) !== RUNNING) return; // done already
    this.#takeBack(thread!);
    thread!.cause = "its task was aborted";
    // It ends once the answers it posted before starting this one are in.
    this.#forget(thread!);
    thread!.ending = true;
    this.#end(thread!);
  }

  /** Ends an ending worker once no answer is on its way. */
  #end(thread: Thread): void {
    if (thread.calls.slice(thread.head).some((c) => c?.state === SENT)) return;
    thread.ending = false;
    thread.port.terminate();
  }

  /**
   * A worker is gone (or going): reject the calls it started, queue again
   * those it did not. Before it is ready a worker starts nothing: one that
   * dies then could not start, and its calls fail rather than go round again.
   */
  #died(thread: Thread): void {
    if (thread.dead && !thread.ending) return;
    if (!thread.dead) this.#forget(thread);
    thread.ending = false;
    if (thread.ready) this.#takeBack(thread);
    for (const call of thread.calls.slice(thread.head)) {
      if (call?.state !== SENT) continue;
      const never = withdraw(call.claims!, call.slot);
      this.#settle(call, false, deathError(thread, call, never));
    }
  }

  /** Takes `thread` out of the pool; ends it if `end` (idle, shutting down). */
  #forget(thread: Thread, end = false): void {
    thread.dead = true;
    this.#threads.splice(this.#threads.indexOf(thread), 1);
    thread.idleTimer?.clear();
    if (end) thread.port.terminate();
    // Calls queued while it was busy (it died, or ran an aborted call).
    if (this.#queued > 0) this.#schedule();
  }

  /** Starts the idle timer of a worker left with nothing to do. */
  #idle(thread: Thread): void {
    if (
      !free(thread) || this.#queued > 0 ||
      thread.idleTimer !== undefined || thread.dead
    ) return;
    const retire = () => this.#forget(thread, true);
    thread.idleTimer = setLongTimeout(retire, this.#idleTimeout);
  }

  /** Starts a worker. */
  #spawn(): Thread {
    const buffer = new SharedArrayBuffer(8);
    const state = new Int32Array(buffer);
    const thread: Thread = {
      port: startWorker(
        (message) => this.#onMessage(thread, message),
        (cause) => {
          thread.cause ??= cause ?? "the worker stopped unexpectedly";
          this.#died(thread);
        },
      ),
      state,
      ready: false,
      dead: false,
      calls: [],
      head: 0,
      seen: NaN,
    };
    thread.port.post({ type: "init", state: buffer, lock: thread.port.lock });
    this.#threads.push(thread);
    return thread;
  }
}

/**
 * Before which calls of `batch` the worker posts the answers it holds (an
 * abort ends it; the host waits for them): one whose signal the call before
 * lacks. What it holds then is of calls aborted with it; and 20,000 calls on
 * one signal stay batched (a post before each took 6.8x their time).
 */
function abortable(batch: Call[]): boolean[] | undefined {
  if (!batch.some((call) => call.signal)) return undefined;
  return batch.map(({ signal }, i) =>
    !!signal && signal !== batch[i - 1]?.signal
  );
}

/** `thread` has nothing to do. */
const free = (thread: Thread) => thread.head === thread.calls.length;

/** `thread` has calls waiting behind the one it runs. */
function waiting(thread: Thread): boolean {
  return thread.ready && !thread.taken && thread.calls.length - thread.head > 1;
}

/** What `call` runs, for a message. */
const what = (call: Call) => `'${call.exportName}' of module '${call.module}'`;

/** Why `call` failed with `thread`, which died (`never`: before running it). */
function deathError(thread: Thread, call: Call, never: boolean): WorkerError {
  const how = !thread.ready
    ? "failed to start for"
    : `died ${never ? "before" : "while"} running`;
  const moved = thread.ready && never
    ? ", with the objects it moved there"
    : "";
  const message = `Worker ${how} ${what(call)}${moved}: ${thread.cause}`;
  return new WorkerError(message, thread.killer);
}

/** The error for a call whose arguments could not be posted. */
function cloneError(call: Call, error: unknown): DOMException {
  const why = summarize(error); // whatever a getter among them threw
  const moved = call.transfer ? " or its 'transfer' list moved" : "";
  const cannot = `its arguments cannot be cloned${moved}`;
  const message = `Cannot run ${what(call)} as ${cannot}: ${why}`;
  return new DOMException(message, "DataCloneError");
}
