// The functions that the portable suite's Executor cases run on workers. In
// a browser this file is served bundled (tests/runtimes/run.ts).
import { transfer } from "../../lib/executor.ts";

export function add(a: number, b: number): number {
  return a + b;
}

/** Blocks its thread until `flag[0]` is set, as a synchronous API would. */
export function hold(flag: Int32Array): string {
  Atomics.wait(flag, 0, 0);
  return "released";
}

/** Goes back to its event loop for ever, counting rounds in `rounds[0]`. */
export async function spin(rounds: Int32Array): Promise<never> {
  for (;;) {
    Atomics.add(rounds, 0, 1);
    Atomics.notify(rounds, 0);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Never returns to its event loop: only `terminate()` stops it. */
export function loop(started: Int32Array): never {
  Atomics.store(started, 0, 1);
  Atomics.notify(started, 0);
  for (;;) {
    // Spin.
  }
}

type Exits = {
  Deno?: { exit(code: number): never };
  process?: { exit(code: number): never };
  close(): void;
};

/** Ends its worker the way its runtime offers. */
export function die(): string {
  const scope = globalThis as unknown as Exits;
  if (scope.Deno) scope.Deno.exit(3);
  if (scope.process) scope.process.exit(3);
  scope.close();
  return "still here";
}

/** Sets `flag[1]`, then ends its worker once `flag[0]` is set. */
export async function dieOnFlag(flag: Int32Array): Promise<string> {
  Atomics.store(flag, 1, 1);
  Atomics.notify(flag, 1);
  const { async, value } = Atomics.waitAsync(flag, 0, 0);
  if (async) await value;
  return die();
}

/** Throws outside any call while the call waits: the worker dies of it. */
export async function throwWhileWaiting(): Promise<string> {
  setTimeout(() => {
    throw new RangeError("late failure");
  }, 0);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return "never";
}

export class ValidationError extends Error {
  code = "E_BAD";
  constructor(message: string) {
    super(message);
    this.name = "ValidationError";
  }
}

export function fail(kind: string): never {
  if (kind === "type") throw new TypeError("not a number");
  if (kind === "cause") {
    throw new Error("outer", { cause: new RangeError("inner") });
  }
  throw new ValidationError("bad input");
}

export function length(buffer: ArrayBuffer): number {
  return buffer.byteLength;
}

/** A buffer of `size` sevens, moved back rather than copied. */
export function fill(size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(7);
  return transfer(bytes, [bytes.buffer]);
}

type Port = {
  postMessage(message: unknown): void;
  on?(event: "message", listener: (data: unknown) => void): void;
};

/** The worker's own port to the host, the way its runtime offers it. */
function port(): Port {
  const scope = globalThis as unknown as Partial<Port> & {
    process: { getBuiltinModule(name: string): { parentPort: Port } };
  };
  return scope.postMessage
    ? scope as Port
    : scope.process.getBuiltinModule("node:worker_threads").parentPort;
}

/**
 * Answers every message itself, as a module written for a plain Worker
 * does: `onmessage`, or on Node `parentPort.on("message")`.
 */
export function takeOver(): string {
  const own = port();
  const answer = (data: unknown) => own.postMessage(data);
  if (own.on) own.on("message", answer);
  else {Object.assign(globalThis, {
      onmessage: (e: MessageEvent) => answer(e.data),
    });}
  return "taken";
}

/** Posts `message` to the host itself. */
export function post(message: unknown): string {
  port().postMessage(message);
  return "sent";
}

/** This worker's own name for itself: the same for each call it runs. */
const id = crypto.randomUUID();
export function whoAmI(): string {
  return id;
}

/** Gives back `value` after a timer: an asynchronous call. */
export async function later<T>(value: T): Promise<T> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return value;
}
