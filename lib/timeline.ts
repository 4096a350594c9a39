/**
 * A recorder of when named tasks start and end, and an ASCII Gantt chart of
 * what it recorded.
 *
 * Concurrency is hard to see: three tasks that overlap print the same lines
 * as three tasks that run one after the other, only sooner. A
 * {@linkcode Timeline} writes down the start and the end of every task, answers
 * the questions a test asks ("in which order did they finish?", "how many ran
 * at once?") and draws a chart where overlapping bars show what overlapped.
 *
 * @example Record three tasks and draw them
 * ```ts
 * import { Timeline } from "@asincronia/asincronia/timeline";
 *
 * const timeline = new Timeline();
 * const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
 * await Promise.all([
 *   timeline.track("A", () => wait(20)),
 *   timeline.track("B", () => wait(10)),
 * ]);
 * console.log(timeline.completionOrder()); // ["B", "A"]
 * console.log(timeline.maxConcurrency()); // 2
 * console.log(timeline.render({ unit: 10 }));
 * ```
 *
 * @module
 */

/** How a span ended; `"running"` while it has not. */
export type SpanOutcome = "running" | "fulfilled" | "rejected";

/** One task's stay on a {@linkcode Timeline}, in milliseconds since the timeline began. */
export interface Span {
  /** The task's name, unique on its timeline. */
  readonly name: string;
  /** When the task started. */
  readonly start: number;
  /** When the task ended, or `undefined` while it runs. */
  readonly end: number | undefined;
  /** How the task ended. */
  readonly outcome: SpanOutcome;
}

/** Options for {@linkcode Timeline}. */
export interface TimelineOptions {
  /**
   * The clock, in milliseconds. Tests pass a fake one to get exact spans.
   *
   * @default {performance.now}
   */
  now?: () => number;
}

/** Options for {@linkcode Timeline.prototype.render}. */
export interface RenderOptions {
  /**
   * How many milliseconds one unit of the axis lasts; the lessons pass their
   * `unit` so that the axis reads in the notes' seconds.
   *
   * @default {1000}
   */
  unit?: number;
  /**
   * The suffix of the axis labels and durations.
   *
   * @default {"s"}
   */
  unitLabel?: string;
  /**
   * The width of the chart in columns.
   *
   * @default {the terminal's width, or 80 when standard output is not a terminal}
   */
  width?: number;
  /**
   * Whether to colour the bars with ANSI escapes.
   *
   * @default {true when standard output is a terminal and NO_COLOR is not set}
   */
  color?: boolean;
}

interface MutableSpan {
  name: string;
  start: number;
  end: number | undefined;
  outcome: SpanOutcome;
  order: number;
}

const BAR: Record<SpanOutcome, string> = {
  fulfilled: "#",
  rejected: "x",
  running: "=",
};
const ANSI: Record<SpanOutcome, string> = {
  fulfilled: "\x1b[32m",
  rejected: "\x1b[31m",
  running: "\x1b[33m",
};
const RESET = "\x1b[0m";
const TICK_STEPS = [0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500];

/**
 * Records when named tasks start and end and draws them as an ASCII Gantt
 * chart.
 *
 * Times are read from `performance.now()` (or the `now` option) and kept in
 * milliseconds since the timeline was created. Names are unique: starting a
 * name twice is an error, so that every question about a task has one answer.
 *
 * @example Assert what a test cares about
 * ```ts
 * import { Timeline } from "@asincronia/asincronia/timeline";
 *
 * const timeline = new Timeline();
 * const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
 * await Promise.all(
 *   [30, 10, 20].map((ms, i) => timeline.track(`task ${i}`, () => wait(ms))),
 * );
 * timeline.completionOrder(); // ["task 1", "task 2", "task 0"]
 * timeline.maxConcurrency(); // 3
 * ```
 */
export class Timeline {
  #now: () => number;
  #origin: number;
  #spans = new Map<string, MutableSpan>();
  #ended = 0;

  /**
   * Starts an empty timeline; its time zero is now.
   *
   * @param options The clock to read.
   */
  constructor(options: TimelineOptions = {}) {
    const now = options.now ?? (() => performance.now());
    if (typeof now !== "function") {
      throw new TypeError(
        `Cannot create timeline as 'now' must be a function: current value is ${
          String(now)
        }`,
      );
    }
    this.#now = now;
    this.#origin = now();
  }

  /** Milliseconds since the timeline began. */
  get elapsed(): number {
    return this.#now() - this.#origin;
  }

  /**
   * Records that the task `name` starts now.
   *
   * @param name A name not used before on this timeline.
   * @throws {Error} If `name` was already started.
   */
  start(name: string): void {
    if (this.#spans.has(name)) {
      throw new Error(
        `Cannot start task as its name is already on the timeline: current value is "${name}"`,
      );
    }
    this.#spans.set(name, {
      name,
      start: this.elapsed,
      end: undefined,
      outcome: "running",
      order: -1,
    });
  }

  /**
   * Records that the task `name` ends now.
   *
   * @param name A task started with {@linkcode Timeline.prototype.start}.
   * @param outcome Whether it succeeded or failed.
   * @throws {Error} If `name` was never started or has already ended.
   */
  end(name: string, outcome: "fulfilled" | "rejected" = "fulfilled"): void {
    const span = this.#spans.get(name);
    if (span === undefined) {
      throw new Error(
        `Cannot end task as it was never started: current value is "${name}"`,
      );
    }
    if (span.end !== undefined) {
      throw new Error(
        `Cannot end task as it has already ended: current value is "${name}"`,
      );
    }
    span.end = this.elapsed;
    span.outcome = outcome;
    span.order = this.#ended++;
  }

  /**
   * Starts `name`, runs `task` (or awaits it, if it is already a promise) and
   * ends `name` when it settles, as fulfilled or rejected. The result or the
   * error passes through unchanged.
   *
   * @example Track a promise
   * ```ts
   * import { Timeline } from "@asincronia/asincronia/timeline";
   *
   * const timeline = new Timeline();
   * const answer = await timeline.track("answer", async () => 42);
   * answer; // 42
   * ```
   *
   * @typeParam T The task's result.
   * @param name A name not used before on this timeline.
   * @param task A function to call now, or a promise already running.
   * @returns The task's result.
   */
  async track<T>(
    name: string,
    task: (() => T | PromiseLike<T>) | PromiseLike<T>,
  ): Promise<T> {
    this.start(name);
    try {
      const value = await (typeof task === "function" ? task() : task);
      this.end(name, "fulfilled");
      return value;
    } catch (error) {
      this.end(name, "rejected");
      throw error;
    }
  }

  /**
   * Every span, in the order the tasks started.
   *
   * @returns Copies of the spans; changing them changes nothing here.
   */
  spans(): Span[] {
    return [...this.#spans.values()]
      .sort((a, b) => a.start - b.start)
      .map(({ name, start, end, outcome }) => ({ name, start, end, outcome }));
  }

  /**
   * The span of one task.
   *
   * @param name The task's name.
   * @returns A copy of its span, or `undefined` if it never started.
   */
  span(name: string): Span | undefined {
    const span = this.#spans.get(name);
    if (span === undefined) return undefined;
    const { start, end, outcome } = span;
    return { name, start, end, outcome };
  }

  /**
   * The names of the tasks that have ended, in the order they ended.
   *
   * @returns Names, first finisher first.
   */
  completionOrder(): string[] {
    return [...this.#spans.values()]
      .filter((span) => span.end !== undefined)
      .sort((a, b) => a.order - b.order)
      .map((span) => span.name);
  }

  /**
   * The largest number of tasks that were running at the same moment. A task
   * that ends at the very instant another starts does not overlap it; a task
   * still running counts until now.
   *
   * @returns 0 for an empty timeline.
   */
  maxConcurrency(): number {
    // Ends sort before starts at the same instant: a hand-off is not overlap.
    const events: [time: number, delta: number][] = [];
    for (const span of this.#spans.values()) {
      events.push([span.start, 1]);
      if (span.end !== undefined) events.push([span.end, -1]);
    }
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let running = 0;
    let peak = 0;
    for (const [, delta] of events) {
      running += delta;
      if (running > peak) peak = running;
    }
    return peak;
  }

  /**
   * Draws the timeline as a Gantt chart: one row per task in start order, its
   * bar where it ran (`#` fulfilled, `x` rejected, `=` still running), its
   * duration on the right, and an axis in `unit`s below.
   *
   * @example A chart of two tasks
   * ```ts
   * import { Timeline } from "@asincronia/asincronia/timeline";
   *
   * let t = 0;
   * const timeline = new Timeline({ now: () => t });
   * timeline.start("A");
   * timeline.start("B");
   * t = 1000;
   * timeline.end("B");
   * t = 2000;
   * timeline.end("A");
   * console.log(timeline.render({ width: 40, color: false }));
   * // A ############################## 2.00s
   * // B ###############...............  1.00s
   * // ...and an axis: 0s, 1s, 2s
   * ```
   *
   * @param options Scale, width and colour.
   * @returns The chart, lines joined by `\n`, with no trailing newline.
   * @throws {RangeError} If `unit` is not a positive finite number or `width`
   * leaves no room for bars.
   */
  render(options: RenderOptions = {}): string {
    const unit = options.unit ?? 1000;
    if (!(Number.isFinite(unit) && unit > 0)) {
      throw new RangeError(
        `Cannot render timeline as 'unit' must be a positive number: current value is ${unit}`,
      );
    }
    const label = options.unitLabel ?? "s";
    const width = options.width ?? terminalWidth();
    const color = options.color ?? colorByDefault();
    const spans = this.spans();
    const now = this.elapsed;
    const total = Math.max(
      unit,
      ...spans.map((span) => span.end ?? now),
    );
    const format = (ms: number) => `${(ms / unit).toFixed(2)}${label}`;
    const nameWidth = Math.max(0, ...spans.map((span) => span.name.length));
    const durations = spans.map((span) =>
      span.end === undefined ? "running" : format(span.end - span.start)
    );
    const durationWidth = Math.max(
      format(total).length,
      ...durations.map((d) => d.length),
    );
    const columns = width - nameWidth - durationWidth - 2;
    if (!Number.isInteger(width) || columns < 10) {
      throw new RangeError(
        `Cannot render timeline as 'width' leaves no room for bars: current value is ${width}`,
      );
    }
    const scale = columns / total;
    const column = (ms: number) => Math.min(columns, Math.round(ms * scale));

    const rows = spans.map((span, i) => {
      const from = Math.min(column(span.start), columns - 1);
      const to = Math.max(from + 1, column(span.end ?? now));
      let bar = BAR[span.outcome].repeat(to - from);
      if (color) bar = ANSI[span.outcome] + bar + RESET;
      return span.name.padEnd(nameWidth) + " " + ".".repeat(from) + bar +
        ".".repeat(columns - to) + " " + durations[i]!.padStart(durationWidth);
    });

    // The axis: a tick every `step` units, with room for each label.
    const widest = format(total).length + 1;
    const step = TICK_STEPS.find((s) => s * unit * scale >= widest) ??
      Math.ceil(total / unit);
    const ticks = [];
    for (let k = 0; k * step * unit <= total + 1e-9; k++) ticks.push(k * step);
    const indent = " ".repeat(nameWidth + 1);
    const axis = Array.from({ length: columns + 1 }, () => "-");
    let labels = "";
    for (const tick of ticks) {
      const at = column(tick * unit);
      axis[at] = "|";
      const text = `${Number(tick.toFixed(2))}${label}`;
      if (at >= labels.length) labels = labels.padEnd(at) + text;
    }
    rows.push(indent + axis.join(""), (indent + labels).trimEnd());
    return rows.map((row) => row.trimEnd()).join("\n");
  }
}

function terminalWidth(): number {
  try {
    if (globalThis.Deno?.stdout.isTerminal()) {
      return Deno.consoleSize().columns;
    }
  } catch {
    // Not a terminal after all: fall through to the default.
  }
  return 80;
}

function colorByDefault(): boolean {
  try {
    return Boolean(globalThis.Deno?.stdout.isTerminal()) && !Deno.noColor;
  } catch {
    return false;
  }
}
