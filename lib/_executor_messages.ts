/**
 * What an `Executor` and its workers say to each other, in the one file both
 * sides import: `executor.ts` (the host) and `_executor_worker.ts` (each
 * worker). Not a public module.
 *
 * 1. The host starts a worker and posts an {@linkcode InitMessage}. On Web
 *    Workers the worker is named after a fresh Web Lock, which it takes and
 *    holds for its whole life.
 * 2. Once it holds the lock, the worker posts a {@linkcode ReadyMessage}, and
 *    the host asks for the same lock: it is granted exactly when the worker
 *    is gone, whatever ended it. (Deno fires no event when a worker calls
 *    `Deno.exit()` or `self.close()`.)
 * 3. The host posts {@linkcode CallsMessage}s, each with a claim slot per
 *    call in shared memory (below).
 * 4. The worker runs the calls one at a time, in order, and answers every
 *    call, in order, in {@linkcode ResultsMessage}s: its result, what it
 *    threw, or that it was taken back.
 * 5. A worker about to die on purpose (task code called `Deno.exit()`, an
 *    uncaught error) first posts a {@linkcode DyingMessage} with the cause,
 *    then waits until the host has read it ({@linkcode NOTICE}), so that the
 *    cause never loses the race with the lock.
 *
 * Claiming: a call that a worker holds may still be taken back by the host
 * (its caller aborted; the worker is stuck in a long call while another is
 * free). Both sides race for the call's slot with compare-and-swap: the
 * worker moves it from {@linkcode PENDING} to {@linkcode RUNNING} before it
 * starts the call ({@linkcode claim}), the host from `PENDING` to
 * {@linkcode WITHDRAWN} ({@linkcode withdraw}). Exactly one wins and each
 * knows which: a call never runs twice and is never lost.
 *
 * @module
 */

import { describe } from "./_check.ts";

/** A call's slot: nobody has claimed it yet. */
export const PENDING = 0;
/** The worker claimed it and runs it. */
export const RUNNING = 1;
/** The worker finished it; the answer is on its way. */
export const DONE = 2;
/** The host took it back: the worker skips it. */
export const WITHDRAWN = 3;

/** The worker claims slot `i` before it starts that call; `false`: taken back. */
export function claim(claims: Int32Array, i: number): boolean {
  return Atomics.compareExchange(claims, i, PENDING, RUNNING) === PENDING;
}

/** The host takes back call `i` if it has not started; `false`: too late. */
export function withdraw(claims: Int32Array, i: number): boolean {
  return Atomics.compareExchange(claims, i, PENDING, WITHDRAWN) === PENDING;
}

/**
 * Index in a worker's shared state of how many calls it has claimed (mod
 * 2³²): the host reads it to tell a worker stuck in one call from a busy one.
 */
export const PROGRESS = 0;
/**
 * Index of a flag the host sets to 1 once it has read a
 * {@linkcode DyingMessage}; the dying worker waits for it before it exits.
 */
export const NOTICE = 1;

/**
 * The key under which `transfer()` lists the objects a result moves back.
 * `Symbol.for`, so that a task module that imports the published package and
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

/** Host → worker, first: its shared state (an `Int32Array` of 2). */
export interface InitMessage {
  /** The message's kind. */
  type: "init";
  /** The buffer of the state: {@linkcode PROGRESS}, {@linkcode NOTICE}. */
  state: SharedArrayBuffer;
}

/** Host → worker: calls to run, in order, as parallel arrays. */
export interface CallsMessage {
  /** The message's kind. */
  type: "calls";
  /** One `Int32` claim slot per call, all {@linkcode PENDING}. */
  claims: SharedArrayBuffer;
  /** Each call's module, an absolute URL. */
  modules: string[];
  /** Each call's export name. */
  names: string[];
  /** Each call's arguments. */
  args: unknown[][];
}

/** Everything the host sends. */
export type HostMessage = InitMessage | CallsMessage;

/** Worker → host, once: it holds its lock and runs calls. */
export interface ReadyMessage {
  /** The message's kind. */
  type: "ready";
}

/** Worker → host: the answers to the next calls, in the order sent. */
export interface ResultsMessage {
  /** The message's kind. */
  type: "results";
  /** What each call returned; a {@linkcode Thrown} for one that threw. */
  values: unknown[];
  /** The indexes in `values` of the calls that threw, in increasing order. */
  failed: number[];
  /** The indexes of the calls taken back, in increasing order. */
  skipped: number[];
}

/** Worker → host: the worker is about to die, and why. */
export interface DyingMessage {
  /** The message's kind. */
  type: "dying";
  /** Why, in words ("the task called Deno.exit(3)"). */
  cause: string;
  /** The uncaught error or rejection that killed it, if any. */
  error?: Thrown;
}

/** Everything a worker sends. */
export type WorkerMessage = ReadyMessage | ResultsMessage | DyingMessage;

/**
 * A thrown value on its way to the host. Structured clone keeps an error's
 * message, stack and `cause` and a built-in class (`TypeError`, …); it drops
 * a custom `name` and the error's own fields, which travel beside it.
 */
export interface Thrown {
  /** A clone of what was thrown (or, if it cannot be cloned, its parts). */
  value: unknown;
  /** The error's name, when the clone would lose it ("ValidationError"). */
  name?: string;
  /** The error's own fields that clone, as `[key, value]` pairs. */
  fields?: [string, unknown][];
}

/** Reads `object[key]`, or gives `undefined` if that throws. */
function read(object: unknown, key: PropertyKey): unknown {
  try {
    return (object as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `object`'s own fields that clone; one whose getter throws is left out. */
function fieldsOf(object: object, skip: string[] = []): [string, unknown][] {
  const fields: [string, unknown][] = [];
  for (const key of Object.getOwnPropertyNames(object)) {
    if (skip.includes(key)) continue;
    try {
      fields.push([
        key,
        structuredClone((object as Record<string, unknown>)[key]),
      ]);
    } catch {
      // A function, a symbol, a getter that throws: left out.
    }
  }
  return fields;
}

/** The built-in classes an error that cannot be cloned is rebuilt as. */
const BUILT_IN = [TypeError, RangeError, SyntaxError, ReferenceError, URIError];

/**
 * Makes a thrown value ready to post, whatever it does: getters or a
 * `toString` that throw, fields that do not clone. Never throws.
 *
 * @param thrown What the task threw.
 * @returns What to post; {@linkcode revive} rebuilds it.
 */
export function pack(thrown: unknown): Thrown {
  let value: unknown;
  try {
    value = structuredClone(thrown);
  } catch {
    // Rebuilt below from what can be read.
  }
  if (!isError(thrown)) {
    if (value !== undefined || thrown === undefined) return { value };
    if (thrown === null || typeof thrown !== "object") {
      return { value: describe(thrown) }; // a symbol, a function
    }
    return { value: Object.fromEntries(fieldsOf(thrown)) };
  }
  if (value === undefined) {
    const Base = BUILT_IN.find((Class) => thrown instanceof Class) ?? Error;
    value = new Base(String(read(thrown, "message") ?? ""));
    Object.defineProperty(value, "stack", { value: read(thrown, "stack") });
  }
  let name = read(thrown, "name");
  if (name === "Error") {
    // A subclass that sets no name: its class says more.
    name = read(read(Object.getPrototypeOf(thrown), "constructor"), "name");
  }
  const skip = ["name", "message", "stack", "cause"];
  const packed: Thrown = { value, fields: fieldsOf(thrown, skip) };
  if (typeof name === "string" && name !== "" && name !== read(value, "name")) {
    packed.name = name;
  }
  return packed;
}

function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false; // a Proxy whose getPrototypeOf throws
  }
}

/** Rebuilds on the host the thrown value that {@linkcode pack} made. */
export function revive({ value, name, fields }: Thrown): unknown {
  const define = (key: string, field: unknown, enumerable: boolean) =>
    Object.defineProperty(value, key, {
      value: field,
      enumerable,
      writable: true,
      configurable: true,
    });
  if (name !== undefined) define("name", name, false);
  // An AggregateError's `errors` is its own field, not enumerable.
  for (const [key, field] of fields ?? []) define(key, field, key !== "errors");
  return value;
}

/**
 * A thrown value in a few words for a message: `TypeError: not a number`
 * for an error, {@linkcode describe} for anything else. Calls no `toString`.
 */
export function summarize(thrown: unknown): string {
  if (isError(thrown)) {
    const name = read(thrown, "name");
    const message = read(thrown, "message");
    if (typeof name === "string" && typeof message === "string") {
      return `${name}: ${message}`;
    }
  }
  return describe(thrown);
}
