/**
 * Reads a lesson file the way Deno by Example does: its JSDoc header gives
 * the title, the tags, the command and the expected output, and the rest is
 * cut into steps, each the comment lines before a piece of code (the prose)
 * and that code. The page is made from the file itself, so it cannot drift
 * from what runs.
 *
 * @module
 */

/** A `@resource` of the header: a link and its text. */
export interface Resource {
  /** The address, as written in the header. */
  url: string;
  /** The text to show. */
  text: string;
}

/** What the header of a lesson says. */
export interface LessonHeader {
  /** `@title`. */
  title: string;
  /** `@difficulty`. */
  difficulty: string;
  /** `@tags`, split at commas. */
  tags: string[];
  /** `@run`: the command, with its flags. */
  run: string;
  /** `@resource` links. */
  resources: Resource[];
  /** `@section`: the notes' section number and Spanish title. */
  section: string;
  /** The paragraphs between the tags and the Output block. */
  summary: string[];
  /** The lines of the `Output:` block. */
  output: string[];
}

/** One step of a lesson: the prose, then the code it explains. */
export interface Step {
  /** Paragraphs of prose, from the comment lines before the code. */
  prose: string[];
  /** The code, lines joined by `\n`, without trailing blank lines. */
  code: string;
}

/** A lesson file, read. */
export interface LiterateLesson {
  /** The header. */
  header: LessonHeader;
  /** The steps, in file order. */
  steps: Step[];
}

/** Reads a lesson's source text into its header and steps. */
export function readLesson(source: string): LiterateLesson {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  let header: LessonHeader = emptyHeader();
  if (lines[0]?.trim() === "/**") {
    const end = lines.findIndex((line) => line.trim() === "*/");
    if (end > 0) {
      header = readHeader(lines.slice(1, end).map(uncomment));
      i = end + 1;
    }
  }
  return { header, steps: readSteps(lines.slice(i)) };
}

function emptyHeader(): LessonHeader {
  return {
    title: "",
    difficulty: "",
    tags: [],
    run: "",
    resources: [],
    section: "",
    summary: [],
    output: [],
  };
}

/** A line of a block comment without its ` * ` (or `*`). */
function uncomment(line: string): string {
  return line.replace(/^\s*\*( |$)/, "");
}

function readHeader(lines: string[]): LessonHeader {
  const header = emptyHeader();
  const text: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const tag = /^@(\w+)\s+(.*)$/.exec(line);
    if (tag) {
      const [, name, value] = tag;
      if (name === "title") header.title = value!.trim();
      else if (name === "difficulty") header.difficulty = value!.trim();
      else if (name === "tags") {
        header.tags = value!.split(",").map((t) => t.trim()).filter(Boolean);
      } else if (name === "run") header.run = value!.trim();
      else if (name === "section") header.section = value!.trim();
      else if (name === "resource") {
        const link = /^\{([^}]+)\}\s*(.*)$/.exec(value!.trim());
        if (link) header.resources.push({ url: link[1]!, text: link[2]! });
      }
      continue;
    }
    if (/^Output\b/.test(line)) {
      const open = lines.findIndex((l, k) => k > i && l.startsWith("```"));
      const close = lines.findIndex((l, k) => k > open && l.startsWith("```"));
      if (open > i && close > open) {
        header.output = lines.slice(open + 1, close);
        i = close;
        continue;
      }
    }
    text.push(line);
  }
  header.summary = paragraphs(text);
  return header;
}

/** Lines joined into paragraphs at blank lines. */
function paragraphs(lines: string[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === "") {
      if (current.length) out.push(current.join(" "));
      current = [];
    } else current.push(line.trim());
  }
  if (current.length) out.push(current.join(" "));
  return out;
}

/** A comment line of prose; a lint directive is code, not prose. */
function lineComment(line: string): string | undefined {
  const match = /^\s*\/\/ ?(.*)$/.exec(line);
  if (!match || /^\s*\/\/\s*deno-lint-ignore/.test(line)) return undefined;
  return match[1]!;
}

function readSteps(lines: string[]): Step[] {
  const steps: Step[] = [];
  let prose: string[] = [];
  let code: string[] = [];
  const flush = () => {
    while (code.length && code[code.length - 1]!.trim() === "") code.pop();
    while (code.length && code[0]!.trim() === "") code.shift();
    if (prose.length || code.length) {
      steps.push({ prose: paragraphs(prose), code: code.join("\n") });
    }
    prose = [];
    code = [];
  };
  // Inside a template literal, a line that starts with `//` is text.
  let inTemplate = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const comment = inTemplate ? undefined : lineComment(line);
    const block = inTemplate ? null : /^\s*\/\*\*?(.*)$/.exec(line);
    if (comment !== undefined || block) {
      // A comment after code starts the next step.
      if (code.some((l) => l.trim() !== "")) flush();
      if (comment !== undefined) {
        prose.push(comment);
        continue;
      }
      // A block comment: one line (`/** text */`) or until `*/`.
      const oneLine = /^(.*?)\*\/\s*$/.exec(block![1]!);
      if (oneLine) {
        prose.push(oneLine[1]!.trim());
        continue;
      }
      prose.push(block![1]!.trim());
      while (++i < lines.length && !/\*\/\s*$/.test(lines[i]!)) {
        prose.push(uncomment(lines[i]!));
      }
      const last = uncomment((lines[i] ?? "").replace(/\s*\*\/\s*$/, ""));
      if (last.trim() !== "") prose.push(last);
      continue;
    }
    if (line.trim() === "" && prose.length && !code.length) {
      // A blank line after prose with no code yet ends a paragraph.
      prose.push("");
      continue;
    }
    code.push(line);
    if ((line.match(/(?<!\\)`/g)?.length ?? 0) % 2 === 1) {
      inTemplate = !inTemplate;
    }
  }
  flush();
  return steps;
}
