/**
 * The inside of an `Executor` worker, not a public module:
 * `_executor_messages.ts` says what it and the host say to each other.
 *
 * Calls wait in an inbox and run one at a time, in order, each once claimed.
 * A synchronous call runs to its end inside {@linkcode drain}; one that
 * returns a promise (or whose module must load first) holds the worker until
 * it settles. Answers collect in an outbox, one message before each wait.
 *
 * @module
 */

import { attempt, field } from "./_check.ts";
import {
  type CallsMessage,
  claim,
  DONE,
  type HostMessage,
  NOTICE,
  pack,
  PROGRESS,
  type ResultsMessage,
  summarize,
  TRANSFER,
  type TransferMarker,
  type WorkerMessage,
} from "./_executor_messages.ts";

/** What this file needs of a Web Worker's scope (Deno, Bun, browsers)... */
interface WebScope {
  postMessage(message: WorkerMessage, transfer?: object[]): void;
  close?(): void; // not on Bun
  addEventListener(type: string, listener: (event: Event) => void): void;
}
/** ... or, on Node, of `process` and `node:worker_threads`' `parentPort`. */
interface Process {
  exit(code?: number): never;
  on(event: string, listener: (value: never) => void): void;
  getBuiltinModule(name: string): { parentPort: WebScope };
}
// Never read on Deno: its first read loads Node's compatibility layer, which
// made spawn to first result 1.7x slower (bench/README.md: 20 ms, not 12).
const process = "Deno" in globalThis
  ? undefined
  : (globalThis as unknown as { process?: Process }).process;
const web = "postMessage" in globalThis
  ? globalThis as unknown as WebScope
  : undefined;
const scope = web ??
  process!.getBuiltinModule("node:worker_threads").parentPort;
const post = scope.postMessage.bind(scope);
// The channel is the executor's (see its guarantees): this listener, the
// first, stops a module's own; a task's message would pass for ours.
scope.addEventListener("message", (event) => {
  event.stopImmediatePropagation();
  receive((event as MessageEvent<HostMessage>).data);
});
scope.postMessage = () => {
  throw new TypeError("Cannot post from a task: return what it sends");
};

/** Each module by URL once loaded, or the error that loading it gave. */
const modules = new Map<string, Record<string, unknown> | Error>();
/** Calls received and not run yet: messages, and each one's claim slots. */
const inbox: [CallsMessage, Int32Array][] = [];
/** The index in `inbox[0]` of the next call. */
let next = 0;
/** The outbox: answers not posted yet, and the indexes of thrown values. */
let values: unknown[] = [];
let failed: number[] = [];
/** One answer, as a message of its own. */
const alone = (value: unknown, threw: boolean): ResultsMessage => ({
  type: "results",
  values: [value],
  failed: threw ? [0] : [],
});
/** The claim slots of the call in progress, and its index there. */
let claims: Int32Array;
let slot = 0;
/** PROGRESS and NOTICE, once the host sent them. */
let state: Int32Array | undefined;
/** A call is in progress asynchronously, or the worker is not ready yet. */
let busy = true;
/** A death notice went out: nothing else may. */
let dying = false;

function receive(data: HostMessage): void {
  if (data.type !== "init") {
    inbox.push([data, new Int32Array(data.claims)]);
    if (!busy) drain();
    return;
  }
  state = new Int32Array(data.state);
  if (data.lock === undefined) return start();
  // Held until this worker is gone, which is how the host learns of it.
  (navigator as unknown as {
    locks: { request(name: string, hold: () => Promise<never>): unknown };
  }).locks.request(data.lock, () => {
    start();
    return new Promise<never>(() => {});
  });
}

/** Ready (it holds its lock, if any): says so, runs the calls that came. */
function start(): void {
  busy = false;
  post({ type: "ready" });
  drain();
}

/** Runs inbox calls until the inbox is empty or a call goes asynchronous. */
function drain(): void {
  while (inbox.length > 0 && !dying) {
    const [message, batch] = inbox[0]!;
    const i = next++;
    if (next === message.args.length) {
      inbox.shift();
      next = 0;
    }
    // An abort of this call ends the worker: what it answered goes first.
    if (message.abortable?.[i]) flush();
    if (!claim(batch, i)) {
      values.push(undefined); // taken back by the host, which knows it
      continue;
    }
    Atomics.add(state!, PROGRESS, 1);
    claims = batch;
    slot = i;
    let result: unknown;
    let then: unknown;
    try {
      result = call(message.modules[i]!, message.names[i]!, message.args[i]!);
      then = (result as PromiseLike<unknown> | null)?.then;
    } catch (error) {
      answer(error, true);
      continue;
    }
    if (typeof then !== "function") {
      answer(result, false);
      continue;
    }
    busy = true;
    flush();
    const resume = (threw: boolean) => (value: unknown) => {
      if (dying) return;
      answer(value, threw);
      busy = false;
      drain();
    };
    // A promise of ours: the task's own may call back twice (its own `then`).
    new Promise((ok) => ok(result)).then(resume(false), resume(true));
    return;
  }
  flush();
}

/**
 * Calls export `name` of module `url`, loading the module first if needed
 * (then the call is asynchronous: if the module's top level kills the
 * worker, this call is the one that fails).
 */
function call(url: string, name: string, args: unknown[]): unknown {
  const module = modules.get(url);
  if (module === undefined) return load(url).then(() => call(url, name, args));
  if (module instanceof Error) throw module;
  const fn = module[name];
  if (typeof fn === "function") return fn(...args);
  throw new TypeError(
    name in module
      ? `Cannot run '${name}' of module '${url}' as it is not a function: it is ${
        fn === null ? "null" : typeof fn
      }`
      : `Cannot run '${name}' as module '${url}' has no such export`,
  );
}

async function load(url: string): Promise<void> {
  try {
    // A caller's absolute URL, no import map: publishing need not analyse it.
    modules.set(url, await import(url));
  } catch (error) {
    const is = (C: ErrorConstructor) =>
      attempt(() => error instanceof C, false);
    const Class = [TypeError, SyntaxError].find(is); // a revoked proxy: neither
    const message = `Cannot load module '${url}': ${summarize(error)}`;
    modules.set(url, new (Class ?? Error)(message, { cause: error }));
  }
}

/**
 * Records what a call returned or threw. A result wrapped by `transfer()`
 * goes in a message of its own, as a call that moves objects does (see the
 * host's `#take`: a bad transfer list detaches what it lists).
 */
function answer(value: unknown, threw: boolean): void {
  Atomics.store(claims, slot, DONE);
  const list = threw ? undefined : field(value, TRANSFER); // a getter may throw
  if (!Array.isArray(list)) {
    if (threw) failed.push(values.length);
    values.push(threw ? pack(value) : value);
    return;
  }
  flush();
  try {
    post(alone((value as TransferMarker).value, false), list);
  } catch (error) {
    answer(unsent("its transfer list cannot be moved", error), true);
  }
}

/** The error that replaces a result that cannot be sent back. */
function unsent(why: string, error: unknown): TypeError {
  const message = `Cannot send the task's result back as ${why}`;
  return new TypeError(`${message}: ${summarize(error)}`, { cause: error });
}

/**
 * Posts the outbox in one message. If some result cannot be cloned, posts
 * the answers one by one, each such result replaced by a `TypeError`.
 */
function flush(): void {
  // After a death notice: the call that killed it must not look fulfilled.
  if (values.length === 0 || dying) return;
  const message: ResultsMessage = { type: "results", values, failed };
  [values, failed] = [[], []];
  try {
    post(message);
  } catch {
    message.values.forEach((value, i) => {
      try {
        post(alone(value, message.failed.includes(i)));
      } catch (error) {
        post(alone(pack(unsent("it cannot be cloned", error)), true));
      }
    });
  }
}

/** Tells the host why this worker is about to die, after the answers it has. */
function die(cause: string, error?: unknown): void {
  if (dying) return;
  flush();
  dying = true;
  const notice: WorkerMessage = { type: "dying", cause };
  if (error !== undefined) notice.error = pack(error);
  post(notice);
  // Messages and the news of a death (a lock, an exit event) travel by
  // different roads: wait until the host has read the notice, or a second.
  if (state) Atomics.wait(state, NOTICE, 0, 1000);
}

// Task code may end this worker on purpose; say so before it goes.
const [close, exit] = [web?.close, process?.exit];
/** Ends this worker, whatever the task code did to the ways out. */
const end = () => close ? close.call(web) : exit!.call(process, 1);
/** Has `owner[key]()` (`self.close`, `Deno.exit`…) say why it ends the worker. */
function patch(owner: object | undefined, name: string, key: string): void {
  const original = (owner as Record<string, unknown> | undefined)?.[key];
  if (typeof original !== "function") return; // Bun's self has no close
  (owner as Record<string, unknown>)[key] = (code?: number) => {
    die(`the task called ${name}.${key}(${code ?? ""})`);
    return original.call(owner, code);
  };
}
patch(web, "self", "close");
patch(process, "process", "exit"); // on Deno, process.exit calls Deno.exit:
patch((globalThis as { Deno?: object }).Deno, "Deno", "exit");
function fatal(what: string, thrown: unknown, event?: Event): void {
  event?.preventDefault();
  die(`${what} ${summarize(thrown)}`, thrown);
  end();
}
const uncaught = "an uncaught";
const unhandled = "an unhandled rejection:";
if (web) {
  web.addEventListener("error", (event) => {
    const { error, message } = event as ErrorEvent;
    fatal(uncaught, error ?? message, event);
  });
  web.addEventListener("unhandledrejection", (event) => {
    fatal(unhandled, (event as PromiseRejectionEvent).reason, event);
  });
} else {
  process!.on("uncaughtException", (error) => fatal(uncaught, error));
  process!.on("unhandledRejection", (reason) => fatal(unhandled, reason));
}
