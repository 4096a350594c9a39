/**
 * The inside of an `Executor` worker. Not a public module: the executor
 * starts this file with `new Worker(...)`; the messages and the shared memory
 * are described in `_executor_protocol.ts`.
 *
 * The worker keeps the calls it has received in an inbox and runs them one
 * at a time, in order. A synchronous call runs to its end inside
 * {@linkcode drain}; an asynchronous one holds the worker until its promise
 * settles, then draining resumes. Answers collect in an outbox that goes to
 * the host in one message whenever the worker is about to wait (the inbox is
 * empty, or a call went asynchronous): that batching is what makes small
 * calls cheap.
 *
 * @module
 */

import {
  claimToRun,
  FINISHED,
  type FunctionName,
  type HostMessage,
  lockManager,
  NOTICE_READ,
  type Outcome,
  RETURNED,
  serializeThrown,
  SKIPPED,
  THREW,
  TRANSFER,
  type TransferMarker,
  type WorkerMessage,
  WRAP,
} from "./_executor_protocol.ts";
import { describe } from "./_util.ts";

/** What this file needs of the worker's global scope. */
interface WorkerScope {
  name: string;
  onmessage: ((event: MessageEvent<HostMessage>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  close(): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

/** A function the host named, by its number on this worker. */
interface Target extends FunctionName {
  /** The function, once its module has loaded. */
  fn: ((...args: unknown[]) => unknown) | undefined;
  /** Why it cannot run (its module failed to load, no such export). */
  failure: Error | undefined;
}

/** Function `i` is the `i`-th {@linkcode FunctionName} received. */
const targets: Target[] = [];
/** This worker's shared memory; set by the init message. */
let state: Int32Array | undefined;

// The inbox: calls received and not run yet, as parallel arrays read from
// `inboxHead` on (cheaper than shifting).
let inboxTargets: Target[] = [];
let inboxArgs: unknown[][] = [];
let inboxHead = 0;
/** The number of the next call to run: calls are numbered 0, 1, 2, … */
let nextCall = 0;

// The outbox: answers not sent yet, as in a ResultsMessage.
let outcomes: Outcome[] = [];
let values: unknown[] = [];
let durations: number[] = [];

/** This worker holds its lock (so its death will be noticed). */
let locked = false;
/** Locked and initialised: the host has been told, calls may run. */
let ready = false;
/** A call is in progress asynchronously (loading its module or awaiting). */
let busy = false;
/** A death notice went out: nothing else may. */
let dying = false;

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    state = new Int32Array(message.state);
    becomeReady();
    return;
  }
  const { targets: named, args } = message;
  for (let i = 0; i < named.length; i++) {
    const target = named[i]!;
    inboxTargets.push(
      typeof target === "number" ? targets[target]! : register(target),
    );
    inboxArgs.push(args[i]!);
  }
  if (ready && !busy) drain();
};

/** Gives `name` the next number. */
function register(name: FunctionName): Target {
  const target: Target = { ...name, fn: undefined, failure: undefined };
  targets.push(target);
  return target;
}

/** Tells the host this worker can run calls, once it is locked and has its state. */
function becomeReady(): void {
  if (!locked || state === undefined || ready) return;
  ready = true;
  scope.postMessage({ type: "ready" });
  if (!busy) drain();
}

/** Runs inbox calls until the inbox is empty or a call goes asynchronous. */
function drain(): void {
  while (inboxHead < inboxTargets.length && !dying) {
    const target = inboxTargets[inboxHead]!;
    const args = inboxArgs[inboxHead]!;
    // Drop the references: a long inbox must not keep old arguments alive.
    inboxArgs[inboxHead] = undefined as never;
    inboxHead++;
    const call = nextCall++;
    if (!claimToRun(state!, call)) {
      finish(SKIPPED, undefined, 0);
      continue;
    }
    if (target.fn === undefined && target.failure === undefined) {
      // Loading the module is part of the call: if its top level kills the
      // worker, this call is the one that fails.
      busy = true;
      flush();
      load(target).then(() => {
        if (!run(target, args)) resume();
      });
      return;
    }
    if (run(target, args)) {
      flush();
      return;
    }
  }
  if (inboxHead === inboxTargets.length) {
    inboxTargets = [];
    inboxArgs = [];
    inboxHead = 0;
  }
  flush();
}

/** Continues with the inbox after an asynchronous call. */
function resume(): void {
  busy = false;
  drain();
}

/**
 * Runs one call and records its answer, or, if it returned a promise, starts
 * waiting for it.
 *
 * @returns `true` when the call went asynchronous.
 */
function run(target: Target, args: unknown[]): boolean {
  if (target.failure !== undefined) {
    finish(THREW, serializeThrown(target.failure), 0);
    return false;
  }
  const start = performance.now();
  let result: unknown;
  try {
    result = target.fn!(...args);
  } catch (error) {
    finish(THREW, serializeThrown(error), performance.now() - start);
    return false;
  }
  if (!isThenable(result)) {
    finishReturned(result, performance.now() - start);
    return false;
  }
  busy = true;
  // The time until it settles counts: that is how long the call holds the
  // worker.
  result.then(
    (value) => {
      if (dying) return;
      finishReturned(value, performance.now() - start);
      resume();
    },
    (error) => {
      if (dying) return;
      finish(THREW, serializeThrown(error), performance.now() - start);
      resume();
    },
  );
  return true;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (
    value === null || (typeof value !== "object" && typeof value !== "function")
  ) {
    return false;
  }
  try {
    return typeof (value as PromiseLike<unknown>).then === "function";
  } catch {
    return false;
  }
}

/** Records an answer and tells the host, through shared memory, that the call is over. */
function finish(outcome: Outcome, value: unknown, ms: number): void {
  outcomes.push(outcome);
  values.push(value);
  durations.push(ms);
  Atomics.store(state!, FINISHED, nextCall % WRAP);
}

/**
 * Records what a call returned. A result wrapped by `transfer()` travels in
 * a message of its own: if its transfer list is bad, Deno has already
 * detached the listed objects when `postMessage` throws, so no other answer
 * may share that message.
 */
function finishReturned(result: unknown, ms: number): void {
  const list = transferListOf(result);
  if (list === undefined) {
    finish(RETURNED, result, ms);
    return;
  }
  flush();
  const value = (result as TransferMarker).value;
  finish(RETURNED, value, ms);
  const message = takeOutbox();
  try {
    scope.postMessage(message, list);
  } catch (error) {
    message.outcomes[0] = THREW;
    message.values[0] = serializeThrown(
      new TypeError(
        `Cannot send the task's result back as its transfer list cannot be moved: ${
          summarize(error)
        }`,
        { cause: error },
      ),
    );
    scope.postMessage(message);
  }
}

/** The transfer list of a result wrapped by `transfer()`, else `undefined`. */
function transferListOf(result: unknown): Transferable[] | undefined {
  if (result === null || typeof result !== "object") return undefined;
  try {
    const list = (result as Partial<TransferMarker>)[TRANSFER];
    return Array.isArray(list) ? list : undefined;
  } catch {
    return undefined;
  }
}

/** Empties the outbox into a results message. */
function takeOutbox(): WorkerMessage & { type: "results" } {
  const message = { type: "results" as const, outcomes, values, durations };
  outcomes = [];
  values = [];
  durations = [];
  return message;
}

/** Sends every recorded answer to the host in one message. */
function flush(): void {
  // After a death notice nothing else goes out: the call that killed the
  // worker must not look as if it succeeded.
  if (outcomes.length === 0 || dying) return;
  const message = takeOutbox();
  try {
    scope.postMessage(message);
  } catch {
    flushOneByOne(message);
  }
}

/**
 * Some result cannot be cloned: send the answers one by one, each result
 * that cannot be cloned replaced by a `TypeError` that says so.
 */
function flushOneByOne(message: WorkerMessage & { type: "results" }): void {
  for (let i = 0; i < message.outcomes.length; i++) {
    const one = {
      type: "results" as const,
      outcomes: [message.outcomes[i]!],
      values: [message.values[i]],
      durations: [message.durations[i]!],
    };
    try {
      scope.postMessage(one);
    } catch (error) {
      one.outcomes[0] = THREW;
      one.values[0] = serializeThrown(
        new TypeError(
          `Cannot send the task's result back as it cannot be cloned: ${
            summarize(error)
          }`,
          { cause: error },
        ),
      );
      scope.postMessage(one);
    }
  }
}

/** Imports a function's module and finds the export, or records why not. */
async function load(target: Target): Promise<void> {
  let module: Record<string, unknown>;
  try {
    module = await import(target.module);
  } catch (error) {
    const Class = error instanceof TypeError
      ? TypeError
      : error instanceof SyntaxError
      ? SyntaxError
      : Error;
    target.failure = new Class(
      `Cannot load module '${target.module}': ${summarize(error)}`,
      { cause: error },
    );
    return;
  }
  const fn = module[target.exportName];
  if (typeof fn === "function") {
    target.fn = fn as (...args: unknown[]) => unknown;
  } else if (fn === undefined && !(target.exportName in module)) {
    target.failure = new TypeError(
      `Cannot run '${target.exportName}' as module '${target.module}' has no such export`,
    );
  } else {
    target.failure = new TypeError(
      `Cannot run '${target.exportName}' of module '${target.module}' as it is not a function: it is ${
        fn === null ? "null" : typeof fn
      }`,
    );
  }
}

/**
 * A thrown value in a few words for a message: "TypeError: not a number" for
 * an error, {@linkcode describe} for anything else. Calls no `toString`.
 */
function summarize(thrown: unknown): string {
  try {
    if (thrown instanceof Error) {
      const name = thrown.name;
      const message = thrown.message;
      if (typeof name === "string" && typeof message === "string") {
        return `${name}: ${message}`;
      }
    }
  } catch {
    // A getter threw: fall back on the value's shape.
  }
  return describe(thrown);
}

/** Tells the host why this worker is about to die, after the answers it has. */
function die(cause: string, error?: unknown): void {
  if (dying) return;
  flush();
  dying = true;
  const notice: WorkerMessage = error === undefined
    ? { type: "dying", cause }
    : { type: "dying", cause, error: serializeThrown(error) };
  scope.postMessage(notice);
  // Messages and the lock travel by different roads: wait until the host has
  // read the notice (it sets NOTICE_READ), or give up after a second.
  if (state !== undefined) Atomics.wait(state, NOTICE_READ, 0, 1000);
}

// Task code may end this worker on purpose; say so before it goes.
const close = scope.close;
scope.close = function () {
  die("the task called self.close()");
  close.call(scope);
};
const exit = Deno.exit;
Deno.exit = function (code?: number): never {
  die(`the task called Deno.exit(${code ?? ""})`);
  return exit(code);
};
scope.addEventListener("error", (event) => {
  event.preventDefault();
  const error = (event as ErrorEvent).error ?? (event as ErrorEvent).message;
  die(`an uncaught ${summarize(error)}`, error);
  close.call(scope);
});
scope.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  const reason = (event as PromiseRejectionEvent).reason;
  die(`an unhandled rejection: ${summarize(reason)}`, reason);
  close.call(scope);
});

// The lock's name is the worker's name: take it at once, without waiting for
// the first message, since starting up is on the way to the first result.
lockManager().request(scope.name, () => {
  locked = true;
  becomeReady();
  // Held until this worker dies; then the host is granted the lock.
  return new Promise(() => {});
});
