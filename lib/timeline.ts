/**
 * A recorder of when named tasks start and end, and a Gantt chart of it in
 * ASCII or SVG: a {@linkcode Timeline} answers the questions a test asks ("in
 * which order did they finish?", "how many ran at once?") and shows overlaps.
 *
 * @module
 */
import {
  describe,
  fn,
  number,
  options as checkOptions,
  refuse,
  string,
} from "./_check.ts";

/** How a span ended; `"running"` while it has not. */
export type SpanOutcome = "running" | "fulfilled" | "rejected";

/** One task's stay on a {@linkcode Timeline}, in ms since the timeline began. */
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
   * The clock, in ms; a fake one gives exact spans.
   *
   * @default {performance.now}
   */
  now?: () => number;
}

/** The scale of a chart: options of both {@linkcode Timeline.prototype.render} and {@linkcode Timeline.prototype.toSVG}. */
export interface ScaleOptions {
  /**
   * How many ms one unit of the axis lasts: any positive finite number.
   * From a million units on, labels are in exponent form (`2.30e+300s`),
   * never a 20-digit number or `Infinity`.
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
}

/** Options for {@linkcode Timeline.prototype.render}. */
export interface RenderOptions extends ScaleOptions {
  /**
   * The width of the chart in columns: an integer from 20 to 1000 (see
   * {@linkcode Timeline.prototype.render}).
   *
   * @default {the terminal's width (kept within 20 to 1000), or 80 when not a terminal}
   */
  width?: number;
  /**
   * Whether to colour the bars with ANSI escapes.
   *
   * @default {true when standard output is a terminal and NO_COLOR is not set}
   */
  color?: boolean;
}

/** Options for {@linkcode Timeline.prototype.toSVG}. */
export interface SvgOptions extends ScaleOptions {
  /**
   * The width of the picture in pixels: an integer from 200 to 4000.
   *
   * @default {720}
   */
  width?: number;
  /**
   * The picture's accessible `<title>`.
   *
   * @default {"Timeline of N tasks"}
   */
  title?: string;
}

/** A span as recorded. */
type MutableSpan = { -readonly [K in keyof Span]: Span[K] };

/** How render() draws a bar: its character and its ANSI colour. */
const BAR = {
  fulfilled: ["#", 32],
  rejected: ["x", 31],
  running: ["=", 33],
} as const;

/** Below this width the chart has no axis. */
const NARROW = 40;
/** The fewest columns of bars; names and durations give way to keep them. */
const MIN_BARS = 10;
/** Names are cut no shorter than this while durations can give way instead. */
const SHORT_NAME = 6;

/** The width of a character of the SVG's 12px monospace font, in pixels. */
const CHAR = 7.2;
/** The SVG's margin, the gap between its columns, a row, the axis' height. */
const [PAD, GAP, ROW, AXIS] = [12, 10, 22, 24];
/** The most characters of a name that a bar's tooltip repeats. */
const TIP = 200;
/** The SVG's colours, light then dark; every class starts with `tl-`. */
const SVG_STYLE =
  '.tl-bg{fill:#ffffff;stroke:#d1d9e0}.tl-name,.tl-note,.tl-tick{font:12px ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;fill:#1f2328}' +
  ".tl-note,.tl-tick{fill:#59636e}.tl-axis{stroke:#59636e}.tl-grid{stroke:#d1d9e0;stroke-dasharray:2 3}" +
  ".tl-fulfilled{fill:#1a7f37}.tl-rejected{fill:#cf222e}.tl-running{fill:#9a6700}@media (prefers-color-scheme:dark){" +
  ".tl-bg{fill:#0d1117;stroke:#3d444d}.tl-name{fill:#e6edf3}.tl-note,.tl-tick{fill:#9198a1}.tl-axis{stroke:#9198a1}" +
  ".tl-grid{stroke:#3d444d}.tl-fulfilled{fill:#3fb950}.tl-rejected{fill:#f85149}.tl-running{fill:#d29922}}";

/**
 * Records when named tasks start and end, in ms since the timeline was
 * created, and draws them as a Gantt chart. A name is unique: starting it
 * twice is an error, so that every question about a task has one answer.
 */
export class Timeline {
  #now: () => number;
  #origin = 0;
  #spans = new Map<string, MutableSpan>();
  /** The names of the tasks that ended, in the order they did. */
  #ended: string[] = [];

  /**
   * Starts an empty timeline; its time zero is now.
   *
   * @throws {TypeError} If `now` does not return a finite number (then, or
   * at any later reading, which must also be a finite time from the first).
   */
  constructor(options?: TimelineOptions) {
    const action = "create timeline";
    const { now = () => performance.now() } = checkOptions(options, action);
    this.#now = fn(now, action, "now");
    this.#origin = this.#read(action);
  }

  /** The clock, in ms since the origin: a finite number, a finite time away. */
  #read(action: string): number {
    const time = this.#now();
    if (!Number.isFinite(time) || !Number.isFinite(time - this.#origin)) {
      const far = Number.isFinite(time) && "time from the first reading";
      refuse(TypeError, action, "now()", `a finite ${far || "number"}`, time);
    }
    return time - this.#origin;
  }

  /** Milliseconds since the timeline began. */
  get elapsed(): number {
    return this.#read("read elapsed time");
  }

  /** Records that the task `name` starts now: an `Error` if it already did. */
  start(name: string): void {
    string(name, "start task", "name");
    if (this.#spans.has(name)) {
      misuse("start", "its name is already on the timeline", name);
    }
    const start = this.#read("start task");
    this.#spans.set(name, { name, start, end: undefined, outcome: "running" });
  }

  /** Records that `name` ends now, as `outcome`: an `Error` if not running. */
  end(name: string, outcome: "fulfilled" | "rejected" = "fulfilled"): void {
    string(name, "end task", "name");
    if (outcome !== "fulfilled" && outcome !== "rejected") {
      const Kind = typeof outcome === "string" ? RangeError : TypeError;
      refuse(Kind, "end task", "outcome", '"fulfilled" or "rejected"', outcome);
    }
    const span = this.#spans.get(name);
    if (span === undefined) misuse("end", "it was never started", name);
    if (span.end !== undefined) misuse("end", "it has already ended", name);
    span.end = this.#read("end task");
    span.outcome = outcome;
    this.#ended.push(name);
  }

  /**
   * Starts `name` (rejecting if it already did), runs or awaits `task`, and
   * ends it as it settles, fulfilled or rejected; result or error passes on.
   */
  async track<T>(
    name: string,
    task: (() => T | PromiseLike<T>) | PromiseLike<T>,
  ): Promise<T> {
    if (
      typeof task !== "function" &&
      typeof (task as Partial<PromiseLike<T>> | null)?.then !== "function"
    ) {
      refuse(TypeError, "track task", "task", "a function or a promise", task);
    }
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

  /** Copies of every span, in the order the tasks started. */
  spans(): Span[] {
    return [...this.#spans.values()].sort((a, b) => a.start - b.start)
      .map((span) => ({ ...span }));
  }

  /** A copy of the span of the task `name`, or `undefined` if it never started. */
  span(name: string): Span | undefined {
    const span = this.#spans.get(string(name, "read span", "name"));
    return span && { ...span };
  }

  /** The names of the tasks that have ended, in the order they ended. */
  completionOrder(): string[] {
    return [...this.#ended];
  }

  /**
   * The most tasks running at one moment (0 when empty). A task that ends at
   * the instant another starts does not overlap it; one still running counts.
   */
  maxConcurrency(): number {
    // Ends sort before starts at the same instant: a hand-off is not overlap.
    const events: [time: number, delta: number][] = [];
    for (const span of this.#spans.values()) {
      events.push([span.start, 1]);
      if (span.end !== undefined) events.push([span.end, -1]);
    }
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let running = 0, peak = 0;
    for (const [, delta] of events) {
      running += delta;
      peak = Math.max(peak, running);
    }
    return peak;
  }

  /**
   * Draws the timeline as a Gantt chart: one row per task in start order,
   * its bar where it ran (`#` fulfilled, `x` rejected, `=` still running),
   * its duration, and an axis in `unit`s below. No line is longer than
   * `width` UTF-16 units (a CJK name is wider on screen): when names and
   * durations leave fewer than ten columns of bars, names are cut short
   * (ending in `…`), then durations left out; below 40, the axis too.
   *
   * @example A chart of two tasks
   * ```ts
   * import { Timeline } from "@asincronia/asincronia/timeline";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * let t = 0; // a clock of our own, so that the chart is always the same
   * const timeline = new Timeline({ now: () => t });
   * timeline.start("A");
   * timeline.start("B");
   * t = 1000;
   * timeline.end("B");
   * t = 2000;
   * timeline.end("A");
   * assertEquals(timeline.render({ width: 40, color: false }).split("\n"), [
   *   "A ################################ 2.00s",
   *   "B ################................ 1.00s",
   *   "  |-------|-------|-------|-------|",
   *   "  0s      0.5s    1s      1.5s    2s",
   * ]);
   * ```
   *
   * @returns The chart, lines joined by `\n`, with no trailing newline.
   */
  render(options?: RenderOptions): string {
    const action = "render timeline";
    const chart = this.#chart(options, action);
    const { given, spans, now, total, label, format, unit } = chart;
    const { terminal, noColor } = output();
    const fits = Math.max(20, Math.min(1000, terminal ?? 80));
    const width = checkWidth(given.width ?? fits, 20, 1000, action);
    const { color = terminal !== undefined && !noColor } = given;
    if (typeof color !== "boolean") {
      refuse(TypeError, action, "color", "a boolean", color);
    }

    // Durations go first if they cannot fit at all; names are cut down to
    // SHORT_NAME while durations show, then to whatever leaves MIN_BARS.
    const names = spans.map((span) => printable(span.name));
    let nameWidth = widest(names);
    const durations = spans.map((span) =>
      span.end === undefined ? "running" : format(span.end - span.start)
    );
    let durationWidth = widest([...durations, format(total)]);
    const room = (withDurations: boolean) =>
      width - 1 - MIN_BARS - (withDurations ? durationWidth + 1 : 0);
    const showDurations = label.length < width &&
      room(true) >= Math.min(nameWidth, SHORT_NAME);
    nameWidth = Math.min(nameWidth, room(showDurations));
    if (!showDurations) durationWidth = -1; // no column, no separator
    const columns = width - nameWidth - 1 - (durationWidth + 1);
    // ms / total first: columns / total overflows on an axis of ~1e-305 ms.
    const column = (ms: number) =>
      Math.max(0, Math.min(columns, Math.round(ms / total * columns)));

    const rows = spans.map((span, i) => {
      const from = Math.min(column(span.start), columns - 1);
      const to = Math.max(from + 1, column(span.end ?? now));
      const [char, ansi] = BAR[span.outcome];
      let bar = char.repeat(to - from);
      if (color) bar = `\x1b[${ansi}m${bar}\x1b[0m`;
      const row = fit(names[i]!, nameWidth) + " " + ".".repeat(from) + bar +
        ".".repeat(columns - to);
      return showDurations
        ? row + " " + durations[i]!.padStart(durationWidth)
        : row;
    });

    if (width >= NARROW && showDurations) {
      const pad = " ".repeat(nameWidth + 1);
      const line = Array.from({ length: columns + 1 }, () => "-");
      let labels = "";
      const units = total / unit;
      const spacing = (format(total).length + 1) * units / columns;
      for (const k of ticks(units, spacing)) {
        const x = Math.min(columns, Math.round(k * columns / units));
        line[x] = "|";
        const text = `${tick(k)}${label}`;
        if (x >= labels.length && pad.length + x + text.length <= width) {
          labels = labels.padEnd(x) + text;
        }
      }
      rows.push(pad + line.join(""), pad + labels);
    }
    return rows.map((row) => row.trimEnd()).join("\n");
  }

  /**
   * Draws the chart of {@linkcode Timeline.prototype.render} as a
   * self-contained SVG document: green bars fulfilled, red rejected, amber
   * still running. Its colours sit in a `<style>` that follows the viewer's
   * light or dark scheme, on a background of its own, with class names
   * starting `tl-`: it reads the same in a README, an `<img>` or inline.
   * Any name is safe: escaped for XML, with characters XML cannot hold
   * replaced by `\ufffd`. Names take at most a third of the `width` (the
   * whole name stays in the bar's tooltip), each task adds 22 pixels of
   * height; each bar has `data-task`, `data-outcome` and its span as `<title>`.
   *
   * @example An SVG of two tasks
   * ```ts
   * import { Timeline } from "@asincronia/asincronia/timeline";
   * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
   *
   * const timeline = new Timeline();
   * timeline.start("A");
   * timeline.start("B <fast>");
   * timeline.end("B <fast>");
   * const svg = timeline.toSVG({ width: 480 }); // A still runs
   * assert(svg.startsWith("<svg "));
   * assertEquals(svg.match(/<rect class="tl-bar /g)?.length, 2);
   * assert(svg.includes(">B &lt;fast&gt;</text>")); // escaped for XML
   * ```
   */
  toSVG(options?: SvgOptions): string {
    const action = "draw timeline as SVG";
    const chart = this.#chart(options, action);
    const { given, spans, now, total, label, format, unit } = chart;
    const width = checkWidth(given.width ?? 720, 200, 4000, action);
    const n = spans.length;
    const title = given.title ?? `Timeline of ${n} task${n === 1 ? "" : "s"}`;
    string(title, action, "title");

    // Columns: names, a gap, the bars, a gap, durations; all in pixels.
    const names = spans.map((span) =>
      cut(printable(span.name), Math.floor(width / 3 / CHAR))
    );
    const notes = spans.map((span) =>
      span.end === undefined ? "running" : format(span.end - span.start) +
        (span.outcome === "rejected" ? " rejected" : "")
    );
    const textWidth = (texts: string[]) =>
      widest(texts, (text) => [...text].length) * CHAR;
    const left = PAD + textWidth(names) + GAP;
    const noteWidth = Math.min(
      textWidth([...notes, format(total)]),
      Math.floor(width / 4),
    );
    const right = width - PAD - noteWidth - GAP;
    const x = (ms: number) =>
      Math.max(left, Math.min(right, left + ms / total * (right - left)));
    const axisY = PAD + n * ROW + 4;
    const height = axisY + AXIS + PAD;

    const out = [
      tag`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
      tag`<title>${title}</title>`,
      `<style>${SVG_STYLE}</style>`,
      tag`<rect class="tl-bg" width="${width}" height="${height}" rx="6"/>`,
      // The axis first, so that the bars are drawn over its grid lines.
      tag`<line class="tl-axis" x1="${left}" y1="${axisY}" x2="${right}" y2="${axisY}"/>`,
    ];
    const units = total / unit;
    const spacing = ([...format(total)].length * CHAR + 2 * GAP) * units /
      (right - left);
    const [tickEnd, tickText] = [axisY + 4, axisY + 17];
    for (const k of ticks(units, spacing)) {
      const at = x(k * unit);
      const text = tick(k) + label;
      out.push(
        tag`<line class="tl-grid" x1="${at}" y1="${PAD}" x2="${at}" y2="${axisY}"/>`,
        tag`<line class="tl-axis" x1="${at}" y1="${axisY}" x2="${at}" y2="${tickEnd}"/>`,
        tag`<text class="tl-tick" x="${at}" y="${tickText}" text-anchor="middle">${text}</text>`,
      );
    }
    const noteX = right + GAP;
    spans.forEach((span, i) => {
      const [top, text] = [PAD + i * ROW + 4, PAD + i * ROW + 15];
      const from = x(span.start);
      const length = Math.max(from + 1, x(span.end ?? now)) - from;
      const until = span.end === undefined ? "now" : format(span.end);
      const task = cut(span.name, TIP);
      const outcome = span.outcome;
      const tip = `${task}: ${format(span.start)} to ${until}, ${outcome}`;
      out.push(
        tag`<text class="tl-name" x="${PAD}" y="${text}">${names[i]!}</text>`,
        tag`<rect class="tl-bar tl-${outcome}" data-task="${task}" data-outcome="${outcome}" x="${from}" y="${top}" width="${length}" height="14" rx="2"><title>${tip}</title></rect>`,
        tag`<text class="tl-note" x="${noteX}" y="${text}">${notes[i]!}</text>`,
      );
    });
    out.push("</svg>");
    return out.join("\n") + "\n";
  }

  /**
   * What render() and toSVG() share, checked: the options given, the spans,
   * now (the end of running bars), the axis' length in ms (at least a unit),
   * the unit, its label, and `format` for a duration in units.
   */
  #chart<O extends ScaleOptions>(options: O | undefined, action: string) {
    const given = checkOptions(options, action);
    const unit = given.unit ?? 1000;
    const positive = (n: number) => n > 0 && n < Infinity;
    number(unit, action, "unit", "a positive number", positive);
    const label = printable(
      string(given.unitLabel ?? "s", action, "unitLabel"),
    );
    const spans = this.spans();
    const now = this.#read(action);
    let total = unit;
    for (const span of spans) total = Math.max(total, span.end ?? now);
    const format = (ms: number) => `${inUnits(ms, unit)}${label}`;
    return { given, spans, now, total, unit, label, format };
  }
}

/**
 * The ticks of an axis `units` long, in units: one every `step`, the least of
 * 1, 2 or 5 times a power of ten (≥ 0.1) that is ≥ `spacing`. Their number is
 * bounded by the caller's room, whatever the unit; none if the units overflow,
 * only 0 if the spacing does.
 */
function ticks(units: number, spacing: number): number[] {
  if (!Number.isFinite(units)) return [];
  if (!Number.isFinite(spacing)) return [0]; // else 0 × Infinity: NaN
  const min = Math.max(0.1, spacing);
  const power = 10 ** Math.floor(Math.log10(min));
  const step = power *
    ([1, 2, 5].find((f) => f * power >= min * (1 - 1e-12)) ?? 10);
  // A relative tolerance: the last tick may land a hair past the end.
  const count = Math.floor(units / step * (1 + 1e-9));
  return Array.from({ length: count + 1 }, (_, k) => k * step);
}

/** The longest of `texts`, measured by `length`; 0 when there is none. */
function widest(texts: string[], length = (text: string) => text.length) {
  return texts.reduce((max, text) => Math.max(max, length(text)), 0);
}

/** Below this many units, a label is written out in full; from it on, in exponent form. */
const EXPONENT_FROM = 1e6;

/**
 * `ms` in `unit`s, as a duration label: two decimals below a million
 * (`"2.50"`), three significant digits in exponent form from there
 * (`"2.30e+297"`). A quotient past `Number.MAX_VALUE` (a unit such as
 * `5e-324`) is worked out through logarithms: `"4.66e+323"`, not `"Infinity"`.
 */
function inUnits(ms: number, unit: number): string {
  const value = ms / unit;
  // Decided on the rounded label: 999999.999 is written 1.00e+6, as its tick.
  const fixed = value.toFixed(2);
  if (Math.abs(Number(fixed)) < EXPONENT_FROM) return fixed;
  if (Number.isFinite(value)) return value.toExponential(2);
  const log = Math.log10(Math.abs(ms)) - Math.log10(unit);
  const exponent = Math.floor(log);
  const mantissa = (10 ** (log - exponent)).toFixed(2);
  return mantissa === "10.00"
    ? `${ms < 0 ? "-" : ""}1.00e+${exponent + 1}`
    : `${ms < 0 ? "-" : ""}${mantissa}e+${exponent}`;
}

/** An axis tick, a round number of units: `"2.5"`, or `"2.5e+7"` from a million. */
function tick(units: number): string {
  const value = Number(units.toPrecision(12));
  return value < EXPONENT_FROM ? String(value) : value.toExponential();
}

/** Standard output's width if a terminal (Deno, Node, Bun), and NO_COLOR. */
function output(): { terminal?: number; noColor: boolean } {
  type Stdout = { isTTY?: boolean; columns?: number };
  const { Deno } = globalThis as {
    Deno?: {
      stdout: { isTerminal(): boolean };
      consoleSize(): { columns: number };
      noColor: boolean;
    };
  };
  if (Deno) {
    const size = Deno.stdout.isTerminal() ? Deno.consoleSize() : undefined;
    return { terminal: size?.columns, noColor: Deno.noColor };
  }
  // Not read on Deno: its first read loads Node's compatibility layer (11 ms).
  const { process } = globalThis as typeof globalThis & {
    process?: { stdout?: Stdout; env: { NO_COLOR?: string } };
  };
  const out = process?.stdout;
  const terminal = out?.isTTY ? out.columns ?? 80 : undefined;
  return { terminal, noColor: !!process?.env.NO_COLOR };
}

/** `name` in exactly `width` columns: padded, or cut between characters + `…`. */
function fit(name: string, width: number): string {
  if (name.length <= width) return name.padEnd(width);
  const head = name.slice(0, width - 1).replace(/[\ud800-\udbff]$/, "");
  return (head + "…").padEnd(width);
}

/** A name on one line: control characters would break the chart's rows. */
function printable(name: string): string {
  // deno-lint-ignore no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\ufffd");
}

/** At most `max` characters of `text`, the last one `…` when it is cut. */
function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * `text` escaped for XML text and attributes; what XML cannot hold (control
 * characters but tab and newline, lone surrogates, U+FFFE, U+FFFF): U+FFFD.
 */
function xml(text: string): string {
  return text.toWellFormed()
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")
    .replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/** SVG markup, its values filled in: strings XML-escaped, numbers to 0.1 px. */
function tag(markup: TemplateStringsArray, ...values: unknown[]): string {
  const text = (value: unknown) =>
    typeof value === "number"
      ? String(Math.round(value * 10) / 10)
      : xml(String(value));
  return String.raw({ raw: markup }, ...values.map(text));
}

/** The `Error` of a call out of turn: `why` the task `name` cannot `verb`. */
function misuse(verb: string, why: string, name: string): never {
  throw new Error(
    `Cannot ${verb} task as ${why}: current value is ${describe(name)}`,
  );
}

function checkWidth(value: unknown, min: number, max: number, action: string) {
  const ok = (n: number) => Number.isInteger(n) && n >= min && n <= max;
  return number(value, action, "width", `an integer from ${min} to ${max}`, ok);
}
