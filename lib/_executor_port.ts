/**
 * The runtime's part of an `Executor`, host side (not a public module):
 * starting a worker on `_executor_worker.ts`, posting to it, learning that it
 * is gone, ending it. Above it, `executor.ts` is the same on every runtime:
 *
 * - Deno, Bun, browsers: a module Web Worker. Deno fires no event when a
 *   worker ends itself (`Deno.exit()`, `self.close()`), so where there are
 *   Web Locks the worker holds one for its whole life and the host asks for
 *   it, granted once the worker is gone; Bun has none, but fires `close`.
 * - Node: a `worker_threads` Worker, whose `exit` event fires however it
 *   ended (Node never frees a Web Lock held by a worker at `process.exit()`).
 *
 * @module
 */

// Type-only: erased at run time, but it keeps the worker in the module
// graph, so that JSR's npm build ships it (as .js, hence WORKER below).
import type {} from "./_executor_worker.ts";
import type { HostMessage, WorkerMessage } from "./_executor_messages.ts";
import { summarize } from "./_executor_messages.ts";

/** One worker thread, as the scheduler sees it. */
export interface Port {
  /** Posts to the worker; throws if the message cannot be cloned or moved. */
  post(message: HostMessage, transfer?: object[]): void;
  /** Ends the worker. */
  terminate(): void;
  /** The Web Lock the worker is to hold for life, if the host watches it. */
  lock?: string;
}

/** The worker's file, with this file's extension: .ts, or .js once built. */
const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
const WORKER = new URL(`./_executor_worker.${extension}`, import.meta.url);

/** The part of the Web Locks API used here (Deno's types lack it). */
interface Locks {
  request(
    name: string,
    options: { signal: AbortSignal },
    granted: () => void,
  ): Promise<unknown>;
}

/** A `node:worker_threads` Worker: the part used here. */
interface NodeWorker {
  on(event: string, listener: (value: never) => void): void;
  postMessage(message: HostMessage, transfer?: object[]): void;
  terminate(): unknown;
}

/**
 * Starts a worker: `onMessage` gets what it posts, `onExit` is called once
 * it is gone (with why, if the runtime said), maybe more than once.
 */
export function startWorker(
  onMessage: (message: WorkerMessage) => void,
  onExit: (cause: string | undefined) => void,
): Port {
  const name = `asincronia-executor-${crypto.randomUUID()}`;
  // Node has no Web Worker; with neither, the try below fails as a refusal.
  const node = typeof Worker === "function" ? undefined : (globalThis as {
    process?: {
      getBuiltinModule?(name: string): { Worker: unknown } | undefined;
    };
  }).process?.getBuiltinModule?.("node:worker_threads")?.Worker as
    | (new (url: URL, options: { name: string }) => NodeWorker)
    | undefined;
  let worker: Worker | NodeWorker;
  try {
    // A page refuses a worker script from another origin here, at once.
    worker = node
      ? new node(WORKER, { name })
      : new Worker(WORKER, { type: "module", name });
  } catch (error) {
    queueMicrotask(() => onExit(summarize(error)));
    return { post() {}, terminate() {} };
  }
  if (node) {
    const port = worker as NodeWorker;
    let cause: string | undefined;
    port.on("message", onMessage);
    // What the worker could not catch itself (it could not start).
    port.on("error", (error) => (cause = summarize(error)));
    port.on("exit", () => onExit(cause));
    return {
      post: (message, transfer) => port.postMessage(message, transfer),
      terminate: () => void port.terminate(),
    };
  }
  const web = worker as Worker;
  const locks = (navigator as { locks?: Locks }).locks;
  // Given up before terminating: granted once the worker ended, it would
  // outlive shutdown; and a worker in an endless call never lets go of it.
  const lockRequest = new AbortController();
  const terminate = () => {
    lockRequest.abort();
    web.terminate();
  };
  web.onmessage = ({ data }: MessageEvent<WorkerMessage>) => {
    if (data.type === "ready" && locks) {
      const options = { signal: lockRequest.signal };
      locks.request(name, options, () => onExit(undefined)).catch(() => {});
    }
    onMessage(data);
  };
  web.onerror = (event) => {
    // As Node's "error" above; kept from reaching the main thread too.
    event.preventDefault();
    onExit(event.message);
    terminate();
  };
  web.addEventListener("close", () => onExit(undefined)); // Bun's
  return {
    // `object[]` elsewhere: the published types need no DOM library.
    post: (message, transfer = []) =>
      web.postMessage(message, transfer as Transferable[]),
    terminate,
    lock: locks ? name : undefined,
  };
}
