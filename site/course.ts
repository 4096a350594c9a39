/**
 * The course as the site shows it: the lessons (their headers), the Spanish
 * guide's pages (docs/es) and the exercises with their state, each read
 * where it lives. The list of lessons is fixed when the site starts: it is
 * the only list of ids that pages and runs accept.
 *
 * @module
 */
import { ROOT } from "../course/deno.ts";
import { type LessonHeader, listLessons } from "../course/header.ts";
import { type Exercise, loadExercises } from "./exercises.ts";

export type { Exercise } from "./exercises.ts";
export type { LessonHeader as Lesson } from "../course/header.ts";

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
  lessons: LessonHeader[];
  /** The lesson `id`, or `undefined` when the site does not list it. */
  lesson(id: string): LessonHeader | undefined;
  /** The source of a listed lesson, read now. */
  source(lesson: LessonHeader): Promise<string>;
  /** The guide's page of a lesson (its `@guide`), when docs/es has it. */
  guide(lesson: LessonHeader): Promise<GuidePage | undefined>;
  /** The guide's glossary, when docs/es has it. */
  glossary(): Promise<GuidePage | undefined>;
  /** Whether docs/es had a glossary when the site started. */
  hasGlossary: boolean;
  /** The exercises and whether each is done, read now. */
  exercises(): Promise<Exercise[]>;
}

/** Reads the course in the checkout `root` (the one this file is in). */
export async function loadCourse(root: string = ROOT): Promise<Course> {
  const lessons = await listLessons(root);
  const byId = new Map(lessons.map((lesson) => [lesson.id, lesson]));
  const page = async (path: string) => {
    try {
      const text = await Deno.readTextFile(`${root}/${path}`);
      return { file: path.slice(path.lastIndexOf("/") + 1), text };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  };
  const glossary = () => page("docs/es/glosario.md");
  return {
    root,
    lessons,
    hasGlossary: (await glossary()) !== undefined,
    lesson: (id) => byId.get(id),
    source: (lesson) => Deno.readTextFile(`${root}/lessons/${lesson.file}`),
    guide: (lesson) => page(lesson.guide),
    glossary,
    exercises: () => loadExercises(root, lessons),
  };
}
