/**
 * `deno task lessons [--lang es]`: every lesson with its number, title, the
 * notes' section, its exercises and the exact command that runs it, read
 * from the lessons' own headers; in Spanish, with the guide's page too.
 *
 * @module
 */
import { askedLang, parseFlags, UsageError } from "./flags.ts";
import { type LessonHeader, listLessons } from "./header.ts";
import { type Lang, LANGS, sayIn } from "./i18n.ts";

/** The listing's words, in English and Spanish. */
const WORDS = {
  notes: ["notes:", "apuntes:"],
  guide: ["", "guía:"],
  exercises: ["exercises:", "ejercicios:"],
  run: ["run:", "comando:"],
  other: [
    "In Spanish, with each lesson's page of the guide: deno task lessons --lang es",
    "La guía en español empieza en README.es.md; la lista en inglés: deno task lessons",
  ],
  usage: [
    "Usage: deno task lessons [--lang en|es]",
    "Uso: deno task lessons [--lang en|es]",
  ],
  langs: [
    "  --lang en  English titles (the default)\n  --lang es  Spanish titles and the page of the Spanish guide",
    "  --lang en  títulos en inglés (por defecto)\n  --lang es  títulos en español y la página de la guía en español",
  ],
} satisfies Record<string, [en: string, es: string]>;

/** The listing of `lessons` in `lang`, one block of lines per lesson. */
export function formatLessons(lessons: LessonHeader[], lang: Lang): string[] {
  const w = sayIn(WORDS, lang);
  const row = (label: string, value: string) =>
    label && value ? [`    ${label.padEnd(12)}${value}`] : [];
  return [
    ...lessons.flatMap((lesson) => [
      `${lesson.file.slice(0, 2)}  ${lesson.title[lang]}`,
      ...row(w("notes"), `§${lesson.section} ${lesson.sectionTitle}`),
      ...row(w("guide"), lesson.guide),
      ...row(w("exercises"), lesson.exercises.join(", ")),
      ...row(w("run"), lesson.run),
    ]),
    w("other"),
  ];
}

/** Lists the lessons as `args` ask; resolves with 0, or 2 for a bad flag. */
export async function main(
  args: readonly string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  let flags;
  try {
    flags = parseFlags(args, {
      lang: { type: "string", choices: LANGS },
      help: { type: "switch" },
    }, { short: { h: "help" } });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const lang = askedLang(args) ?? "en";
    err(error.text[lang]);
    err(sayIn(WORDS, lang)("usage"));
    return 2;
  }
  const lang = (flags.lang ?? "en") as Lang;
  if (flags.help) {
    out(sayIn(WORDS, lang)("usage"));
    out(sayIn(WORDS, lang)("langs"));
    return 0;
  }
  for (const line of formatLessons(await listLessons(), lang)) out(line);
  return 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
