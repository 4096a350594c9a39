/**
 * The clocks of the learner's process during a check. Learners can skip
 * this file.
 *
 * - {@linkcode VirtualClock}: most exercises run on simulated time. While a
 *   check runs, `setTimeout`, `setInterval`, `AbortSignal.timeout`,
 *   `Date.now` and `performance.now` follow this clock, which jumps straight
 *   to the next timer as soon as nothing else is left to do. A check of ten
 *   units takes a few milliseconds, gives the same times on every run however
 *   loaded the machine is, and sees exactly when each task started.
 * - {@linkcode Tracker}: the exercises that need real I/O (a server, a
 *   worker) run on real time; the tracker only notes every timer, request,
 *   response body and worker the learner's code leaves behind, so that the
 *   check can say so and clean up.
 *
 * Only one of them is installed at a time, and everything is put back after
 * each run.
 *
 * @module
 */
import type { Leak } from "./_harness.ts";

/** The real functions, taken before anything is patched. */
export const REAL: {
  readonly setTimeout: typeof setTimeout;
  readonly clearTimeout: typeof clearTimeout;
  readonly now: () => number;
  readonly fetch: typeof fetch;
  readonly Worker: typeof Worker;
} = {
  setTimeout: globalThis.setTimeout.bind(globalThis),
  clearTimeout: globalThis.clearTimeout.bind(globalThis),
  now: performance.now.bind(performance),
  fetch: globalThis.fetch.bind(globalThis),
  Worker: globalThis.Worker,
};

/** A property replaced, and how to put it back (undefined: it was inherited). */
type Patch = [
  target: object,
  key: PropertyKey,
  descriptor: PropertyDescriptor | undefined,
];

function patch(
  patches: Patch[],
  target: object,
  key: PropertyKey,
  value: unknown,
): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  patches.push([target, key, descriptor]);
  Object.defineProperty(target, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: descriptor?.enumerable ?? false,
  });
}

function restore(patches: Patch[]): void {
  for (const [target, key, descriptor] of patches.reverse()) {
    if (descriptor === undefined) {
      delete (target as Record<PropertyKey, unknown>)[key];
    } else Object.defineProperty(target, key, descriptor);
  }
  patches.length = 0;
}

let installed = false;

function claim(): void {
  if (installed) {
    throw new Error("Only one check can run at a time in a process");
  }
  installed = true;
}

/**
 * The first line of `stack` that belongs to the file at `url`, as
 * `name.ts:line`; undefined when none does.
 */
export function originIn(
  stack: string | undefined,
  url: string | undefined,
): string | undefined {
  if (stack === undefined || url === undefined) return undefined;
  for (const line of stack.split("\n")) {
    const at = line.indexOf(url);
    if (at === -1) continue;
    const match = /:(\d+):\d+\)?\s*$/.exec(line.slice(at + url.length));
    const name = url.slice(url.lastIndexOf("/") + 1);
    return match ? `${name}:${match[1]}` : name;
  }
  return undefined;
}

/** A timer on the virtual clock. */
export interface VirtualTimer {
  /** Its id, as `setTimeout` returned it. */
  readonly id: number;
  /** When it fires, in virtual ms. */
  at: number;
  /** Creation order: timers due at the same time fire in this order. */
  seq: number;
  /** What it runs. */
  readonly fn: () => void;
  /** For an interval: its period in ms. */
  readonly every: number | undefined;
  /** Whether it keeps a real program alive (`Deno.unrefTimer` clears it). */
  ref: boolean;
  /** Set by the checker's own timers: the task it belongs to. */
  readonly owner: string | undefined;
  /** The learner's line that set it, when it was the learner's code. */
  readonly origin: string | undefined;
}

/**
 * Simulated time. `now` only moves when {@linkcode VirtualClock.fire} runs
 * the next timer; the driver in `_harness.ts` calls it once the code under
 * check has nothing left to do but wait.
 */
export class VirtualClock {
  /** The time, in virtual ms since the run began. */
  now = 0;
  #timers = new Map<number, VirtualTimer>();
  #seq = 0;
  #nextId = 1_000_001;
  /** The learner's module URL, to tell which timers the learner set. */
  readonly learnerUrl: string | undefined;
  /** Errors thrown by timer callbacks (a real program would crash on them). */
  readonly uncaught: unknown[] = [];

  /** A clock at 0; timers set from `learnerUrl`'s lines say where. */
  constructor(learnerUrl?: string) {
    this.learnerUrl = learnerUrl;
  }

  /** Schedules `fn` after `ms`; `owner` names the checker's task it serves. */
  schedule(
    ms: number,
    fn: () => void,
    options: { every?: number; owner?: string; ref?: boolean; stack?: string } =
      {},
  ): number {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const id = this.#nextId++;
    this.#timers.set(id, {
      id,
      at: this.now + delay,
      seq: this.#seq++,
      fn,
      every: options.every,
      ref: options.ref ?? true,
      owner: options.owner,
      origin: originIn(options.stack, this.learnerUrl),
    });
    return id;
  }

  /** Cancels a timer; anything that is not a pending timer's id is ignored. */
  cancel(id: unknown): void {
    this.#timers.delete(Number(id));
  }

  /** Marks a timer as not keeping the program alive, or as keeping it again. */
  setRef(id: unknown, ref: boolean): void {
    const timer = this.#timers.get(Number(id));
    if (timer) timer.ref = ref;
  }

  /** The timer that fires next, if any. */
  next(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (
        best === undefined || timer.at < best.at ||
        (timer.at === best.at && timer.seq < best.seq)
      ) best = timer;
    }
    return best;
  }

  /** Moves the clock to `timer` and runs it. */
  fire(timer: VirtualTimer): void {
    this.now = Math.max(this.now, timer.at);
    if (timer.every === undefined) {
      this.#timers.delete(timer.id);
    } else {
      timer.at = this.now + Math.max(timer.every, 1);
      timer.seq = this.#seq++;
    }
    try {
      timer.fn();
    } catch (error) {
      this.uncaught.push(error);
    }
  }

  /** Every pending timer. */
  pending(): VirtualTimer[] {
    return [...this.#timers.values()];
  }

  /** Drops every pending timer. */
  clear(): void {
    this.#timers.clear();
  }

  /**
   * Puts this clock in charge of the global timers and clocks until the
   * returned function is called.
   */
  install(): () => void {
    claim();
    const patches: Patch[] = [];
    const epochDate = Date.now();
    const epochPerf = REAL.now();
    const stack = () => new Error().stack;
    const timeout = (fn: unknown, ms?: number, ...args: unknown[]) => {
      if (typeof fn !== "function") {
        throw new TypeError("setTimeout needs a function");
      }
      return this.schedule(ms ?? 0, () => fn(...args), { stack: stack() });
    };
    const interval = (fn: unknown, ms?: number, ...args: unknown[]) => {
      if (typeof fn !== "function") {
        throw new TypeError("setInterval needs a function");
      }
      const every = Number.isFinite(ms) && ms! > 0 ? ms! : 0;
      return this.schedule(every, () => fn(...args), { every, stack: stack() });
    };
    const clear = (id?: unknown) => this.cancel(id);
    patch(patches, globalThis, "setTimeout", timeout);
    patch(patches, globalThis, "setInterval", interval);
    patch(patches, globalThis, "clearTimeout", clear);
    patch(patches, globalThis, "clearInterval", clear);
    patch(patches, Deno, "unrefTimer", (id: number) => this.setRef(id, false));
    patch(patches, Deno, "refTimer", (id: number) => this.setRef(id, true));
    patch(patches, AbortSignal, "timeout", (ms: number) => {
      const controller = new AbortController();
      // Like the real one, this timer does not keep a program alive.
      this.schedule(ms, () => {
        controller.abort(new DOMException("Signal timed out.", "TimeoutError"));
      }, { ref: false, stack: stack() });
      return controller.signal;
    });
    patch(patches, Date, "now", () => epochDate + this.now);
    patch(patches, performance, "now", () => epochPerf + this.now);
    return () => {
      restore(patches);
      installed = false;
    };
  }
}

interface TrackedTimer {
  id: number;
  every: boolean;
  ref: boolean;
  origin: string | undefined;
}

interface TrackedRequest {
  path: string;
  controller: AbortController;
  response: Response | undefined;
  settled: boolean;
  origin: string | undefined;
}

/**
 * Real time, watched: notes the timers, requests, response bodies and
 * workers started while it is installed, to report what is left and to stop
 * it.
 */
export class Tracker {
  /** The learner's module URL, to tell which timers the learner set. */
  readonly learnerUrl: string | undefined;
  #timers = new Map<number, TrackedTimer>();
  #requests: TrackedRequest[] = [];
  #workers = new Set<
    { worker: Worker; ended: boolean; origin: string | undefined }
  >();
  /** Errors thrown by the learner's timer callbacks (a real program would crash on them). */
  readonly uncaught: unknown[] = [];

  /** A tracker of what the code at `learnerUrl` leaves behind. */
  constructor(learnerUrl?: string) {
    this.learnerUrl = learnerUrl;
  }

  /** Starts watching; the returned function stops watching (see {@linkcode Tracker.cleanUp}). */
  install(): () => void {
    claim();
    const patches: Patch[] = [];
    const timers = this.#timers;
    const realSet = globalThis.setTimeout;
    const realInterval = globalThis.setInterval;
    const realClearTimeout = globalThis.clearTimeout;
    const realClearInterval = globalThis.clearInterval;
    const origin = () => originIn(new Error().stack, this.learnerUrl);
    // setTimeout and setInterval alike: the real timer, recorded with where
    // it was set, its callback's throws kept instead of crashing the check.
    const tracked = (
      name: string,
      real: (callback: () => void, ms?: number) => unknown,
      every: boolean,
    ) =>
    (fn: unknown, ms?: number, ...args: unknown[]) => {
      if (typeof fn !== "function") {
        throw new TypeError(`${name} needs a function`);
      }
      const id = Number(real(() => {
        if (!every) timers.delete(id);
        try {
          fn(...args);
        } catch (error) {
          this.uncaught.push(error);
        }
      }, ms));
      timers.set(id, {
        id,
        every,
        ref: true,
        origin: origin(),
      });
      return id;
    };
    patch(
      patches,
      globalThis,
      "setTimeout",
      tracked("setTimeout", realSet, false),
    );
    patch(
      patches,
      globalThis,
      "setInterval",
      tracked("setInterval", realInterval, true),
    );
    patch(patches, globalThis, "clearTimeout", (id?: number) => {
      if (id !== undefined) timers.delete(Number(id));
      realClearTimeout(id);
    });
    patch(patches, globalThis, "clearInterval", (id?: number) => {
      if (id !== undefined) timers.delete(Number(id));
      realClearInterval(id);
    });
    const realUnref = Deno.unrefTimer;
    patch(patches, Deno, "unrefTimer", (id: number) => {
      const timer = timers.get(Number(id));
      if (timer) timer.ref = false;
      realUnref(id);
    });
    patch(
      patches,
      globalThis,
      "fetch",
      (input: RequestInfo | URL, init?: RequestInit) => {
        const controller = new AbortController();
        const signals = [controller.signal];
        if (init?.signal) signals.push(init.signal);
        else if (input instanceof Request) signals.push(input.signal);
        const url = input instanceof Request ? input.url : String(input);
        let path = url;
        try {
          const parsed = new URL(url);
          path = parsed.pathname + parsed.search;
        } catch { /* not a URL: fetch will say so */ }
        const request: TrackedRequest = {
          path,
          controller,
          response: undefined,
          settled: false,
          origin: origin(),
        };
        this.#requests.push(request);
        return REAL.fetch(input, { ...init, signal: AbortSignal.any(signals) })
          .then(
            (response) => {
              request.settled = true;
              request.response = response;
              return response;
            },
            (error) => {
              request.settled = true;
              throw error;
            },
          );
      },
    );
    const workers = this.#workers;
    class TrackedWorker extends REAL.Worker {
      #entry: { worker: Worker; ended: boolean; origin: string | undefined };
      constructor(specifier: string | URL, options?: WorkerOptions) {
        super(specifier, options);
        this.#entry = { worker: this, ended: false, origin: origin() };
        workers.add(this.#entry);
      }
      override terminate(): void {
        this.#entry.ended = true;
        super.terminate();
      }
    }
    patch(patches, globalThis, "Worker", TrackedWorker);
    return () => {
      restore(patches);
      installed = false;
    };
  }

  /** What is still running: the learner's pending timers, requests, unread bodies, live workers. */
  leaks(): Leak[] {
    const leaks: Leak[] = [];
    for (const timer of this.#timers.values()) {
      // Only the learner's own timers: the library's are the library's
      // business (and its tests'), and a worker left alive is reported as such.
      if (!timer.ref || timer.origin === undefined) continue;
      leaks.push({
        kind: timer.every ? "interval" : "timer",
        origin: timer.origin,
      });
    }
    for (const request of this.#requests) {
      if (!request.settled) {
        leaks.push({
          kind: "request",
          detail: request.path,
          origin: request.origin,
        });
      } else if (request.response?.body && !request.response.bodyUsed) {
        leaks.push({
          kind: "body",
          detail: `${request.path} ${request.response.status}`,
          origin: request.origin,
        });
      }
    }
    for (const entry of this.#workers) {
      if (!entry.ended) leaks.push({ kind: "worker", origin: entry.origin });
    }
    return leaks;
  }

  /** Stops everything still running, so that nothing outlives the check. */
  async cleanUp(): Promise<void> {
    for (const timer of this.#timers.values()) {
      REAL.clearTimeout(timer.id);
      clearInterval(timer.id);
    }
    this.#timers.clear();
    const bodies: Promise<unknown>[] = [];
    for (const request of this.#requests) {
      if (!request.settled) request.controller.abort();
      else if (request.response?.body && !request.response.bodyUsed) {
        bodies.push(request.response.body.cancel().catch(() => {}));
      }
    }
    for (const entry of this.#workers) {
      if (!entry.ended) {
        entry.ended = true;
        entry.worker.terminate();
      }
    }
    await Promise.all(bodies);
  }
}
