/**
 * What every check is built from: bilingual messages, a {@linkcode World}
 * (a clock, a Timeline, simulated tasks) and a run of the learner's code that
 * reports how it ended and what it left running. Learners can skip this
 * file.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { Timeline } from "../lib/timeline.ts";
import { describe } from "../lib/_util.ts";
import { type Leak, originIn, REAL, Tracker, VirtualClock } from "./_clock.ts";

/** The languages the checker speaks. */
export type Lang = "en" | "es";

/** A message in every language the checker speaks. */
export interface Text {
  readonly en: string;
  readonly es: string;
}

/** A message, in English and in Spanish. */
export function text(en: string, es: string): Text {
  return { en, es };
}

/** `n` with one decimal, as each language writes it: "2.5", "2,5". */
export function num(n: number): Text {
  const en = (Math.round(n * 10) / 10).toFixed(1);
  return { en, es: en.replace(".", ",") };
}

/** "2.0 units" / "2,0 unidades" ("1.0 unit" / "1,0 unidad"). */
export function units(n: number): Text {
  const { en, es } = num(n);
  const one = Math.abs(n - 1) < 0.05;
  return {
    en: `${en} ${one ? "unit" : "units"}`,
    es: `${es} ${one ? "unidad" : "unidades"}`,
  };
}

/** "A, B and C" / "A, B y C". */
export function listOf(items: readonly string[], lang: Lang): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${lang === "en" ? "and" : "y"} ${
    items.at(-1)
  }`;
}

/** A check that found something wrong: the problems, most important first. */
export class Failure extends Error {
  /** What the learner should read. */
  readonly problems: Text[];
  /** The chart of the run that failed, when the check has one. */
  readonly chart: string | undefined;
  /** How many milliseconds a unit of the chart lasts. */
  readonly unit: number | undefined;

  /** A failure with these problems and, if given, the chart of the run and its unit. */
  constructor(problems: Text[], chart?: string, unit?: number) {
    super(problems[0]?.en ?? "failed");
    this.name = "Failure";
    this.problems = problems;
    this.chart = chart;
    this.unit = unit;
  }
}

/** How the learner's code ended. */
export type Status =
  | "fulfilled"
  | "rejected"
  /** Waiting, with nothing left that could ever wake it. */
  | "stuck"
  /** Still running when the run's limit came. */
  | "late"
  /** Woke up too many times without moving on (polling in a tight loop). */
  | "busy";

/** What a run of the learner's code did. */
export interface Outcome<T> {
  /** How it ended. */
  readonly status: Status;
  /** What it resolved to. */
  readonly value: T | undefined;
  /** What it rejected with. */
  readonly error: unknown;
  /** When it settled, or when the run gave up, in units. */
  readonly at: number;
  /** Simulated tasks still running when it settled, with when they would have ended. */
  readonly running: readonly { name: string; until: number | undefined }[];
  /** Timers, requests, bodies and workers the learner's code left behind. */
  readonly leaks: readonly Leak[];
  /** Rejections nobody handled. */
  readonly unhandled: readonly unknown[];
  /** Errors thrown by timer callbacks, which nothing could catch. */
  readonly uncaught: readonly unknown[];
}

/** How a world keeps time. */
export interface WorldOptions {
  /** Simulated time (the default) or real time. */
  virtual?: boolean;
  /** How many milliseconds a unit lasts. @default {100} */
  unit?: number;
  /** The learner's module, to point at its lines in messages. */
  learnerUrl?: string;
}

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

const MAX_STEPS = 5_000;

/**
 * One scenario of a check: a clock (simulated unless `virtual: false`), a
 * Timeline on that clock, and the tools the learner's code is handed.
 * Create it with {@linkcode World.open}, and close it (`await using`).
 */
export class World implements AsyncDisposable {
  /** Milliseconds per unit. */
  readonly unit: number;
  /** Whether time is simulated. */
  readonly virtual: boolean;
  /** Every simulated task, on this world's clock. */
  readonly timeline: Timeline;
  /** The learner's module URL, if known. */
  readonly learnerUrl: string | undefined;
  /** Names started twice, as the learner's code asked. */
  readonly startedTwice: string[] = [];
  /** Tasks that stopped because their signal aborted. */
  readonly cancelled = new Set<string>();
  #clock: VirtualClock | undefined;
  #tracker: Tracker | undefined;
  #uninstall: () => void;
  #origin: number;
  #unhandled: unknown[] = [];
  #onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    this.#unhandled.push(event.reason);
  };
  #closed = false;

  private constructor(options: WorldOptions) {
    this.unit = options.unit ?? 100;
    this.virtual = options.virtual ?? true;
    this.learnerUrl = options.learnerUrl;
    this.#origin = REAL.now();
    if (this.virtual) {
      const clock = new VirtualClock();
      clock.learnerUrl = this.learnerUrl;
      this.#clock = clock;
      this.timeline = new Timeline({ now: () => clock.now });
      this.#uninstall = clock.install();
    } else {
      const tracker = new Tracker();
      tracker.learnerUrl = this.learnerUrl;
      this.#tracker = tracker;
      this.timeline = new Timeline({ now: () => REAL.now() - this.#origin });
      this.#uninstall = tracker.install();
    }
    globalThis.addEventListener("unhandledrejection", this.#onRejection);
  }

  /** Opens a world: from now until it is closed, the clock is in charge. */
  static open(options: WorldOptions = {}): World {
    return new World(options);
  }

  /** The time since the world opened, in units. */
  now(): number {
    return this.#ms() / this.unit;
  }

  #ms(): number {
    return this.#clock ? this.#clock.now : REAL.now() - this.#origin;
  }

  /**
   * Waits `n` units, for the checker's own schedule (not a task of the
   * exercise). Rejects with the signal's reason if it aborts first.
   */
  sleep(n: number, signal?: AbortSignal, owner = "checker"): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const id = this.#schedule(n * this.unit, () => {
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

  #schedule(ms: number, fn: () => void, owner: string): number {
    if (this.#clock) return this.#clock.schedule(ms, fn, { owner });
    return REAL.setTimeout(fn, ms) as unknown as number;
  }

  #cancel(id: number): void {
    if (this.#clock) this.#clock.cancel(id);
    else REAL.clearTimeout(id);
  }

  /**
   * A simulated task: starts `name` on the timeline now, ends it `n` units
   * later and resolves with `value` (or rejects with `fail`). If `signal`
   * aborts first, the task stops `stopUnits` later and rejects with the
   * signal's reason.
   */
  task<T = void>(
    name: string,
    n: number,
    options: TaskOptions<T> = {},
  ): Promise<T> {
    let label = name;
    if (this.timeline.span(name) !== undefined) {
      this.startedTwice.push(name);
      let k = 2;
      while (this.timeline.span(`${name} (${k})`) !== undefined) k++;
      label = `${name} (${k})`;
    }
    this.timeline.start(label);
    const { signal, stopUnits = 0 } = options;
    return new Promise<T>((resolve, reject) => {
      const stop = () => {
        this.cancelled.add(label);
        const reason = signal!.reason;
        this.#schedule(stopUnits * this.unit, () => {
          this.timeline.end(label, "rejected");
          reject(reason);
        }, label);
      };
      if (signal?.aborted) return stop();
      const abort = () => {
        this.#cancel(id);
        stop();
      };
      const id = this.#schedule(n * this.unit, () => {
        signal?.removeEventListener("abort", abort);
        if ("fail" in options) {
          this.timeline.end(label, "rejected");
          reject(options.fail);
        } else {
          this.timeline.end(label);
          resolve(options.value as T);
        }
      }, label);
      signal?.addEventListener("abort", abort, { once: true });
    });
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
  ): Promise<Outcome<T>> {
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
    promise.then(
      (v) => {
        settled = true;
        status = "fulfilled";
        value = v;
        at = this.now();
      },
      (e) => {
        settled = true;
        status = "rejected";
        error = e;
        at = this.now();
      },
    );
    const clock = this.#clock;
    if (clock) {
      let steps = 0;
      while (true) {
        await this.#turn();
        if (settled) break;
        const next = clock.next();
        if (next === undefined) {
          status = "stuck";
          at = this.now();
          break;
        }
        if (next.at > limit * this.unit) {
          clock.now = limit * this.unit;
          status = "late";
          at = limit;
          break;
        }
        if (++steps > MAX_STEPS) {
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
      if (!settled) {
        status = "late";
        at = this.now();
      }
    }
    // Rejections nobody handled are reported after the microtasks drain.
    await this.#realTurn();
    const running = this.timeline.spans()
      .filter((span) => span.end === undefined)
      .map((span) => ({ name: span.name, until: this.#until(span.name) }));
    let leaks: Leak[];
    if (clock) {
      leaks = clock.pending()
        .filter((timer) => timer.owner === undefined && timer.ref)
        .map((timer) => ({
          kind: timer.every === undefined
            ? "timer" as const
            : "interval" as const,
          origin: timer.origin,
          due: timer.at,
        }));
    } else {
      leaks = this.#tracker!.leaks();
    }
    // Simulated time may go on a little, to see what the code left behind
    // does later (a line printed after the function returned).
    if (clock && linger > 0 && settled) {
      for (let steps = 0; steps < MAX_STEPS; steps++) {
        const next = clock.next();
        if (next === undefined || next.at > (at + linger) * this.unit) break;
        clock.fire(next);
        await this.#turn();
      }
      await this.#realTurn();
    }
    return {
      status,
      value,
      error,
      at,
      running,
      leaks,
      unhandled: [...this.#unhandled],
      uncaught: [...(clock?.uncaught ?? this.#tracker?.uncaught ?? [])],
    };
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

  /**
   * Lets every pending microtask run: resolves in a later turn of the event
   * loop. (A MessageChannel message is not enough: Deno may deliver it before
   * an async generator that was just woken has yielded.)
   */
  #turn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  #realTurn(): Promise<void> {
    return new Promise((resolve) => REAL.setTimeout(resolve, 0));
  }

  /** The Timeline as a chart, in units. */
  chart(width = 72): string {
    if (this.timeline.spans().length === 0) return "";
    return this.timeline.render({
      unit: this.unit,
      unitLabel: "",
      width,
      color: false,
    });
  }

  /** Stops what is left, puts the real clock back. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock?.clear();
    await this.#tracker?.cleanUp();
    // What was stopped may reject promises nobody holds any more.
    await this.#realTurn();
    this.#uninstall();
    globalThis.removeEventListener("unhandledrejection", this.#onRejection);
  }

  /** Same as {@linkcode World.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The learner's line in `error`'s stack, as `file.ts:12`. */
  where(error: unknown): string | undefined {
    return error instanceof Error
      ? originIn(error.stack, this.learnerUrl)
      : undefined;
  }

  /** An error as a learner wants to read it: `TypeError: x is not a function (03a_overlap.ts:12)`. */
  show(error: unknown): string {
    if (error instanceof Error) {
      const where = this.where(error);
      const message = error.message.split("\n")[0];
      return `${error.name}: ${message}${where ? ` (${where})` : ""}`;
    }
    return describe(error);
  }

  /**
   * The problems every exercise shares: the code got stuck, ran too long,
   * polled, left a rejection unhandled, threw when it should not have, or
   * left something running. `expect` says how the code should end.
   */
  common(
    outcome: Outcome<unknown>,
    expect: "fulfilled" | "rejected" | "either" = "fulfilled",
  ): Text[] {
    const problems: Text[] = [];
    const u = units(outcome.at);
    if (outcome.status === "stuck") {
      problems.push(text(
        `Your code is still waiting at ${u.en}, but nothing is left that could ever wake it up: every task is waiting for another one.`,
        `Tu código sigue esperando en ${u.es}, pero ya no queda nada que pueda despertarlo: cada tarea espera a otra.`,
      ));
    } else if (outcome.status === "late") {
      problems.push(text(
        `Your code had not finished after ${u.en}; it should be done well before.`,
        `Tu código no había terminado tras ${u.es}; debería acabar mucho antes.`,
      ));
    } else if (outcome.status === "busy") {
      problems.push(text(
        `Your code woke up more than ${MAX_STEPS} times by ${u.en} without finishing: is it checking something over and over in a loop? Wait for the thing itself instead.`,
        `Tu código despertó más de ${MAX_STEPS} veces hasta ${u.es} sin terminar: ¿comprueba algo una y otra vez en un bucle? Espera directamente a aquello que compruebas.`,
      ));
    } else if (outcome.status === "rejected" && expect === "fulfilled") {
      const shown = this.show(outcome.error);
      problems.push(text(
        `At ${u.en}, your code threw ${shown}.`,
        `En ${u.es}, tu código lanzó ${shown}.`,
      ));
    }
    for (const reason of outcome.unhandled) {
      const shown = this.show(reason);
      problems.push(text(
        `A promise rejected with ${shown} and nothing handled it: a real program would stop with "Uncaught (in promise)". Await every promise you start, or catch it.`,
        `Una promesa se rechazó con ${shown} y nada la atendió: un programa real se pararía con "Uncaught (in promise)". Espera con await cada promesa que lances, o captúrala.`,
      ));
    }
    for (const error of outcome.uncaught) {
      const shown = this.show(error);
      problems.push(text(
        `A timer callback threw ${shown}, where nothing can catch it: a real program would stop with "Uncaught". Catch errors inside callbacks, or use await instead of callbacks.`,
        `Un callback de temporizador lanzó ${shown}, donde nada puede capturarlo: un programa real se pararía con "Uncaught". Captura los errores dentro de los callbacks, o usa await en vez de callbacks.`,
      ));
    }
    if (outcome.status === "fulfilled" || outcome.status === "rejected") {
      problems.push(...this.leftRunning(outcome));
    }
    return problems;
  }

  /** What the code left running when it settled, as problems. */
  leftRunning(outcome: Outcome<unknown>): Text[] {
    const problems: Text[] = [];
    const u = units(outcome.at);
    const verb = outcome.status === "rejected"
      ? { en: "threw", es: "lanzó su error" }
      : { en: "returned", es: "terminó" };
    const running = outcome.running;
    if (running.length === 1) {
      const { name, until } = running[0]!;
      const end = until === undefined ? undefined : units(until);
      problems.push(text(
        `Your function ${verb.en} at ${u.en}, but task ${name} was still running${
          end ? ` (until ${end.en})` : ""
        }: nothing waited for it, and nothing stopped it.`,
        `Tu función ${verb.es} en ${u.es}, pero la tarea ${name} seguía en marcha${
          end ? ` (hasta ${end.es})` : ""
        }: nada la esperó y nada la paró.`,
      ));
    } else if (running.length > 1) {
      const names = running.map((r) => r.name);
      const untils = running.every((r) => r.until !== undefined)
        ? running.map((r) => num(r.until!))
        : undefined;
      problems.push(text(
        `Your function ${verb.en} at ${u.en}, but tasks ${
          listOf(names, "en")
        } were still running${
          untils ? ` (until ${listOf(untils.map((n) => n.en), "en")})` : ""
        }: nothing waited for them, and nothing stopped them.`,
        `Tu función ${verb.es} en ${u.es}, pero las tareas ${
          listOf(names, "es")
        } seguían en marcha${
          untils ? ` (hasta ${listOf(untils.map((n) => n.es), "es")})` : ""
        }: nada las esperó y nada las paró.`,
      ));
    }
    for (const leak of outcome.leaks) problems.push(this.#leak(leak, u, verb));
    return problems;
  }

  #leak(leak: Leak, u: Text, verb: { en: string; es: string }): Text {
    const at = leak.origin ? ` (${leak.origin})` : "";
    switch (leak.kind) {
      case "timer":
      case "interval": {
        const due = leak.due === undefined || !this.virtual
          ? undefined
          : num(leak.due / this.unit);
        const what = leak.kind === "timer"
          ? { en: `a timer${at}`, es: `un temporizador${at}` }
          : { en: `an interval${at}`, es: `un setInterval${at}` };
        return text(
          `Your function ${verb.en} at ${u.en}, but ${what.en} was still pending${
            due ? ` (due at ${due.en})` : ""
          }: work it started was not finished, and a real program would stay alive for it. Wait for it before returning, or cancel it (clearTimeout, an AbortSignal).`,
          `Tu función ${verb.es} en ${u.es}, pero ${what.es} seguía pendiente${
            due ? ` (para ${due.es})` : ""
          }: un trabajo que lanzó no había terminado, y un programa real seguiría vivo por él. Espéralo antes de terminar, o cancélalo (clearTimeout, un AbortSignal).`,
        );
      }
      case "request":
        return text(
          `Your function ${verb.en} at ${u.en}, but the request to ${leak.detail}${at} was still in flight: abort it (pass fetch a signal).`,
          `Tu función ${verb.es} en ${u.es}, pero la petición a ${leak.detail}${at} seguía en curso: abórtala (pasa a fetch una señal).`,
        );
      case "body": {
        const [path, status] = (leak.detail ?? "").split(" ");
        return text(
          `The body of the ${status} response from ${path}${at} was never read nor cancelled: its connection stays open. Read it, or call \`await response.body?.cancel()\`.`,
          `El cuerpo de la respuesta ${status} de ${path}${at} nunca se leyó ni se canceló: su conexión sigue abierta. Léelo, o llama a \`await response.body?.cancel()\`.`,
        );
      }
      case "worker":
        return text(
          `Your function ${verb.en} at ${u.en}, but a worker${at} was still alive: it keeps the program running. Shut the executor down (\`await using executor = new Executor()\`, or \`await executor.shutdown()\`).`,
          `Tu función ${verb.es} en ${u.es}, pero un worker${at} seguía vivo: mantiene el programa en marcha. Cierra el executor (\`await using executor = new Executor()\`, o \`await executor.shutdown()\`).`,
        );
    }
  }
}

/** Throws a {@linkcode Failure} with `problems` and the world's chart, if there are problems. */
export function verdict(world: World, problems: Text[]): void {
  if (problems.length > 0) {
    throw new Failure(problems, world.chart(), world.unit);
  }
}

/**
 * When a span started and ended, in units; throws a Failure saying the task
 * never ran if it has no span.
 */
export function spanOf(
  world: World,
  name: string,
): { start: number; end: number | undefined } {
  const span = world.timeline.span(name);
  if (span === undefined) {
    throw new Failure(
      [
        text(
          `Task ${name} never ran.`,
          `La tarea ${name} no llegó a ejecutarse.`,
        ),
      ],
      world.chart(),
      world.unit,
    );
  }
  return {
    start: span.start / world.unit,
    end: span.end === undefined ? undefined : span.end / world.unit,
  };
}

/** Times closer than this (in units) are the same instant. */
export const EPSILON = 1e-6;

/** What a check is handed: the learner's module. */
export interface CheckContext {
  /** The learner's module, as imported. */
  readonly module: Record<string, unknown>;
  /** Its URL, to point at its lines. */
  readonly learnerUrl: string;
}

/** One exercise: what it asks, its hints, and its check. */
export interface Exercise {
  /** The lesson number and a letter: "04b". */
  readonly id: string;
  /** The file name without `.ts`, in exercises/ and exercises/solutions/. */
  readonly slug: string;
  /** The export the learner writes. */
  readonly export: string;
  /** The lesson that teaches it, as a path from the repository root. */
  readonly lesson: string;
  /** A short title. */
  readonly title: Text;
  /** What passing the check shows, said to the learner when it passes. */
  readonly success: Text;
  /** Hints, from gentle to nearly the answer. */
  readonly hints: readonly Text[];
  /** Whether the check needs real time (a server, a worker). */
  readonly real?: boolean;
  /** Throws a {@linkcode Failure} when the learner's code does not do what it should. */
  check(context: CheckContext): Promise<void>;
}

/**
 * The learner's export `name` if it is a function (a class is a function
 * too); otherwise a Failure that says what is missing.
 */
export function exported<F>(context: CheckContext, name: string): F {
  const value = context.module[name];
  if (typeof value !== "function") {
    const file = context.learnerUrl.slice(
      context.learnerUrl.lastIndexOf("/") + 1,
    );
    throw new Failure([text(
      `${file} should export a function named ${name}, and it does not: keep the export line of the stub.`,
      `${file} debería exportar una función llamada ${name}, y no lo hace: conserva la línea export del esqueleto.`,
    )]);
  }
  return value as F;
}

/** Problems for tasks started more than once. */
export function twice(world: World): Text[] {
  return [...new Set(world.startedTwice)].map((name) =>
    text(
      `Task ${name} was started more than once; start each task once.`,
      `La tarea ${name} se lanzó más de una vez; lanza cada tarea una sola vez.`,
    )
  );
}

/** A task name outside `names` rejects with an error that lists the real ones. */
export function unknownTask(name: unknown, names: readonly string[]): Error {
  return new RangeError(
    `There is no task ${describe(name)}; the tasks are ${names.join(", ")}`,
  );
}

/**
 * The error for a `signal` handed to a tool that is neither absent nor an
 * `AbortSignal`, or `undefined` when it is fine.
 */
export function badSignal(signal: unknown): TypeError | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return undefined;
  return new TypeError(
    `The signal must be an AbortSignal: current value is ${describe(signal)}`,
  );
}

/** A span in units: when a task started and ended (undefined: still running). */
export interface UnitSpan {
  readonly name: string;
  readonly start: number;
  readonly end: number | undefined;
}

/** The spans of the world's timeline in units, those whose name passes `keep`. */
export function spansOf(
  world: World,
  keep: (name: string) => boolean = () => true,
): UnitSpan[] {
  return world.timeline.spans().filter((span) => keep(span.name)).map((
    span,
  ) => ({
    name: span.name,
    start: span.start / world.unit,
    end: span.end === undefined ? undefined : span.end / world.unit,
  }));
}

/** The instant when more than `limit` spans ran at once, and how many; undefined if never. */
export function overLimit(
  spans: readonly UnitSpan[],
  limit: number,
): { at: number; count: number } | undefined {
  let worst: { at: number; count: number } | undefined;
  for (const probe of spans) {
    const t = probe.start;
    const count = spans.filter((s) =>
      s.start <= t + EPSILON && (s.end ?? Infinity) > t + EPSILON
    ).length;
    if (count > limit && (worst === undefined || t < worst.at)) {
      worst = { at: t, count };
    }
  }
  return worst;
}

/**
 * The first stretch of time when fewer than `capacity` spans ran although
 * one of `spans` had not started yet: a slot stood idle while work waited.
 */
export function idleSlot(
  spans: readonly UnitSpan[],
  capacity: number,
):
  | { from: number; to: number; running: number; waiting: UnitSpan }
  | undefined {
  const times = [
    ...new Set(
      spans.flatMap((s) => s.end === undefined ? [s.start] : [s.start, s.end]),
    ),
  ]
    .sort((a, b) => a - b);
  for (let i = 0; i + 1 < times.length; i++) {
    const from = times[i]!;
    const to = times[i + 1]!;
    if (to - from < EPSILON) continue;
    const running = spans.filter((s) =>
      s.start <= from + EPSILON && (s.end ?? Infinity) > from + EPSILON
    ).length;
    const waiting = spans.filter((s) =>
      s.start > from + EPSILON
    ).sort((a, b) =>
      a.start - b.start
    )[0];
    if (running < capacity && waiting !== undefined) {
      return { from, to, running, waiting };
    }
  }
  return undefined;
}
