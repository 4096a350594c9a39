/**
 * What every check is built from, on both sides of it. Learners can skip
 * this file.
 *
 * A check runs in two processes (exercises/_run.ts). The learner's process
 * runs the learner's code in a {@linkcode World} of `_world.ts` and sends
 * back what happened as data: a {@linkcode Run} per scenario. The checker's
 * process turns each Run into a {@linkcode Scene} and judges it; the
 * problems it finds are bilingual {@linkcode Text}s. Nothing the learner's
 * code does can reach the judging, which happens in the checker's process.
 *
 * @module
 */
import type { Lang, Text } from "../course/i18n.ts";
import { Timeline } from "../lib/timeline.ts";

export type { Lang, Text };

/**
 * A message in English and in Spanish. Each `{name}` in them stands for
 * `values.name`: a Text in its language, anything else as a string.
 */
export function text(
  en: string,
  es: string,
  values?: Readonly<Record<string, unknown>>,
): Text {
  if (values === undefined) return { en, es };
  const fill = (message: string, lang: Lang) =>
    message.replace(/\{(\w+)\}/g, (all, name: string) => {
      if (!Object.hasOwn(values, name)) return all;
      const value = values[name] as Partial<Text> | null;
      return typeof value?.[lang] === "string" ? value[lang] : String(value);
    });
  return { en: fill(en, "en"), es: fill(es, "es") };
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
export function listOf(items: readonly (string | Text)[]): Text {
  const list = (lang: Lang) => {
    const words = items.map((item) =>
      typeof item === "string" ? item : item[lang]
    );
    if (words.length <= 1) return words.join("");
    return `${words.slice(0, -1).join(", ")} ${lang === "en" ? "and" : "y"} ${
      words.at(-1)
    }`;
  };
  return { en: list("en"), es: list("es") };
}

/** Times closer than this (in units) are the same instant. */
export const EPSILON = 1e-6;

// ---- Values of the learner's process, as data.

/** JSON: what travels from the learner's process to the checker. */
export type Data =
  | null
  | boolean
  | number
  | string
  | Data[]
  | { [key: string]: Data };

/** An error of the learner's process, as the checker sees it. */
export class Thrown {
  /** Its class name and its message, as the error said them. */
  constructor(
    readonly name: string,
    readonly message: string,
    /** The learner's line that threw it (`file.ts:12`), when known. */
    readonly where: string | undefined,
    /** The name a scenario gave it, when the check made it (`"B"`). */
    readonly ref: string | undefined,
    /** An AggregateError's errors. */
    readonly errors: readonly unknown[] | undefined,
  ) {}
}

/** Any other object of the learner's process: only how it reads. */
export class Opaque {
  /** How {@linkcode describe} shows it, and the scenario's name for it. */
  constructor(readonly shown: string, readonly ref: string | undefined) {}
}

/** The name a scenario gave to `value` (see `World.mark`), if any. */
export function refOf(value: unknown): string | undefined {
  return value instanceof Thrown || value instanceof Opaque
    ? value.ref
    : undefined;
}

/** Whether `error` is the error named `ref`, alone or in an AggregateError. */
export function carries(error: unknown, ref: string): boolean {
  return refOf(error) === ref ||
    (error instanceof Thrown && error.name === "AggregateError" &&
      (error.errors ?? []).some((e) => refOf(e) === ref));
}

const MAX_ITEMS = 1000;
const MAX_DEPTH = 6;

/** `value` as data; `marks` names the scenario's own objects. Never throws. */
export function encode(
  value: unknown,
  marks: ReadonlyMap<unknown, string>,
  where: (error: Error) => string | undefined,
  depth = 0,
): Data {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : { $: "number", v: String(Object.is(value, -0) ? "-0" : value) };
    case "undefined":
      return { $: "undefined" };
  }
  if (value === null) return null;
  const ref = marks.get(value);
  try {
    if (value instanceof Error) {
      const errors = value instanceof AggregateError &&
          Array.isArray(value.errors) && depth < MAX_DEPTH
        ? value.errors.slice(0, MAX_ITEMS).map((e) =>
          encode(e, marks, where, depth + 1)
        )
        : null;
      return {
        $: "error",
        name: String(value.name),
        message: String(value.message),
        where: where(value) ?? null,
        ref: ref ?? null,
        errors,
      };
    }
    if (
      depth < MAX_DEPTH && Array.isArray(value) && value.length <= MAX_ITEMS
    ) {
      return value.map((item) => encode(item, marks, where, depth + 1));
    }
    const object = value as object;
    const proto = Object.getPrototypeOf(object);
    if (
      depth < MAX_DEPTH && (proto === Object.prototype || proto === null) &&
      Object.keys(object).length <= MAX_ITEMS
    ) {
      const entries: Record<string, Data> = {};
      for (const [key, item] of Object.entries(object)) {
        entries[key] = encode(item, marks, where, depth + 1);
      }
      return { $: "object", v: entries };
    }
  } catch { /* a getter threw: show it as it reads */ }
  return { $: "other", shown: safely(() => describe(value)), ref: ref ?? null };
}

function safely(show: () => string): string {
  try {
    return show();
  } catch {
    return "a value that cannot be shown";
  }
}

/** Data back as values: errors become {@linkcode Thrown}, the rest {@linkcode Opaque}. */
export function decode(data: Data): unknown {
  if (Array.isArray(data)) return data.map(decode);
  if (data === null || typeof data !== "object") return data;
  const tagged = data as Record<string, Data>;
  const str = (key: string) =>
    typeof tagged[key] === "string" ? tagged[key] : undefined;
  switch (tagged.$) {
    case "undefined":
      return undefined;
    case "number":
      return Number(tagged.v);
    case "error":
      return new Thrown(
        str("name") ?? "Error",
        str("message") ?? "",
        str("where"),
        str("ref"),
        Array.isArray(tagged.errors) ? tagged.errors.map(decode) : undefined,
      );
    case "object":
      return Object.fromEntries(
        Object.entries(tagged.v as Record<string, Data>).map((
          [key, item],
        ) => [key, decode(item)]),
      );
    default:
      return new Opaque(str("shown") ?? "?", str("ref"));
  }
}

/**
 * A value as a learner wants to read it: `"busy"`, `[80, 120]`,
 * `{ a: 1 }`, `Error: B broke`, `undefined`.
 */
export function describe(value: unknown, depth = 0): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(
        value.length > 60 ? value.slice(0, 60) + "…" : value,
      );
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "function":
      return value.name ? `a function (${value.name})` : "a function";
    case "symbol":
      return value.toString();
    case "undefined":
    case "boolean":
      return String(value);
  }
  if (value === null) return "null";
  if (value instanceof Thrown) return `${value.name}: ${value.message}`;
  if (value instanceof Opaque) return value.shown;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (depth > 1) return Array.isArray(value) ? "[…]" : "{…}";
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map((item) => describe(item, depth + 1));
    if (value.length > 8) items.push(`… ${value.length - 8} more`);
    return `[${items.join(", ")}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const entries = Object.entries(value as object);
    const shown = entries.slice(0, 6).map(([key, item]) =>
      `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${
        describe(item, depth + 1)
      }`
    );
    if (entries.length > 6) shown.push("…");
    return shown.length ? `{ ${shown.join(", ")} }` : "{}";
  }
  if (value instanceof Promise) return "a Promise";
  const name = proto?.constructor?.name;
  return typeof name === "string" && name ? `a ${name}` : "an object";
}

// ---- What the learner's process sends: one Run per scenario.

/** Something the learner's code started and did not finish or stop. */
export interface Leak {
  /** What it is. */
  kind: "timer" | "interval" | "request" | "body" | "worker";
  /** The learner's line that started it (`file.ts:12`), when known. */
  origin?: string;
  /** For a timer: when it would fire, in units. */
  due?: number;
  /** For a request or a body: the URL's path and, for a body, the status. */
  detail?: string;
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
export interface Outcome<V = unknown> {
  /** How it ended. */
  readonly status: Status;
  /** What it resolved to. */
  readonly value: V;
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

/** A task's stay on a scenario's timeline, in units (end: still running). */
export interface UnitSpan {
  readonly name: string;
  readonly start: number;
  readonly end: number | undefined;
  readonly outcome: "running" | "fulfilled" | "rejected";
}

/** One scenario as data: its timeline and how the learner's code ended. */
export interface Run {
  /** Milliseconds per unit. */
  readonly unit: number;
  /** Whether time was simulated. */
  readonly virtual: boolean;
  /** When the scenario ended, in units: where the chart stops. */
  readonly now: number;
  /** Every task, in the order they started. */
  readonly spans: readonly UnitSpan[];
  /** Tasks that stopped because their signal aborted. */
  readonly cancelled: readonly string[];
  /** Names the learner's code started twice. */
  readonly twice: readonly string[];
  /** The outcome, its values as {@linkcode Data}. */
  readonly outcome: Outcome<Data> & {
    readonly error: Data;
    readonly unhandled: readonly Data[];
    readonly uncaught: readonly Data[];
  };
}

// ---- The checker's side: judging a Run.

/** A check that found something wrong: the problems, most important first. */
export class Failure extends Error {
  /** What the learner should read. */
  readonly problems: Text[];
  /** The chart of the run that failed, when the check has one. */
  readonly chart: Text | undefined;
  /** How many milliseconds a unit of the chart lasts. */
  readonly unit: number | undefined;

  /** A failure with these problems and, if given, the chart of the run and its unit. */
  constructor(problems: Text[], chart?: Text, unit?: number) {
    super(problems[0]?.en ?? "failed");
    this.name = "Failure";
    this.problems = problems;
    this.chart = chart;
    this.unit = unit;
  }
}

/** The most steps a simulated run takes before it is called busy. */
export const MAX_STEPS = 5_000;

/** A Run, read back by the checker: what judges look at. */
export class Scene {
  /** Milliseconds per unit. */
  readonly unit: number;
  /** Whether time was simulated. */
  readonly virtual: boolean;
  /** How the learner's code ended, its values decoded. */
  readonly outcome: Outcome;
  /** Every task, in units, in the order they started. */
  readonly spans: readonly UnitSpan[];
  /** Tasks that stopped because their signal aborted. */
  readonly cancelled: ReadonlySet<string>;
  #run: Run;
  #words: Readonly<Record<string, string>>;

  /** `run` as sent; `words` puts the chart's names in Spanish. */
  constructor(run: Run, words: Readonly<Record<string, string>> = {}) {
    this.#run = run;
    this.#words = words;
    this.unit = run.unit;
    this.virtual = run.virtual;
    this.spans = run.spans;
    this.cancelled = new Set(run.cancelled);
    const o = run.outcome;
    this.outcome = {
      ...o,
      value: decode(o.value),
      error: decode(o.error),
      unhandled: o.unhandled.map(decode),
      uncaught: o.uncaught.map(decode),
    };
  }

  /** The span of `name`, if it ran. */
  span(name: string): UnitSpan | undefined {
    return this.spans.find((span) => span.name === name);
  }

  /** The span of `name`; a Failure saying the task never ran if it did not. */
  spanOf(name: string): UnitSpan {
    const span = this.span(name);
    if (span !== undefined) return span;
    throw this.failure([text(
      `Task ${name} never ran.`,
      `La tarea ${name} no llegó a ejecutarse.`,
    )]);
  }

  /** The spans whose name passes `keep`. */
  spansOf(keep: (name: string) => boolean): UnitSpan[] {
    return this.spans.filter((span) => keep(span.name));
  }

  /**
   * For each of `names` that started later than 0: `what` (the noun, as
   * "Task"/"La tarea") started at …; it could have started at 0.0, `why`.
   */
  startedLate(names: readonly string[], what: Text, why: Text): Text[] {
    return names.flatMap((name) => {
      const start = this.spanOf(name).start;
      return start > EPSILON
        ? [text(
          `${what.en} ${name} started at ${
            units(start).en
          }; it could have started at 0.0: ${why.en}.`,
          `${what.es} ${name} empezó en ${
            units(start).es
          }; podía haber empezado en 0,0: ${why.es}.`,
        )]
        : [];
    });
  }

  /** A Failure with `problems` and this scene's chart. */
  failure(problems: Text[]): Failure {
    return new Failure(problems, this.chart(), this.unit);
  }

  /** Throws a Failure with `problems` and the chart, if there are problems. */
  verdict(problems: Text[]): void {
    if (problems.length > 0) throw this.failure(problems);
  }

  /** Problems for tasks the learner's code started more than once. */
  twice(): Text[] {
    return this.#run.twice.map((name) =>
      text(
        `Task ${name} was started more than once; start each task once.`,
        `La tarea ${name} se lanzó más de una vez; lanza cada tarea una sola vez.`,
      )
    );
  }

  /** An error as a learner wants to read it: `TypeError: x is not a function (03a_overlap.ts:12)`. */
  show(error: unknown): string {
    return error instanceof Thrown && error.where
      ? `${describe(error)} (${error.where})`
      : describe(error);
  }

  /** The timeline as a chart in each language, 72 columns wide. */
  chart(): Text | undefined {
    if (this.spans.length === 0) return undefined;
    const draw = (name: (name: string) => string) => {
      let now = 0;
      const timeline = new Timeline({ now: () => now });
      const events = this.spans.flatMap((span, i) => [
        { at: span.start, i, end: false, span },
        ...span.end === undefined ? [] : [{ at: span.end, i, end: true, span }],
      ]).sort((a, b) =>
        a.at - b.at || Number(a.end) - Number(b.end) || a.i - b.i
      );
      for (const { at, end, span } of events) {
        now = at;
        if (!end) timeline.start(name(span.name));
        else timeline.end(name(span.name), span.outcome as "fulfilled");
      }
      // Tasks still running are drawn until they would have ended.
      now = Math.max(
        now,
        this.#run.now,
        ...this.outcome.running.map((r) => r.until ?? 0),
      );
      return timeline.render({
        unit: 1,
        unitLabel: "",
        width: 72,
        color: false,
      });
    };
    const words = this.#words;
    const es = draw((name) => name.replace(/\p{L}+/gu, (w) => words[w] ?? w));
    return { en: draw((name) => name), es: spanishChart(es) };
  }

  /**
   * The problems every exercise shares: the code got stuck, ran too long,
   * polled, left a rejection unhandled, threw when it should not have, or
   * left something running. `expect` says how the code should end.
   */
  common(
    outcome: Outcome = this.outcome,
    expect: "fulfilled" | "rejected" | "either" = "fulfilled",
  ): Text[] {
    const at = units(outcome.at);
    const problems: Text[] = [];
    const status = outcome.status === "rejected" && expect === "fulfilled"
      ? "threw"
      : outcome.status;
    const first = STATUS[status];
    if (first) {
      problems.push(text(...first, { at, error: this.show(outcome.error) }));
    }
    for (const reason of outcome.unhandled) {
      problems.push(text(...UNHANDLED, { error: this.show(reason) }));
    }
    for (const error of outcome.uncaught) {
      problems.push(text(...UNCAUGHT, { error: this.show(error) }));
    }
    if (outcome.status === "fulfilled" || outcome.status === "rejected") {
      problems.push(...this.leftRunning(outcome));
    }
    return problems;
  }

  /** What the code left running when it settled, as problems. */
  leftRunning(outcome: Outcome = this.outcome): Text[] {
    const running = outcome.running;
    const values = {
      verb: outcome.status === "rejected"
        ? text("threw", "lanzó su error")
        : text("returned", "terminó"),
      at: units(outcome.at),
      names: listOf(running.map((r) => r.name)),
      until: running.every((r) => r.until !== undefined)
        ? text(" (until {list})", " (hasta {list})", {
          list: running.length === 1
            ? units(running[0]!.until!)
            : listOf(running.map((r) => num(r.until!))),
        })
        : "",
    };
    const problems = running.length === 0 ? [] : [
      running.length === 1
        ? text(
          "Your function {verb} at {at}, but task {names} was still running{until}: nothing waited for it, and nothing stopped it.",
          "Tu función {verb} en {at}, pero la tarea {names} seguía en marcha{until}: nada la esperó y nada la paró.",
          values,
        )
        : text(
          "Your function {verb} at {at}, but tasks {names} were still running{until}: nothing waited for them, and nothing stopped them.",
          "Tu función {verb} en {at}, pero las tareas {names} seguían en marcha{until}: nada las esperó y nada las paró.",
          values,
        ),
    ];
    for (const leak of outcome.leaks) {
      const where = leak.origin ? ` (${leak.origin})` : "";
      const due = leak.due === undefined || !this.virtual
        ? ""
        : text(" (due at {due})", " (para {due})", { due: num(leak.due) });
      const [path, status] = (leak.detail ?? "").split(" ");
      problems.push(text(...LEAKS[leak.kind], {
        ...values,
        where,
        due,
        path,
        status,
      }));
    }
    return problems;
  }
}

type Message = [en: string, es: string];

/** The first problem for each way the code can end badly. */
const STATUS: Partial<Record<Status | "threw", Message>> = {
  stuck: [
    "Your code is still waiting at {at}, but nothing is left that could ever wake it up: every task is waiting for another one.",
    "Tu código sigue esperando en {at}, pero ya no queda nada que pueda despertarlo: cada tarea espera a otra.",
  ],
  late: [
    "Your code had not finished after {at}; it should be done well before.",
    "Tu código no había terminado tras {at}; debería acabar mucho antes.",
  ],
  busy: [
    `Your code woke up more than ${MAX_STEPS} times by {at} without finishing: is it checking something over and over in a loop? Wait for the thing itself instead.`,
    `Tu código despertó más de ${MAX_STEPS} veces hasta {at} sin terminar: ¿comprueba algo una y otra vez en un bucle? Espera directamente a aquello que compruebas.`,
  ],
  threw: [
    "At {at}, your code threw {error}.",
    "En {at}, tu código lanzó {error}.",
  ],
};

const UNHANDLED: Message = [
  'A promise rejected with {error} and nothing handled it: a real program would stop with "Uncaught (in promise)". Await every promise you start, or catch it.',
  'Una promesa se rechazó con {error} y nada la atendió: un programa real se pararía con "Uncaught (in promise)". Espera con await cada promesa que lances, o captúrala.',
];

const UNCAUGHT: Message = [
  'A timer callback threw {error}, where nothing can catch it: a real program would stop with "Uncaught". Catch errors inside callbacks, or use await instead of callbacks.',
  'Un callback de temporizador lanzó {error}, donde nada puede capturarlo: un programa real se pararía con "Uncaught". Captura los errores dentro de los callbacks, o usa await en vez de callbacks.',
];

/** What each kind of thing left behind does, and what to do about it. */
const LEAKS: Record<Leak["kind"], Message> = {
  timer: [
    "Your function {verb} at {at}, but a timer{where} was still pending{due}: work it started was not finished, and a real program would stay alive for it. Wait for it before returning, or cancel it (clearTimeout, an AbortSignal).",
    "Tu función {verb} en {at}, pero un temporizador{where} seguía pendiente{due}: un trabajo que lanzó no había terminado, y un programa real seguiría vivo por él. Espéralo antes de terminar, o cancélalo (clearTimeout, un AbortSignal).",
  ],
  interval: [
    "Your function {verb} at {at}, but an interval{where} was still pending{due}: work it started was not finished, and a real program would stay alive for it. Wait for it before returning, or cancel it (clearTimeout, an AbortSignal).",
    "Tu función {verb} en {at}, pero un setInterval{where} seguía pendiente{due}: un trabajo que lanzó no había terminado, y un programa real seguiría vivo por él. Espéralo antes de terminar, o cancélalo (clearTimeout, un AbortSignal).",
  ],
  request: [
    "Your function {verb} at {at}, but the request to {path}{where} was still in flight: abort it (pass fetch a signal).",
    "Tu función {verb} en {at}, pero la petición a {path}{where} seguía en curso: abórtala (pasa a fetch una señal).",
  ],
  body: [
    "The body of the {status} response from {path}{where} was never read nor cancelled: its connection stays open. Read it, or call `await response.body?.cancel()`.",
    "El cuerpo de la respuesta {status} de {path}{where} nunca se leyó ni se canceló: su conexión sigue abierta. Léelo, o llama a `await response.body?.cancel()`.",
  ],
  worker: [
    "Your function {verb} at {at}, but a worker{where} was still alive: it keeps the program running. Shut the executor down (`await using executor = new Executor()`, or `await executor.shutdown()`).",
    "Tu función {verb} en {at}, pero un worker{where} seguía vivo: mantiene el programa en marcha. Cierra el executor (`await using executor = new Executor()`, o `await executor.shutdown()`).",
  ],
};

/**
 * A chart from Timeline.render() as the Spanish text around it writes
 * numbers: decimal commas in the durations and the axis, and "activa" for a
 * task still running. Columns stay where they were: each replacement is as
 * wide as what it replaces.
 */
function spanishChart(chart: string): string {
  const lines = chart.split("\n");
  const comma = (line: string) => line.replace(/(\d)\.(\d)/g, "$1,$2");
  return lines.map((line, i) =>
    // The axis' labels: the line under a rule of dashes and ticks.
    i > 0 && /^\s*[-|]+$/.test(lines[i - 1]!)
      ? comma(line)
      : line.replace(/ running$/, "  activa").replace(
        / (\d+)\.(\d+)$/,
        " $1,$2",
      )
  ).join("\n");
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
  ].sort((a, b) => a - b);
  for (let i = 0; i + 1 < times.length; i++) {
    const from = times[i]!;
    const to = times[i + 1]!;
    if (to - from < EPSILON) continue;
    const running = spans.filter((s) =>
      s.start <= from + EPSILON && (s.end ?? Infinity) > from + EPSILON
    ).length;
    const waiting = spans.filter((s) =>
      s.start > from + EPSILON
    )
      .sort((a, b) => a.start - b.start)[0];
    if (running < capacity && waiting !== undefined) {
      return { from, to, running, waiting };
    }
  }
  return undefined;
}

// ---- An exercise: what it asks, and its check in two halves.

/** What the learner's code may do besides running: read exercises/_tasks.ts, use 127.0.0.1. */
export type Need = "tasks" | "net";

/**
 * One exercise. Its check has two halves: `observe` runs in the learner's
 * process and returns what the scenarios recorded besides their Runs;
 * `judge` runs in the checker's process on the Runs (as Scenes) and that
 * record, and throws a {@linkcode Failure} when something is wrong.
 */
export interface Exercise<Notes = unknown> {
  /** The lesson number and a letter: "04b". */
  readonly id: string;
  /** The file name without `.ts`, in exercises/ and exercises/solutions/. */
  readonly slug: string;
  /** The export the learner writes: a function (a class is one too). */
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
  /** What the learner's process may do besides computing. */
  readonly needs?: readonly Need[];
  /** The words of the chart's task names in Spanish (`download` → `descarga`). */
  readonly words?: Readonly<Record<string, string>>;
  /** Runs the scenarios on the learner's export, in the learner's process. */
  observe(session: Session): Promise<Notes>;
  /**
   * Judges what happened, in the checker's process: throws a Failure. `run`
   * is the first scenario; `runs` are all of them, in order.
   */
  judge(run: Scene, notes: Notes, runs: readonly Scene[]): void;
}

/** What `observe` is handed, in the learner's process (see `_world.ts`). */
export interface Session {
  /** The learner's export. */
  // deno-lint-ignore no-explicit-any
  readonly export: any;
  /** Names `value` (an error a scenario made) so that the judge can tell it. */
  mark<T>(value: T, name: string): T;
  /** Milliseconds per unit on real time: `base`, more on a busy machine. */
  realUnit(base: number): Promise<number>;
  /** Opens a world for one scenario; its Run is sent when it closes. */
  open(options?: {
    virtual?: boolean;
    unit?: number;
  }): import("./_world.ts").World;
}

/** A task name outside `names` rejects with an error that lists the real ones. */
export function unknownTask(name: unknown, names: readonly unknown[]): Error {
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
