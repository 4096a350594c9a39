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
 * Each check runs in a `deno` process of its own (exercises/_run.ts), killed
 * when it ends. Progress lives in exercises/.progress.json, through
 * course/progress.ts.
 *
 * @module
 */
import { parseFlags, UsageError } from "../course/flags.ts";
import { isLang, type Lang } from "../course/i18n.ts";
import { paint, terminalWidth, useColor } from "../course/terminal.ts";
import {
  hashOf,
  loadProgress,
  type Progress,
  stateOf,
  updateProgress,
} from "../course/progress.ts";
import { EXERCISES, fileOf, findExercise } from "./_catalog.ts";
import type { Exercise } from "./_harness.ts";
import { check, display, type Result, stopChecks } from "./_run.ts";

/** Where the CLI reads and writes; tests replace it. */
export interface Io {
  /** Prints text (no newline added). */
  write(text: string): void;
  /** Reads the saved progress (empty if there is none). */
  load(): Promise<Progress>;
  /** Changes the saved progress (see course/progress.ts); resolves with it. */
  update(change: (progress: Progress) => void): Promise<Progress>;
  /** The file the learner edits for an exercise. */
  file(exercise: Exercise): URL;
  /** Runs an exercise's check against a file. */
  check(exercise: Exercise, file: URL): Promise<Result>;
  /** Starts watching exercises/; yields each time its files change (for --watch). */
  watch(): AsyncIterable<void>;
  /** Whether to colour the output. */
  color: boolean;
  /** The width to fit lines and charts into. */
  width: number;
  /** Clears the screen before each run in watch mode (on a terminal). */
  clear(): void;
}

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
    unsaved:
      "(Progress not saved: no permission to write exercises/.progress.json.)",
    watching: "Watching exercises/ for changes. Ctrl-C to stop.",
    lesson: "lesson",
    marks: "# ran and ended   x failed   = still running   . not running",
    printed: "Your code printed:",
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
    unsaved:
      "(Progreso sin guardar: no hay permiso para escribir exercises/.progress.json.)",
    watching: "Vigilando exercises/. Ctrl-C para parar.",
    lesson: "lección",
    marks: "# corrió y acabó   x falló   = seguía en marcha   . sin correr",
    printed: "Tu código escribió:",
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

/** The flags of `deno task exercise`. */
const FLAGS = {
  watch: { type: "switch" },
  hint: { type: "switch" },
  solution: { type: "switch" },
  help: { type: "switch" },
  lang: { type: "string", choices: ["en", "es"] },
} as const;

/** Runs the CLI with `args`; resolves with the exit code. */
export async function main(
  args: string[],
  io: Io = terminal(),
): Promise<number> {
  let progress = await io.load();
  let flags;
  try {
    flags = parseFlags(args, FLAGS, {
      short: { h: "help", w: "watch" },
      positionals: 1,
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // In the language the command line asked for, if it says.
    const asked = args.flatMap((arg, i) =>
      arg === "--lang" ? [args[i + 1]] : [arg.replace(/^--lang=/, "")]
    ).find(isLang);
    io.write(error.text[asked ?? progress.lang ?? "en"] + "\n");
    return 2;
  }
  const lang: Lang = (flags.lang as Lang | undefined) ?? progress.lang ?? "en";
  const ui = UI[lang];
  const id = flags._[0];
  const exercise = id === undefined ? undefined : findExercise(id);
  if (id !== undefined && exercise === undefined) {
    io.write(ui.unknown(id, EXERCISES.map((e) => e.id).join(", ")) + "\n");
    return 2;
  }
  // Only now is the command line known to be good: remember its --lang.
  if (flags.lang !== undefined && progress.lang !== flags.lang) {
    const chosen = flags.lang as Lang;
    progress = await store(io, lang, (p) => void (p.lang = chosen)) ?? progress;
  }
  if (flags.help) {
    io.write(ui.help + "\n");
    return 0;
  }
  const style: Paint = (code, s) => paint(code, s, io.color);

  if (flags.solution || flags.hint) {
    const target = exercise ?? await current(io, progress);
    if (target === undefined) {
      io.write(ui.all(EXERCISES.length) + "\n");
      return 0;
    }
    if (flags.solution) {
      const path = display(fileOf(target, true));
      io.write(ui.solution(path, target.lesson) + "\n");
      return 0;
    }
    const shown = Math.min(
      (progress.hints[target.id] ?? 0) + 1,
      target.hints.length,
    );
    io.write(style("bold", `${target.id} · ${target.title[lang]}`) + "\n");
    target.hints.slice(0, shown).forEach((hint, k) => {
      io.write(
        `\n${
          style(
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
      await store(io, lang, (p) =>
        void (p.hints[target.id] = shown));
    }
    return 0;
  }

  const once = async () => {
    const now = await io.load();
    return exercise === undefined
      ? walk(io, now, lang, style, flags.watch === true)
      : single(io, now, exercise, lang, style, flags.watch === true);
  };
  if (!flags.watch) return await once();
  // Watching starts now: a file saved during the first check counts.
  const changes = io.watch();
  await once();
  io.write("\n" + style("dim", ui.watching) + "\n");
  for await (const _ of changes) {
    io.clear();
    await once();
    io.write("\n" + style("dim", ui.watching) + "\n");
  }
  return 0;
}

type Paint = (code: Parameters<typeof paint>[0], s: string) => string;

/** The exercise to work on: the first one whose current file has not passed. */
async function current(
  io: Io,
  progress: Progress,
): Promise<Exercise | undefined> {
  for (const exercise of EXERCISES) {
    if (await state(io, progress, exercise) !== "done") return exercise;
  }
  return undefined;
}

async function state(
  io: Io,
  progress: Progress,
  exercise: Exercise,
): Promise<"done" | "failing" | "todo"> {
  return stateOf(progress, exercise.id, await hashOf(io.file(exercise)));
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
    if (await state(io, progress, exercise) === "done") continue;
    const result = await checkAndStore(io, progress, exercise, lang);
    progress = result.progress;
    if (result.passed) {
      passedNow.push(exercise);
      continue;
    }
    failed = { exercise, result };
    break;
  }
  // The list.
  const statuses = await Promise.all(
    EXERCISES.map((exercise) => state(io, progress, exercise)),
  );
  const done = statuses.filter((s) => s === "done").length;
  io.write(
    `${paint("bold", ui.heading)}   ${ui.done(done, EXERCISES.length)}\n\n`,
  );
  const titleWidth = Math.max(...EXERCISES.map((e) => e.title[lang].length));
  for (const line of ui.legend) io.write(`  ${paint("dim", line)}\n`);
  EXERCISES.forEach((exercise, i) => {
    const mark = {
      done: paint("green", "✓"),
      failing: paint("red", "✗"),
      todo: paint("dim", "·"),
    }[statuses[i]!];
    const here = failed?.exercise === exercise
      ? `  ${paint("bold", ui.next)}`
      : "";
    const line = `  ${mark} ${exercise.id}  ${
      exercise.title[lang].padEnd(titleWidth)
    }${here}`;
    io.write(line.trimEnd() + "\n");
  });
  for (const exercise of passedNow) {
    io.write("\n");
    report(io, exercise, undefined, lang, paint, true, watching);
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
    const next = await current(io, result.progress);
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

/** Checks `exercise` and records the result; resolves with the progress after it. */
async function checkAndStore(
  io: Io,
  progress: Progress,
  exercise: Exercise,
  lang: Lang,
): Promise<Result & { progress: Progress }> {
  const file = io.file(exercise);
  // The file may change while it is checked: keep the hash it had.
  const hash = await hashOf(file);
  const result = await io.check(exercise, file);
  const record = (p: Progress) =>
    void (p.results[exercise.id] = { hash, passed: result.passed });
  const saved = await store(io, lang, record);
  if (saved === undefined) record(progress);
  return { ...result, progress: saved ?? progress };
}

/** The verdict on `exercise` (undefined: it passed earlier in this run). */
function report(
  io: Io,
  exercise: Exercise,
  result: Result | undefined,
  lang: Lang,
  paint: Paint,
  fromList: boolean,
  watching: boolean,
): void {
  const ui = UI[lang];
  const file = display(io.file(exercise));
  const title = paint("bold", `${exercise.id} · ${exercise.title[lang]}`);
  const output = result?.output?.trimEnd().split("\n").slice(0, 10);
  if (output) {
    io.write(`${paint("dim", ui.printed)}\n`);
    for (const line of output) io.write(`  ${paint("dim", line)}\n`);
    io.write("\n");
  }
  if (result === undefined || result.passed) {
    io.write(`${paint("green", "✓")} ${title} — ${ui.passed}\n`);
    io.write(wrap(exercise.success[lang], io.width, "  ") + "\n");
    return;
  }
  io.write(`${paint("red", "✗")} ${title}\n`);
  io.write(`  ${file}   (${ui.lesson}: ${exercise.lesson})\n\n`);
  for (const problem of result.problems.slice(0, 3)) {
    io.write(wrap(problem[lang], io.width, "  • ", "    ") + "\n");
  }
  if (result.chart) {
    const real = exercise.real ?? false;
    io.write(
      `\n${wrap(ui.chart(result.unit ?? 100, real), io.width, "  ")}\n`,
    );
    for (const line of result.chart[lang].split("\n")) io.write(`  ${line}\n`);
    io.write(`  ${paint("dim", ui.marks)}\n`);
  }
  const next = watching
    ? ui.editWatching(file)
    : ui.edit(file, fromList ? undefined : exercise.id);
  io.write(`\n${wrap(next, io.width, "  ")}\n`);
  io.write(`  ${ui.stuck(exercise.id)}\n`);
}

/**
 * Changes the saved progress; without permission to write it, says so and
 * resolves with undefined.
 */
async function store(
  io: Io,
  lang: Lang,
  change: (progress: Progress) => void,
): Promise<Progress | undefined> {
  try {
    return await io.update(change);
  } catch (error) {
    if (
      error instanceof Deno.errors.PermissionDenied ||
      (error as Error)?.name === "NotCapable"
    ) {
      io.write(UI[lang].unsaved + "\n");
      return undefined;
    }
    throw error;
  }
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

/** The real terminal, the real progress file, checks in processes of their own. */
export function terminal(): Io {
  const tty = Deno.stdout.isTerminal();
  const bytes = (text: string) => new TextEncoder().encode(text);
  return {
    write: (text) => void Deno.stdout.writeSync(bytes(text)),
    load: () => loadProgress(),
    update: (change) => updateProgress(change),
    file: (exercise) => fileOf(exercise),
    check: (exercise, file) => check(exercise, file),
    watch() {
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
      return (async function* () {
        while (true) {
          if (!pending) await new Promise<void>((resolve) => (wake = resolve));
          pending = false;
          yield;
        }
      })();
    },
    color: useColor(),
    width: Math.max(40, Math.min(100, terminalWidth() - 1)),
    clear: () => void (tty && Deno.stdout.writeSync(bytes("\x1b[2J\x1b[H"))),
  };
}

if (import.meta.main) {
  // Ctrl-C (or a kill) ends the checks running now with the CLI.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      stopChecks();
      Deno.exit(130);
    });
  }
  Deno.exit(await main(Deno.args));
}
