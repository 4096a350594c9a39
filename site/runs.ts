/**
 * Live runs: a lesson run with `--events` (or an exercise's check) as a deno
 * subprocess whose lines, task starts and ends, and timeline picture stream
 * to the page as server-sent events, in the order they happened: the
 * lesson writes them all on one channel, its standard output.
 *
 * Safe by construction: the manager starts only the argument lists that the
 * site built from its own catalogue, at most `maxRuns` at a time; a run ends
 * when it finishes, when its page asks (Stop), when its page goes away (the
 * stream is cancelled) or when it reaches the time limit, whichever comes
 * first. In all but the first case its whole process group is signalled: the
 * subprocess and every process it started.
 *
 * @module
 */
import { killGroup } from "../course/deno.ts";
import type { LessonEvent } from "../course/lesson.ts";
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
  /** What the page shows as the command. */
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
  /** The subprocess' process id (and its process group's). */
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
  #options: Required<RunManagerOptions>;
  #runs = new Map<string, LiveRun>();

  /** A manager with no run going on. */
  constructor(options: RunManagerOptions) {
    this.#options = {
      cwd: options.cwd,
      deno: options.deno ?? Deno.execPath(),
      maxRuns: options.maxRuns ?? 2,
      timeLimit: options.timeLimit ?? 120_000,
      killGrace: options.killGrace ?? 2_000,
      redraw: options.redraw ?? 100,
    };
  }

  /** How many runs may go on at once. */
  get maxRuns(): number {
    return this.#options.maxRuns;
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
    if (this.#runs.size >= this.#options.maxRuns) return undefined;
    const run = new LiveRun(spec, this.#options, (id) => this.#runs.delete(id));
    this.#runs.set(run.id, run);
    return { run, stream: run.stream };
  }

  /** Stops the run `id`; false when there is no such run. */
  stop(id: string): boolean {
    const run = this.#runs.get(id);
    run?.end("stopped");
    return run !== undefined;
  }

  /** Stops every run and waits for their subprocesses to exit. */
  async stopAll(): Promise<void> {
    const runs = [...this.#runs.values()];
    for (const run of runs) run.end("stopped");
    await Promise.all(runs.map((run) => run.exited));
  }
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
  #options: Required<RunManagerOptions>;
  #drawn = -Infinity;
  #live: LiveTimeline;
  #signals: Promise<void>[] = [];

  constructor(
    spec: RunSpec,
    options: Required<RunManagerOptions>,
    done: (id: string) => void,
  ) {
    this.spec = spec;
    this.#options = options;
    this.#live = new LiveTimeline(spec.unit, spec.title);
    this.#child = new Deno.Command(options.deno, {
      args: spec.args,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // A process group of its own, so that Stop reaches what it starts.
      detached: true,
      env: {
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
        // A lesson allowed to run `deno` (lesson 9) and `deno task` find
        // this very deno first, whatever the PATH of the site's shell.
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
    this.#send("run", { id: this.id, command: spec.display, unit: spec.unit });
    this.#timers.push(
      setTimeout(() => this.end("time limit"), options.timeLimit),
      setInterval(() => this.#draw(false), options.redraw),
    );
    this.exited = this.#watch(done);
  }

  /** Ends the run for `reason`: SIGTERM to its group now, SIGKILL after the grace. */
  end(reason: EndReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#signal("SIGTERM");
    this.#timers.push(
      setTimeout(() => this.#signal("SIGKILL"), this.#options.killGrace),
    );
  }

  #signal(signal: Deno.Signal): void {
    this.#signals.push(
      killGroup(this.pid, signal).catch(() => {
        // No deno to send it with: the subprocess at least.
        try {
          this.#child.kill(signal);
        } catch {
          // It has exited already.
        }
      }),
    );
  }

  async #watch(done: (id: string) => void): Promise<RunExit> {
    const [status] = await Promise.all([
      this.#child.status,
      lines(this.#child.stdout, (text) => this.#stdout(text)),
      lines(this.#child.stderr, (text) => this.#send("stderr", { text })),
    ]);
    for (const timer of this.#timers) clearTimeout(timer);
    await Promise.all(this.#signals);
    const exit: RunExit = {
      reason: this.#reason ?? "finished",
      code: status.code,
      signal: status.signal,
      ms: Math.round(performance.now() - this.#started),
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

  /** A line of standard output: an event of `--events`, or text. */
  #stdout(text: string): void {
    const event = parseEvent(text);
    if (event === undefined) return this.#send("line", { text });
    if (event.event === "print") {
      return this.#send("line", { text: event.text });
    }
    if (event.event === "stderr") {
      return this.#send("stderr", { text: event.text });
    }
    this.#live.apply(event);
    if (event.event !== "begin") this.#send("task", event);
    // Drawn at once unless it was drawn a moment ago; the timer does the rest.
    if (performance.now() - this.#drawn >= this.#options.redraw) {
      this.#draw(false);
    }
  }

  /** Sends the timeline when it changed, or always while a task runs. */
  #draw(final: boolean): void {
    const stopped = final && this.#reason !== undefined;
    const svg = this.#live.draw(final, stopped);
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

/**
 * Calls `line` with each line of `stream` as it arrives. Each character is
 * looked at once: a line that comes in many chunks is kept as a list of
 * pieces and joined once it ends, so a 32 MiB line costs what 32 MiB does.
 */
export async function lines(
  stream: ReadableStream<Uint8Array>,
  line: (text: string) => void,
): Promise<void> {
  let pieces: string[] = [];
  const emit = (last: string) => {
    pieces.push(last);
    const text = pieces.join("");
    line(text.endsWith("\r") ? text.slice(0, -1) : text);
    pieces = [];
  };
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      let from = 0;
      for (let at; (at = chunk.indexOf("\n", from)) >= 0; from = at + 1) {
        emit(chunk.slice(from, at));
      }
      if (from < chunk.length) pieces.push(chunk.slice(from));
    }
  } catch {
    // A pipe that breaks ends the lines, not the run: its exit still comes.
  }
  if (pieces.length > 0) emit("");
}

/**
 * Reads a line of `--events` output; `undefined` for any other line (a
 * check's text, a warning) or a malformed event.
 */
export function parseEvent(line: string): LessonEvent | undefined {
  if (!line.startsWith('{"event":')) return undefined;
  let event;
  try {
    event = JSON.parse(line);
  } catch {
    return undefined;
  }
  const finite = (n: unknown) => typeof n === "number" && Number.isFinite(n);
  const named = typeof event.task === "string" && finite(event.at);
  const ok = event.event === "begin"
    ? finite(event.unit)
    : event.event === "print" || event.event === "stderr"
    ? typeof event.text === "string"
    : event.event === "start"
    ? named
    : event.event === "end" &&
      named && (event.outcome === "fulfilled" || event.outcome === "rejected");
  return ok ? event as LessonEvent : undefined;
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

  /** Records a task's event; a malformed sequence is ignored, not thrown. */
  apply(event: LessonEvent): void {
    if (event.event === "begin" || this.#timeline === undefined) {
      this.#timeline = new Timeline({ now: () => this.#clock });
      this.#clock = this.#lastAt = this.#running = 0;
      this.#lastSeen = performance.now();
      this.#dirty = true;
    }
    if (event.event !== "start" && event.event !== "end") return;
    this.#clock = this.#lastAt = Math.max(this.#lastAt, event.at);
    this.#lastSeen = performance.now();
    try {
      if (event.event === "start") this.#timeline.start(event.task);
      else this.#timeline.end(event.task, event.outcome);
      this.#running += event.event === "start" ? 1 : -1;
      this.#dirty = true;
    } catch {
      // A repeated start or an end without a start: not ours to draw.
    }
  }

  /**
   * The picture when it changed since the last call, or while a task runs
   * (its bar grows); `final` draws it once more, as it ended, and `stopped`
   * marks each task still running as stopped: the run ended under it.
   */
  draw(final = false, stopped = false): string | undefined {
    if (this.#timeline === undefined) return undefined;
    if (!this.#dirty && this.#running <= 0 && !final) return undefined;
    this.#dirty = false;
    this.#clock = this.#running > 0
      ? this.#lastAt + (performance.now() - this.#lastSeen)
      : this.#lastAt;
    const svg = this.#timeline.toSVG({ unit: this.#unit, title: this.#title });
    return stopped
      ? svg.replaceAll("tl-bar tl-running", "tl-bar tl-stopped")
        .replaceAll('data-outcome="running"', 'data-outcome="stopped"')
        .replace(/(class="tl-note"[^>]*>)running</g, "$1stopped<")
        .replaceAll(", running</title>", ", stopped</title>")
      : svg;
  }
}
