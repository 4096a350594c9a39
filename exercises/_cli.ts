/**
 * `deno task exercise`: the progress list, the checks, watch mode, hints
 * (its `--help` is in {@linkcode UI}). Learners can skip this file.
 *
 * Each check runs in a `deno` process of its own (exercises/_run.ts), killed
 * when it ends. Progress lives in exercises/.progress.json, through
 * course/progress.ts. The lesson an exercise names is the one whose header
 * lists it (course/header.ts).
 *
 * @module
 */
import { endChildren } from "../course/deno.ts";
import { askedLang, parseFlags, UsageError } from "../course/flags.ts";
import { listLessons } from "../course/header.ts";
import { type Lang, sayIn, UI as CORE } from "../course/i18n.ts";
import { paint, terminalWidth, useColor, write } from "../course/terminal.ts";
import {
  hashOf,
  loadProgress,
  type Progress,
  stateOf,
  updateProgress,
} from "../course/progress.ts";
import { Event } from "../lib/event.ts";
import { EXERCISES, fileOf, findExercise } from "./_catalog.ts";
import type { Exercise } from "./_harness.ts";
import { check, display, type Result } from "./_run.ts";

/**
 * Where the CLI reads and writes; tests replace it. It prints text (adding
 * no newline), loads and changes the saved progress (course/progress.ts),
 * names the file the learner edits for an exercise, checks a file, watches
 * exercises/ (yielding at each change, from the call on), says whether to
 * colour and how wide to fit lines and charts, and clears the screen
 * between checks in watch mode (on a terminal).
 */
export interface Io {
  write(text: string): void;
  load(): Promise<Progress>;
  update(change: (progress: Progress) => void): Promise<Progress>;
  file(exercise: Exercise): URL;
  check(exercise: Exercise, file: URL): Promise<Result>;
  watch(): AsyncIterable<void>;
  color: boolean;
  width: number;
  clear(): void;
}

/** The CLI's messages; `{name}` stands for a value. */
const UI = {
  heading: ["Asincronía · exercises", "Asincronía · ejercicios"],
  done: ["{n} of {m} done", "{n} de {m} hechos"],
  next: ["← next", "← siguiente"],
  passed: ["passed", "superado"],
  edit: [
    "Edit {file}, then run `deno task exercise{id}` again (or add --watch).",
    "Edita {file} y vuelve a ejecutar `deno task exercise{id}` (o añade --watch).",
  ],
  editWatching: [
    "Edit {file} and save: it is checked again then.",
    "Edita {file} y guarda: entonces se vuelve a comprobar.",
  ],
  stuck: [
    "Stuck? `deno task exercise {id} --hint`",
    "¿Te has atascado? `deno task exercise {id} --hint`",
  ],
  chart: [
    "What your code did (times in units; 1 unit = {unit} ms{virtual}):",
    "Lo que hizo tu código (tiempos en unidades; 1 unidad = {unit} ms{virtual}):",
  ],
  virtual: [" of simulated time", " de tiempo simulado"],
  nextOne: ["Next: {id} · {title}{run}", "Siguiente: {id} · {title}{run}"],
  all: [
    "All {m} exercises pass. Well done!",
    "Los {m} ejercicios están superados. ¡Bien hecho!",
  ],
  hint: ["Hint {k} of {m}", "Pista {k} de {m}"],
  noMore: [
    "No more hints. `deno task exercise {id} --solution` tells you where a solution is.",
    "No hay más pistas. `deno task exercise {id} --solution` te dice dónde hay una solución.",
  ],
  moreHints: [
    "Another one: `deno task exercise {id} --hint`",
    "Otra más: `deno task exercise {id} --hint`",
  ],
  solution: [
    "A solution: {path}\n(Try the hints first; {lesson} teaches what it uses.)",
    "Una solución: {path}\n(Prueba antes las pistas; {lesson} enseña lo que usa.)",
  ],
  oneMode: [
    "--hint, --solution and --watch go one at a time: you gave {flags}",
    "--hint, --solution y --watch van de una en una: pusiste {flags}",
  ],
  unknown: [
    'There is no exercise "{id}". The exercises are: {ids}.',
    'No hay ningún ejercicio "{id}". Los ejercicios son: {ids}.',
  ],
  unsaved: [
    "(Progress not saved: no permission to write exercises/.progress.json.)",
    "(Progreso sin guardar: no hay permiso para escribir exercises/.progress.json.)",
  ],
  watching: [
    "Watching exercises/ for changes. Ctrl-C to stop.",
    "Vigilando exercises/. Ctrl-C para parar.",
  ],
  lesson: ["lesson", "lección"],
  printed: ["Your code printed:", "Tu código escribió:"],
  legend: [
    "✓ done   ✗ failing   · to do\nthe number is the lesson: 04b is lesson 04's second exercise",
    "✓ hecho   ✗ falla   · por hacer\nel número es la lección: 04b es el segundo ejercicio de la lección 04",
  ],
  help: [
    `Usage: deno task exercise [ID] [--watch] [--hint] [--solution] [--lang en|es]

  (no ID)      progress, then check the first exercise not done
  ID           check one exercise (02a, 03a, 04b, …)
  --watch      check again each time you save
  --hint       show one more hint for the exercise
  --solution   print where the exercise's solution is
  --lang es    messages in Spanish (remembered; --lang en to go back)`,
    `Uso: deno task exercise [ID] [--watch] [--hint] [--solution] [--lang en|es]

  (sin ID)     progreso, y comprueba el primer ejercicio sin hacer
  ID           comprueba un ejercicio (02a, 03a, 04b, …)
  --watch      vuelve a comprobar cada vez que guardas
  --hint       muestra una pista más del ejercicio
  --solution   dice dónde está la solución del ejercicio
  --lang es    mensajes en español (se recuerda; --lang en para volver)`,
  ],
} satisfies Record<string, [en: string, es: string]>;

const FLAGS = {
  watch: { type: "switch" },
  hint: { type: "switch" },
  solution: { type: "switch" },
  help: { type: "switch" },
  lang: { type: "string", choices: ["en", "es"] },
  site: { type: "switch" }, // the site's Check: no commands to type (no --help)
} as const;
const SHORT = { short: { h: "help", w: "watch" }, positionals: 1 };

/** One run of the CLI: where it writes, in which language, how. */
interface Cli {
  io: Io;
  lang: Lang;
  watching: boolean;
  site: boolean;
  /** A message of {@linkcode UI} in the language, one line after another. */
  say(key: keyof typeof UI, values?: Record<string, unknown>): string;
  paint: (style: Parameters<typeof paint>[0], s: string) => string;
}

/** Runs the CLI with `args`; resolves with the exit code. */
export async function main(args: string[], io: Io = terminal()) {
  const progress = await io.load();
  let flags;
  try {
    flags = parseFlags(args, FLAGS, SHORT);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const lang = askedLang(args) ?? progress.lang ?? "en";
    io.write(`${error.text[lang]}. ${sayIn(CORE, lang)("seeHelp")}\n`);
    return 2;
  }
  const lang = (flags.lang as Lang | undefined) ?? progress.lang ?? "en";
  const cli: Cli = {
    io,
    lang,
    watching: flags.watch === true,
    site: flags.site === true,
    say: sayIn(UI, lang),
    paint: (style, s) => paint(style, s, io.color),
  };
  const id = flags._[0];
  const exercise = id === undefined ? undefined : findExercise(id);
  if (id !== undefined && exercise === undefined) {
    const ids = EXERCISES.map((e) => e.id).join(", ");
    io.write(cli.say("unknown", { id, ids }) + "\n");
    return 2;
  }
  const modes = (["hint", "solution", "watch"] as const).filter((f) =>
    flags[f] === true
  );
  if (modes.length > 1) {
    const given = modes.map((f) => `--${f}`).join(" ");
    io.write(cli.say("oneMode", { flags: given }) + "\n");
    return 2;
  }
  // Only now is the command line known to be good: remember its --lang.
  if (flags.lang !== undefined && progress.lang !== flags.lang) {
    await store(cli, (p) => void (p.lang = lang));
  }
  if (flags.help) {
    io.write(cli.say("help") + "\n");
    return 0;
  }
  if (flags.solution || flags.hint) {
    const target = exercise ?? await current(io, await io.load());
    if (target === undefined) {
      io.write(cli.say("all", { m: EXERCISES.length }) + "\n");
    } else if (flags.solution) {
      const path = display(fileOf(target, true));
      const lesson = await lessonOf(target);
      io.write(cli.say("solution", { path, lesson }) + "\n");
    } else await hint(cli, target, await io.load());
    return 0;
  }
  const once = async () => {
    const now = await io.load();
    return exercise ? await single(cli, now, exercise) : await walk(cli, now);
  };
  if (!cli.watching) return await once();
  // Watching starts now: a file saved during the first check counts.
  const changes = io.watch();
  await once();
  io.write("\n" + cli.paint("dim", cli.say("watching")) + "\n");
  for await (const _ of changes) {
    io.clear();
    await once();
    io.write("\n" + cli.paint("dim", cli.say("watching")) + "\n");
  }
  return 0;
}

/** Shows the hints of `exercise` up to one more than before, and remembers. */
async function hint(cli: Cli, exercise: Exercise, progress: Progress) {
  const { io, paint, say, lang } = cli;
  const { id, hints } = exercise;
  const shown = Math.min((progress.hints[id] ?? 0) + 1, hints.length);
  io.write(`${paint("bold", `${id} · ${exercise.title[lang]}`)}\n`);
  hints.slice(0, shown).forEach((hint, k) => {
    const style = k === shown - 1 ? "bold" : "dim";
    const heading = paint(style, say("hint", { k: k + 1, m: hints.length }));
    io.write(`\n${heading}\n${wrap(hint[lang], io.width, "  ")}\n`);
  });
  io.write(`\n${say(shown < hints.length ? "moreHints" : "noMore", { id })}\n`);
  if (progress.hints[id] !== shown) {
    await store(cli, (p) => void (p.hints[id] = shown));
  }
}

/** The lesson whose header lists `exercise`, as a path from the checkout. */
async function lessonOf(exercise: Exercise): Promise<string> {
  const lessons = await listLessons();
  const lesson = lessons.find((l) => l.exercises.includes(exercise.id));
  return `lessons/${lesson?.file ?? ""}`;
}

/** Where the learner stands with `exercise`, as the file is now. */
async function state(io: Io, progress: Progress, exercise: Exercise) {
  return stateOf(progress, exercise.id, await hashOf(io.file(exercise)));
}

/** The exercise to work on: the first one whose current file has not passed. */
async function current(io: Io, progress: Progress) {
  for (const exercise of EXERCISES) {
    if (await state(io, progress, exercise) !== "done") return exercise;
  }
  return undefined;
}

/** No argument: check, in course order, each exercise not known to pass, until one fails. */
async function walk(cli: Cli, progress: Progress): Promise<number> {
  const { io, say, paint, lang } = cli;
  let failed: { exercise: Exercise; result: Result } | undefined;
  const passed: Exercise[] = [];
  for (const exercise of EXERCISES) {
    if (await state(io, progress, exercise) === "done") continue;
    const result = await checkAndStore(cli, progress, exercise);
    progress = result.progress;
    if (!result.passed) {
      failed = { exercise, result };
      break;
    }
    passed.push(exercise);
  }
  const states = await Promise.all(
    EXERCISES.map((exercise) => state(io, progress, exercise)),
  );
  const done = states.filter((s) => s === "done").length;
  const m = EXERCISES.length;
  const count = say("done", { n: done, m });
  io.write(`${paint("bold", say("heading"))}   ${count}\n\n`);
  for (const line of say("legend").split("\n")) {
    io.write(`  ${paint("dim", line)}\n`);
  }
  const width = Math.max(...EXERCISES.map((e) => e.title[lang].length));
  const marks = {
    done: paint("green", "✓"),
    failing: paint("red", "✗"),
    todo: paint("dim", "·"),
  };
  EXERCISES.forEach((exercise, i) => {
    const here = failed?.exercise === exercise
      ? `  ${paint("bold", say("next"))}`
      : "";
    const title = exercise.title[lang].padEnd(width);
    const line = `  ${marks[states[i]!]} ${exercise.id}  ${title}${here}`;
    io.write(line.trimEnd() + "\n");
  });
  for (const exercise of passed) await report(cli, exercise, undefined, true);
  if (failed) {
    await report(cli, failed.exercise, failed.result, true);
    return 1;
  }
  io.write(`\n${paint("green", say("all", { m }))}\n`);
  return 0;
}

/** One exercise, named on the command line. */
async function single(cli: Cli, progress: Progress, exercise: Exercise) {
  const result = await checkAndStore(cli, progress, exercise);
  await report(cli, exercise, result, false);
  if (!result.passed) return 1;
  const next = await current(cli.io, result.progress);
  const { id, title } = next ?? {};
  const run = cli.site ? "" : " → `deno task exercise`";
  const values = { id, title, m: EXERCISES.length, run };
  cli.io.write(`\n${cli.say(next ? "nextOne" : "all", values)}\n`);
  return 0;
}

/** Checks `exercise` and records the result; resolves with the progress after it. */
async function checkAndStore(cli: Cli, progress: Progress, exercise: Exercise) {
  const file = cli.io.file(exercise);
  // The file may change while it is checked: keep the hash it had.
  const hash = await hashOf(file);
  const result = await cli.io.check(exercise, file);
  const record = (p: Progress) =>
    void (p.results[exercise.id] = { hash, passed: result.passed });
  const saved = await store(cli, record);
  if (saved === undefined) record(progress);
  return { ...result, progress: saved ?? progress };
}

/** The verdict on `exercise` (undefined: it passed earlier in this run). */
async function report(
  cli: Cli,
  exercise: Exercise,
  result: Result | undefined,
  fromList: boolean,
): Promise<void> {
  const { io, say, paint, lang } = cli;
  const file = display(io.file(exercise));
  const title = paint("bold", `${exercise.id} · ${exercise.title[lang]}`);
  const output = result?.output?.trimEnd().split("\n").slice(0, 10);
  io.write(fromList ? "\n" : "");
  if (output) {
    io.write(`${paint("dim", say("printed"))}\n`);
    for (const line of output) io.write(`  ${paint("dim", line)}\n`);
    io.write("\n");
  }
  if (result === undefined || result.passed) {
    io.write(`${paint("green", "✓")} ${title} — ${say("passed")}\n`);
    io.write(wrap(exercise.success[lang], io.width, "  ") + "\n");
    const note = result?.note?.[lang];
    if (note) io.write(wrap(note, io.width, "  • ", "    ") + "\n");
    return;
  }
  const lesson = await lessonOf(exercise);
  const where = `${file}   (${say("lesson")}: ${lesson})`;
  io.write(`${paint("red", "✗")} ${title}\n  ${where}\n\n`);
  for (const problem of result.problems.slice(0, 3)) {
    io.write(wrap(problem[lang], io.width, "  • ", "    ") + "\n");
  }
  if (result.chart) {
    const virtual = exercise.real ? "" : say("virtual");
    const unit = result.unit ?? 100;
    io.write(`\n${wrap(say("chart", { unit, virtual }), io.width, "  ")}\n`);
    for (const line of result.chart[lang].split("\n")) io.write(`  ${line}\n`);
    io.write(`  ${paint("dim", sayIn(CORE, lang)("marks"))}\n`);
  }
  if (cli.site) return;
  const next = cli.watching
    ? say("editWatching", { file })
    : say("edit", { file, id: fromList ? "" : ` ${exercise.id}` });
  const stuck = say("stuck", { id: exercise.id });
  io.write(`\n${wrap(next, io.width, "  ")}\n  ${stuck}\n`);
}

/**
 * Changes the saved progress; without permission to write it, says so and
 * resolves with undefined.
 */
async function store(cli: Cli, change: (progress: Progress) => void) {
  try {
    return await cli.io.update(change);
  } catch (error) {
    const name = (error as Error)?.name;
    if (name !== "PermissionDenied" && name !== "NotCapable") throw error;
    cli.io.write(cli.say("unsaved") + "\n");
    return undefined;
  }
}

/**
 * Wraps `text` to `width` columns, the first line after `first`, the others
 * after `rest`; a `command in backticks` is never split, so it copies whole.
 */
export function wrap(
  text: string,
  width: number,
  first: string,
  rest = first.replace(/\S/g, " "),
): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.match(/(?:`[^`\n]*`|\S)+/g) ?? []) {
    if (line !== first && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else line += (line === first ? "" : " ") + word;
  }
  lines.push(line);
  return lines.join("\n");
}

/** The real terminal, the real progress file, checks in processes of their own. */
export function terminal(): Io {
  return {
    write,
    load: () => loadProgress(),
    update: (change) => updateProgress(change),
    file: (exercise) => fileOf(exercise),
    check: (exercise, file) => check(exercise, file),
    watch() {
      // Saves come in bursts: a change counts once 150 ms pass quietly.
      const changed = new Event();
      let timer: ReturnType<typeof setTimeout> | undefined;
      (async () => {
        for await (const event of Deno.watchFs(import.meta.dirname!)) {
          if (!/^(modify|create|rename|remove)$/.test(event.kind)) continue;
          if (!event.paths.some((path) => path.endsWith(".ts"))) continue;
          clearTimeout(timer);
          timer = setTimeout(() => changed.set(), 150);
        }
      })();
      return (async function* () {
        while (true) yield await changed.wait().then(() => changed.clear());
      })();
    },
    color: useColor(),
    width: Math.max(40, Math.min(100, terminalWidth() - 1)),
    clear: () => void (Deno.stdout.isTerminal() && write("\x1b[2J\x1b[H")),
  };
}

if (import.meta.main) {
  // Ctrl-C (or a kill) ends the checks running now with the CLI.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      endChildren("SIGKILL");
      Deno.exit(130);
    });
  }
  Deno.exit(await main(Deno.args));
}
