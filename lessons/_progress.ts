/**
 * Progress bars for lesson 10, one per download, below the lesson's lines:
 * erased before each printed line and drawn again after it, and erased at
 * the end (on Ctrl-C too, which then exits with 130, or any other exit), so
 * that only the lesson's lines stay on screen. Every row fits the terminal's
 * width, read at each redraw: a row that wrapped would leave stale lines
 * behind. Learners can skip this file.
 *
 * @module
 */
import { terminalWidth, usableWidth, write } from "../course/terminal.ts";

/**
 * Where and how to draw, for tests; the defaults suit a real terminal.
 * `progress` writes a frame (to a terminal's standard output when there is
 * no `log`, the lesson printing with console.log; else nothing is drawn),
 * `columns` reads its width, `onInterrupt` calls a handler on Ctrl-C until
 * the function it returns is called, `exit` ends the process.
 */
export interface ProgressOptions {
  progress?: (text: string) => void;
  log?: (line: string) => void;
  columns?: () => number;
  onInterrupt?: (handler: () => void) => () => void;
  exit?: (code: number) => void;
}

const BAR = 30;

/** Starts the bars of one run, below the lines `print` prints; nothing is drawn until the first `update`. */
export function progressBars(
  print: (line: string) => void,
  options: ProgressOptions = {},
) {
  const draw = options.progress ??
    (options.log === undefined && Deno.stdout.isTerminal() ? write : undefined);
  if (draw === undefined) {
    return { log: print, update() {}, clear() {}, done() {} };
  }
  const columns = options.columns ?? terminalWidth;
  const exit = options.exit ?? ((code: number) => Deno.exit(code));
  const state = new Map<number, { received: number; total: number }>();
  let shown = 0;
  let last = 0;
  let closed = false;
  const erase = () => {
    if (shown > 0) draw(`\x1b[${shown}F\x1b[0J`);
    shown = 0;
  };
  const render = () => {
    if (closed || state.size === 0) return;
    // Leave the last column free: a row that fills it wraps on some terminals.
    const width = usableWidth(columns()) - 1;
    const rows = [...state].sort(([a], [b]) => a - b).map(([id, s]) => {
      const share = s.total > 0 ? s.received / s.total : 0;
      const label = `download ${id} `;
      const percent = ` ${Math.floor(share * 100).toString().padStart(3)}%`;
      const room = Math.min(BAR, width - label.length - percent.length);
      if (room < 1) return (label.trimEnd() + percent).slice(0, width);
      const full = Math.round(share * room);
      return label + "█".repeat(full) + "░".repeat(room - full) + percent;
    });
    erase();
    if (stopListening === undefined) listen();
    draw(rows.join("\n") + "\n");
    shown = rows.length;
    last = performance.now();
  };
  // Ctrl-C, or any other exit while bars are shown: erase them first. We
  // listen from the first frame on, so nothing is left behind if no bar is
  // ever drawn.
  let stopListening: (() => void) | undefined;
  const listen = () => {
    stopListening = (options.onInterrupt ?? listenForSigint)(() => {
      erase();
      exit(130);
    });
    globalThis.addEventListener("unload", erase);
  };
  return {
    /** Prints a line with `print`, keeping the bars below it. */
    log(line: string) {
      erase();
      print(line);
      render();
    },
    /** Records how far download `id` got, and redraws now and then. */
    update(id: number, received: number, total: number) {
      state.set(id, { received, total });
      if (received >= total || performance.now() - last > 50) render();
    },
    /** Erases the bars and forgets them: the next `update` starts afresh. */
    clear() {
      erase();
      state.clear();
    },
    /** Erases the bars and stops listening for Ctrl-C. */
    done() {
      erase();
      closed = true;
      stopListening?.();
      globalThis.removeEventListener("unload", erase);
    },
  };
}

function listenForSigint(handler: () => void): () => void {
  Deno.addSignalListener("SIGINT", handler);
  return () => Deno.removeSignalListener("SIGINT", handler);
}
