/**
 * Live runs: a lesson (or an exercise's check) as a deno subprocess whose
 * printed lines, task starts and ends, and timeline picture stream to the
 * page as server-sent events while it runs.
 *
 * Safe by construction: the manager starts only the argument lists that the
 * site built from its own catalogue, at most `maxRuns` at a time; a run ends
 * when it finishes, when its page asks (Stop), when its page goes away (the
 * stream is cancelled) or when it reaches the time limit, whichever comes
 * first, and its subprocess is killed in all but the first case.
 *
 * @module
 */
import type { LessonEvent } from "../lessons/_lesson.ts";
import { Timeline } from "../lib/timeline.ts";

/** Why a run ended. */
export type EndReason = "finished" | "stopped" | "disconnected" | "time limit";

/** How a run ended, as the `exit` event and {@linkcode Run.exited} say. */
export interface RunExit {
  /** Why it ended. */
  reason: EndReason;
  /** The exit code (128 + n when a signal ended it). */
  code: number;
  /** The signal that ended it, or `null`. */
  signal: string | null;
  /** How long it ran, in milliseconds. */
  ms: number;
}

/** What the site asks a run to do. */
export interface RunSpec {
  /** What the page shows as the command (its `deno run …`). */
  display: string;
  /** The arguments after the deno executable; built by the site only. */
  args: string[];
  /** The unit the run uses, for the timeline's axis. */
  unit: number;
  /** The timeline picture's title. */
  title: string;
}

/** One run in progress. */
export interface Run {
  /** A random id: Stop names it. */
  readonly id: string;
  /** The subprocess' process id. */
  readonly pid: number;
  /** What it runs. */
  readonly spec: RunSpec;
  /** Settles when the subprocess has exited and the stream has ended. */
  readonly exited: Promise<RunExit>;
}

/** Options for {@linkcode RunManager}. */
export interface RunManagerOptions {
  /** The deno executable. @default {Deno.execPath()} */
  deno?: string;
  /** The folder the subprocess runs in (the checkout). */
  cwd: string;
  /** How many runs may go on at once. @default {2} */
  maxRuns?: number;
  /** How long a run may last, in milliseconds. @default {120000} */
  timeLimit?: number;
  /** How long after SIGTERM a run gets SIGKILL, in ms. @default {2000} */
  killGrace?: number;
  /** How often a running timeline is redrawn, in ms. @default {100} */
  redraw?: number;
}

const encoder = new TextEncoder();

/** Starts, streams and ends the site's runs. */
export class RunManager {
  #deno: string;
  #cwd: string;
  #maxRuns: number;
  #timeLimit: number;
  #killGrace: number;
  #redraw: number;
  #runs = new Map<string, LiveRun>();

  /** A manager with no run going on. */
  constructor(options: RunManagerOptions) {
    this.#deno = options.deno ?? Deno.execPath();
    this.#cwd = options.cwd;
    this.#maxRuns = options.maxRuns ?? 2;
    this.#timeLimit = options.timeLimit ?? 120_000;
    this.#killGrace = options.killGrace ?? 2_000;
    this.#redraw = options.redraw ?? 100;
  }

  /** How many runs may go on at once. */
  get maxRuns(): number {
    return this.#maxRuns;
  }

  /** The runs going on now. */
  list(): Run[] {
    return [...this.#runs.values()];
  }

  /**
   * Starts a run and returns its event stream, or `undefined` when
   * `maxRuns` are already going on. Cancelling the stream ends the run.
   */
  start(
    spec: RunSpec,
  ): { run: Run; stream: ReadableStream<Uint8Array> } | undefined {
    if (this.#runs.size >= this.#maxRuns) return undefined;
    const run = new LiveRun(spec, {
      deno: this.#deno,
      cwd: this.#cwd,
      timeLimit: this.#timeLimit,
      killGrace: this.#killGrace,
      redraw: this.#redraw,
      done: (id) => this.#runs.delete(id),
    });
    this.#runs.set(run.id, run);
    return { run, stream: run.stream };
  }

  /** Stops the run `id`; false when there is no such run. */
  stop(id: string): boolean {
    const run = this.#runs.get(id);
    if (run === undefined) return false;
    run.end("stopped");
    return true;
  }

  /** Stops every run and waits for their subprocesses to exit. */
  async stopAll(): Promise<void> {
    const runs = [...this.#runs.values()];
    for (const run of runs) run.end("stopped");
    await Promise.all(runs.map((run) => run.exited));
  }
}

interface LiveRunOptions {
  deno: string;
  cwd: string;
  timeLimit: number;
  killGrace: number;
  redraw: number;
  done: (id: string) => void;
}

/** A subprocess, its event stream and its mirrored timeline. */
class LiveRun implements Run {
  readonly id: string = crypto.randomUUID();
  readonly pid: number;
  readonly spec: RunSpec;
  readonly stream: ReadableStream<Uint8Array>;
  readonly exited: Promise<RunExit>;
  #child: Deno.ChildProcess;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;
  #reason: EndReason | undefined;
  #started = performance.now();
  #timers: ReturnType<typeof setTimeout>[] = [];
  #killGrace: number;
  #redraw: number;
  #drawn = -Infinity;
  #live: LiveTimeline;

  constructor(spec: RunSpec, options: LiveRunOptions) {
    this.spec = spec;
    this.#killGrace = options.killGrace;
    this.#redraw = options.redraw;
    this.#live = new LiveTimeline(spec.unit, spec.title);
    this.#child = new Deno.Command(options.deno, {
      args: spec.args,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: {
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
        // A lesson allowed to run `deno` (lesson 9) finds this very deno
        // first, whatever the PATH of the shell that started the site.
        PATH: `${
          options.deno.replace(/[\\/][^\\/]*$/, "")
        }:/usr/local/bin:/usr/bin:/bin`,
      },
    }).spawn();
    this.pid = this.#child.pid;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      // The page went away: closed, reloaded, or its fetch aborted.
      cancel: () => {
        this.#closed = true;
        this.end("disconnected");
      },
    });
    this.#send("run", {
      id: this.id,
      command: spec.display,
      unit: spec.unit,
    });
    this.#timers.push(
      setTimeout(() => this.end("time limit"), options.timeLimit),
      setInterval(() => this.#draw(false), options.redraw),
    );
    this.exited = this.#watch(options.done);
  }

  /** Ends the run for `reason`: SIGTERM now, SIGKILL after the grace. */
  end(reason: EndReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#signal("SIGTERM");
    this.#timers.push(
      setTimeout(() => this.#signal("SIGKILL"), this.#killGrace),
    );
  }

  #signal(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // It has exited already.
    }
  }

  async #watch(done: (id: string) => void): Promise<RunExit> {
    const [status] = await Promise.all([
      this.#child.status,
      this.#lines(this.#child.stdout, (text) => {
        this.#send("line", { text, at: this.#elapsed() });
      }),
      this.#lines(this.#child.stderr, (text) => this.#stderr(text)),
    ]);
    for (const timer of this.#timers) clearTimeout(timer);
    const exit: RunExit = {
      reason: this.#reason ?? "finished",
      code: status.code,
      signal: status.signal,
      ms: Math.round(this.#elapsed()),
    };
    this.#draw(true);
    this.#send("exit", exit);
    if (!this.#closed) {
      this.#closed = true;
      this.#controller.close();
    }
    done(this.id);
    return exit;
  }

  #elapsed(): number {
    return performance.now() - this.#started;
  }

  /** Calls `line` with each line of `stream`, as it arrives. */
  async #lines(
    stream: ReadableStream<Uint8Array>,
    line: (text: string) => void,
  ): Promise<void> {
    let rest = "";
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop()!;
        for (const part of parts) line(part.replace(/\r$/, ""));
      }
    } catch {
      // A pipe that breaks ends the lines, not the run: its exit still comes.
    }
    if (rest !== "") line(rest);
  }

  /** A line of standard error: a task's event (see `--events`), or text. */
  #stderr(text: string): void {
    const event = parseEvent(text);
    if (event === undefined) {
      this.#send("stderr", { text, at: this.#elapsed() });
      return;
    }
    this.#live.apply(event);
    if (event.event !== "begin") this.#send("task", event);
    // Drawn at once unless it was drawn a moment ago; the timer does the rest.
    if (performance.now() - this.#drawn >= this.#redraw) this.#draw(false);
  }

  /** Sends the timeline when it changed, or always while a task runs. */
  #draw(final: boolean): void {
    const svg = this.#live.draw(final);
    if (svg === undefined) return;
    this.#drawn = performance.now();
    this.#send("timeline", { svg });
  }

  #send(event: string, data: unknown): void {
    if (this.#closed) return;
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    this.#controller.enqueue(encoder.encode(text));
  }
}

/** A task event that a lesson run with `--events` reports. */
export type TaskEvent = LessonEvent;

/**
 * Reads a line of `--events` output; `undefined` for any other line (a
 * warning, an error) or a malformed event.
 */
export function parseEvent(line: string): TaskEvent | undefined {
  if (!line.startsWith('{"event":')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const event = value as Record<string, unknown>;
  const finite = (n: unknown) => typeof n === "number" && Number.isFinite(n);
  switch (event.event) {
    case "begin":
      return finite(event.unit)
        ? { event: "begin", unit: event.unit as number }
        : undefined;
    case "start":
      return typeof event.task === "string" && finite(event.at)
        ? { event: "start", task: event.task, at: event.at as number }
        : undefined;
    case "end":
      return typeof event.task === "string" && finite(event.at) &&
          (event.outcome === "fulfilled" || event.outcome === "rejected")
        ? {
          event: "end",
          task: event.task,
          at: event.at as number,
          outcome: event.outcome,
        }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The subprocess' timeline, rebuilt here from its events on a clock that
 * reads the times they report, so that `Timeline.toSVG()` draws it. Between
 * events, the clock runs on from the last reported time.
 */
export class LiveTimeline {
  #unit: number;
  #title: string;
  #timeline: Timeline | undefined;
  #clock = 0;
  #lastAt = 0;
  #lastSeen = 0;
  #running = 0;
  #dirty = false;

  /** An empty picture until the first event. */
  constructor(unit: number, title: string) {
    this.#unit = unit;
    this.#title = title;
  }

  /** Records an event; a malformed sequence is ignored, not thrown. */
  apply(event: TaskEvent): void {
    if (event.event === "begin" || this.#timeline === undefined) {
      this.#clock = 0;
      this.#timeline = new Timeline({ now: () => this.#clock });
      this.#running = 0;
      this.#lastAt = 0;
      this.#lastSeen = performance.now();
      if (event.event === "begin") {
        this.#dirty = true;
        return;
      }
    }
    this.#clock = Math.max(this.#lastAt, event.at);
    this.#lastAt = this.#clock;
    this.#lastSeen = performance.now();
    try {
      if (event.event === "start") {
        this.#timeline.start(event.task);
        this.#running++;
      } else {
        this.#timeline.end(event.task, event.outcome);
        this.#running--;
      }
      this.#dirty = true;
    } catch {
      // A repeated start or an end without a start: not ours to draw.
    }
  }

  /**
   * The picture when it changed since the last call, or while a task runs
   * (its bar grows); `final` draws it once more, as it ended.
   */
  draw(final = false): string | undefined {
    if (this.#timeline === undefined) return undefined;
    if (!this.#dirty && this.#running <= 0 && !final) return undefined;
    this.#dirty = false;
    this.#clock = this.#running > 0
      ? this.#lastAt + (performance.now() - this.#lastSeen)
      : this.#lastAt;
    return this.#timeline.toSVG({ unit: this.#unit, title: this.#title });
  }
}
