/**
 * What every check is built from, on both sides of it. Learners can skip
 * this file.
 *
 * A check runs in two processes (exercises/_run.ts). The learner's process
 * runs the learner's code in the Worlds of `_world.ts` and sends back what
 * happened as data: a {@linkcode Run} per scenario. The checker's process
 * reads each Run back as a {@linkcode Scene} and judges it; the problems it
 * finds are bilingual {@linkcode Text}s.
 *
 * @module
 */
import { describe as brief } from "../course/errors.ts";
import { type Lang, type Text, text } from "../course/i18n.ts";
import { Timeline } from "../lib/timeline.ts";
import type { Checking } from "./_world.ts";
import TEXTS from "./_texts.json" with { type: "json" };

export { type Lang, type Text, text };

/** `n` with one decimal, as each language writes it: "2.5", "2,5". */
export function num(n: number): Text {
  const en = (Math.round(n * 10) / 10).toFixed(1);
  return { en, es: en.replace(".", ",") };
}

/** "2.0 units" / "2,0 unidades"; "1.0 unit" / "1,0 unidades" (a decimal takes the plural in Spanish). */
export function units(n: number): Text {
  const { en, es } = num(n);
  return { en: `${en} unit${en === "1.0" ? "" : "s"}`, es: `${es} unidades` };
}

/** "A, B and C" / "A, B y C". */
export function listOf(items: readonly (string | Text)[]): Text {
  const list = (lang: Lang) =>
    new Intl.ListFormat(lang === "en" ? "en-GB" : "es").format(
      items.map((item) => typeof item === "string" ? item : item[lang]),
    );
  return { en: list("en"), es: list("es") };
}

/** The {@linkcode text} of `yes` when `when` holds, else of `no`. */
export function textIf(
  when: boolean,
  yes: Message,
  no: Message,
  values?: Readonly<Record<string, unknown>>,
): Text {
  return text(...when ? yes : no, values);
}

/** Times closer than this (in units) are the same instant. */
export const EPSILON = 1e-6;

// ---- Values of the learner's process, as data.

/**
 * An object of the learner's process, as the checker sees it: how it reads
 * ({@linkcode describe}), the name a scenario gave it (`"B"`, see
 * `Checking.mark`) and, for an error, the learner's line that threw it and
 * an AggregateError's errors.
 */
export class Foreign {
  declare readonly shown: string;
  declare readonly ref?: string;
  declare readonly where?: string;
  declare readonly errors?: readonly unknown[];
}

/** The name a scenario gave to `value`, if any. */
export function refOf(value: unknown): string | undefined {
  return value instanceof Foreign ? value.ref : undefined;
}

/** Whether `error` is the error named `ref`, alone or in an AggregateError. */
export function carries(error: unknown, ref: string): boolean {
  return refOf(error) === ref ||
    (error instanceof Foreign && !!error.errors?.some((e) => refOf(e) === ref));
}

const MAX_ITEMS = 1000;

/**
 * `value` as JSON text; `marks` names the scenario's own objects, `where`
 * finds the learner's line in an error. `undefined` is `{ $: "u" }`, a plain
 * object its entries (`{ $: "p" }`, so that no object of the learner's can
 * pass for a tag), and anything else JSON cannot hold a
 * {@linkcode Foreign} (`{ $: "o" }`). Never throws: what cannot be written
 * (a cycle, a getter that throws) is sent as it reads.
 */
export function encode(
  value: unknown,
  marks: ReadonlyMap<unknown, string>,
  where: (error: Error) => string | undefined,
): string {
  const tag = (raw: unknown): unknown => {
    if (raw === undefined) return { $: "u" };
    if (raw === null || ["string", "boolean"].includes(typeof raw)) return raw;
    if (Array.isArray(raw) && raw.length <= MAX_ITEMS) return raw;
    if (Number.isFinite(raw) && !Object.is(raw, -0)) return raw;
    const proto = typeof raw === "object" && Object.getPrototypeOf(raw);
    if (
      (proto === Object.prototype || proto === null) &&
      Object.keys(raw as object).length <= MAX_ITEMS
    ) return { $: "p", v: Object.entries(raw as object) };
    const error = raw instanceof Error ? raw : undefined;
    return {
      $: "o",
      shown: describe(raw),
      ref: marks.get(raw),
      where: error && where(error),
      errors: error instanceof AggregateError && Array.isArray(error.errors)
        ? error.errors.slice(0, MAX_ITEMS)
        : undefined,
    };
  };
  const whole = (value: unknown): string => {
    try {
      return JSON.stringify(value, function (this: Record<string, unknown>, k) {
        return tag(this[k]);
      });
    } catch {
      let shown = "a value that cannot be shown";
      try {
        shown = describe(value);
      } catch { /* as above */ }
      return JSON.stringify({ $: "o", shown });
    }
  };
  // Of a plain object, each entry on its own: a value that cannot be
  // written (a cycle, 5,000 arrays deep) spoils no entry beside it.
  if (value == null || Object.getPrototypeOf(value) !== Object.prototype) {
    return whole(value);
  }
  const entries = Object.entries(value as object).map(([key, entry]) =>
    `[${JSON.stringify(key)},${whole(entry)}]`
  );
  return `{"$":"p","v":[${entries.join(",")}]}`;
}

/** {@linkcode encode}'s text back as values. */
export function decode(data: string): unknown {
  return JSON.parse(data, (_, v) => {
    if (v?.$ === "u") return undefined;
    if (v?.$ === "p") return Object.fromEntries(v.v);
    if (Array.isArray(v)) return Array.from(v); // its undefineds, not holes
    return v?.$ === "o" ? Object.assign(new Foreign(), v) : v;
  });
}

/**
 * A value as a learner wants to read it: `"busy"`, `[80, 120]`,
 * `{ a: 1 }`, `Error: B broke`, `undefined`.
 */
export function describe(value: unknown, depth = 0): string {
  if (value instanceof Foreign) return value.shown;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  const array = Array.isArray(value);
  const plain = array || typeof value === "object" && value !== null &&
      Object.getPrototypeOf(value) === Object.prototype;
  if (!plain) return brief(value);
  if (depth > 1) return array ? "[…]" : "{…}";
  const entries = Object.entries(value as object);
  const shown = entries.slice(0, 8).map(([key, item]) =>
    (array ? "" : `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : brief(key)}: `) +
    describe(item, depth + 1)
  );
  if (entries.length > 8) shown.push(`… ${entries.length - 8} more`);
  if (array) return `[${shown.join(", ")}]`;
  return shown.length ? `{ ${shown.join(", ")} }` : "{}";
}

// ---- What the learner's process sends: one Run per scenario.

/**
 * Something the learner's code started and did not finish or stop: the
 * learner's line that started it (`file.ts:12`), when known; for a timer on
 * simulated time, when it would fire, in units; for a request or a body,
 * the URL's path and, for a body, the status.
 */
export interface Leak {
  kind: "timer" | "interval" | "request" | "body" | "worker";
  origin?: string | undefined;
  due?: number | undefined;
  detail?: string;
}

/**
 * How the learner's code ended: "stuck" is waiting with nothing left that
 * could wake it, "late" still running at the run's limit, "busy" woke up
 * too many times without moving on (polling in a tight loop).
 */
export type Status = "fulfilled" | "rejected" | "stuck" | "late" | "busy";

/**
 * What a run of the learner's code did: how it ended, and when (or when the
 * run gave up), in units; what it resolved to or rejected with; the
 * simulated tasks still running when it settled, with when they would have
 * ended; what it left behind; the rejections nobody handled and the errors
 * timer callbacks threw, which nothing could catch.
 */
export interface Outcome {
  readonly status: Status;
  readonly at: number;
  readonly value: unknown;
  readonly error: unknown;
  readonly running: readonly { name: string; until: number | undefined }[];
  readonly leaks: readonly Leak[];
  readonly unhandled: readonly unknown[];
  readonly uncaught: readonly unknown[];
}

/** A task's stay on a scenario's timeline, in units (end: still running). */
export interface UnitSpan {
  readonly name: string;
  readonly start: number;
  readonly end: number | undefined;
  readonly outcome: "running" | "fulfilled" | "rejected";
}

/**
 * One scenario as data: the ms of its unit, whether time was simulated,
 * when it ended (where the chart stops), every task in the order they
 * started, those that stopped because their signal aborted, the names
 * started twice, and the outcome, its values {@linkcode encode}d; on real
 * time, given a margin, the largest share of any stretch that long that the
 * learner's process lost to hold-ups.
 */
export interface Run
  extends Omit<Outcome, "value" | "error" | "unhandled" | "uncaught"> {
  readonly unit: number;
  readonly virtual: boolean;
  readonly now: number;
  readonly spans: readonly UnitSpan[];
  readonly cancelled: readonly string[];
  readonly twice: readonly string[];
  readonly values: string;
  readonly held?: number;
}

/** Whether hold-ups took half of `run`'s margin: its timing may be bent. */
export const heldUp = (run: Run): boolean => (run.held ?? 0) >= 0.5;

// ---- The checker's side: judging a Run.

/** How a run's code should end. */
type Expect = "fulfilled" | "rejected" | "either";

/** A check that found something wrong: the problems, most important first, and the chart of the run. */
export class Failure extends Error {
  override name = "Failure";
  declare readonly problems: Text[];
  declare readonly chart?: Text;
  declare readonly unit?: number;
  constructor(problems: Text[], chart?: Text, unit?: number) {
    super(problems[0]?.en ?? "failed");
    Object.assign(this, { problems, chart, unit });
  }
}

/** The most steps a simulated run takes before it is called busy. */
export const MAX_STEPS = 5_000;

/** A Run, read back by the checker: what judges look at. */
export class Scene {
  /** How the learner's code ended, its values decoded. */
  readonly outcome: Outcome;
  /** Tasks that stopped because their signal aborted. */
  readonly cancelled: ReadonlySet<string>;

  readonly run: Run;
  readonly words: Readonly<Record<string, string>>;
  /** Every task, in units, in the order they started. */
  readonly spans: readonly UnitSpan[];

  /** `run` as sent; `words` puts the tasks' names in Spanish. */
  constructor(run: Run, words: Readonly<Record<string, string>> = {}) {
    this.run = run;
    this.words = Object.assign(Object.create(null), words); // its own words
    this.spans = run.spans;
    this.cancelled = new Set(run.cancelled);
    this.outcome = { ...run, ...decode(run.values) as Outcome };
  }

  /** A task's name as the Spanish text and chart write it (`descarga 0`). */
  readonly es = (name: string): string =>
    name.replace(/\p{L}+/gu, (w) => this.words[w] ?? w);

  /** The span of `name`, if it ran. */
  span(name: string): UnitSpan | undefined {
    return this.spans.find((span) => span.name === name);
  }

  /** The span of `name`; if it never ran, a Failure saying so, after how the code ended (expected: `expect`). */
  spanOf(name: string, expect?: Expect): UnitSpan {
    return this.span(name) ?? this.fail(
      this.common(undefined, expect).concat(text(
        `Task ${name} never ran.`,
        `La tarea ${this.es(name)} no llegó a ejecutarse.`,
      )),
    );
  }

  /**
   * For each of `names` that started later than 0: `what` (the noun, "Task"
   * unless it says) started at …; it could have started at 0.0, `why`.
   */
  startedLate(names: readonly string[], why: Text, what = TASK): Text[] {
    const late = names.filter((name) => this.spanOf(name).start > EPSILON);
    return late.map((name) =>
      text(
        "{what} {name} started at {start}; it could have started at 0.0: {why}.",
        "{what} {name} empezó en {start}; podía haber empezado en 0,0: {why}.",
        { what, name, start: units(this.spanOf(name).start), why },
      )
    );
  }

  /** Throws a Failure with `problems` and this scene's chart. */
  fail(problems: Text[]): never {
    throw new Failure(problems, this.chart(), this.run.unit);
  }

  /**
   * Throws a Failure if there are problems: `problems`, then tasks started
   * twice, then {@linkcode Scene.common}'s, for the outcome (or `outcome`)
   * expected to end as `expect` says; those alone if it polled till cut off.
   */
  judge(problems: Text[], expect?: Expect, outcome?: Outcome): void {
    const common = this.common(outcome, expect);
    const busy = (outcome ?? this.outcome).status === "busy";
    const all = busy ? common : [...problems, ...this.twice(), ...common];
    if (all.length > 0) this.fail(all);
  }

  /** Judges a run set up otherwise than the first: `problems` and {@linkcode Scene.common}'s; if any, first `why`, how it differs. */
  rejudge(why: Text, problems: Text[] = []): void {
    const all = [...problems, ...this.common()];
    if (all.length > 0) this.fail([why, ...all]);
  }

  /** Judges a run whose tasks took `durations`, not the task's text's: was every task waited for? */
  retimed(durations: Readonly<Record<string, number>>): void {
    const list = Object.entries(durations).map(([name, d]) =>
      text(`${name} {d}`, `${name} {d}`, { d: num(d) })
    );
    this.rejudge(text(
      "The check ran your code again with other durations ({list} units): wait for every task you start, not only the one that ends last with the exercise's durations.",
      "La comprobación volvió a ejecutar tu código con otras duraciones ({list} unidades): espera a todas las tareas que lances, no solo a la que acaba la última según el enunciado.",
      { list: listOf(list) },
    ));
  }

  /** Problems for tasks the learner's code started more than once. */
  twice(): Text[] {
    return this.run.twice.map((name) =>
      text(
        "Task {name} was started more than once; start each task once.",
        "La tarea {name} se lanzó más de una vez; lanza cada tarea una sola vez.",
        { name: text(name, this.es(name)) },
      )
    );
  }

  /** An error as a learner wants to read it: `TypeError: x is not a function (03a_overlap.ts:12)`. */
  show(error: unknown): string {
    const where = error instanceof Foreign && error.where;
    return where ? `${describe(error)} (${where})` : describe(error);
  }

  /** The timeline as a chart in each language, 72 columns wide. */
  chart(): Text | undefined {
    if (this.spans.length === 0) return undefined;
    const draw = (name: (name: string) => string) => {
      let now = 0;
      const timeline = new Timeline({ now: () => now });
      // Starts and ends in time order; at the same time, ends last.
      const events = this.spans.flatMap((span, i) => [
        { at: span.start, i, span, end: 0 },
        ...span.end === undefined ? [] : [{ at: span.end, i, span, end: 1 }],
      ]).sort((a, b) => a.at - b.at || a.end - b.end || a.i - b.i);
      for (const { at, end, span } of events) {
        now = at;
        if (end) timeline.end(name(span.name), span.outcome as "fulfilled");
        else timeline.start(name(span.name));
      }
      // Tasks still running are drawn until they would have ended: the
      // chart to the last end, then each bar cut where its own end falls.
      const running = this.outcome.running;
      now = Math.max(now, this.run.now, ...running.map((r) => r.until ?? 0));
      const rows = timeline.render(CHART).split("\n");
      const axis = rows[this.spans.length] ?? "";
      const [pad, stop] = [axis.indexOf("|"), axis.length - 1]; // the bars'
      return rows.map((row, i) => {
        const end = running.find((r) => r.name === this.spans[i]?.name)?.until;
        if (end === undefined || pad < 0) return row;
        const at = pad + Math.round(end * (stop - pad) / Math.max(1, now));
        const cut = Math.max(row.indexOf("=", pad) + 1, at);
        const rest = row.slice(cut, stop).replaceAll("=", ".");
        return row.slice(0, cut) + rest + row.slice(stop);
      }).join("\n");
    };
    return { en: draw((name) => name), es: spanishChart(draw(this.es)) };
  }

  /**
   * The problems every exercise shares: the code got stuck, ran too long,
   * polled, left a rejection unhandled, threw when it should not have, or
   * left something running. `expect` says how the code should end.
   */
  common(outcome = this.outcome, expect: Expect = "fulfilled"): Text[] {
    const { status, at } = outcome;
    const threw = status === "rejected" && expect === "fulfilled";
    const first = STATUS[threw ? "threw" : status];
    const error = (e: unknown) => ({ at: units(at), error: this.show(e) });
    const problems = [
      ...first ? [text(...first, error(outcome.error))] : [],
      ...outcome.unhandled.map((e) => text(...UNHANDLED, error(e))),
      ...outcome.uncaught.map((e) => text(...UNCAUGHT, error(e))),
    ];
    if (status !== "fulfilled" && status !== "rejected") return problems;
    return [...problems, ...this.leftRunning(outcome)];
  }

  /** What the code left running when it settled, as problems. */
  leftRunning(outcome: Outcome = this.outcome): Text[] {
    const running = outcome.running;
    const values = {
      verb: outcome.status === "rejected"
        ? text("threw", "lanzó su error")
        : text("returned", "terminó"),
      at: units(outcome.at),
      names: listOf(running.map((r) => text(r.name, this.es(r.name)))),
      until: running.every((r) => r.until !== undefined)
        ? text(" (until {list})", " (hasta {list})", {
          list: running.length === 1
            ? units(running[0]!.until!)
            : listOf(running.map((r) => num(r.until!))),
        })
        : "",
    };
    const problems = running.length === 0 ? [] : [textIf(running.length === 1, [
      "Your function {verb} at {at}, but task {names} was still running{until}: nothing waited for it, and nothing stopped it.",
      "Tu función {verb} en {at}, pero la tarea {names} seguía en marcha{until}: nada la esperó y nada la paró.",
    ], [
      "Your function {verb} at {at}, but tasks {names} were still running{until}: nothing waited for them, and nothing stopped them.",
      "Tu función {verb} en {at}, pero las tareas {names} seguían en marcha{until}: nada las esperó y nada las paró.",
    ], values)];
    for (const leak of outcome.leaks) {
      const [path, status] = (leak.detail ?? "").split(" ");
      problems.push(
        text(...LEAKS[leak.kind === "interval" ? "timer" : leak.kind], {
          ...values,
          what: leak.kind === "interval"
            ? text("an interval", "un setInterval")
            : text("a timer", "un temporizador"),
          where: leak.origin ? ` (${leak.origin})` : "",
          due: leak.due === undefined || !this.run.virtual
            ? ""
            : text(" (due at {due})", " (para {due})", { due: num(leak.due) }),
          path,
          status,
        }),
      );
    }
    return problems;
  }
}

type Message = [en: string, es: string];

const TASK = text("Task", "La tarea");

/** A problem if the learner's code changed `name`, an input it was handed: `was`, now `now`. */
export function changed(name: string, was: unknown, now: unknown): Text[] {
  return describe(was) === describe(now) ? [] : [text(
    "Your function changed {name}, which it was handed (it is now {now}, it was {was}): leave the caller's data as it is, and keep what you need to change in a copy of your own.",
    "Tu función cambió {name}, que recibió (ahora es {now}, era {was}): deja los datos de quien llama como están, y guarda lo que necesites cambiar en una copia tuya.",
    { name, now: describe(now), was: describe(was) },
  )];
}

/** What {@linkcode Scene.startedLate} says of jobs that share nothing. */
export const JOBS_APART: [why: Text, what: Text] = [
  text(
    "the jobs need nothing from each other",
    "los trabajos no dependen entre sí",
  ),
  text("Job", "El trabajo"),
];

const CHART = { unit: 1, unitLabel: "", width: 72, color: false } as const;

/** The first problem for each way the code can end badly. */
const STATUS: Partial<Record<Status | "threw", Message>> = {
  stuck: [
    "Your code is still waiting at {at}, but nothing is left that could ever wake it up: each waiter waits for another, for a lock or permit never released, an Event never set, a promise never settled, or a timer the check cannot see (use the global setTimeout, not node:timers).",
    "Tu código sigue esperando en {at}, pero ya no queda nada que pueda despertarlo: cada uno espera a otro, a un lock o permiso que nunca se libera, a un Event que nunca se activa, a una promesa que nunca se resuelve, o a un temporizador que la comprobación no ve (usa el setTimeout global, no node:timers).",
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
  "Una promesa se rechazó con {error} y nada la atendió: un programa real se pararía con «Uncaught (in promise)». Espera con await cada promesa que lances, o captúrala.",
];

const UNCAUGHT: Message = [
  'A timer callback threw {error}, where nothing can catch it: a real program would stop with "Uncaught". Catch errors inside callbacks, or use await instead of callbacks.',
  "Un callback de temporizador lanzó {error}, donde nada puede capturarlo: un programa real se pararía con «Uncaught». Captura los errores dentro de los callbacks, o usa await en vez de callbacks.",
];

/** What each kind of thing left behind does, and what to do about it. */
const LEAKS: Record<Exclude<Leak["kind"], "interval">, Message> = {
  timer: [
    "Your function {verb} at {at}, but {what}{where} was still pending{due}: work it started was not finished, and a real program would stay alive for it. Wait for it before returning, or cancel it (clearTimeout, an AbortSignal).",
    "Tu función {verb} en {at}, pero {what}{where} seguía pendiente{due}: un trabajo que lanzó no había terminado, y un programa real seguiría vivo por él. Espéralo antes de terminar, o cancélalo (clearTimeout, un AbortSignal).",
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
 * numbers: decimal commas in the durations and the axis (the only digits
 * around a point: bars are marks, names words), and "activa" for a task
 * still running. Each replacement is as wide as what it replaces.
 */
const spanishChart = (chart: string): string =>
  chart.replace(/(\d)\.(\d)/g, "$1,$2").replace(/ running$/gm, "  activa");

/** How many of `spans` run at `t`. */
function runningAt(spans: readonly UnitSpan[], t: number): number {
  return spans.filter((s) =>
    s.start <= t + EPSILON && (s.end ?? Infinity) > t + EPSILON
  ).length;
}

/** The first instant when more than `limit` spans ran at once, and how many; undefined if never. */
export function overLimit(spans: readonly UnitSpan[], limit: number) {
  const at = spans.map((s) => s.start).sort((a, b) => a - b)
    .find((t) => runningAt(spans, t) > limit);
  return at === undefined ? undefined : { at, count: runningAt(spans, at) };
}

/**
 * The first stretch of time when fewer than `capacity` spans ran although
 * one of `spans` had not started yet: a slot stood idle while work waited.
 */
export function idleSlot(spans: readonly UnitSpan[], capacity: number) {
  const times = [...new Set(spans.flatMap((s) => [s.start, s.end ?? s.start]))]
    .sort((a, b) => a - b);
  for (let i = 0; i + 1 < times.length; i++) {
    const [from, to] = [times[i]!, times[i + 1]!];
    const running = runningAt(spans, from);
    const waiting = spans.filter((s) => s.start > from + EPSILON)
      .sort((a, b) => a.start - b.start)[0];
    if (to - from >= EPSILON && running < capacity && waiting) {
      return { from, to, running, waiting };
    }
  }
  return undefined;
}

// ---- An exercise: what it asks, and its check in two halves.

/**
 * One exercise. Its check has two halves: `observe` runs in the learner's
 * process and returns what the scenarios recorded besides their Runs;
 * `judge` runs in the checker's process on the Runs (as Scenes) and that
 * record, and throws a {@linkcode Failure} when something is wrong.
 */
export interface Exercise<Notes = unknown> {
  /** The lesson's number and a letter ("04b"); the file name without `.ts`; the export the learner writes (a function or a class). */
  readonly id: string;
  readonly slug: string;
  readonly export: string;
  /** A short title; what passing shows; hints, from gentle to nearly the answer. */
  readonly title: Text;
  readonly success: Text;
  readonly hints: readonly Text[];
  /** Whether the check needs real time, and what the learner's process may do besides computing: read exercises/_tasks.ts or use 127.0.0.1. */
  readonly real?: boolean;
  readonly needs?: "tasks" | "net";
  /** The words of the chart's task names in Spanish (`download` → `descarga`). */
  readonly words?: Readonly<Record<string, string>>;
  /** Runs the scenarios on the learner's export, in the learner's process. */
  observe(session: Checking): Promise<Notes>;
  /** Judges, in the checker's process: `run` is the first scenario, `runs` all of them. Throws a Failure. */
  judge(run: Scene, notes: Notes, runs: readonly Scene[]): void;
}

/** What a learner reads of an exercise besides its check's feedback. */
type Texts = Pick<Exercise, "title" | "success" | "hints">;

/**
 * An exercise as its check module writes it: its id comes from its slug,
 * its export is `main` unless it says, its title, success text and hints
 * come from `_texts.json`, which holds every text a learner reads of the
 * exercises besides the checks' feedback.
 */
export function define<Notes>(
  spec: Omit<Exercise<Notes>, "id" | "export" | keyof Texts> & {
    export?: string;
  },
): Exercise<Notes> {
  const id = spec.slug.slice(0, 3);
  const texts = (TEXTS as Record<string, Texts>)[id]!;
  return { id, export: "main", ...texts, ...spec };
}

/** A task name outside `names` rejects with an error that lists the real ones. */
export function unknownTask(name: unknown, names: readonly unknown[]) {
  const list = names.join(", ");
  const message = `There is no task ${describe(name)}; the tasks are ${list}`;
  return Promise.reject(new RangeError(message));
}

/** `told`, problems of a run where the check handed the learner's code another `tool` than in its first run (`now`, not `was`: numbers or lists), with one that says so second: first the problem, as the first run would have said it. */
export function again(told: Text[], changed: unknown[], tool = "tools.unit") {
  const [now, was] = changed, ms = tool === "tools.unit" ? " ms" : "";
  if (now === was || told.length === 0) return told;
  const why = text(
    "The check ran your code again with {tool} = {now}{ms}, not {was}: use {tool} itself, whatever it is, not one written into your code.",
    "La comprobación volvió a ejecutar tu código con {tool} = {now}{ms}, no {was}: usa el propio {tool}, valga lo que valga, no uno escrito en tu código.",
    { tool, now: describe(now), was: describe(was), ms },
  );
  return told.toSpliced(1, 0, why);
}

/** Runs `judge` on a run set up as {@linkcode again} says: its Failure, even one of a task that never ran or of {@linkcode Scene.common}'s problems alone, says so second. */
export function toldAgain(judge: () => void, changed: unknown[], tool: string) {
  retold(judge, (problems) => again(problems, changed, tool));
}

/** Runs `judge` on a run set up as the first was: its Failure says first that what the learner's code keeps at module level is why. */
export function toldSame(judge: () => void): void {
  retold(judge, (problems) => [KEEPS_STATE, ...problems]);
}

/** Why a function went wrong only when run again as it was the first time. */
export const KEEPS_STATE: Text = text(
  "The check ran your function again as it did the first time, and it went wrong where its first run went right: it keeps state from one call to the next at module level. Make the state a call keeps (a Set, a counter, a queue) in each call, not one for the whole module.",
  "La comprobación volvió a ejecutar tu función como la primera vez, y falló donde su primera ejecución acertó: guarda estado de una llamada a otra a nivel de módulo. Crea el estado que guarda una llamada (un Set, un contador, una cola) en cada llamada, no uno para todo el módulo.",
);

function retold(judge: () => void, tell: (problems: Text[]) => Text[]) {
  try {
    judge();
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    throw new Failure(tell(e.problems), e.chart, e.unit);
  }
}

/** What to tell a learner whose function, run again, handed `what` a signal aborted in an earlier run. */
export const staleSignal = (what: Text | string): Text =>
  text(
    "The check ran your function again, and {what} was handed a signal that had already aborted, so it stopped as soon as it began: make a new AbortController in each call, not one for the whole module.",
    "La comprobación volvió a ejecutar tu función, y {what} recibió una señal que ya estaba abortada, así que paró nada más empezar: crea un AbortController nuevo en cada llamada, no uno para todo el módulo.",
    { what },
  );

/** Rejects for a `signal` that is neither absent nor an `AbortSignal`; undefined when it is fine. */
export function badSignal(signal: unknown): Promise<never> | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return undefined;
  const message = `The signal must be an AbortSignal: current value is ${
    describe(signal)
  }`;
  return Promise.reject(new TypeError(message));
}
