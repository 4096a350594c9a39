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
 * @example Run a function of a module on a worker
 * ```ts ignore
 * import { Executor } from "@asincronia/asincronia/executor";
 *
 * // tasks.ts: export function fib(n: number): number { ... }
 * await using executor = new Executor();
 * const tasks = executor.bind<typeof import("./tasks.ts")>(
 *   new URL("./tasks.ts", import.meta.url),
 * );
 * console.log(await tasks.fib(30)); // 832040
 * ```
 *
 * @module
 */

/** Options for {@linkcode Executor}. */
export interface ExecutorOptions {
  /**
   * The most workers that run at once. Workers start only when there is work
   * for them.
   *
   * @default {navigator.hardwareConcurrency}
   */
  workers?: number;
  /**
   * How many milliseconds a worker with nothing to do lives before it ends.
   * Deno keeps a process alive while any worker lives: ending idle workers is
   * what lets a script that never calls {@linkcode Executor.prototype.shutdown}
   * exit by itself. `Infinity` keeps them until shutdown.
   *
   * @default {1000}
   */
  idleTimeout?: number;
}

/** Options for {@linkcode Executor.prototype.run}. */
export interface RunOptions {
  /**
   * Cancels the task. A queued task is removed from the queue; a running one
   * is stopped by terminating its worker (which is then replaced). Either way
   * the promise rejects at once with `signal.reason`.
   */
  signal?: AbortSignal;
  /**
   * Objects among the arguments to move to the worker instead of copying
   * them (ArrayBuffers, MessagePorts, …). They are unusable here afterwards.
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
 * Why a task failed when it was not the task's own code that threw: its
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

const TRANSFER = Symbol.for("asincronia.executor.transfer");

/**
 * Marks a task's result so that the listed objects are moved back to the
 * caller instead of copied. Call it in the task's module, on the value that
 * the task returns; the caller receives `value` itself.
 *
 * @example Return a large buffer without copying it
 * ```ts ignore
 * import { transfer } from "@asincronia/asincronia/executor";
 *
 * export function fill(size: number): Uint8Array {
 *   const bytes = new Uint8Array(size).fill(7);
 *   return transfer(bytes, [bytes.buffer]);
 * }
 * ```
 *
 * @typeParam T The result's type.
 * @param value The result.
 * @param transferList The objects inside `value` to move.
 * @returns A marker that the executor unwraps; typed as `T` so that the
 * task's signature stays the result's.
 */
export function transfer<T>(value: T, transferList: Transferable[]): T {
  if (!Array.isArray(transferList)) {
    throw new TypeError(
      `Cannot transfer result as 'transferList' must be an array: current value is ${
        String(transferList)
      }`,
    );
  }
  return { value, [TRANSFER]: transferList } as unknown as T;
}

interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => unknown,
  ): Promise<unknown>;
}

const OK = 0;
const FROZEN = -1;
/** A task no worker has yet. */
const QUEUED = 0;
/** A task sent to a worker. */
const SENT = 1;
/** A settled task. */
const DONE = 2;

/** The work that a batch for one worker may hold, in milliseconds. */
const BATCH_MS = 0.5;
const MAX_IN_FLIGHT = 512;

interface Task {
  key: string;
  url: string;
  name: string;
  args: unknown[];
  transfer: Transferable[] | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  state: number;
  slot: Slot | undefined;
}

interface Slot {
  worker: Worker;
  state: Int32Array;
  lock: string;
  /** Tasks sent and not answered, oldest first; `inFlight[i]` has number `answered + i`. */
  inFlight: Task[];
  answered: number;
  /** The function references already sent, `url \0 name` → number. */
  refs: Map<string, number>;
  ready: boolean;
  dead: boolean;
  cause: string | undefined;
  causeError: unknown;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  gone: Promise<void>;
  markGone: () => void;
  /** Withdraws the host's request for the worker's lock. */
  unwatch: AbortController;
}

/**
 * A pool of workers that runs exported functions of modules off the main
 * thread.
 *
 * `run(module, exportName, args)` queues a call; queued calls start in FIFO
 * order on the first free worker, and the promise settles with what the
 * function returned (awaited if it was a promise) or with what it threw.
 * Arguments and results travel by structured clone, or are moved when listed
 * in `transfer`. Each worker runs one task at a time; several queued tasks
 * travel to a worker in one message, which is what makes small tasks cheap.
 *
 * Guarantees:
 * - An error thrown by the task arrives with its class name, message and
 *   stack (and `cause`); built-in classes such as `TypeError` keep
 *   `instanceof`.
 * - A missing module or export rejects with an error naming it. Arguments
 *   that cannot be cloned reject with a `DataCloneError` before anything is
 *   sent.
 * - A worker that dies for any reason — `Deno.exit()` or `self.close()` in
 *   task code, an uncaught error or unhandled rejection, a module whose top
 *   level kills it — rejects only the task it was running, with a
 *   {@linkcode WorkerError} naming the cause; tasks it had received but not
 *   started go back to the head of the queue, and a new worker takes over.
 *   Deaths are noticed through a Web Lock each worker holds for its whole
 *   life, so no task ever hangs.
 * - Aborting a queued task removes it. Aborting a running task rejects it at
 *   once, terminates its worker and replaces it; the tasks behind it are not
 *   touched.
 * - Idle workers end after `idleTimeout`; {@linkcode Executor.prototype.shutdown}
 *   finishes queued and running tasks, then ends every worker.
 *
 * Workers inherit the process's permissions; loading a local module needs
 * `--allow-read` for it.
 *
 * @example Run a blocking function without blocking the main thread
 * ```ts ignore
 * import { Executor } from "@asincronia/asincronia";
 *
 * await using executor = new Executor({ workers: 2 });
 * const url = new URL("./tasks.ts", import.meta.url);
 * const result = await executor.run(url, "blockingFunction", [2000]);
 * console.log(result); // "Finished blocking task"
 * ```
 */
export class Executor implements AsyncDisposable {
  #max: number;
  #idleTimeout: number;
  #slots: Slot[] = [];
  #queue: (Task | undefined)[] = [];
  #head = 0;
  #queued = 0;
  #scheduled = false;
  #closing = false;
  #gone: Set<Promise<void>> = new Set();
  #drained: (() => void) | undefined;
  #running = 0;
  /** Moving average of each function's run time, in milliseconds. */
  #taskMs: Map<string, number> = new Map();
  /** The last module string and its parsed form: parsing costs per call. */
  #lastModule = "";
  #lastUrl = "";

  /**
   * Makes an executor. No worker starts before the first task.
   *
   * @param options `workers` and `idleTimeout`.
   * @throws {RangeError} If `workers` is not a positive integer or
   * `idleTimeout` is not a non-negative number.
   */
  constructor(options: ExecutorOptions = {}) {
    const workers = options.workers ??
      (globalThis.navigator?.hardwareConcurrency || 1);
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(
        `Cannot create executor as 'workers' must be a positive integer: current value is ${workers}`,
      );
    }
    const idleTimeout = options.idleTimeout ?? 1000;
    if (
      typeof idleTimeout !== "number" || Number.isNaN(idleTimeout) ||
      idleTimeout < 0
    ) {
      throw new RangeError(
        `Cannot create executor as 'idleTimeout' must be a non-negative number: current value is ${idleTimeout}`,
      );
    }
    this.#max = workers;
    this.#idleTimeout = idleTimeout;
  }

  /** The most workers this executor runs at once. */
  get maxWorkers(): number {
    return this.#max;
  }

  /** How many workers are alive now (0 before the first task and after idling). */
  get workers(): number {
    let n = 0;
    for (const slot of this.#slots) if (!slot.dead) n++;
    return n;
  }

  /** How many tasks wait in the queue for a worker. */
  get queued(): number {
    return this.#queued;
  }

  /** How many tasks have been sent to a worker and have not settled yet. */
  get running(): number {
    return this.#running;
  }

  /**
   * Runs `module`'s export `exportName` with `args` on a worker.
   *
   * @example Call an exported function
   * ```ts ignore
   * import { Executor } from "@asincronia/asincronia/executor";
   *
   * await using executor = new Executor();
   * const sum = await executor.run<number>(
   *   new URL("./tasks.ts", import.meta.url),
   *   "add",
   *   [1, 2],
   * );
   * ```
   *
   * @typeParam T What the function returns (its awaited value).
   * @param module An absolute URL of the module (`new URL("./tasks.ts",
   * import.meta.url)` or `import.meta.resolve(...)`).
   * @param exportName The name of an exported function.
   * @param args The arguments, cloned (or moved, see `transfer`).
   * @param options `signal` and `transfer`.
   * @returns What the function returned, or its error.
   * @throws {TypeError} (as a rejection) If `module` is not an absolute URL,
   * `exportName` not a string or `args` not an array, or the module or the
   * export cannot be found.
   * @throws {DOMException} (as a rejection, `DataCloneError`) If the
   * arguments cannot be cloned.
   * @throws {WorkerError} (as a rejection) If the worker died running it.
   */
  run<T = unknown>(
    module: string | URL,
    exportName: string,
    args: readonly unknown[] = [],
    options: RunOptions = {},
  ): Promise<T> {
    let url: string;
    try {
      url = module instanceof URL ? module.href : this.#resolve(module);
    } catch {
      return Promise.reject(
        new TypeError(
          `Cannot run task as 'module' must be an absolute URL: current value is '${
            String(module)
          }'`,
        ),
      );
    }
    if (typeof exportName !== "string" || exportName === "") {
      return Promise.reject(
        new TypeError(
          `Cannot run task as 'exportName' must be a non-empty string: current value is ${
            String(exportName)
          }`,
        ),
      );
    }
    if (!Array.isArray(args)) {
      return Promise.reject(
        new TypeError(
          `Cannot run task as 'args' must be an array: current value is ${
            String(args)
          }`,
        ),
      );
    }
    if (this.#closing) {
      return Promise.reject(
        new Error(
          `Cannot run '${exportName}' as the executor has been shut down`,
        ),
      );
    }
    const { signal, transfer } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    const task: Task = {
      key: url + "\0" + exportName,
      url,
      name: exportName,
      args: args as unknown[],
      transfer,
      signal,
      onAbort: undefined,
      resolve: resolve as (value: unknown) => void,
      reject,
      state: QUEUED,
      slot: undefined,
    };
    if (signal) {
      task.onAbort = () => this.#abort(task);
      signal.addEventListener("abort", task.onAbort, { once: true });
    }
    this.#queue.push(task);
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
   * ```ts ignore
   * import { Executor } from "@asincronia/asincronia/executor";
   *
   * await using executor = new Executor();
   * const tasks = executor.bind<typeof import("./tasks.ts")>(
   *   new URL("./tasks.ts", import.meta.url),
   * );
   * const n: number = await tasks.fib(25);
   * ```
   *
   * @typeParam M The module's type: `typeof import("./tasks.ts")`.
   * @param module An absolute URL of the module.
   * @param options `signal`, shared by every call.
   * @returns An object with one asynchronous function per export.
   * @throws {TypeError} If `module` is not an absolute URL.
   */
  bind<M extends object>(
    module: string | URL,
    options: BindOptions = {},
  ): Bound<M> {
    let url: string;
    try {
      url = new URL(module).href;
    } catch {
      throw new TypeError(
        `Cannot bind module as 'module' must be an absolute URL: current value is '${
          String(module)
        }'`,
      );
    }
    const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    const runOptions: RunOptions = { signal: options.signal };
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
   * Lets queued and running tasks finish, then ends every worker. `run`
   * rejects from the moment this is called. Calling it again returns the
   * same wait.
   *
   * @returns A promise that resolves once every worker has ended.
   */
  async shutdown(): Promise<void> {
    this.#closing = true;
    if (this.#queued > 0 || this.#running > 0) {
      await new Promise<void>((resolve) => (this.#drained = resolve));
    }
    for (const slot of [...this.#slots]) this.#retire(slot);
    while (this.#gone.size > 0) await Promise.all([...this.#gone]);
  }

  /** Same as {@linkcode Executor.prototype.shutdown}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #resolve(module: string): string {
    if (module !== this.#lastModule) {
      this.#lastUrl = new URL(module).href;
      this.#lastModule = module;
    }
    return this.#lastUrl;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  /** Hands queued tasks to workers, starting workers as needed. */
  #pump(): void {
    if (this.#queued === 0) return;
    // How many tasks a worker may hold: about BATCH_MS of work, judged by the
    // function at the head of the queue. A function never measured gets one
    // task per worker, so long tasks spread over every worker.
    let head = this.#queue[this.#head];
    for (let i = this.#head; head === undefined;) head = this.#queue[++i];
    const taskMs = this.#taskMs.get(head.key) ?? BATCH_MS;
    const cap = Math.max(
      1,
      Math.min(MAX_IN_FLIGHT, Math.floor(BATCH_MS / taskMs)),
    );
    // Ready workers first, then starting ones, fewest tasks first.
    const slots = this.#slots.filter((s) => !s.dead);
    slots.sort((a, b) =>
      Number(b.ready) - Number(a.ready) || a.inFlight.length - b.inFlight.length
    );
    for (const slot of slots) {
      if (this.#queued === 0) break;
      // Spread a long queue evenly over the workers that can take it.
      const share = Math.ceil(this.#queued / slots.length);
      this.#send(slot, Math.min(cap - slot.inFlight.length, share));
    }
    while (this.#queued > 0 && this.#slots.length < this.#max) {
      const slot = this.#spawn();
      this.#send(slot, Math.min(cap, Math.ceil(this.#queued)));
    }
  }

  /** Sends up to `count` queued tasks to `slot` in one message. */
  #send(slot: Slot, count: number): void {
    if (count <= 0) return;
    const batch: unknown[] = [];
    const tasks: Task[] = [];
    let transfer: Transferable[] | undefined;
    const queue = this.#queue;
    while (tasks.length < count && this.#head < queue.length) {
      const task = queue[this.#head];
      if (task === undefined) {
        this.#head++;
        continue;
      }
      // A task that can be aborted goes only to a worker with nothing else:
      // aborting it then never loses another task's result.
      if (task.signal && (slot.inFlight.length > 0 || tasks.length > 0)) break;
      queue[this.#head++] = undefined;
      this.#queued--;
      let ref: unknown = slot.refs.get(task.key);
      if (ref === undefined) {
        ref = [task.url, task.name];
        slot.refs.set(task.key, slot.refs.size);
      }
      batch.push(ref, task.args);
      tasks.push(task);
      if (task.transfer) (transfer ??= []).push(...task.transfer);
    }
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    if (tasks.length === 0) return;
    try {
      slot.worker.postMessage(batch, transfer ?? []);
    } catch {
      // Nothing was sent. Send the tasks one by one; the ones that cannot be
      // cloned fail here, before reaching any worker.
      this.#sendOneByOne(slot, batch, tasks);
      // Rejected tasks left room that no answer will announce.
      this.#schedule();
      return;
    }
    for (const task of tasks) {
      task.state = SENT;
      task.slot = slot;
      slot.inFlight.push(task);
    }
    this.#running += tasks.length;
    if (slot.idleTimer !== undefined) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
    }
  }

  #sendOneByOne(slot: Slot, batch: unknown[], tasks: Task[]): void {
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i]!;
      let ref = batch[2 * i];
      if (Array.isArray(ref) && !slot.refs.has(task.key)) {
        // Registered by an earlier task of this batch that failed to send.
        ref = [task.url, task.name];
      }
      try {
        slot.worker.postMessage([ref, task.args], task.transfer ?? []);
      } catch (error) {
        if (Array.isArray(ref)) {
          // The worker never saw this reference: free its number again.
          const number = slot.refs.get(task.key)!;
          for (const [key, n] of slot.refs) {
            if (n > number) slot.refs.set(key, n - 1);
          }
          slot.refs.delete(task.key);
          // Later tasks of this batch that reused the reference must send it.
          for (let j = i + 1; j < tasks.length; j++) {
            if (tasks[j]!.key === task.key) {
              batch[2 * j] = [task.url, task.name];
            }
          }
        }
        this.#settle(
          task,
          false,
          new DOMException(
            `Cannot run '${task.name}' of module '${task.url}' as its arguments cannot be cloned: ${
              error instanceof Error ? error.message : String(error)
            }`,
            "DataCloneError",
          ),
        );
        continue;
      }
      if (Array.isArray(ref)) slot.refs.set(task.key, slot.refs.size);
      task.state = SENT;
      task.slot = slot;
      slot.inFlight.push(task);
      this.#running++;
    }
  }

  #spawn(): Slot {
    const lock = `asincronia-executor-${crypto.randomUUID()}`;
    const worker = new Worker(
      new URL("./_executor_worker.ts", import.meta.url),
      { type: "module", name: lock },
    );
    const { promise: gone, resolve: markGone } = Promise.withResolvers<void>();
    const slot: Slot = {
      worker,
      // [0]: how many tasks the worker started; [1]: 1 once the host has
      // read the worker's last words (see the worker's die()).
      state: new Int32Array(new SharedArrayBuffer(8)),
      lock,
      inFlight: [],
      answered: 0,
      refs: new Map(),
      ready: false,
      dead: false,
      cause: undefined,
      causeError: undefined,
      idleTimer: undefined,
      gone,
      markGone,
      unwatch: new AbortController(),
    };
    this.#gone.add(gone);
    gone.then(() => this.#gone.delete(gone));
    worker.onmessage = (event) => this.#onMessage(slot, event.data);
    worker.onerror = (event) => {
      // Only errors the worker could not catch itself land here (it failed
      // to start, for example). Never let them reach the main thread.
      event.preventDefault();
      if (!slot.dead) {
        slot.cause ??= event.message;
        this.#died(slot);
      }
    };
    worker.onmessageerror = () => {};
    worker.postMessage({ init: slot.state.buffer, lock });
    this.#slots.push(slot);
    return slot;
  }

  #onMessage(slot: Slot, data: Record<string, unknown>): void {
    if (slot.dead) return;
    const results = data.r as unknown[] | undefined;
    if (results !== undefined) {
      const n = results.length / 2;
      const taskMs = (data.b as number) / n;
      const inFlight = slot.inFlight;
      let key = "";
      for (let i = 0; i < results.length; i += 2) {
        const task = inFlight[i / 2]!;
        if (task.key !== key) {
          key = task.key;
          const old = this.#taskMs.get(key);
          this.#taskMs.set(
            key,
            old === undefined ? taskMs : (old + taskMs) / 2,
          );
        }
        if (task.state === DONE) continue;
        if (results[i] === OK) this.#settle(task, true, results[i + 1]);
        else this.#settle(task, false, revive(results[i + 1]));
      }
      slot.answered += n;
      slot.inFlight = n === inFlight.length ? [] : inFlight.slice(n);
      this.#idle(slot);
      this.#pump();
    } else if (data.ready) {
      slot.ready = true;
      const locks = (navigator as unknown as { locks: LockManagerLike }).locks;
      locks.request(slot.lock, { signal: slot.unwatch.signal }, () => {
        // Granted only once the worker has let go of it: it is gone.
        if (!slot.dead) {
          slot.cause ??= "the worker stopped unexpectedly";
          this.#died(slot);
        }
        slot.markGone();
      }).catch(() => {
        // Withdrawn by #stop(): the executor ended the worker itself.
      });
      this.#pump();
    } else if (data.d !== undefined) {
      slot.cause = data.d as string;
      if (data.e !== undefined) slot.causeError = revive(data.e);
      // The worker waits for this before it exits, so that its lock (and so
      // the news of its death) never reaches us before its cause.
      Atomics.store(slot.state, 1, 1);
      Atomics.notify(slot.state, 1);
    }
  }

  #settle(task: Task, ok: boolean, value: unknown): void {
    if (task.state === SENT) this.#running--;
    task.state = DONE;
    if (task.onAbort) task.signal!.removeEventListener("abort", task.onAbort);
    if (ok) task.resolve(value);
    else task.reject(value);
    if (this.#drained && this.#queued === 0 && this.#running === 0) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }

  #abort(task: Task): void {
    if (task.state === DONE) return;
    const reason = task.signal!.reason;
    if (task.state === QUEUED) {
      const i = this.#queue.indexOf(task, this.#head);
      if (i >= 0) {
        this.#queue[i] = undefined;
        this.#queued--;
      }
      this.#settle(task, false, reason);
      return;
    }
    const slot = task.slot!;
    const number = slot.answered + slot.inFlight.indexOf(task);
    this.#settle(task, false, reason);
    // Stop the worker from starting anything after this task. If it already
    // has, this task finished and its result is on its way: ignore it.
    const state = slot.state;
    if (
      Atomics.compareExchange(state, 0, number + 1, FROZEN) === number + 1 ||
      Atomics.compareExchange(state, 0, number, FROZEN) === number
    ) {
      slot.cause = "its task was aborted";
      this.#died(slot, number + 1);
      this.#stop(slot);
    }
    this.#pump();
  }

  /**
   * A worker is gone (or about to be): reject what it started, requeue what
   * it did not. `startedCount` overrides the shared counter after a freeze.
   */
  #died(slot: Slot, startedCount?: number): void {
    if (slot.dead) return;
    slot.dead = true;
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    const started = startedCount ?? Atomics.load(slot.state, 0);
    // Before it is ready a worker starts nothing, so a worker that dies then
    // failed to start: its tasks fail rather than go round again.
    const known = slot.ready || startedCount !== undefined;
    const requeue: Task[] = [];
    for (let i = 0; i < slot.inFlight.length; i++) {
      const task = slot.inFlight[i]!;
      if (task.state === DONE) continue;
      if (known && slot.answered + i >= started) {
        requeue.push(task);
        continue;
      }
      const message = known
        ? `Worker died while running '${task.name}' of module '${task.url}': ${slot.cause}`
        : `Worker failed to start for '${task.name}' of module '${task.url}': ${slot.cause}`;
      this.#settle(
        task,
        false,
        new WorkerError(
          message,
          slot.causeError === undefined
            ? undefined
            : { cause: slot.causeError },
        ),
      );
    }
    slot.inFlight = [];
    if (requeue.length > 0) {
      this.#running -= requeue.length;
      for (const task of requeue) {
        task.state = QUEUED;
        task.slot = undefined;
      }
      const rest = this.#queue.slice(this.#head);
      this.#queue = [...requeue, ...rest];
      this.#head = 0;
      this.#queued += requeue.length;
    }
    if (!slot.ready) slot.markGone();
    this.#pump();
  }

  /**
   * Ends a worker for good. Deno does not release the Web Locks of a worker
   * terminated in the middle of a task, so the host withdraws its request
   * instead of waiting for it.
   */
  #stop(slot: Slot): void {
    slot.worker.terminate();
    slot.unwatch.abort();
    slot.markGone();
  }

  /** Ends a worker on purpose: idle, or shutting down. */
  #retire(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    this.#stop(slot);
  }

  #idle(slot: Slot): void {
    if (
      slot.inFlight.length > 0 || this.#queued > 0 ||
      this.#idleTimeout === Infinity || slot.idleTimer !== undefined
    ) return;
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = undefined;
      if (slot.inFlight.length === 0) this.#retire(slot);
    }, this.#idleTimeout);
  }
}

const ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuilds an error sent by a worker. */
function revive(data: unknown): unknown {
  const d = data as Record<string, unknown>;
  if (!("name" in d)) return d.value;
  const options = d.cause === undefined
    ? undefined
    : { cause: revive(d.cause) };
  const name = d.name as string;
  let error: Error;
  if (name === "AggregateError") {
    error = new AggregateError(
      ((d.errors as unknown[]) ?? []).map(revive),
      d.message as string,
      options,
    );
  } else {
    const Class = ERRORS[name] ?? Error;
    error = new Class(d.message as string, options);
    if (!(name in ERRORS)) {
      Object.defineProperty(error, "name", {
        value: name,
        writable: true,
        configurable: true,
      });
    }
  }
  if (d.props) Object.assign(error, d.props);
  if (typeof d.stack === "string") {
    Object.defineProperty(error, "stack", {
      value: d.stack,
      writable: true,
      configurable: true,
    });
  }
  return error;
}
