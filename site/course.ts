/**
 * The course as the site shows it: the lessons (from their own files), the
 * Spanish guide's pages (docs/es) and the exercises with their state, each
 * read where it lives. A part that is missing (no docs/es yet, no
 * exercises/) leaves its place on the pages empty; nothing fails for it.
 *
 * The list of lessons is fixed when the site starts: it is the only list of
 * ids that pages and runs accept.
 *
 * @module
 */
import { listLessons } from "../lessons/_list.ts";
import {
  type LessonPermissions,
  permissionFlags,
  place,
  ROOT,
} from "../lessons/_cli.ts";
import type { LessonCommand } from "../lessons/_lesson.ts";
import { type Exercise, loadExercises } from "./exercises.ts";

export type { Exercise } from "./exercises.ts";

/** A lesson, as the site lists and runs it. */
export interface Lesson {
  /** The file name without `.ts`: the id in the site's addresses. */
  id: string;
  /** The file name, in lessons/. */
  file: string;
  /** The notes' section, e.g. 3. */
  section: number;
  /** The notes' section title, as the `@section` tag writes it. */
  sectionTitle: string;
  /** The notes' section title with its accents, when lessons/_list.ts has it. */
  sectionTitleEs: string | undefined;
  /** The lesson's English title (`@title`). */
  title: string;
  /** The lesson's Spanish title, when lessons/_list.ts has one. */
  titleEs: string | undefined;
  /** Its page of the Spanish guide (docs/es/…), when lessons/_list.ts names one. */
  guide: string | undefined;
  /** The `@run` command. */
  run: string;
  /** What the lesson's `command` says it needs. */
  permissions: LessonPermissions;
  /** The permission flags of `deno run`, from the checkout. */
  flags: string[];
  /** The smallest unit its Output holds at (`command.minUnit`), or 1. */
  minUnit: number;
}

/** A page of the Spanish guide. */
export interface GuidePage {
  /** The file name in docs/es, e.g. `03-funciones.md`. */
  file: string;
  /** Its Markdown. */
  text: string;
}

/** The course, read from the checkout. */
export interface Course {
  /** The checkout's folder. */
  root: string;
  /** Every lesson, in course order. */
  lessons: Lesson[];
  /** The lesson `id`, or `undefined` when the site does not list it. */
  lesson(id: string): Lesson | undefined;
  /** The source of a listed lesson, read now. */
  source(lesson: Lesson): Promise<string>;
  /** The guide's page of a lesson, when docs/es has it. */
  guide(lesson: Lesson): Promise<GuidePage | undefined>;
  /** The guide's glossary, when docs/es has it. */
  glossary(): Promise<GuidePage | undefined>;
  /** Whether docs/es had a glossary when the site started. */
  hasGlossary: boolean;
  /** The exercises and whether each is done, read now. */
  exercises(): Promise<Exercise[]>;
}

/** Reads the course in the checkout `root` (the one this file is in). */
export async function loadCourse(root: string = ROOT): Promise<Course> {
  const dir = new URL(`file://${root}/lessons/`);
  const lessons: Lesson[] = [];
  for (const info of await listLessons(dir)) {
    const { command } = await import(new URL(info.file, dir).href) as {
      command: LessonCommand;
    };
    const permissions = command.permissions ?? {};
    // lessons/_list.ts has each lesson in Spanish (its SPANISH table), and
    // the guide's page in docs/es/; read defensively, as the table may lack
    // a lesson.
    const spanish = (info as { spanish?: Record<string, unknown> }).spanish;
    const text = (value: unknown) =>
      typeof value === "string" && value !== "" ? value : undefined;
    const guide = text(spanish?.guide);
    lessons.push({
      id: info.file.replace(/\.ts$/, ""),
      file: info.file,
      section: Number(info.number),
      sectionTitle: info.section,
      sectionTitleEs: text(spanish?.section),
      title: info.title,
      titleEs: text(spanish?.title),
      guide: guide && /^docs\/es\/[\w-]+\.md$/.test(guide) ? guide : undefined,
      run: info.run,
      permissions,
      flags: permissionFlags(
        permissions,
        place(`${root}/lessons/${info.file}`, root),
      ),
      minUnit: Math.max(1, Math.ceil(command.minUnit ?? 1)),
    });
  }
  const byId = new Map(lessons.map((lesson) => [lesson.id, lesson]));
  const guideDir = `${root}/docs/es`;
  const page = async (match: (name: string) => boolean) => {
    try {
      for await (const entry of Deno.readDir(guideDir)) {
        if (entry.isFile && match(entry.name)) {
          const text = await Deno.readTextFile(`${guideDir}/${entry.name}`);
          return { file: entry.name, text };
        }
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return undefined;
  };
  const glossary = () => page((name) => name === "glosario.md");
  return {
    root,
    lessons,
    hasGlossary: (await glossary()) !== undefined,
    lesson: (id) => byId.get(id),
    source: (lesson) => Deno.readTextFile(`${root}/lessons/${lesson.file}`),
    guide: (lesson) => {
      // The page _list.ts names, else the one numbered like the section.
      const named = lesson.guide?.slice("docs/es/".length);
      const prefix = `${String(lesson.section).padStart(2, "0")}-`;
      return page((name) =>
        named !== undefined
          ? name === named
          : name.startsWith(prefix) && name.endsWith(".md")
      );
    },
    glossary,
    exercises: () => loadExercises(root, lessons.map((l) => l.id)),
  };
}
