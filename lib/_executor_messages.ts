/**
 * What an `Executor` (`executor.ts`) and its workers (`_executor_worker.ts`)
 * say to each other, in the one file both import. Not a public module.
 *
 * 1. The host starts a worker and posts an {@linkcode InitMessage}.
 * 2. The worker takes the Web Lock named there, if any, for life (see
 *    `_executor_port.ts`), then posts a `ready` message.
 * 3. The host posts {@linkcode CallsMessage}s, a shared claim slot per call.
 * 4. The worker runs the calls one at a time, in order, and answers each in
 *    order in {@linkcode ResultsMessage}s: result, thrown value, or taken back.
 * 5. A worker about to die on purpose (task code called `Deno.exit()`, an
 *    uncaught error) first posts a `dying` message with the cause, then
 *    waits until the host has read it ({@linkcode NOTICE}), so that the
 *    cause never loses the race with the news of its death.
 *
 * Claiming: a call that a worker holds may still be taken back by the host
 * (its caller aborted; the worker is stuck in a long call while another is
 * free). Both sides race for the call's slot with compare-and-swap: the
 * worker moves it from {@linkcode PENDING} to {@linkcode RUNNING} to start it
 * (`claim()`), the host to {@linkcode WITHDRAWN} (`withdraw()`).
 * Exactly one wins, and each knows which: a call never runs twice nor is lost.
 *
 * @module
 */

import * as check from "./_check.ts";
import { attempt, field } from "./_check.ts";

/** A call's slot (see `claim`): nobody has claimed it yet. */
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
 * 2³²), by which the host tells a worker stuck in one call from a busy one.
 */
export const PROGRESS = 0;
/** Index of the flag the host sets once it has read a `dying` message. */
export const NOTICE = 1;

/**
 * The key under which `transfer()` lists the objects a result moves back:
 * `Symbol.for`, so that a task module that imports the published package
 * and the worker that imports this file agree on it.
 */
export const TRANSFER: unique symbol = Symbol.for(
  "asincronia.executor.transfer",
);

/** A result wrapped by `transfer()`: the value and the objects to move. */
export type TransferMarker = { value: unknown; [TRANSFER]: object[] };

/**
 * Host → worker, first: its shared state, {@linkcode PROGRESS} and
 * {@linkcode NOTICE}; the Web Lock to hold for life, if the host watches one.
 */
export type InitMessage = {
  type: "init";
  state: SharedArrayBuffer;
  lock: string | undefined;
};

/**
 * Host → worker: calls to run, in order. Call `i` runs export `names[i]` of
 * the module at absolute URL `modules[i]` with `args[i]`; its claim slot is
 * `Int32` number `i` of `claims`, {@linkcode PENDING}.
 */
export type CallsMessage = {
  type: "calls";
  claims: SharedArrayBuffer;
  modules: string[];
  names: string[];
  args: unknown[][];
  /** Whose caller may abort it (absent: none's): answers go out first. */
  abortable?: boolean[];
};

/** Everything the host sends. */
export type HostMessage = InitMessage | CallsMessage;

/**
 * Worker → host: the answers to the next calls, in the order sent: what
 * each returned, or for the indexes in `failed` (sorted) a
 * {@linkcode Thrown}; for a call taken back, `undefined`.
 */
export type ResultsMessage = {
  type: "results";
  values: unknown[];
  failed: number[];
};

/**
 * Everything a worker sends (steps 2, 4, 5): `dying` says why in words, with
 * the uncaught error or rejection that killed it, if any.
 */
export type WorkerMessage =
  | { type: "ready" }
  | ResultsMessage
  | { type: "dying"; cause: string; error?: Thrown };

/**
 * A thrown value on its way to the host: `value`, its clone or its parts.
 * Structured clone keeps an error's built-in class, message, stack, `cause`;
 * beside it travel a custom `name` and the error's own `fields` that clone.
 */
export type Thrown = {
  value: unknown;
  name?: string;
  fields?: [string, unknown][];
};

const isError = (value: unknown): value is Error =>
  attempt(() => value instanceof Error, false);

/** `object`'s own fields that clone, but for those in `skip`. */
function fieldsOf(object: object, skip: string[] = []): [string, unknown][] {
  const own = object as Record<string, unknown>;
  const keys = attempt(() => Object.getOwnPropertyNames(object), []); // a proxy
  return keys.flatMap((key) => {
    // A function, a symbol, a getter that throws: left out.
    const clone = attempt(() => [structuredClone(own[key])], []);
    return clone.length && !skip.includes(key) ? [[key, clone[0]]] : [];
  });
}

/** The built-in classes an error that does not clone is rebuilt as. */
const BUILT_IN = [TypeError, RangeError, SyntaxError, ReferenceError, URIError];

/**
 * Makes a thrown value ready to post (for {@linkcode revive}); never throws,
 * whatever the value does: throwing getters or `toString`, uncloneable fields.
 */
export function pack(thrown: unknown): Thrown {
  let value = attempt<unknown>(() => structuredClone(thrown), undefined);
  if (!isError(thrown)) {
    if (value !== undefined || thrown === undefined) return { value };
    if (thrown === null || typeof thrown !== "object") {
      return { value: check.describe(thrown) }; // a symbol, a function
    }
    return { value: Object.fromEntries(fieldsOf(thrown)) };
  }
  if (value === undefined) {
    const built = () => BUILT_IN.find((Class) => thrown instanceof Class);
    const Base = attempt(built, undefined) ?? Error; // a proxy's trap may throw
    value = new Base(attempt(() => String(field(thrown, "message") ?? ""), ""));
    Object.defineProperty(value, "stack", { value: field(thrown, "stack") });
  }
  let name = field(thrown, "name");
  if (name === "Error") {
    // A subclass that sets no name: its class says more.
    const proto = attempt(() => Object.getPrototypeOf(thrown), null);
    name = field(field(proto, "constructor"), "name");
  }
  // Bun's structured clone drops `cause`: then it travels as a field.
  const kept = Object.hasOwn(value as object, "cause");
  const skip = ["name", "message", "stack", ...kept ? ["cause"] : []];
  const packed: Thrown = { value, fields: fieldsOf(thrown, skip) };
  if (typeof name === "string" && name && name !== field(value, "name")) {
    packed.name = name;
  }
  return packed;
}

/** Rebuilds on the host the thrown value that {@linkcode pack} made. */
export function revive({ value, name, fields = [] }: Thrown): unknown {
  const open = { writable: true, configurable: true };
  const define = (key: string, field: unknown, enumerable: boolean) =>
    Object.defineProperty(value, key, { ...open, value: field, enumerable });
  if (name !== undefined) define("name", name, false);
  // Structured clone makes an AggregateError a plain Error: make it one again
  // (one with `errors`: a class of the task's own named so has none).
  const errors = fields.some(([key]) => key === "errors");
  if (name === "AggregateError" && errors && value instanceof Error) {
    Object.setPrototypeOf(value, AggregateError.prototype);
  }
  // An AggregateError's `errors` and a `cause` are own fields, not enumerable.
  for (const [key, field] of fields) {
    define(key, field, key !== "errors" && key !== "cause");
  }
  return value;
}

/**
 * A thrown value in a few words for a message: `TypeError: not a number`
 * for an error, {@linkcode describe} for anything else. Calls no `toString`.
 */
export function summarize(thrown: unknown): string {
  const name = isError(thrown) && field(thrown, "name");
  const message = isError(thrown) && field(thrown, "message");
  return typeof name === "string" && typeof message === "string"
    ? `${name}: ${message}`
    : check.describe(thrown);
}

/** The last module string given, and its URL (see the header). */
let last: [string, string] | undefined;

/** The absolute URL of a module given to `run` or `bind`. */
export function moduleUrl(module: unknown, action: string): string {
  if (module instanceof URL) return module.href;
  if (last && module === last[0]) return last[1];
  if (typeof module === "string" && URL.canParse(module)) {
    last = [module, new URL(module).href];
    return last[1];
  }
  return check.refuse(TypeError, action, "module", "an absolute URL", module);
}

/** `run()`'s arguments, checked; its options, read once. */
export function checkRun(
  module: unknown,
  exportName: unknown,
  args: unknown,
  options: { signal?: AbortSignal; transfer?: object[] } | undefined,
): { url: string; signal?: AbortSignal; transfer?: object[] } {
  const action = "run task";
  const bad = (name: string, rule: string, value: unknown) =>
    check.refuse(TypeError, action, name, rule, value);
  const url = moduleUrl(module, action);
  if (typeof exportName !== "string" || exportName === "") {
    bad("exportName", "a non-empty string", exportName);
  }
  if (!Array.isArray(args)) bad("args", "an array", args);
  const { signal, transfer } = check.options(options, action);
  check.signal(signal, action);
  if (transfer === undefined) return { url, signal };
  if (!Array.isArray(transfer)) bad("transfer", "an array", transfer);
  const i = transfer.findIndex((item) =>
    item === null || typeof item !== "object"
  );
  if (i >= 0) bad(`transfer[${i}]`, "a transferable object", transfer[i]);
  return { url, signal, transfer: transfer.length ? transfer : undefined };
}
