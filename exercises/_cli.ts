/**
 * `deno task exercise`: the progress list, the checks, watch mode, hints.
 * Learners can skip this file.
 *
 * ```sh
 * deno task exercise              # progress, then check the first unsolved one
 * deno task exercise 04b          # check one exercise
 * deno task exercise --watch      # check again on every save
 * deno task exercise 04b --hint   # one more hint
 * deno task exercise 04b --solution
 * deno task exercise --lang es    # en español (remembered)
 * ```
 *
 * Each check runs in a Worker of its own, so nothing the learner's code
 * leaves behind outlives it. Progress lives in exercises/.progress.json
 * (ignored by git): which file contents passed, which hints were shown, and
 * the language.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { describe } from "../lib/_util.ts";
import { EXERCISES, fileOf, findExercise } from "./_catalog.ts";
import type { Exercise, Lang, Text } from "./_harness.ts";
import type { Result } from "./_run.ts";

/** What the CLI remembers between runs. */
export interface Progress {
  /** The language last asked for with --lang. */
  lang?: Lang;
  /** Per exercise: the SHA-256 of the file's content when last checked, and whether it passed. */
  results: Record<string, { hash: string; passed: boolean }>;
  /** Per exercise: how many hints have been shown. */
  hints: Record<string, number>;
}

/** Where the CLI reads and writes; tests replace it. */
export interface Io {
  /** Prints text (no newline added). */
  write(text: string): void;
  /** Reads the saved progress (empty if there is none). */
  load(): Promise<Progress>;
  /** Saves the progress. */
  save(progress: Progress): Promise<void>;
  /** The file the learner edits for an exercise. */
  file(exercise: Exercise): URL;
  /** Runs an exercise's check against a file. */
  check(exercise: Exercise, file: URL): Promise<Result>;
  /** Yields each time files in exercises/ change (for --watch). */
  watch(): AsyncIterable<void>;
  /** Whether to colour the output. */
  color: boolean;
  /** The width to fit lines and charts into. */
  width: number;
  /** Clears the screen before each run in watch mode (on a terminal). */
  clear(): void;
}

const PROGRESS = new URL("./.progress.json", import.meta.url);
/** A check that has not answered after this long is stuck in a loop that never yields. */
const WATCHDOG_MS = 30_000;

const UI = {
  en: {
    heading: "Asincronía · exercises",
    done: (n: number, m: number) => `${n} of ${m} done`,
    next: "← next",
    passed: "passed",
    edit: (file: string, id: string | undefined) =>
      `Edit ${file}, then run \`deno task exercise${
        id ? ` ${id}` : ""
      }\` again (or add --watch).`,
    editWatching: (file: string) =>
      `Edit ${file} and save: it is checked again then.`,
    stuck: (id: string) => `Stuck? \`deno task exercise ${id} --hint\``,
    chart: (unit: number, real: boolean) =>
      `What your code did (times in units; 1 unit = ${unit} ms${
        real ? "" : " of simulated time"
      }):`,
    nextOne: (id: string, title: string) =>
      `Next: ${id} · ${title} → \`deno task exercise\``,
    all: (m: number) => `All ${m} exercises pass. Well done!`,
    hint: (k: number, m: number) => `Hint ${k} of ${m}`,
    noMore: (id: string) =>
      `No more hints. \`deno task exercise ${id} --solution\` tells you where a solution is.`,
    moreHints: (id: string) =>
      `Another one: \`deno task exercise ${id} --hint\``,
    solution: (path: string, lesson: string) =>
      `A solution: ${path}\n(Try the hints first; ${lesson} teaches what it uses.)`,
    unknown: (id: string, ids: string) =>
      `There is no exercise "${id}". The exercises are: ${ids}.`,
    unknownFlag: (flag: string) =>
      `Unknown flag ${flag} (\`deno task exercise --help\` lists them)`,
    yesOrNo: (flag: string, value: string) =>
      `Flag ${flag} takes no value, or yes or no: current value is ${
        describe(value)
      }`,
    extra: (arg: string) =>
      `Unexpected argument "${arg}": one exercise at a time`,
    unsaved:
      "(Progress not saved: no permission to write exercises/.progress.json.)",
    watching: "Watching exercises/ for changes. Ctrl-C to stop.",
    lesson: "lesson",
    legend: [
      "✓ done   ✗ failing   · to do",
      "the number is the lesson: 04b is lesson 04's second exercise",
    ],
    help:
      `Usage: deno task exercise [ID] [--watch] [--hint] [--solution] [--lang en|es]

  (no ID)      progress, then check the first exercise not done
  ID           check one exercise (02a, 03a, 04b, …)
  --watch      check again each time you save
  --hint       show one more hint for the exercise
  --solution   print where the exercise's solution is
  --lang es    messages in Spanish (remembered; --lang en to go back)`,
  },
  es: {
    heading: "Asincronía · ejercicios",
    done: (n: number, m: number) => `${n} de ${m} hechos`,
    next: "← siguiente",
    passed: "superado",
    edit: (file: string, id: string | undefined) =>
      `Edita ${file} y vuelve a ejecutar \`deno task exercise${
        id ? ` ${id}` : ""
      }\` (o añade --watch).`,
    editWatching: (file: string) =>
      `Edita ${file} y guarda: entonces se vuelve a comprobar.`,
    stuck: (id: string) => `¿Atascado? \`deno task exercise ${id} --hint\``,
    chart: (unit: number, real: boolean) =>
      `Lo que hizo tu código (tiempos en unidades; 1 unidad = ${unit} ms${
        real ? "" : " de tiempo simulado"
      }):`,
    nextOne: (id: string, title: string) =>
      `Siguiente: ${id} · ${title} → \`deno task exercise\``,
    all: (m: number) => `Los ${m} ejercicios están superados. ¡Bien hecho!`,
    hint: (k: number, m: number) => `Pista ${k} de ${m}`,
    noMore: (id: string) =>
      `No hay más pistas. \`deno task exercise ${id} --solution\` te dice dónde hay una solución.`,
    moreHints: (id: string) => `Otra más: \`deno task exercise ${id} --hint\``,
    solution: (path: string, lesson: string) =>
      `Una solución: ${path}\n(Prueba antes las pistas; ${lesson} enseña lo que usa.)`,
    unknown: (id: string, ids: string) =>
      `No hay ningún ejercicio "${id}". Los ejercicios son: ${ids}.`,
    unknownFlag: (flag: string) =>
      `Opción desconocida ${flag} (\`deno task exercise --help\` las lista)`,
    yesOrNo: (flag: string, value: string) =>
      `La opción ${flag} va sin valor, o con yes o no: el valor actual es ${
        describe(value)
      }`,
    extra: (arg: string) => `Argumento de más "${arg}": un ejercicio cada vez`,
    unsaved:
      "(Progreso sin guardar: no hay permiso para escribir exercises/.progress.json.)",
    watching: "Vigilando exercises/. Ctrl-C para parar.",
    lesson: "lección",
    legend: [
      "✓ hecho   ✗ falla   · por hacer",
      "el número es la lección: 04b es el segundo ejercicio de la lección 04",
    ],
    help:
      `Uso: deno task exercise [ID] [--watch] [--hint] [--solution] [--lang en|es]

  (sin ID)     progreso, y comprueba el primer ejercicio sin hacer
  ID           comprueba un ejercicio (02a, 03a, 04b, …)
  --watch      vuelve a comprobar cada vez que guardas
  --hint       muestra una pista más del ejercicio
  --solution   dice dónde está la solución del ejercicio
  --lang es    mensajes en español (se recuerda; --lang en para volver)`,
  },
};

const ANSI = {
  green: "\x1b[32m",
  red: "\x1b[31m",
  dim: "\x1b[2m",
  bold: "\x1b[1m",
  reset: "\x1b[0m",
};

/** The flags that take no value, and their one-letter forms. */
const SWITCHES = ["watch", "hint", "solution", "help"];
const SHORT: Record<string, string> = { h: "help", w: "watch" };
/** What `--watch=…` may say, as the lessons' flags read it. */
const YES = new Set(["", "true", "yes", "on", "1"]);
const NO = new Set(["false", "no", "off", "0"]);

/**
 * `args` with each `--watch=yes` turned into `--watch` and each `--watch=no`
 * left out (parseArgs reads any `--watch=…` as on), and the first switch
 * given any other value, as typed.
 */
function settleSwitches(
  args: readonly string[],
): { args: string[]; bad?: { flag: string; value: string } } {
  const settled: string[] = [];
  let bad: { flag: string; value: string } | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      settled.push(...args.slice(i));
      break;
    }
    // `--watch=…`, `-w=…`, and `--w=…` (parseArgs takes it for --watch).
    const [, flag, name, value] = /^(--?([^=-][^=]*))=(.*)$/s.exec(arg) ?? [];
    const long = name === undefined ? undefined : SHORT[name] ??
      (flag!.startsWith("--") ? name : undefined);
    if (long === undefined || !SWITCHES.includes(long)) {
      settled.push(arg);
      continue;
    }
    const answer = value!.toLowerCase();
    if (YES.has(answer)) settled.push(`--${long}`);
    else if (!NO.has(answer)) bad ??= { flag: flag!, value: value! };
  }
  return { args: settled, bad };
}

/** Runs the CLI with `args`; resolves with the exit code. */
export async function main(
  args: string[],
  io: Io = terminal(),
): Promise<number> {
  // `--watch=no` is off, `--watch=maybe` is refused.
  const switches = settleSwitches(args);
  // The first flag not listed below, as it was typed.
  let unknownFlag: string | undefined;
  const flags = (parseArgs as (args: string[], options: unknown) => {
    _: string[];
    watch?: boolean;
    hint?: boolean;
    solution?: boolean;
    help?: boolean;
    lang?: string;
  })(switches.args, {
    boolean: SWITCHES,
    // "_": exercise ids stay as typed (04 is not 4, 1e3 is not 1000).
    string: ["lang", "_"],
    alias: SHORT,
    unknown: (arg: string, key?: string) => {
      if (key === undefined) return true; // an exercise id
      unknownFlag ??= arg;
      return false;
    },
  });
  const progress = await io.load();
  if (flags.lang !== undefined) {
    if (flags.lang !== "en" && flags.lang !== "es") {
      io.write(
        `--lang must be "en" or "es" / --lang debe ser "en" o "es": current value is "${flags.lang}"\n`,
      );
      return 2;
    }
  }
  const lang: Lang = (flags.lang as Lang | undefined) ?? progress.lang ?? "en";
  const ui = UI[lang];
  // A command line with a typo does nothing, not even remember --lang.
  if (unknownFlag !== undefined) {
    io.write(ui.unknownFlag(unknownFlag) + "\n");
    return 2;
  }
  if (switches.bad !== undefined) {
    io.write(ui.yesOrNo(switches.bad.flag, switches.bad.value) + "\n");
    return 2;
  }
  if (flags._.length > 1) {
    io.write(ui.extra(flags._[1]!) + "\n");
    return 2;
  }
  const id = flags._[0];
  const exercise = id === undefined ? undefined : findExercise(id);
  if (id !== undefined && exercise === undefined) {
    io.write(ui.unknown(id, EXERCISES.map((e) => e.id).join(", ")) + "\n");
    return 2;
  }
  // Only now is the command line known to be good: remember its --lang.
  if (flags.lang !== undefined && progress.lang !== flags.lang) {
    progress.lang = flags.lang as Lang;
    await store(io, progress, lang);
  }
  if (flags.help) {
    io.write(ui.help + "\n");
    return 0;
  }
  const paint = (code: keyof typeof ANSI, s: string) =>
    io.color ? `${ANSI[code]}${s}${ANSI.reset}` : s;

  if (flags.solution || flags.hint) {
    const target = exercise ?? await current(io, progress);
    if (target === undefined) {
      io.write(ui.all(EXERCISES.length) + "\n");
      return 0;
    }
    if (flags.solution) {
      const path = relative(fileOf(target, true));
      io.write(ui.solution(path, target.lesson) + "\n");
      return 0;
    }
    const shown = Math.min(
      (progress.hints[target.id] ?? 0) + 1,
      target.hints.length,
    );
    io.write(paint("bold", `${target.id} · ${target.title[lang]}`) + "\n");
    target.hints.slice(0, shown).forEach((hint, k) => {
      io.write(
        `\n${
          paint(
            k === shown - 1 ? "bold" : "dim",
            ui.hint(k + 1, target.hints.length),
          )
        }\n`,
      );
      io.write(wrap(hint[lang], io.width, "  ") + "\n");
    });
    io.write(
      "\n" + (shown < target.hints.length
        ? ui.moreHints(target.id)
        : ui.noMore(target.id)) +
        "\n",
    );
    if (progress.hints[target.id] !== shown) {
      progress.hints[target.id] = shown;
      await store(io, progress, lang);
    }
    return 0;
  }

  const once = () =>
    exercise === undefined
      ? walk(io, progress, lang, paint, flags.watch === true)
      : single(io, progress, exercise, lang, paint, flags.watch === true);
  if (!flags.watch) return await once();
  await once();
  io.write("\n" + paint("dim", ui.watching) + "\n");
  for await (const _ of io.watch()) {
    io.clear();
    await once();
    io.write("\n" + paint("dim", ui.watching) + "\n");
  }
  return 0;
}

type Paint = (code: keyof typeof ANSI, s: string) => string;

/** The exercise to work on: the first one whose current file has not passed. */
async function current(
  io: Io,
  progress: Progress,
): Promise<Exercise | undefined> {
  for (const exercise of EXERCISES) {
    if (!await passedAsIs(io, progress, exercise)) return exercise;
  }
  return undefined;
}

async function passedAsIs(
  io: Io,
  progress: Progress,
  exercise: Exercise,
): Promise<boolean> {
  const saved = progress.results[exercise.id];
  return saved !== undefined && saved.passed &&
    saved.hash === await hashOf(io.file(exercise));
}

/** No argument: check, in course order, each exercise not known to pass, until one fails. */
async function walk(
  io: Io,
  progress: Progress,
  lang: Lang,
  paint: Paint,
  watching: boolean,
): Promise<number> {
  const ui = UI[lang];
  let failed: { exercise: Exercise; result: Result } | undefined;
  const passedNow: Exercise[] = [];
  for (const exercise of EXERCISES) {
    if (await passedAsIs(io, progress, exercise)) continue;
    const result = await checkAndStore(io, progress, exercise, lang);
    if (result.passed) {
      passedNow.push(exercise);
      continue;
    }
    failed = { exercise, result };
    break;
  }
  // The list.
  const statuses = await Promise.all(EXERCISES.map(async (exercise) => {
    const saved = progress.results[exercise.id];
    const hash = await hashOf(io.file(exercise));
    return saved?.hash === hash ? (saved.passed ? "done" : "failing") : "todo";
  }));
  const done = statuses.filter((s) => s === "done").length;
  io.write(
    `${paint("bold", ui.heading)}   ${ui.done(done, EXERCISES.length)}\n\n`,
  );
  const titleWidth = Math.max(...EXERCISES.map((e) => e.title[lang].length));
  for (const line of ui.legend) io.write(`  ${paint("dim", line)}\n`);
  EXERCISES.forEach((exercise, i) => {
    const status = statuses[i];
    const mark = status === "done"
      ? paint("green", "✓")
      : status === "failing"
      ? paint("red", "✗")
      : paint("dim", "·");
    const here = failed?.exercise === exercise
      ? `  ${paint("bold", ui.next)}`
      : "";
    const line = `  ${mark} ${exercise.id}  ${
      exercise.title[lang].padEnd(titleWidth)
    }${here}`;
    io.write(line.trimEnd() + "\n");
  });
  for (const exercise of passedNow) {
    io.write(
      `\n${paint("green", "✓")} ${
        paint("bold", `${exercise.id} · ${exercise.title[lang]}`)
      } — ${ui.passed}\n`,
    );
    io.write(wrap(exercise.success[lang], io.width, "  ") + "\n");
  }
  if (failed) {
    io.write("\n");
    report(io, failed.exercise, failed.result, lang, paint, true, watching);
    return 1;
  }
  io.write(`\n${paint("green", ui.all(EXERCISES.length))}\n`);
  return 0;
}

/** One exercise, named on the command line. */
async function single(
  io: Io,
  progress: Progress,
  exercise: Exercise,
  lang: Lang,
  paint: Paint,
  watching: boolean,
): Promise<number> {
  const result = await checkAndStore(io, progress, exercise, lang);
  report(io, exercise, result, lang, paint, false, watching);
  if (result.passed) {
    const next = await current(io, progress);
    const ui = UI[lang];
    io.write(
      "\n" + (next
        ? ui.nextOne(next.id, next.title[lang])
        : ui.all(EXERCISES.length)) +
        "\n",
    );
  }
  return result.passed ? 0 : 1;
}

async function checkAndStore(
  io: Io,
  progress: Progress,
  exercise: Exercise,
  lang: Lang,
): Promise<Result> {
  const file = io.file(exercise);
  const hash = await hashOf(file);
  const result = await io.check(exercise, file);
  // The file may have changed while it was checked: keep the hash it had.
  progress.results[exercise.id] = { hash, passed: result.passed };
  await store(io, progress, lang);
  return result;
}

function report(
  io: Io,
  exercise: Exercise,
  result: Result,
  lang: Lang,
  paint: Paint,
  fromList: boolean,
  watching: boolean,
): void {
  const ui = UI[lang];
  const file = relative(io.file(exercise));
  if (result.passed) {
    io.write(
      `${paint("green", "✓")} ${
        paint("bold", `${exercise.id} · ${exercise.title[lang]}`)
      } — ${ui.passed}\n`,
    );
    io.write(wrap(exercise.success[lang], io.width, "  ") + "\n");
    return;
  }
  io.write(
    `${paint("red", "✗")} ${
      paint("bold", `${exercise.id} · ${exercise.title[lang]}`)
    }\n`,
  );
  io.write(`  ${file}   (${ui.lesson}: ${exercise.lesson})\n\n`);
  for (const problem of result.problems.slice(0, 3)) {
    io.write(wrap(problem[lang], io.width, "  • ", "    ") + "\n");
  }
  if (result.chart) {
    io.write(
      "\n" +
        wrap(
          ui.chart(result.unit ?? 100, exercise.real ?? false),
          io.width,
          "  ",
        ) + "\n",
    );
    io.write(
      localChart(result.chart, lang).split("\n").map((line) => "  " + line)
        .join("\n") + "\n",
    );
  }
  io.write(
    "\n" +
      wrap(
        watching
          ? ui.editWatching(file)
          : ui.edit(file, fromList ? undefined : exercise.id),
        io.width,
        "  ",
      ) +
      "\n",
  );
  io.write(`  ${ui.stuck(exercise.id)}\n`);
}

/** What a still-running task's duration says, at most 7 columns ("running"). */
const STILL_RUNNING: Record<Lang, string> = { en: "running", es: "activa" };

/**
 * A chart from Timeline.render() in `lang`: the word for a task still
 * running, and decimal commas in the durations and the axis for Spanish, as
 * the text around it writes them. Columns stay where they were: each
 * replacement is as wide as what it replaces.
 */
export function localChart(chart: string, lang: Lang): string {
  if (lang === "en") return chart;
  const lines = chart.split("\n");
  const comma = (text: string) => text.replace(/(\d)\.(\d)/g, "$1,$2");
  return lines.map((line, i) => {
    // The axis' labels: the line under a rule of dashes and ticks.
    if (i > 0 && /^\s*[-|]+$/.test(lines[i - 1]!)) return comma(line);
    return line
      .replace(/ running$/, " " + STILL_RUNNING[lang].padStart(7))
      .replace(/ (\d+)\.(\d+)$/, " $1,$2");
  }).join("\n");
}

async function store(io: Io, progress: Progress, lang: Lang): Promise<void> {
  try {
    await io.save(progress);
  } catch (error) {
    if (
      error instanceof Deno.errors.PermissionDenied ||
      (error as Error)?.name === "NotCapable"
    ) {
      io.write(UI[lang].unsaved + "\n");
      return;
    }
    throw error;
  }
}

async function hashOf(file: URL): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch {
    return "missing";
  }
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** A path from the repository root, as the learner types it. */
function relative(url: URL): string {
  const root = new URL("../", import.meta.url).href;
  return url.href.startsWith(root) ? url.href.slice(root.length) : url.pathname;
}

/** Wraps `text` to `width` columns, the first line after `first`, the others after `rest`. */
export function wrap(
  text: string,
  width: number,
  first: string,
  rest = first.replace(/\S/g, " "),
): string {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line += (empty ? "" : " ") + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join("\n");
}

/** Runs a check in a Worker of its own, and ends the Worker afterwards. */
export function checkInWorker(
  exercise: Exercise,
  file: URL,
  timeout = WATCHDOG_MS,
): Promise<Result> {
  const worker = new Worker(new URL("./_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise<Result>((resolve) => {
    const fail = (problem: Text) =>
      resolve({ id: exercise.id, passed: false, problems: [problem] });
    const watchdog = setTimeout(() => {
      const s = timeout / 1000;
      fail({
        en:
          `Your code did not give control back for ${s} s: is there a loop that never awaits anything?`,
        es:
          `Tu código no devolvió el control en ${s} s: ¿hay un bucle que nunca espera nada?`,
      });
    }, timeout);
    worker.onmessage = (event: MessageEvent<Result>) => {
      clearTimeout(watchdog);
      resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      clearTimeout(watchdog);
      const message = event.message.replace(
        /^Uncaught \(in promise\) |^Uncaught /,
        "",
      );
      fail({
        en:
          `Your code threw ${message} where nothing could catch it, and the check could not finish.`,
        es:
          `Tu código lanzó ${message} donde nada podía capturarlo, y la comprobación no pudo terminar.`,
      });
    };
    worker.postMessage({ id: exercise.id, url: file.href });
  }).finally(() => worker.terminate());
}

/** The real terminal, the real progress file, checks in Workers. */
export function terminal(): Io {
  const tty = Deno.stdout.isTerminal();
  return {
    write: (text) => void Deno.stdout.writeSync(new TextEncoder().encode(text)),
    async load() {
      try {
        const saved = JSON.parse(await Deno.readTextFile(PROGRESS));
        return {
          lang: saved.lang === "es" || saved.lang === "en"
            ? saved.lang
            : undefined,
          results: typeof saved.results === "object" && saved.results
            ? saved.results
            : {},
          hints: typeof saved.hints === "object" && saved.hints
            ? saved.hints
            : {},
        };
      } catch {
        return { results: {}, hints: {} };
      }
    },
    save: (progress) =>
      Deno.writeTextFile(PROGRESS, JSON.stringify(progress, null, 2) + "\n"),
    file: (exercise) => fileOf(exercise),
    check: (exercise, file) => checkInWorker(exercise, file),
    async *watch() {
      const watcher = Deno.watchFs(new URL(".", import.meta.url).pathname);
      let timer: ReturnType<typeof setTimeout> | undefined;
      let wake: (() => void) | undefined;
      let pending = false;
      (async () => {
        for await (const event of watcher) {
          if (event.kind !== "modify" && event.kind !== "create") continue;
          if (!event.paths.some((path) => path.endsWith(".ts"))) continue;
          clearTimeout(timer);
          timer = setTimeout(() => {
            pending = true;
            wake?.();
          }, 150);
        }
      })();
      while (true) {
        if (!pending) await new Promise<void>((resolve) => (wake = resolve));
        pending = false;
        yield;
      }
    },
    color: tty && !Deno.noColor,
    width: tty
      ? Math.max(40, Math.min(100, Deno.consoleSize().columns - 1))
      : 80,
    clear: () => {
      if (tty) Deno.stdout.writeSync(new TextEncoder().encode("\x1b[2J\x1b[H"));
    },
  };
}

if (import.meta.main) Deno.exit(await main(Deno.args));
