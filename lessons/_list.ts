/**
 * Lists every lesson with its number, title, the notes' section and the exact
 * command that runs it, read from the lessons' own headers. With `--lang es`
 * it speaks Spanish: the lesson's title in Spanish, the notes' section and the
 * page of the Spanish guide (docs/es/) that goes with it.
 *
 * Run with `deno task lessons` or `deno task lessons --lang es`.
 *
 * @module
 */
import { describe } from "../lib/_util.ts";

/** What a lesson's header says about it. */
export interface LessonInfo {
  /** The file name, e.g. `03_gather.ts`. */
  file: string;
  /** The number of the notes' section, e.g. `03`. */
  number: string;
  /** The `@title` tag. */
  title: string;
  /** The `@section` tag: the notes' section number and Spanish title. */
  section: string;
  /** The `@run` tag: the command with its flags. */
  run: string;
  /**
   * The lines of the header's `Output:` block: what the lesson prints at the
   * default settings. A number written `~2.0` stands for a measured one.
   */
  output: string[];
  /** The lesson in Spanish, from {@linkcode SPANISH}; unset if it has no entry. */
  spanish?: SpanishInfo;
}

/** A lesson in Spanish: its title, the notes' section and its guide page. */
export interface SpanishInfo {
  /**
   * The notes' section title as the notes word it, with the accents they
   * leave out, in sentence case. It matches the `@section` tag but for
   * accents and case (a test checks it).
   */
  section: string;
  /** The lesson's title in Spanish. */
  title: string;
  /**
   * The English `@title` that `title` translates. When the lesson's title
   * changes, a test says that its Spanish title needs a look too.
   */
  translates: string;
  /** The lesson's page of the Spanish guide, from the checkout's root. */
  guide: string;
}

/** Each lesson in Spanish, by file name. */
export const SPANISH: Readonly<Record<string, SpanishInfo>> = {
  "01_modules.ts": {
    section: "Módulos principales para asincronía",
    title:
      "Las herramientas: lo que Deno trae en lugar de asyncio, concurrent.futures, aiohttp y trio",
    translates:
      "The tools: what Deno has in place of asyncio, concurrent.futures, aiohttp and trio",
    guide: "docs/es/01-modulos.md",
  },
  "02_coroutines.ts": {
    section: "Conceptos clave",
    title: "Las funciones async no son corrutinas: empiezan en el acto",
    translates: "Async functions are not coroutines: they start at once",
    guide: "docs/es/02-conceptos-clave.md",
  },
  "03_gather.ts": {
    section: "Funciones y estructuras asincrónicas",
    title: "Tareas concurrentes: gather y create_task",
    translates: "Running tasks concurrently: gather and create_task",
    guide: "docs/es/03-funciones-y-estructuras.md",
  },
  "04_lock.ts": {
    section: "Sincronización en asincronía (locks)",
    title: "Proteger el estado compartido con un cerrojo",
    translates: "Protecting shared state with a lock",
    guide: "docs/es/04-sincronizacion.md",
  },
  "04_semaphore.ts": {
    section: "Sincronización en asincronía (semáforos)",
    title: "Limitar la concurrencia con un semáforo",
    translates: "Limiting concurrency with a semaphore",
    guide: "docs/es/04-sincronizacion.md",
  },
  "05_exceptions.ts": {
    section: "Manejo de excepciones en asincronía",
    title:
      "Errores en código asíncrono: try/catch, Promise.all, TaskGroup y tiempos de espera",
    translates:
      "Errors in async code: try/catch, Promise.all, TaskGroup and timeouts",
    guide: "docs/es/05-excepciones.md",
  },
  "06_executor.ts": {
    section: "Integración con funciones sincrónicas",
    title:
      "Código bloqueante fuera del bucle de eventos: run_in_executor con Workers",
    translates: "Blocking code off the event loop: run_in_executor on Workers",
    guide: "docs/es/06-funciones-sincronicas.md",
  },
  "07_best_practices.ts": {
    section: "Buenas prácticas",
    title:
      "Buenas prácticas: no bloquear, acotar la concurrencia, atender cada error",
    translates:
      "Best practices: don't block, bound concurrency, handle every error",
    guide: "docs/es/07-buenas-practicas.md",
  },
  "08_fetch.ts": {
    section: "Herramientas externas para asincronía",
    title: "Peticiones HTTP: fetch, un tiempo de espera y reintentos",
    translates: "HTTP requests: fetch, a timeout and retries",
    guide: "docs/es/08-herramientas-externas.md",
  },
  "09_concurrency_vs_parallelism.ts": {
    section: "Comparación entre concurrencias y paralelismo",
    title:
      "Concurrencia frente a paralelismo: un hilo que espera, muchos núcleos que trabajan",
    translates:
      "Concurrency vs parallelism: one thread waiting, many cores working",
    guide: "docs/es/09-concurrencia-y-paralelismo.md",
  },
  "10_downloads.ts": {
    section: "Ejemplo completo",
    title: "Cinco descargas a la vez, y después a través de una cola",
    translates: "Five downloads at once, then through a queue",
    guide: "docs/es/10-ejemplo-completo.md",
  },
};

/** Reads the headers of the lessons in `dir`, in file order. */
export async function listLessons(dir: URL): Promise<LessonInfo[]> {
  const lessons: LessonInfo[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !/^\d\d_.*\.ts$/.test(entry.name)) continue;
    const text = await Deno.readTextFile(new URL(entry.name, dir));
    const tag = (name: string) =>
      text.match(new RegExp(`^ \\* @${name} (.+)$`, "m"))?.[1]?.trim() ?? "";
    lessons.push({
      file: entry.name,
      number: entry.name.slice(0, 2),
      title: tag("title"),
      section: tag("section").replace(/^\d+ — /, ""),
      run: tag("run"),
      output: outputBlock(text),
      spanish: SPANISH[entry.name],
    });
  }
  return lessons.sort((a, b) => a.file.localeCompare(b.file));
}

// The fenced block after " * Output" in the header, without the " * ".
function outputBlock(text: string): string[] {
  const block = text.match(
    /^ \* Output\b[^\n]*\n \*\n \* ```text\n([^]*?)\n \* ```$/m,
  );
  if (!block) return [];
  return block[1]!.split("\n").map((line) => line.replace(/^ \* ?/, ""));
}

/**
 * Whether a printed line matches a line of an `Output:` block: the same
 * text, where each `~<number>` of the block matches any number.
 */
export function matchesOutput(expected: string, printed: string): boolean {
  const pattern = expected.split(/~\d+(?:\.\d+)?/).map((part) =>
    part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  ).join("\\d+(?:\\.\\d+)?");
  return new RegExp(`^${pattern}$`).test(printed);
}

/** The languages the listing speaks. */
export type Lang = "en" | "es";

/**
 * The listing of `lessons`, one block of lines per lesson: in English, the
 * title with the notes' section (in Spanish, as the notes have it) and the
 * command; in Spanish, the Spanish title, the section, the guide's page and
 * the command.
 */
export function formatLessons(lessons: LessonInfo[], lang: Lang): string[] {
  const lines: string[] = [];
  for (const lesson of lessons) {
    const section = `§${Number(lesson.number)} ${
      lesson.spanish?.section ?? lesson.section
    }`;
    if (lang === "en") {
      lines.push(`${lesson.number}  ${lesson.title}`);
      lines.push(`    notes: ${section}`);
      lines.push(`    run:   ${lesson.run}`);
    } else {
      lines.push(`${lesson.number}  ${lesson.spanish?.title ?? lesson.title}`);
      lines.push(`    apuntes: ${section}`);
      lines.push(`    guía:    ${lesson.spanish?.guide ?? "README.es.md"}`);
      lines.push(`    comando: ${lesson.run}`);
    }
  }
  lines.push(
    lang === "en"
      ? "In Spanish, with each lesson's page of the guide: deno task lessons --lang es"
      : "La guía en español empieza en README.es.md; en inglés: deno task lessons",
  );
  return lines;
}

const USAGE = "Usage: deno task lessons [--lang en|es]";

/**
 * Runs the listing with the command line's `args` and resolves with the exit
 * status: 0 when it listed, 2 for a bad flag (one line on `err`).
 */
export async function main(
  args: readonly string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  let lang: string = "en";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h" || arg === "--help") {
      out(USAGE);
      out("  --lang en  English titles (the default)");
      out("  --lang es  Spanish titles and the page of the Spanish guide");
      return 0;
    }
    const [, inline] = /^--lang=(.*)$/s.exec(arg) ?? [];
    if (inline !== undefined) lang = inline;
    else if (arg === "--lang" && i + 1 < args.length) lang = args[++i]!;
    else {
      err(
        arg === "--lang"
          ? "Flag --lang needs a value: en or es"
          : `Unexpected argument ${describe(arg)}`,
      );
      err(USAGE);
      return 2;
    }
    if (lang !== "en" && lang !== "es") {
      err(`Flag --lang must be en or es: current value is ${describe(lang)}`);
      err(USAGE);
      return 2;
    }
  }
  const lessons = await listLessons(new URL(".", import.meta.url));
  for (const line of formatLessons(lessons, lang as Lang)) out(line);
  return 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
