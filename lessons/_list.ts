/**
 * Lists every lesson with its number, title, the notes' section and the exact
 * command that runs it, read from the lessons' own headers.
 *
 * Run with `deno task lessons`.
 *
 * @module
 */

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
}

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

if (import.meta.main) {
  for (const lesson of await listLessons(new URL(".", import.meta.url))) {
    console.log(`${lesson.number}  ${lesson.title}`);
    console.log(`    notes: §${Number(lesson.number)} ${lesson.section}`);
    console.log(`    run:   ${lesson.run}`);
  }
}
