/**
 * What an `Executor` and its workers share: the messages they exchange, the
 * shared memory through which they agree on which calls started, and how a
 * thrown value crosses between them. Not a public module: `executor.ts` (the
 * host) and `_executor_worker.ts` (each worker) import it.
 *
 * ## The conversation
 *
 * 1. The host starts a worker with `new Worker(...)`, naming it after a fresh
 *    Web Lock, and sends an {@linkcode InitMessage} with the worker's
 *    {@linkcode SharedState}.
 * 2. The worker takes the lock named after itself and holds it until it dies.
 *    Once it holds the lock and has its state it sends a
 *    {@linkcode ReadyMessage}; the host then asks for the same lock, which is
 *    granted exactly when the worker is gone, whatever ended it
 *    (`Deno.exit()`, `self.close()`, an uncaught error, `terminate()`). Deno
 *    fires no event for the first two; the lock is how the host learns. (A
 *    worker terminated in a call that never returns to its event loop never
 *    ends, so the host withdraws its request when it terminates one.)
 * 3. The host sends {@linkcode CallsMessage}s: calls, numbered 0, 1, 2, … in
 *    the order sent. A call names its function by number once the worker knows
 *    it, by module and export name the first time (see
 *    {@linkcode CallsMessage.targets}).
 * 4. The worker runs the calls one at a time, in order, and answers each call
 *    exactly once, in the same order, in {@linkcode ResultsMessage}s: what it
 *    returned, what it threw, or that it was skipped.
 * 5. A worker about to die on purpose (task code called `Deno.exit()`, an
 *    uncaught error) first sends a {@linkcode DyingMessage} with the cause and
 *    waits until the host has read it (see {@linkcode NOTICE_READ}), so the
 *    cause never loses the race with the lock.
 *
 * ## Who runs a call: the claim ring
 *
 * A call sent to a worker may still be withdrawn: its caller aborted, or the
 * worker is stuck in a long call and the call should run elsewhere. Host and
 * worker race for it through one `Int32Array` slot per call (the "claim
 * ring"): the worker claims call `n` just before running it
 * ({@linkcode claimToRun}); the host claims it to take it back
 * ({@linkcode claimToWithdraw}). Both use compare-and-swap on the same slot, so
 * exactly one of them wins, and each side knows which. A withdrawn call is
 * answered {@linkcode SKIPPED} and the worker moves on to the next.
 *
 * @module
 */

import { describe } from "./_util.ts";

// ---------------------------------------------------------------------------
// Shared constants
// ---------------------------------------------------------------------------

/**
 * The key under which `transfer()` lists the objects a result moves back.
 * `Symbol.for` so that a task module that imports the published package and
 * the worker that imports this file agree on it.
 */
export const TRANSFER: unique symbol = Symbol.for(
  "asincronia.executor.transfer",
);

/** A result wrapped by `transfer()`: the value and the objects to move. */
export interface TransferMarker {
  /** What the task returned. */
  value: unknown;
  /** The objects inside `value` to move rather than copy. */
  [TRANSFER]: Transferable[];
}

/**
 * The most calls a worker may hold unanswered, which is also the size of the
 * claim ring: call `n` uses slot `n % MAX_IN_FLIGHT`, and it is free again
 * only once call `n` has been answered.
 */
export const MAX_IN_FLIGHT = 512;

/** The Web Locks API, which Deno has but its types do not declare. */
export interface LockManagerLike {
  /** Waits for the lock, then holds it while `callback`'s promise is pending. */
  request(name: string, callback: () => unknown): Promise<unknown>;
  /** The same, cancelled (the promise rejects) when `options.signal` aborts. */
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => unknown,
  ): Promise<unknown>;
}

/** This thread's lock manager. */
export function lockManager(): LockManagerLike {
  return (navigator as unknown as { locks: LockManagerLike }).locks;
}

// ---------------------------------------------------------------------------
// Shared memory
// ---------------------------------------------------------------------------

/**
 * Index in {@linkcode SharedState} of how many calls the worker has finished
 * (returned, thrown or skipped), modulo {@linkcode WRAP}. The worker stores
 * it after each call; the host reads it to tell a call still running from one
 * whose answer is on its way, and a stuck worker from a busy one.
 */
export const FINISHED = 0;
/**
 * Index of a flag the host sets to 1 once it has read a
 * {@linkcode DyingMessage}; the dying worker waits for it before it exits.
 */
export const NOTICE_READ = 1;
/** Index of the first slot of the claim ring. */
const CLAIMS = 2;

/**
 * Counters in shared memory wrap at 2³⁰ (a long-lived worker may run more
 * calls than an `Int32` holds); both sides only ever compare numbers that are
 * less than {@linkcode MAX_IN_FLIGHT} apart, so the wrap is harmless.
 */
export const WRAP = 2 ** 30;

/**
 * One worker's shared memory: an `Int32Array` over a `SharedArrayBuffer`,
 * laid out as {@linkcode FINISHED}, {@linkcode NOTICE_READ}, then the claim
 * ring.
 */
export type SharedState = Int32Array;

/** Makes the shared memory for a new worker, all zeros. */
export function newSharedState(): SharedState {
  return new Int32Array(
    new SharedArrayBuffer((CLAIMS + MAX_IN_FLIGHT) * 4),
  );
}

/**
 * What call `n`'s slot holds once someone claimed it: `+mark` when the
 * worker runs it, `-mark` when the host withdrew it. Never 0, which a slot
 * holds before its first use.
 */
function markOf(n: number): number {
  return (n % WRAP) + 1;
}

/**
 * The worker claims call `n` to run it.
 *
 * @returns `true` if the worker may run it; `false` if the host withdrew it.
 */
export function claimToRun(state: SharedState, n: number): boolean {
  const slot = CLAIMS + n % MAX_IN_FLIGHT;
  const mark = markOf(n);
  // Whatever the slot holds from call n - MAX_IN_FLIGHT, replace it, unless
  // the host got there first.
  const seen = Atomics.load(state, slot);
  if (seen === -mark) return false;
  return Atomics.compareExchange(state, slot, seen, mark) === seen;
}

/**
 * The host claims call `n` back, so that the worker skips it. Only for a call
 * sent to this worker and not answered yet.
 *
 * @returns `true` if the call is withdrawn (it never runs on this worker);
 * `false` if the worker had already started it.
 */
export function claimToWithdraw(state: SharedState, n: number): boolean {
  const slot = CLAIMS + n % MAX_IN_FLIGHT;
  const mark = markOf(n);
  const seen = Atomics.load(state, slot);
  if (seen === mark) return false;
  if (seen === -mark) return true;
  return Atomics.compareExchange(state, slot, seen, -mark) === seen;
}

/** Whether the worker claimed call `n` to run it (for a call not answered yet). */
export function wasRun(state: SharedState, n: number): boolean {
  return Atomics.load(state, CLAIMS + n % MAX_IN_FLIGHT) === markOf(n);
}

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

/** An exported function named in full: the first time a worker hears of it. */
export interface FunctionName {
  /** The module's absolute URL. */
  module: string;
  /** The export's name. */
  exportName: string;
}

/** Host → worker, once, first: the worker's shared memory. */
export interface InitMessage {
  /** The message's kind. */
  type: "init";
  /** The buffer of the worker's {@linkcode SharedState}. */
  state: SharedArrayBuffer;
}

/** Host → worker: calls to run, in order. */
export interface CallsMessage {
  /** The message's kind. */
  type: "calls";
  /**
   * Which function each call runs. A {@linkcode FunctionName} also gives the
   * function the next free number on this worker (0, 1, 2, … in the order
   * the worker receives them); later calls use that number.
   */
  targets: (number | FunctionName)[];
  /** Each call's arguments, parallel to `targets`. */
  args: unknown[][];
}

/** Everything the host sends. */
export type HostMessage = InitMessage | CallsMessage;

/** A call returned; the value is its result. */
export const RETURNED = 0;
/** A call threw; the value is a {@linkcode SerializedThrown}. */
export const THREW = 1;
/** The host withdrew the call before it ran; the value is `undefined`. */
export const SKIPPED = 2;
/** How a call ended, as reported by the worker. */
export type Outcome = typeof RETURNED | typeof THREW | typeof SKIPPED;

/** Worker → host, once: it holds its lock and can run calls. */
export interface ReadyMessage {
  /** The message's kind. */
  type: "ready";
}

/**
 * Worker → host: the answers to the next calls, in the order they were sent.
 * Three parallel arrays: cheaper to clone than one object per call.
 */
export interface ResultsMessage {
  /** The message's kind. */
  type: "results";
  /** How each call ended. */
  outcomes: Outcome[];
  /** What each call returned, or what it threw, serialised. */
  values: unknown[];
  /** How many milliseconds each call ran (0 for a skipped call). */
  durations: number[];
}

/** Worker → host: the worker is about to die, and why. */
export interface DyingMessage {
  /** The message's kind. */
  type: "dying";
  /** Why, in words ("the task called Deno.exit(3)"). */
  cause: string;
  /** The uncaught error or rejection that killed it, if any. */
  error?: SerializedThrown;
}

/** Everything a worker sends. */
export type WorkerMessage = ReadyMessage | ResultsMessage | DyingMessage;

// ---------------------------------------------------------------------------
// Thrown values: serialise (in the worker) and revive (on the host)
// ---------------------------------------------------------------------------

/**
 * A thrown value on its way to the host. Structured clone keeps an error's
 * class only for built-in classes and drops its own fields, so an error
 * travels as its parts; anything else travels as a clone of what can be
 * cloned.
 */
export type SerializedThrown = SerializedValue | SerializedError | SeenError;

/** A thrown value that is not an error, as far as it could be cloned. */
export interface SerializedValue {
  /** The record's kind. */
  kind: "value";
  /** The value, or a plain copy of its cloneable own fields. */
  value: unknown;
}

/** The built-in classes that an error is revived as. */
export type BaseName =
  | "Error"
  | "TypeError"
  | "RangeError"
  | "SyntaxError"
  | "ReferenceError"
  | "EvalError"
  | "URIError"
  | "AggregateError"
  | "DOMException";

const BASES: Record<BaseName, new (message: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  DOMException,
};

/** An error, in parts. */
export interface SerializedError {
  /** The record's kind. */
  kind: "error";
  /** The nearest built-in class the error is an instance of. */
  base: BaseName;
  /** Its `name` ("ValidationError"). */
  name: string;
  /** Its `message`. */
  message: string;
  /** Its `stack`, if it has one. */
  stack: string | undefined;
  /** Its `cause`, present only if the error has one. */
  cause?: SerializedThrown;
  /** An `AggregateError`'s `errors`. */
  errors?: SerializedThrown[];
  /** Its other own enumerable fields, those that could be sent. */
  fields: [string, SerializedThrown][];
}

/**
 * An error met before in the same thrown value (a `cause` that points back
 * up the chain): the `index`-th error serialised, counting from 0 in the
 * order they were met.
 */
export interface SeenError {
  /** The record's kind. */
  kind: "seen";
  /** Which error. */
  index: number;
}

/** Calls `read`; if it throws, gives `fallback`. Task code may throw anywhere. */
function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function isError(value: unknown): value is Error {
  return attempt(() => value instanceof Error, false);
}

/** The nearest built-in class of `error`, without calling its code. */
function baseOf(error: Error): BaseName {
  for (const name of Object.keys(BASES) as BaseName[]) {
    if (name === "Error") continue;
    if (attempt(() => error instanceof BASES[name], false)) return name;
  }
  return "Error";
}

/** The name of `error`'s class, read without calling getters. */
function classNameOf(error: Error): string | undefined {
  const proto = attempt(() => Object.getPrototypeOf(error), null);
  if (proto === null) return undefined;
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
  if (typeof ctor !== "function") return undefined;
  const name = Object.getOwnPropertyDescriptor(ctor, "name")?.value;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/** What serialising one thrown value has met so far. */
interface Walk {
  /** The errors met, with their indexes (see {@linkcode SeenError}). */
  errors: Map<Error, number>;
  /** The plain objects being copied, to stop at a cycle. */
  copying: Set<object>;
}

/**
 * Prepares a thrown value to cross to the host. Never throws, whatever the
 * value does: getters that throw, a `toString` that throws, a `cause` chain
 * that loops back on itself. An error's fields that cannot be cloned are left
 * out; a thrown symbol or function arrives as its description.
 *
 * @param thrown What the task threw.
 * @returns What to send; {@linkcode reviveThrown} rebuilds it.
 */
export function serializeThrown(thrown: unknown): SerializedThrown {
  return serializePart(thrown, { errors: new Map(), copying: new Set() });
}

function serializePart(value: unknown, walk: Walk): SerializedThrown {
  if (isError(value)) return serializeError(value, walk);
  const sent = cloneable(value, walk);
  return { kind: "value", value: sent === OMITTED ? describe(value) : sent };
}

function serializeError(error: Error, walk: Walk): SerializedThrown {
  const index = walk.errors.get(error);
  if (index !== undefined) return { kind: "seen", index };
  walk.errors.set(error, walk.errors.size);
  const name: unknown = attempt(() => error.name, undefined);
  const className = classNameOf(error);
  const message: unknown = attempt(() => error.message, "");
  const stack: unknown = attempt(() => error.stack, undefined);
  const out: SerializedError = {
    kind: "error",
    base: baseOf(error),
    // A subclass that sets no name inherits "Error": its class says more.
    name: typeof name === "string" && (name !== "Error" || !className)
      ? name
      : className ?? "Error",
    message: typeof message === "string" ? message : describe(message),
    stack: typeof stack === "string" ? stack : undefined,
    fields: [],
  };
  if (attempt(() => Object.hasOwn(error, "cause"), false)) {
    out.cause = serializePart(attempt(() => error.cause, undefined), walk);
  }
  if (out.base === "AggregateError") {
    const errors = attempt(() => [...(error as AggregateError).errors], []);
    out.errors = errors.map((item) => serializePart(item, walk));
  }
  for (const key of attempt(() => Object.keys(error), [] as string[])) {
    if (OWN_PARTS.has(key)) continue;
    const field = readField(error, key);
    if (field === OMITTED) continue;
    if (isError(field)) {
      out.fields.push([key, serializeError(field, walk)]);
    } else {
      const sent = cloneable(field, walk);
      if (sent !== OMITTED) {
        out.fields.push([key, { kind: "value", value: sent }]);
      }
    }
  }
  return out;
}

/** The parts of an error that travel on their own, not among its fields. */
const OWN_PARTS = new Set(["name", "message", "stack", "cause", "errors"]);

/** Stands for what cannot be sent (a getter threw, a function, a symbol). */
const OMITTED: unique symbol = Symbol("omitted");

function readField(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return OMITTED;
  }
}

/**
 * A copy of `value` that structured clone can send: the clone itself when
 * it can be made (so that getters run only once); for an object that cannot
 * be cloned whole, a plain object of the own fields that can; else
 * {@linkcode OMITTED}.
 */
function cloneable(value: unknown, walk: Walk): unknown {
  if (typeof value === "symbol" || typeof value === "function") return OMITTED;
  if (value === null || typeof value !== "object") return value;
  try {
    return structuredClone(value);
  } catch {
    // Some field cannot be cloned, or a getter threw: keep the others.
  }
  if (walk.copying.has(value)) return OMITTED;
  walk.copying.add(value);
  const copy: Record<string, unknown> = {};
  for (const key of attempt(() => Object.keys(value), [] as string[])) {
    const field = readField(value, key);
    const sent = field === OMITTED
      ? OMITTED
      : isError(field)
      ? attempt<unknown>(() => structuredClone(field), OMITTED)
      : cloneable(field, walk);
    if (sent !== OMITTED) define(copy, key, sent, true);
  }
  walk.copying.delete(value);
  return copy;
}

/**
 * Rebuilds on the host what {@linkcode serializeThrown} sent: an error of the
 * same built-in class (so `instanceof TypeError` holds) with the task's name,
 * message, stack, cause, errors and fields; or the value itself.
 *
 * @param data What the worker sent.
 * @param revived The errors rebuilt so far from this value, by index.
 */
export function reviveThrown(
  data: SerializedThrown,
  revived: Error[] = [],
): unknown {
  if (data.kind === "value") return data.value;
  if (data.kind === "seen") return revived[data.index];
  const error = data.base === "DOMException"
    ? new DOMException(data.message, data.name)
    : data.base === "AggregateError"
    ? new AggregateError([], data.message)
    : new BASES[data.base](data.message);
  revived.push(error);
  if (error.name !== data.name) define(error, "name", data.name, false);
  if (data.cause !== undefined) {
    define(error, "cause", reviveThrown(data.cause, revived), false);
  }
  if (data.errors !== undefined) {
    const errors = data.errors.map((item) => reviveThrown(item, revived));
    define(error, "errors", errors, false);
  }
  for (const [key, field] of data.fields) {
    define(error, key, reviveThrown(field, revived), true);
  }
  if (data.stack !== undefined) define(error, "stack", data.stack, false);
  return error;
}

/** Sets a field as a plain data property (a `__proto__` key stays a key). */
function define(
  target: object,
  key: string,
  value: unknown,
  enumerable: boolean,
): void {
  Object.defineProperty(target, key, {
    value,
    enumerable,
    writable: true,
    configurable: true,
  });
}
