/**
 * The learner's side of a check: a {@linkcode World} per scenario (a clock,
 * the simulated tasks, the record of when each ran) and a run of the
 * learner's code that notes how it ended and what it left running. It runs
 * in the learner's process (exercises/_child.ts), which sends each world's
 * {@linkcode Run} to the checker when the check is over. Learners can skip
 * this file.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { originIn, REAL, Tracker, VirtualClock } from "./_clock.ts";
import {
  type Data,
  encode,
  type Leak,
  MAX_STEPS,
  type Outcome,
  type Run,
  type Session,
  type Status,
  type UnitSpan,
  unknownTask,
} from "./_harness.ts";

/** Options of {@linkcode World.task}. */
export interface TaskOptions<T> {
  /** Stops the task: it ends `stopUnits` later and rejects with the reason. */
  signal?: AbortSignal | undefined;
  /** How long the task takes to stop once its signal aborts. @default {0} */
  stopUnits?: number;
  /** Makes the task fail with this error at its end. */
  fail?: unknown;
  /** What the task resolves to. */
  value?: T;
}

interface Span {
  start: number;
  end: number | undefined;
  outcome: UnitSpan["outcome"];
}

/** The scenarios of one check, and the runs they recorded. */
export class Checking implements Session {
  /** The learner's export. */
  // deno-lint-ignore no-explicit-any
  readonly export: any;
  /** Each world's Run, in the order they closed. */
  readonly runs: Run[] = [];
  readonly #url: string;
  readonly #marks = new Map<unknown, string>();

  /** The scenarios of a check of the module at `url`, whose export is `fn`. */
  constructor(url: string, fn: unknown) {
    this.#url = url;
    this.export = fn;
  }

  /** The learner's module URL, to point at its lines. */
  get url(): string {
    return this.#url;
  }

  /** Opens a world: from now until it is closed, its clock is in charge. */
  open(options: { virtual?: boolean; unit?: number } = {}): World {
    return new World(options, this);
  }

  /** Names `value` (an error a scenario made) so that the judge can tell it. */
  mark<T>(value: T, name: string): T {
    this.#marks.set(value, name);
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
    let late = 0;
    for (let i = 0; i < 6; i++) {
      const start = REAL.now();
      await new Promise((resolve) => REAL.setTimeout(resolve, 1));
      if (i > 0) late = Math.max(late, REAL.now() - start - 1);
    }
    return Math.min(8 * base, Math.max(base, Math.ceil(late * 0.8) * 10));
  }

  /** `value` as data, the scenarios' own objects named. */
  encode(value: unknown): Data {
    return encode(
      value,
      this.#marks,
      (error) => originIn(error.stack, this.#url),
    );
  }
}

/**
 * One scenario of a check: a clock (simulated unless `virtual: false`) and
 * the tools the learner's code is handed. Open it with
 * {@linkcode Checking.open}, and close it (`await using`).
 */
export class World implements AsyncDisposable {
  /** Milliseconds per unit. */
  readonly unit: number;
  /** Whether time is simulated. */
  readonly virtual: boolean;
  /** Tasks that stopped because their signal aborted. */
  readonly cancelled = new Set<string>();
  readonly #twice: string[] = [];
  readonly #spans = new Map<string, Span>();
  readonly #session: Checking;
  #clock: VirtualClock | undefined;
  #tracker: Tracker | undefined;
  #uninstall: () => void;
  #origin: number;
  #unhandled: unknown[] = [];
  #onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    this.#unhandled.push(event.reason);
  };
  #outcome: Outcome | undefined;
  #closed = false;

  /** Use {@linkcode Checking.open}. */
  constructor(
    options: { virtual?: boolean; unit?: number },
    session: Checking,
  ) {
    this.unit = options.unit ?? 100;
    this.virtual = options.virtual ?? true;
    this.#session = session;
    this.#origin = REAL.now();
    if (this.virtual) {
      this.#clock = new VirtualClock(session.url);
      this.#uninstall = this.#clock.install();
    } else {
      this.#tracker = new Tracker(session.url);
      this.#uninstall = this.#tracker.install();
    }
    globalThis.addEventListener("unhandledrejection", this.#onRejection);
  }

  /** The time since the world opened, in units. */
  now(): number {
    return (this.#clock ? this.#clock.now : REAL.now() - this.#origin) /
      this.unit;
  }

  /** Starts a span named `name` now (a name used before gets " (2)"). */
  start(name: string): string {
    let label = name;
    if (this.#spans.has(name)) {
      this.#twice.push(name);
      let k = 2;
      while (this.#spans.has(`${name} (${k})`)) k++;
      label = `${name} (${k})`;
    }
    this.#spans.set(label, {
      start: this.now(),
      end: undefined,
      outcome: "running",
    });
    return label;
  }

  /** Ends the span `label` now. */
  end(label: string, outcome: "fulfilled" | "rejected" = "fulfilled"): void {
    const span = this.#spans.get(label);
    if (span === undefined || span.end !== undefined) return;
    span.end = this.now();
    span.outcome = outcome;
  }

  /** A span from now until `promise` settles; the promise passes through. */
  track<T>(name: string, promise: Promise<T>): Promise<T> {
    const label = this.start(name);
    return promise.then((value) => {
      this.end(label);
      return value;
    }, (error) => {
      this.end(label, "rejected");
      throw error;
    });
  }

  /** When `name` started and ended, in units, if it ran. */
  span(name: string): { start: number; end: number | undefined } | undefined {
    return this.#spans.get(name);
  }

  /**
   * Waits `n` units, for the checker's own schedule (not a task of the
   * exercise). Rejects with the signal's reason if it aborts first.
   */
  sleep(n: number, signal?: AbortSignal, owner = "checker"): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const id = this.#schedule(n, () => {
        signal?.removeEventListener("abort", abort);
        resolve();
      }, owner);
      const abort = () => {
        this.#cancel(id);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  #schedule(n: number, fn: () => void, owner: string): number {
    if (this.#clock) return this.#clock.schedule(n * this.unit, fn, { owner });
    return REAL.setTimeout(fn, n * this.unit) as unknown as number;
  }

  #cancel(id: number): void {
    if (this.#clock) this.#clock.cancel(id);
    else REAL.clearTimeout(id);
  }

  /**
   * A simulated task: starts `name` now, ends it `n` units later and
   * resolves with `value` (or rejects with `fail`). If `signal` aborts
   * first, the task stops `stopUnits` later and rejects with the signal's
   * reason.
   */
  task<T = void>(
    name: string,
    n: number,
    options: TaskOptions<T> = {},
  ): Promise<T> {
    const label = this.start(name);
    const { signal, stopUnits = 0 } = options;
    return new Promise<T>((resolve, reject) => {
      const stop = () => {
        this.cancelled.add(label);
        const reason = signal!.reason;
        this.#schedule(stopUnits, () => {
          this.end(label, "rejected");
          reject(reason);
        }, label);
      };
      if (signal?.aborted) return stop();
      const abort = () => {
        this.#cancel(id);
        stop();
      };
      const id = this.#schedule(n, () => {
        signal?.removeEventListener("abort", abort);
        if ("fail" in options) {
          this.end(label, "rejected");
          reject(options.fail);
        } else {
          this.end(label);
          resolve(options.value as T);
        }
      }, label);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  /**
   * A tool that starts the task `name` of `durations` (a simulated task of
   * that many units), or rejects with an error that lists the real names.
   */
  tasks(
    durations: Readonly<Record<string, number>>,
  ): (name: string) => Promise<void> {
    const names = Object.keys(durations);
    return (name) =>
      Object.hasOwn(durations, name)
        ? this.task(name, durations[name]!)
        : Promise.reject(unknownTask(name, names));
  }

  /**
   * Runs `fn` (the learner's code, or a scenario around it) until it
   * settles, gets stuck or reaches `limit` units, and reports what it did
   * and what it left running. With `linger`, simulated time goes on for
   * that many units after the code settled, so that the check can see what
   * it left behind did later; what it left running is noted at the moment it
   * settled.
   */
  async run<T>(
    fn: () => T | PromiseLike<T>,
    limit: number,
    linger = 0,
  ): Promise<Outcome<T | undefined>> {
    let status: Status = "late";
    let value: T | undefined;
    let error: unknown;
    let at = 0;
    let settled = false;
    let promise: Promise<T>;
    try {
      promise = Promise.resolve(fn());
    } catch (thrown) {
      promise = Promise.reject(thrown);
    }
    promise.then((v) => {
      settled = true;
      status = "fulfilled";
      value = v;
      at = this.now();
    }, (e) => {
      settled = true;
      status = "rejected";
      error = e;
      at = this.now();
    });
    const clock = this.#clock;
    if (clock) {
      for (let steps = 0;; steps++) {
        await turn();
        if (settled) break;
        const next = clock.next();
        if (next === undefined || next.at > limit * this.unit) {
          if (next !== undefined) clock.now = limit * this.unit;
          status = next === undefined ? "stuck" : "late";
          at = this.now();
          break;
        }
        if (steps >= MAX_STEPS) {
          status = "busy";
          at = this.now();
          break;
        }
        clock.fire(next);
      }
    } else {
      let id: number | undefined;
      await Promise.race([
        promise.then(() => {}, () => {}),
        new Promise<void>((resolve) => {
          id = REAL.setTimeout(resolve, limit * this.unit) as unknown as number;
        }),
      ]);
      REAL.clearTimeout(id);
      if (!settled) at = this.now();
    }
    // Rejections nobody handled are reported after the microtasks drain.
    await realTurn();
    const running = [...this.#spans].filter(([, span]) =>
      span.end === undefined
    )
      .map(([name]) => ({ name, until: this.#until(name) }));
    const leaks: Leak[] = clock
      ? clock.pending()
        .filter((timer) => timer.owner === undefined && timer.ref)
        .map((timer) => ({
          kind: timer.every === undefined ? "timer" : "interval",
          origin: timer.origin,
          due: timer.at / this.unit,
        }))
      : this.#tracker!.leaks();
    // Simulated time may go on a little, to see what the code left behind
    // does later (a line printed after the function returned).
    if (clock && linger > 0 && settled) {
      for (let steps = 0; steps < MAX_STEPS; steps++) {
        const next = clock.next();
        if (next === undefined || next.at > (at + linger) * this.unit) break;
        clock.fire(next);
        await turn();
      }
      await realTurn();
    }
    this.#outcome = {
      status,
      value,
      error,
      at,
      running,
      leaks,
      unhandled: [...this.#unhandled],
      uncaught: [...(clock?.uncaught ?? this.#tracker?.uncaught ?? [])],
    };
    return this.#outcome as Outcome<T | undefined>;
  }

  #until(name: string): number | undefined {
    if (!this.#clock) return undefined;
    let until: number | undefined;
    for (const timer of this.#clock.pending()) {
      if (timer.owner === name) {
        until = Math.max(until ?? 0, timer.at / this.unit);
      }
    }
    return until;
  }

  /** Records the scenario's Run, stops what is left, puts the real clock back. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const outcome = this.#outcome;
    if (outcome) {
      const data = (value: unknown) => this.#session.encode(value);
      this.#session.runs.push({
        unit: this.unit,
        virtual: this.virtual,
        now: this.now(),
        spans: [...this.#spans].map(([name, span]) => ({ name, ...span })),
        cancelled: [...this.cancelled],
        twice: [...new Set(this.#twice)],
        outcome: {
          ...outcome,
          value: data(outcome.value),
          error: data(outcome.error),
          unhandled: outcome.unhandled.map(data),
          uncaught: outcome.uncaught.map(data),
        },
      });
    }
    this.#clock?.clear();
    await this.#tracker?.cleanUp();
    // What was stopped may reject promises nobody holds any more.
    await realTurn();
    this.#uninstall();
    globalThis.removeEventListener("unhandledrejection", this.#onRejection);
  }

  /** Same as {@linkcode World.close}. */
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
