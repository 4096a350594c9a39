/**
 * The inside of an `Executor` worker. Not a public module: the
 * executor starts this file with `new Worker(...)` and talks to it through
 * the protocol below.
 *
 * Protocol (all messages are plain arrays or objects, cloned by postMessage):
 *
 * - host → worker, once: `{ init: SharedArrayBuffer, lock: string }`. The
 *   worker takes the Web Lock named `lock` (also its `name`, so it takes it
 *   as soon as it loads) and holds it until it dies; the
 *   host asks for the same lock and is granted it exactly when the worker is
 *   gone, whatever killed it (`Deno.exit()`, `self.close()`, an uncaught
 *   error, `terminate()`). Deno fires no event for the first two.
 * - worker → host, once the lock is held: `{ ready: true }`.
 * - host → worker: a batch, a flat array of `ref, args` pairs, where `ref` is
 *   a number (an already registered function) or `[moduleUrl, exportName]`
 *   (registers the next number).
 * - worker → host: `{ r: [status, value, ...], b: busyMilliseconds }`, one
 *   pair per finished task, in the order the tasks were sent.
 * - worker → host, just before it dies on purpose: `{ d: cause, e?: error }`.
 *   The worker then blocks until the host sets the shared flag `state[1]`
 *   (or a second passes), so the cause is known before the lock is released.
 *
 * Tasks run one at a time, in order. Before starting the task numbered `s`
 * (counting from 0) the worker moves the shared counter from `s` to `s + 1`
 * with a compare-and-swap; the host may instead swap in -1
 * to stop the worker from starting anything else (it does so before
 * terminating a worker to abort its task). So the host always knows which
 * tasks started and which never did.
 *
 * @module
 */

const OK = 0;
const THROWN = 1;

/** A marker that `transfer()` in executor.ts puts on a result. */
const TRANSFER = Symbol.for("asincronia.executor.transfer");

interface LockManagerLike {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>;
}

interface Entry {
  url: string;
  name: string;
  fn: ((...args: unknown[]) => unknown) | undefined;
  error: unknown;
}

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;

let state: Int32Array | undefined;
let started = 0;
const entries: Entry[] = [];
/** Tasks received and not started yet: flat `entryIndex, args` pairs. */
let queue: unknown[] = [];
let head = 0;
let ready = false;
let locked = false;
let busy = false;
let dying = false;
let frozen = false;
let pending: unknown[] = [];
let pendingTransfer: Transferable[] = [];
let busyTime = 0;

scope.onmessage = (event: MessageEvent) => {
  const data = event.data;
  if (!Array.isArray(data)) {
    init(data);
    return;
  }
  for (let i = 0; i < data.length; i += 2) {
    const ref = data[i];
    let index: number;
    if (typeof ref === "number") {
      index = ref;
    } else {
      index = entries.length;
      entries.push({
        url: ref[0],
        name: ref[1],
        fn: undefined,
        error: undefined,
      });
    }
    queue.push(index, data[i + 1]);
  }
  if (ready && !busy) drain();
};

function init(data: { init: SharedArrayBuffer; lock: string }): void {
  state = new Int32Array(data.init);
  start();
}

/** Starts running tasks once the lock is held and the counter is known. */
function start(): void {
  if (!locked || state === undefined || ready) return;
  ready = true;
  scope.postMessage({ ready: true });
  if (!busy) drain();
}

/** Runs queued tasks until the queue is empty or a task goes asynchronous. */
function drain(): void {
  const t0 = performance.now();
  while (head < queue.length && !dying && !frozen) {
    const entry = entries[queue[head] as number]!;
    const args = queue[head + 1] as unknown[];
    queue[head] = queue[head + 1] = undefined;
    head += 2;
    if (Atomics.compareExchange(state!, 0, started, started + 1) !== started) {
      // The host froze this worker: it is about to terminate it.
      frozen = true;
      break;
    }
    started++;
    if (entry.fn === undefined && entry.error === undefined) {
      // Loading the module is part of the task: if its top level kills the
      // worker, this task is the one that fails.
      busy = true;
      busyTime += performance.now() - t0;
      flush();
      load(entry).then(() => {
        if (!exec(entry, args)) resume();
      });
      return;
    }
    if (exec(entry, args)) {
      busyTime += performance.now() - t0;
      flush();
      return;
    }
  }
  if (head >= queue.length) {
    queue = [];
    head = 0;
  }
  busyTime += performance.now() - t0;
  flush();
}

/** Runs one task; returns true when it went asynchronous. */
function exec(entry: Entry, args: unknown[]): boolean {
  if (entry.error !== undefined) {
    pending.push(THROWN, serializeError(entry.error));
    return false;
  }
  let result: unknown;
  try {
    result = entry.fn!(...args);
  } catch (error) {
    pending.push(THROWN, serializeError(error));
    return false;
  }
  if (
    result !== null && typeof result === "object" &&
    typeof (result as PromiseLike<unknown>).then === "function"
  ) {
    busy = true;
    // The time spent waiting counts too: it is how long the task holds the
    // worker.
    const t0 = performance.now();
    (result as PromiseLike<unknown>).then(
      (value) => {
        busyTime += performance.now() - t0;
        settle(OK, value);
      },
      (error) => {
        busyTime += performance.now() - t0;
        settle(THROWN, serializeError(error));
      },
    );
    return true;
  }
  push(result);
  return false;
}

function settle(status: number, value: unknown): void {
  if (dying) return;
  if (status === OK) push(value);
  else pending.push(status, value);
  resume();
}

function resume(): void {
  busy = false;
  drain();
}

function push(result: unknown): void {
  if (
    result !== null && typeof result === "object" &&
    (result as Record<symbol, unknown>)[TRANSFER] !== undefined
  ) {
    const marked = result as { value: unknown; [TRANSFER]: Transferable[] };
    pending.push(OK, marked.value);
    pendingTransfer.push(...marked[TRANSFER]);
  } else {
    pending.push(OK, result);
  }
}

async function load(entry: Entry): Promise<void> {
  let module: Record<string, unknown>;
  try {
    module = await import(entry.url);
  } catch (error) {
    entry.error = wrap(
      error,
      `Cannot load module '${entry.url}': ${describe(error)}`,
    );
    return;
  }
  const fn = module[entry.name];
  if (typeof fn === "function") {
    entry.fn = fn as (...args: unknown[]) => unknown;
  } else if (fn === undefined && !(entry.name in module)) {
    entry.error = new TypeError(
      `Cannot run '${entry.name}' as module '${entry.url}' has no such export`,
    );
  } else {
    entry.error = new TypeError(
      `Cannot run '${entry.name}' of module '${entry.url}' as it is not a function: it is ${
        fn === null ? "null" : typeof fn
      }`,
    );
  }
}

function wrap(error: unknown, message: string): Error {
  const Class = error instanceof TypeError
    ? TypeError
    : error instanceof SyntaxError
    ? SyntaxError
    : Error;
  const wrapped = new Class(message, { cause: error });
  return wrapped;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Sends every finished result to the host in one message. */
function flush(): void {
  // After a death notice nothing else goes out: the task that killed the
  // worker must not look as if it succeeded.
  if (pending.length === 0 || dying) return;
  const message = { r: pending, b: busyTime };
  const transfer = pendingTransfer;
  pending = [];
  pendingTransfer = [];
  busyTime = 0;
  try {
    scope.postMessage(message, transfer);
  } catch {
    // Some result cannot be cloned: replace each such result by an error
    // that says so, and send the rest.
    const r = message.r;
    for (let i = 0; i < r.length; i += 2) {
      if (r[i] !== OK) continue;
      try {
        structuredClone(r[i + 1]);
      } catch (error) {
        r[i] = THROWN;
        r[i + 1] = serializeError(
          new TypeError(
            `Cannot send the task's result back as it cannot be cloned: ${
              describe(error)
            }`,
            { cause: error },
          ),
        );
      }
    }
    scope.postMessage(message, transfer);
  }
}

/** Errors lose their class when cloned, so send their parts. */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) {
    try {
      structuredClone(error);
      return { value: error };
    } catch {
      return { value: String(error) };
    }
  }
  let name = error.name;
  const ctor = (error as { constructor?: { name?: unknown } }).constructor
    ?.name;
  if (name === "Error" && typeof ctor === "string" && ctor !== "Error") {
    name = ctor;
  }
  const out: Record<string, unknown> = {
    name,
    message: error.message,
    stack: error.stack,
  };
  if (error.cause !== undefined) out.cause = serializeError(error.cause);
  if (error instanceof AggregateError) {
    out.errors = error.errors.map(serializeError);
  }
  const props: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(error)) {
    if (key === "cause" || key === "name" || key === "message") continue;
    try {
      props[key] = structuredClone(
        (error as unknown as Record<string, unknown>)[key],
      );
      any = true;
    } catch {
      // Leave out what cannot cross the thread boundary.
    }
  }
  if (any) out.props = props;
  return out;
}

/** Tells the host why this worker is about to die, after the results it has. */
function die(cause: string, error?: unknown): void {
  if (dying) return;
  flush();
  dying = true;
  scope.postMessage(
    error === undefined ? { d: cause } : { d: cause, e: serializeError(error) },
  );
  // Messages and the lock travel by different roads: wait until the host has
  // read the cause (it sets state[1]), or give up after a second.
  if (state !== undefined) Atomics.wait(state, 1, 0, 1000);
}

const close = scope.close as () => void;
scope.close = function () {
  die("the task called self.close()");
  close.call(scope);
};
const exit = Deno.exit;
Deno.exit = function (code?: number): never {
  die(`the task called Deno.exit(${code ?? ""})`);
  return exit(code);
};
scope.addEventListener("error", (event: ErrorEvent) => {
  event.preventDefault();
  die(`an uncaught ${describe(event.error ?? event.message)}`, event.error);
  close.call(scope);
});
scope.addEventListener(
  "unhandledrejection",
  (event: PromiseRejectionEvent) => {
    event.preventDefault();
    die(`an unhandled rejection: ${describe(event.reason)}`, event.reason);
    close.call(scope);
  },
);

// The lock's name is the worker's name: take it at once, without waiting for
// the first message, since starting up is on the way to the first result.
(navigator as unknown as { locks: LockManagerLike }).locks.request(
  scope.name,
  () => {
    locked = true;
    start();
    // Held until this worker dies; then the host is granted the lock.
    return new Promise(() => {});
  },
);
