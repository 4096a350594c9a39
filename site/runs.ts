/**
 * Live runs: a lesson run with `--events` (or an exercise's check) as a deno
 * subprocess whose lines, tasks and timeline stream to the page as
 * server-sent events, in the order the lesson wrote them on standard output.
 *
 * The manager starts only argument lists the site built from its own
 * catalogue, at most `maxRuns` at a time. A run ends when it finishes, or
 * else gets SIGTERM (then SIGKILL 2 s later) when its page asks (Stop), goes
 * away (the stream is cancelled) or the time limit comes. What it started
 * ends with it: a lesson's runner ends its deno processes on SIGTERM
 * (course/lesson.ts), and `deno task exercise` passes the signal on to the
 * exercise CLI. (Signalling the process group would take `Deno.kill`, which
 * needs `--allow-run` for every program.)
 *
 * @module
 */
import { kill, lines, spawnDeno } from "../course/deno.ts";
import type { LessonEvent } from "../course/lesson.ts";
import { Timeline } from "../lib/timeline.ts";

export type EndReason = "finished" | "stopped" | "disconnected" | "time limit";

/**
 * How a run ended (its `exit` event): why, its exit code (128 + n when
 * signal n ended it: 143 for a lesson stopped), how long it ran in ms.
 */
export interface RunExit {
  reason: EndReason;
  code: number;
  ms: number;
}

/** What the site asks a run to do (its arguments built by the site only). */
export interface RunSpec {
  display: string;
  args: string[];
  unit: number;
  title: string;
}

/** A run: its random id (Stop names it), how it ended, and `end(reason)`. */
export interface Run {
  readonly id: string;
  readonly exited: Promise<RunExit>;
  end(reason: EndReason): void;
}

/**
 * Where runs start (the checkout), how many may go on at once (default 2),
 * how long each may last in ms (default 120000).
 */
export interface RunManagerOptions {
  cwd: string;
  maxRuns?: number;
  timeLimit?: number;
}

/** A run that started, and the stream of its events. */
type Started = { run: Run; stream: ReadableStream<Uint8Array> };

/** How long after SIGTERM a run gets SIGKILL, in ms. */
const KILL_GRACE = 2_000;
/** How often a running timeline is redrawn, in ms. */
const REDRAW = 100;
const encoder = new TextEncoder();

/** Starts, streams and ends the site's runs. */
export class RunManager {
  readonly options: RunManagerOptions;
  readonly maxRuns: number;
  #runs = new Map<string, Run>();

  constructor(options: RunManagerOptions) {
    this.options = options;
    this.maxRuns = options.maxRuns ?? 2;
  }

  list(): Run[] {
    return [...this.#runs.values()];
  }

  /**
   * Starts a run and returns its event stream, or `undefined` when
   * `maxRuns` are already going on. Cancelling the stream ends the run.
   */
  start(spec: RunSpec): Started | undefined {
    if (this.#runs.size >= this.maxRuns) return undefined;
    const { run, stream } = startRun(spec, this.options);
    this.#runs.set(run.id, run);
    run.exited.then(() => this.#runs.delete(run.id));
    return { run, stream };
  }

  /** Stops the run `id`; false when there is no such run. */
  stop(id: string): boolean {
    this.#runs.get(id)?.end("stopped");
    return this.#runs.has(id);
  }

  /** Stops every run and waits for their subprocesses to exit. */
  async stopAll(): Promise<void> {
    const runs = this.list();
    for (const run of runs) run.end("stopped");
    await Promise.all(runs.map((run) => run.exited));
  }
}

/** Starts the subprocess of `spec` and the stream of its events. */
function startRun(spec: RunSpec, options: RunManagerOptions): Started {
  const deno = Deno.execPath();
  const child = spawnDeno(spec.args, {
    cwd: options.cwd,
    env: {
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      // A lesson allowed to run `deno` (lesson 9), and `deno task`, find
      // this very deno first, whatever the PATH of the site's shell.
      PATH: `${deno.replace(/[\\/][^\\/]*$/, "")}:/usr/local/bin:/usr/bin:/bin`,
    },
  });
  const started = performance.now();
  const live = new LiveTimeline(spec.unit, spec.title);
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const send = (event: string, data: unknown) => {
    if (closed) return;
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    controller.enqueue(encoder.encode(text));
  };
  let shown: string | undefined; // the picture the page has: not sent again
  const draw = (final = false) => {
    const svg = live.draw(final, final && reason !== undefined);
    if (svg && svg !== shown) send("timeline", { svg: shown = svg });
  };
  let reason: EndReason | undefined;
  const timers = [
    setTimeout(() => run.end("time limit"), options.timeLimit ?? 120_000),
    setInterval(draw, REDRAW),
  ];
  const run: Run = {
    id: crypto.randomUUID(),
    end(why) {
      if (reason !== undefined) return;
      reason = why;
      kill(child);
      timers.push(setTimeout(() => kill(child, "SIGKILL"), KILL_GRACE));
    },
    exited: (async () => {
      const [status] = await Promise.all([
        child.status,
        // Standard output: an event of `--events`, or a line of text.
        lines(child.stdout, (text) => {
          const event = parseEvent(text);
          if (event === undefined || event.event === "print") {
            send("line", { text: event?.text ?? text });
          } else if (event.event === "stderr") {
            send("stderr", { text: event.text });
          } else {
            if (event.event !== "begin") send("task", event);
            if (live.apply(event)) draw();
          }
        }),
        lines(child.stderr, (text) => send("stderr", { text })),
      ]);
      for (const timer of timers) clearTimeout(timer);
      const exit: RunExit = {
        reason: reason ?? "finished",
        code: status.code,
        ms: Math.round(performance.now() - started),
      };
      draw(true);
      send("exit", exit);
      if (!closed) controller.close();
      closed = true;
      return exit;
    })(),
  };
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
      send("run", { id: run.id, command: spec.display, unit: spec.unit });
    },
    // The page went away: closed, reloaded, or its fetch aborted.
    cancel: () => {
      closed = true;
      run.end("disconnected");
    },
  });
  return { run, stream };
}

/** A line of `--events` output; `undefined` for any other or a bad one. */
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
 * The subprocess' timeline, drawn from the events it reported, on a clock
 * that reads their times; a task that runs grows between events.
 */
export class LiveTimeline {
  #events: Extract<LessonEvent, { event: "start" | "end" }>[] | undefined;
  #seen = 0;
  #changed = false;
  readonly #svg: { unit: number; title: string };

  /** An empty picture, for a run of this unit and title, until the first event. */
  constructor(unit: number, title: string) {
    this.#svg = { unit, title };
  }

  /** Records an event (`begin` starts over); true when the picture changed. */
  apply(event: LessonEvent): boolean {
    if (event.event === "begin") this.#events = [];
    else if (event.event === "start" || event.event === "end") {
      (this.#events ??= []).push(event);
      this.#seen = performance.now();
    } else return false;
    return this.#changed = true;
  }

  /**
   * The picture when it changed since the last call, or while a task runs;
   * `final` draws it once more, as it ended, and `stopped` marks each task
   * still running as stopped: the run ended under it.
   */
  draw(final = false, stopped = false): string | undefined {
    if (this.#events === undefined) return undefined;
    let clock = 0;
    const timeline = new Timeline({ now: () => clock });
    for (const event of this.#events) {
      clock = Math.max(clock, event.at);
      try {
        if (event.event === "start") timeline.start(event.task);
        else timeline.end(event.task, event.outcome);
      } catch {
        // A repeated start or an end without a start: not ours to draw.
      }
    }
    const running = timeline.spans().some((span) => span.end === undefined);
    if (!this.#changed && !running && !final) return undefined;
    this.#changed = false;
    if (running) clock += performance.now() - this.#seen;
    const svg = timeline.toSVG(this.#svg);
    return stopped
      ? svg.replaceAll("tl-bar tl-running", "tl-bar tl-stopped")
        .replaceAll('data-outcome="running"', 'data-outcome="stopped"')
        .replace(/(class="tl-note"[^>]*>)running</g, "$1stopped<")
        .replaceAll(", running</title>", ", stopped</title>")
      : svg;
  }
}
