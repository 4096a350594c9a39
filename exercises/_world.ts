/**
 * The learner's side of a check, in the learner's process
 * (exercises/_child.ts): a {@linkcode World} per scenario, with its clock,
 * the simulated tasks and the record of when each ran, and a run of the
 * learner's code that notes how it ended and what it left behind. Learners
 * can skip this file.
 *
 * Most worlds run on simulated time: while one is open, `setTimeout`,
 * `setInterval`, `AbortSignal.timeout`, `Date.now` and `performance.now`
 * follow its clock, which jumps to the next timer as soon as nothing else
 * is left to do. A check of ten units takes milliseconds and gives the same
 * times on any machine, however loaded. The worlds of the server and worker
 * exercises run on real time, and note the timers, requests, response
 * bodies and workers the code starts, to report and stop what is left.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import {
  encode,
  type Leak,
  MAX_STEPS,
  type Outcome,
  type Run,
  type Status,
  type UnitSpan,
  unknownTask,
} from "./_harness.ts";

/** The real functions, taken before anything is patched. */
export const REAL = Object.freeze({
  setTimeout: globalThis.setTimeout.bind(globalThis) as unknown as (
    fn: (...args: never[]) => void,
    ms?: number,
  ) => number,
  clearTimeout: globalThis.clearTimeout.bind(globalThis),
  now: performance.now.bind(performance),
  fetch: globalThis.fetch.bind(globalThis),
  Worker: globalThis.Worker,
});

/** The first line of `stack` in the file at `url`, as `name.ts:line`. */
export function originIn(stack: string | undefined, url: string) {
  const line = stack?.split("\n").find((line) => line.includes(url));
  if (line === undefined) return undefined;
  const rest = line.slice(line.indexOf(url) + url.length);
  const at = /:(\d+):\d+\)?\s*$/.exec(rest);
  const name = url.slice(url.lastIndexOf("/") + 1);
  return at ? `${name}:${at[1]}` : name;
}

let installed = false;
const timedOut = () => new DOMException("Signal timed out.", "TimeoutError");

/** Replaces each `target[key]` with its value; the function returned puts them back. */
function patch(patches: [object, PropertyKey, unknown][]): () => void {
  if (installed) {
    throw new Error("Only one check can run at a time in a process");
  }
  installed = true;
  const saved = patches.map(([target, key, value]) => {
    const old = Object.getOwnPropertyDescriptor(target, key);
    Object.defineProperty(target, key, {
      value,
      writable: true,
      configurable: true,
      enumerable: old?.enumerable ?? false,
    });
    return [target, key, old] as const;
  });
  return () => {
    for (const [target, key, old] of saved.reverse()) {
      if (old) Object.defineProperty(target, key, old);
      else delete (target as Record<PropertyKey, unknown>)[key];
    }
    installed = false;
  };
}

/**
 * A timer: when it fires, in ms of the clock, and its creation order (ties
 * fire in it); an interval's period; whether it keeps a real program alive
 * (`Deno.unrefTimer` clears it); for the checker's own, the task it belongs
 * to; the learner's line that set it; on real time, the real timer.
 */
interface Timer {
  id: number;
  set: number;
  at: number;
  seq: number;
  fn: () => void;
  every?: number;
  ref: boolean;
  owner?: string;
  origin?: string | undefined;
  real?: number;
}

interface Request {
  path: string;
  controller: AbortController;
  signal?: AbortSignal; // the learner's: once aborted, nothing is left to do
  response?: Response;
  origin: string | undefined;
  sent: number; // when it was called and settled, in ms
  settled?: number;
  fired?: Fired; // the last timer fired since the last answer
}

type Fired = { set: number; due: number; at: number }; // a timer's times

/**
 * The clock of one world, simulated or real, and everything started in it:
 * timers (both), requests and workers (real time: the others cannot start
 * them).
 */
export class Clock {
  /** Milliseconds since the world opened (simulated: moved by {@linkcode Clock.fire}). */
  time = 0;
  /** Errors thrown by timer callbacks (a real program would crash on them). */
  readonly uncaught: unknown[] = [];
  readonly timers = new Map<number, Timer>();
  readonly requests: Request[] = [];
  readonly workers: { worker: Worker; ended: boolean; origin?: string }[] = [];
  #seq = 0;
  #fired: Fired | undefined;
  #origin = REAL.now();

  readonly virtual: boolean;
  readonly url: string;

  constructor(virtual: boolean, url: string) {
    [this.virtual, this.url] = [virtual, url];
  }

  now(): number {
    return this.virtual ? this.time : REAL.now() - this.#origin;
  }

  /** The learner's line on the stack here, if any. */
  origin(): string | undefined {
    return originIn(new Error().stack, this.url);
  }

  /** Runs `fn` after `ms`, then every `every` ms if given; returns the timer's id. */
  schedule(ms: number, fn: () => void, more: Partial<Timer> = {}): number {
    const timer = { id: this.#seq + 1_000_001, fn, ref: true, ...more };
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.set(timer.id, this.#arm(timer as Timer, delay));
    return timer.id;
  }

  /** Sets `timer` to fire `delay` ms from now, after those set before it. */
  #arm(timer: Timer, delay: number): Timer {
    timer.set = this.now();
    [timer.at, timer.seq] = [timer.set + delay, this.#seq++ + 1_000_001];
    const real = () => this.fire(timer);
    if (!this.virtual) timer.real = REAL.setTimeout(real, delay);
    return timer;
  }

  /** Clears a timer of this clock's, or a real one set before it was in charge. */
  cancel(id: unknown): void {
    const timer = this.timers.get(Number(id));
    REAL.clearTimeout(timer ? timer.real : id as number);
    this.timers.delete(Number(id));
  }

  /** The timer that fires next (simulated time). */
  next(): Timer | undefined {
    const timers = [...this.timers.values()];
    return timers.sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
  }

  /** Runs `timer` (moving simulated time to it), and sets an interval's next turn. */
  fire(timer: Timer): void {
    if (!this.timers.has(timer.id)) return;
    this.#fired = { set: timer.set, due: timer.at, at: this.now() };
    this.time = Math.max(this.time, timer.at);
    if (timer.every === undefined) this.timers.delete(timer.id);
    else this.#arm(timer, Math.max(timer.every, 1));
    try {
      timer.fn();
    } catch (error) {
      this.uncaught.push(error);
    }
  }

  /** Puts this clock in charge of the timers (and, simulated, of the time); returns what undoes it. */
  install(): () => void {
    const add = (every: boolean) => (fn: unknown, ms = 0, ...args: unknown[]) =>
      this.schedule(ms, () => (fn as (...a: unknown[]) => void)(...args), {
        origin: this.origin(),
        ...every ? { every: Number.isFinite(ms) ? Math.max(0, ms) : 0 } : {},
      });
    const clear = (id?: unknown) => this.cancel(id);
    const ref = (on: boolean) => (id: number) => {
      const timer = this.timers.get(Number(id));
      if (timer) timer.ref = on;
    };
    const patches: [object, PropertyKey, unknown][] = [
      [globalThis, "setTimeout", add(false)],
      [globalThis, "setInterval", add(true)],
      [globalThis, "clearTimeout", clear],
      [globalThis, "clearInterval", clear],
      [Deno, "unrefTimer", ref(false)],
      [Deno, "refTimer", ref(true)],
    ];
    if (this.virtual) {
      const [epochDate, epochPerf] = [Date.now(), REAL.now()];
      // Node's turn of the loop (a global in Deno too): a 0 ms timer, its args.
      const immediate = (f: unknown, ...a: unknown[]) => add(false)(f, 0, ...a);
      patches.push(
        [globalThis, "setImmediate", immediate],
        [globalThis, "clearImmediate", clear],
        [Date, "now", () => epochDate + this.time],
        [performance, "now", () => epochPerf + this.time],
        [AbortSignal, "timeout", (ms: number) => {
          const controller = new AbortController();
          // Like the real one, this timer does not keep a program alive.
          const abort = () => controller.abort(timedOut());
          this.schedule(ms, abort, { ref: false, origin: this.origin() });
          return controller.signal;
        }],
      );
    } else {
      patches.push(
        [globalThis, "fetch", this.#fetch.bind(this)],
        [globalThis, "Worker", this.#worker()],
      );
    }
    return patch(patches);
  }

  /** fetch, noted: its path, the line that called it, its response. */
  #fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const controller = new AbortController();
    const signal = init?.signal ??
      (input instanceof Request ? input.signal : undefined);
    const url = input instanceof Request ? input.url : String(input);
    const request: Request = {
      path: URL.canParse(url) ? new URL(url).pathname : url, // as the server's
      controller,
      signal,
      origin: this.origin(),
      sent: this.now(),
      fired: this.#fired,
    };
    this.requests.push(request);
    const signals = signal ? [controller.signal, signal] : [controller.signal];
    return REAL.fetch(input, { ...init, signal: AbortSignal.any(signals) })
      .finally(() => [request.settled, this.#fired] = [this.now(), undefined])
      .then((response) => (request.response = response));
  }

  /** The Worker class, noting each worker and whether it was terminated. */
  #worker(): typeof Worker {
    const [workers, origin] = [this.workers, () => this.origin()];
    return class extends REAL.Worker {
      #entry = { worker: this as Worker, ended: false, origin: origin() };
      constructor(specifier: string | URL, options?: WorkerOptions) {
        super(specifier, options);
        workers.push(this.#entry);
      }
      override terminate(): void {
        this.#entry.ended = true;
        super.terminate();
      }
    };
  }

  /** What the learner's code left behind; timers set for a task are the checker's. */
  leaks(unit: number): Leak[] {
    const leaks: Leak[] = [];
    for (const t of this.timers.values()) {
      // On real time, only timers the learner's code set itself: the
      // library's are the library's business.
      if (t.owner !== undefined || !t.ref || (!this.virtual && !t.origin)) {
        continue;
      }
      const kind = t.every === undefined ? "timer" : "interval";
      const due = this.virtual ? t.at / unit : undefined;
      leaks.push({ kind, origin: t.origin, due });
    }
    for (const { settled, signal, response, path, origin } of this.requests) {
      // Still in flight unless the learner aborted it (fetch rejects a turn later).
      if (settled === undefined && !signal?.aborted) {
        leaks.push({ kind: "request", detail: path, origin });
      } else if (response?.body && !response.bodyUsed) {
        const detail = `${path} ${response.status}`;
        leaks.push({ kind: "body", detail, origin });
      }
    }
    for (const { ended, origin } of this.workers) {
      if (!ended) leaks.push({ kind: "worker", origin });
    }
    return leaks;
  }

  /** Stops everything still running, so that nothing outlives the world. */
  async cleanUp(): Promise<void> {
    for (const id of this.timers.keys()) this.cancel(id);
    for (const { settled, controller } of this.requests) {
      if (settled === undefined) controller.abort();
    }
    for (const entry of this.workers) {
      if (!entry.ended) entry.worker.terminate();
      entry.ended = true;
    }
    const unread = this.requests.map((r) => r.response)
      .filter((response) => response?.bodyUsed === false);
    await Promise.all(unread.map((r) => r!.body?.cancel().catch(() => {})));
  }
}

/**
 * Options of {@linkcode World.task}: a signal that stops it (it ends
 * `stopUnits` later, default 0, and rejects with the reason); an error to
 * fail with at its end; a value to resolve to.
 */
export interface TaskOptions<T> {
  signal?: AbortSignal | undefined;
  stopUnits?: number;
  fail?: unknown;
  value?: T;
}

type Span = { -readonly [K in keyof UnitSpan]: UnitSpan[K] };

/**
 * A world's time: simulated unless `virtual: false`; the ms of its unit
 * (default 100); on real time, by how many units a wrong wait misses the
 * check's bound: a pass whose process lost half of that many units to
 * hold-ups is run again (exercises/_run.ts), as they could have made it up.
 */
type WorldOptions = { virtual?: boolean; unit?: number; margin?: number };

/** The scenarios of one check, and the runs they recorded. */
export class Checking {
  /** Each world's Run, in the order they closed. */
  readonly runs: Run[] = [];
  readonly #marks = new Map<unknown, string>();

  /** The learner's export. */
  // deno-lint-ignore no-explicit-any
  readonly export: any;
  readonly url: string;
  readonly port: number;

  /** The scenarios of a check of the module at `url`, whose export is `fn`; its server, if any, listens at `port` (0: a free one). */
  constructor(url: string, fn: unknown, port = 0) {
    [this.url, this.export, this.port] = [url, fn, port];
  }

  /** Runs the learner's code once with each of `durations`, handing it a tool that starts the task `name`, of that many units. */
  async withTasks(...durations: Readonly<Record<string, number>>[]) {
    for (const each of durations) {
      await using world = this.open();
      const task = (name: string) =>
        Object.hasOwn(each, name)
          ? world.task(name, each[name]!)
          : unknownTask(name, Object.keys(each));
      await world.run(() => this.export(task), 20);
    }
  }

  /** Opens a world: from now until it is closed, its clock is in charge. */
  open(options: WorldOptions = {}): World {
    return new World(options, this);
  }

  /** Names `value` (an error a scenario made) so that the judge can tell it; of its stack, only the learner's lines stay (it may print it). */
  mark<T>(value: T, name: string): T {
    this.#marks.set(value, name);
    const mine = (line: string, i: number) => !i || line.includes(this.url);
    if (value instanceof Error) {
      value.stack = value.stack?.split("\n").filter(mine).join("\n");
    }
    return value;
  }

  /**
   * The milliseconds per unit for a scenario on real time: `base` on a
   * quiet machine, more when this process is being held up (eight times
   * the worst lateness of five 1 ms timers, after one to warm up, up to 8
   * × `base`). A busy machine then stretches the unit, not the learner's
   * waits measured in it: with the machine's load average at 12-17, 50 ms
   * units failed right solutions of 06a and 08a and passed a wrong 08b.
   */
  async realUnit(base: number): Promise<number> {
    await lateness(); // to warm up
    let late = 0;
    for (let i = 0; i < 5; i++) late = Math.max(late, await lateness());
    return Math.min(8 * base, Math.max(base, Math.ceil(late * 0.8) * 10));
  }

  /** `value` as data, the scenarios' own objects named. */
  encode(value: unknown): string {
    return encode(value, this.#marks, (e) => originIn(e.stack, this.url));
  }
}

/**
 * One scenario of a check: a clock (simulated unless `virtual: false`) and
 * the tools the learner's code is handed. Open it with
 * {@linkcode Checking.open}, and close it (`await using`).
 */
export class World implements AsyncDisposable {
  /** Milliseconds per unit, and whether time is simulated. */
  readonly unit: number;
  readonly virtual: boolean;
  /** Tasks that stopped because their signal aborted. */
  readonly cancelled = new Set<string>();
  readonly #twice: string[] = [];
  readonly #spans = new Map<string, Span>();
  readonly #session: Checking;
  readonly #clock: Clock;
  readonly #uninstall: () => void;
  readonly #unhandled: unknown[] = [];
  #onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    this.#unhandled.push(event.reason);
  };
  #outcome: Outcome | undefined;
  #closed = false;
  readonly #margin: number | undefined;
  /** When each of a chain of 1 ms timers was set; how late it fired, less 1 ms of slack. */
  readonly #late: [at: number, ms: number][] = [];
  readonly #watching: Promise<void> | undefined;

  constructor(options: WorldOptions, session: Checking) {
    this.unit = options.unit ?? 100;
    this.virtual = options.virtual ?? true;
    this.#margin = this.virtual ? undefined : options.margin;
    this.#session = session;
    this.#clock = new Clock(this.virtual, session.url);
    this.#uninstall = this.#clock.install();
    globalThis.addEventListener("unhandledrejection", this.#onRejection);
    this.#watching = this.#margin === undefined ? undefined : this.#watch();
  }

  /** Notes how late 1 ms timers fire, one after the other, until the world closes. */
  async #watch(): Promise<void> {
    while (!this.#closed) {
      this.#late.push([this.#clock.now(), Math.max(0, await lateness() - 1)]);
    }
  }

  /** How many workers the learner's code started (real time). */
  get workers(): number {
    return this.#clock.workers.length;
  }

  /** The time since the world opened, in units. */
  now(): number {
    return this.#clock.now() / this.unit;
  }

  /**
   * When the learner's code called fetch for `path` and had each answer; how
   * late its last timer since the answer before fired, and how long the watch
   * saw it held up from that answer to the call, that timer's wait aside.
   */
  fetches(path: string) {
    const [u, late] = [this.unit, this.#late];
    const mine = this.#clock.requests.filter((r) => r.path === path);
    const held = (a: number, b: number) =>
      late.reduce(
        (sum, [at, ms]) =>
          sum + Math.max(0, Math.min(b, at + 1 + ms) - Math.max(a, at + 1)),
        0,
      );
    return mine.map((r, i) => {
      const { set = r.sent, due = r.sent, at = r.sent } = r.fired ?? {};
      const since = mine[i - 1]?.settled ?? r.sent;
      return {
        sent: r.sent / u,
        answered: r.settled && r.settled / u,
        late: Math.max(0, at - due) / u,
        lost: (held(since, set) + held(at, r.sent)) / u,
      };
    });
  }

  /** Starts a span named `name` now (a name used before gets " (2)"). */
  start(name: string): string {
    let label = name;
    for (let k = 2; this.#spans.has(label); k++) label = `${name} (${k})`;
    if (label !== name) this.#twice.push(name);
    const span = { name: label, start: this.now(), end: undefined };
    this.#spans.set(label, { ...span, outcome: "running" });
    return label;
  }

  /** Ends the span `label` now. */
  end(label: string, outcome: "fulfilled" | "rejected" = "fulfilled"): void {
    const span = this.#spans.get(label);
    if (span?.end === undefined) {
      Object.assign(span ?? {}, { end: this.now(), outcome });
    }
  }

  /** A span from now until `promise` settles; the promise passes through. */
  track<T>(name: string, promise: Promise<T>): Promise<T> {
    const label = this.start(name);
    promise.then(() => this.end(label), () => this.end(label, "rejected"));
    return promise;
  }

  /** When `name` started and ended, in units, if it ran. */
  span(name: string): Span | undefined {
    return this.#spans.get(name);
  }

  /** Waits `n` units, for the checker's own schedule (not a task of the exercise). */
  sleep(n: number, owner = "checker"): Promise<void> {
    return new Promise((resolve) =>
      this.#clock.schedule(n * this.unit, resolve, { owner })
    );
  }

  /** A simulated task: starts `name` now and ends it `n` units later, as `options` say. */
  task<T = void>(
    name: string,
    n: number,
    options: TaskOptions<T> = {},
  ): Promise<T> {
    const owner = this.start(name);
    const { signal, stopUnits = 0 } = options;
    const after = (units: number, fn: () => void) =>
      this.#clock.schedule(units * this.unit, fn, { owner });
    return new Promise<T>((resolve, reject) => {
      const stop = () => {
        this.cancelled.add(owner);
        const end = () => (this.end(owner, "rejected"), reject(signal!.reason));
        stopUnits > 0 ? after(stopUnits, end) : end(); // at once, as fetch does
      };
      if (signal?.aborted) return stop();
      const abort = () => (this.#clock.cancel(id), stop());
      const id = after(n, () => {
        signal?.removeEventListener("abort", abort);
        const failed = "fail" in options;
        this.end(owner, failed ? "rejected" : "fulfilled");
        failed ? reject(options.fail) : resolve(options.value as T);
      });
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  /**
   * Runs `fn` (the learner's code, or a scenario around it) until it
   * settles, gets stuck or reaches `limit` units, and notes what it did and
   * what it left running. With `linger`, simulated time goes on for that
   * many units after the code settled, so that the check can see what it
   * left behind did later (what it left is noted when it settled).
   */
  async run(fn: () => unknown, limit: number, linger = 0): Promise<Outcome> {
    let status: Status = "late", value: unknown, error: unknown, at = 0;
    let settled = false;
    const settle = (how: Status) => (result: unknown) => {
      [status, at, settled] = [how, this.now(), true];
      if (how === "fulfilled") value = result;
      else error = result;
    };
    const promise = new Promise((resolve) => resolve(fn()));
    promise.then(settle("fulfilled"), settle("rejected"));
    const clock = this.#clock;
    if (this.virtual) {
      for (let steps = 0;; steps++) {
        await turn();
        if (settled) break;
        const next = clock.next();
        const late = next !== undefined && next.at > limit * this.unit;
        if (next === undefined || late || steps >= MAX_STEPS) {
          status = next === undefined ? "stuck" : late ? "late" : "busy";
          if (late) clock.time = limit * this.unit;
          at = this.now();
          break;
        }
        clock.fire(next);
      }
    } else {
      const limited = AbortSignal.timeout(limit * this.unit);
      const over = new Promise((end) => (limited.onabort = end));
      await Promise.race([promise.catch(() => {}), over]);
      if (!settled) at = this.now();
    }
    // Rejections nobody handled are reported after the microtasks drain.
    await realTurn();
    const until = (name: string) => {
      const ends = [...clock.timers.values()].filter((t) => t.owner === name);
      return this.virtual && ends.length
        ? Math.max(...ends.map((t) => t.at)) / this.unit
        : undefined;
    };
    const running = [...this.#spans.values()].filter((s) => s.end === undefined)
      .map(({ name }) => ({ name, until: until(name) }));
    const leaks = clock.leaks(this.unit);
    if (this.virtual && settled && linger > 0) {
      for (let steps = 0; steps < MAX_STEPS; steps++) {
        const next = clock.next();
        if (next === undefined || next.at > (at + linger) * this.unit) break;
        clock.fire(next);
        await turn();
      }
      await realTurn();
    }
    return this.#outcome = {
      ...{ status, value, error, at, running, leaks },
      unhandled: [...this.#unhandled],
      uncaught: [...clock.uncaught],
    };
  }

  /** Records the scenario's Run, stops what is left, puts the real clock back. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#outcome) {
      const { value, error, unhandled, uncaught, ...rest } = this.#outcome;
      this.#session.runs.push({
        ...rest,
        unit: this.unit,
        virtual: this.virtual,
        now: this.now(),
        spans: [...this.#spans.values()],
        cancelled: [...this.cancelled],
        twice: [...new Set(this.#twice)],
        held: this.#margin && lost(this.#late, this.#margin * this.unit),
        values: this.#session.encode({ value, error, unhandled, uncaught }),
      });
    }
    await this.#clock.cleanUp();
    await this.#watching;
    // What was stopped may reject promises nobody holds any more.
    await realTurn();
    this.#uninstall();
    globalThis.removeEventListener("unhandledrejection", this.#onRejection);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Lets every pending microtask run: resolves in a later turn of the event
 * loop. (A MessageChannel message is not enough: Deno may deliver it before
 * an async generator that was just woken has yielded.)
 */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function realTurn(): Promise<void> {
  return new Promise((resolve) => REAL.setTimeout(resolve, 0));
}

/** How late a real 1 ms timer fires, in ms: how long this process was held up. */
function lateness(start = REAL.now()): Promise<number> {
  return new Promise((done) =>
    REAL.setTimeout(() => done(REAL.now() - start - 1), 1)
  );
}

/** The largest share of any `span` ms that `late` ([when, ms], in order) took up. */
function lost(late: readonly [number, number][], span: number): number {
  let [most, sum, from] = [0, 0, 0];
  for (const [at, ms] of late) {
    for (sum += ms; late[from]![0] <= at - span; from++) sum -= late[from]![1];
    most = Math.max(most, sum);
  }
  return most / span;
}
