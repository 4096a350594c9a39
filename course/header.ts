/**
 * A lesson's header, the file's first JSDoc block: the one source of its
 * facts, read here by every list of lessons (`deno task lessons`, the README,
 * the site, `--help`, the exercises). Its tags: `@title`, `@title:es`,
 * `@section N — the notes' title`, `@guide` (its page of docs/es),
 * `@exercises` (ids, if any), `@difficulty`, `@tags`, `@run` and `@resource
 * {url} text`; then a few lines on what it shows, and its `Output:` block.
 *
 * `@run`, the command that runs it from the checkout, declares its
 * permissions: `deno run`, then `--allow-read`, `--allow-net`, `--allow-run`
 * as needed (a list each, in that order), its file and any flags to show. A
 * header that lacks a tag or breaks that form is refused, naming both.
 *
 * @module
 */
import { ROOT } from "./deno.ts";

/**
 * What `deno run` must allow a lesson: folders it reads (workers load their
 * modules from them; paths from the checkout), hosts it listens on and
 * connects to, programs it starts.
 */
export interface Permissions {
  read?: string[];
  net?: string[];
  run?: string[];
}

/** What a lesson's header says; the tags are in the module's doc. */
export type LessonHeader = ReturnType<typeof readHeader>;

/** Reads the header of the lesson `file` (its name in lessons/) from its source. */
export function readHeader(source: string, file: string) {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const end = lines.findIndex((line) => line.trim() === "*/");
  if (lines[0]?.trim() !== "/**" || end < 0) bad(file, "header", "none");
  const body = lines.slice(1, end).map((line) => line.replace(/^\s*\* ?/, ""));
  const tags = new Map<string, string[]>();
  const text: string[] = [];
  let output: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const tag = /^@([\w:]+)\s+(.*)$/.exec(body[i]!);
    if (tag) {
      tags.set(tag[1]!, [...tags.get(tag[1]!) ?? [], tag[2]!.trim()]);
    } else if (/^Output\b/.test(body[i]!) && body[i + 2] === "```text") {
      const close = body.indexOf("```", i + 3);
      if (close < 0) bad(file, "Output", "an open block");
      output = body.slice(i + 3, close);
      i = close;
    } else text.push(body[i]!);
  }
  const one = (name: string) => {
    const value = tags.get(name)?.[0];
    if (!value) bad(file, `@${name}`, "missing");
    return value;
  };
  const [, number, sectionTitle] = /^(\d+) — (.+)$/.exec(one("section")) ??
    bad(file, "@section", one("section"));
  if (Number(number) !== Number(file.slice(0, 2))) {
    bad(file, "@section", `${number}, not the file's number`);
  }
  const run = one("run");
  const exercises = (tags.get("exercises")?.[0] ?? "").split(",")
    .map((id) => id.trim()).filter(Boolean);
  return {
    /** Its name in lessons/ (`03_gather.ts`); without `.ts`, its id. */
    file,
    id: file.replace(/\.ts$/, ""),
    section: Number(number),
    /**
     * The notes' section title, with the accents they leave out and their
     * one slip of grammar (§9's «concurrencias») mended: the guide's heading.
     */
    sectionTitle: sectionTitle!,
    title: { en: one("title"), es: one("title:es") },
    difficulty: one("difficulty"),
    tags: one("tags").split(",").map((t) => t.trim()).filter(Boolean),
    /** `@run`, as written, and the permissions it grants. */
    run,
    permissions: permissionsOf(run, file),
    resources: (tags.get("resource") ?? []).map((value) => {
      const [, url = "", about = ""] = /^\{([^}]+)\}\s*(.*)$/.exec(value) ??
        bad(file, "@resource", value);
      return { url, text: about };
    }),
    /** `@guide`: its page of the Spanish guide, from the checkout. */
    guide: one("guide"),
    exercises,
    /** The paragraphs between the tags and the Output block. */
    summary: paragraphs(text),
    /**
     * The lines of the `Output:` block: what the lesson prints at the default
     * settings. A number written `~2.0` stands for a measured one.
     */
    output,
  };
}

/** The headers of every lesson in `root`/lessons, in course order. */
export async function listLessons(root: string = ROOT) {
  const dir = `${root}/lessons`;
  const headers: LessonHeader[] = [];
  for await (const { isFile, name } of Deno.readDir(dir)) {
    if (!isFile || !/^\d\d_\w+\.ts$/.test(name)) continue;
    await Deno.readTextFile(`${dir}/${name}`)
      .then((text) => headers.push(readHeader(text, name)))
      .catch(() => {}); // its header does not read: no lesson (a copy?)
  }
  // By section, then by first exercise, since exercises are numbered in the
  // notes' order (§4's semaphore, 04a, comes before its lock, 04b).
  const key = (l: LessonHeader) =>
    `${l.file.slice(0, 2)} ${l.exercises[0] ?? ""} ${l.file}`;
  return headers.sort((a, b) => key(a) < key(b) ? -1 : 1);
}

/** The permissions `@run` grants, refusing a command not in the header's form. */
function permissionsOf(run: string, file: string): Permissions {
  const words = run.split(" ");
  const at = words.indexOf(`lessons/${file}`);
  const form =
    `not "deno run [--allow-read=…] [--allow-net=…] [--allow-run=…] lessons/${file} [flags]"`;
  if (at < 2) bad(file, "@run", form);
  const permissions: Permissions = {};
  for (const flag of words.slice(2, at)) {
    const [, kind, list] = /^--allow-(read|net|run)=([^\s,]+(?:,[^\s,]+)*)$/
      .exec(flag) ?? bad(file, "@run", `${flag} is not a permission it knows`);
    permissions[kind as keyof Permissions] = list!.split(",");
  }
  if (commandLine({ file, permissions }, words.slice(at + 1)) !== run) {
    bad(file, "@run", form);
  }
  return permissions;
}

function bad(file: string, tag: string, problem: string): never {
  const message = `The header of lessons/${file} has a bad ${tag}: ${problem}`;
  throw new SyntaxError(message);
}

/** Lines joined into paragraphs at blank lines. */
export function paragraphs(lines: readonly string[]): string[] {
  return lines.join("\n").split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, " ").trim()).filter(Boolean);
}

/** `path`, from the checkout, as a command run from `cwd` must spell it. */
function spell(path: string, cwd: string): string {
  return cwd === ROOT ? path : `${ROOT}/${path}`;
}

/** The permission flags of `deno run`, with paths that work from `cwd`. */
export function permissionFlags(permissions: Permissions, cwd: string = ROOT) {
  const { read = [], net = [], run = [] } = permissions;
  const lists = { read: read.map((path) => spell(path, cwd)), net, run };
  return Object.entries(lists).filter(([, list]) => list.length > 0)
    .map(([kind, list]) => `--allow-${kind}=${list.join(",")}`);
}

/** The `deno run` command that runs a lesson from `cwd`, with `args`, quoted for a shell. */
export function commandLine(
  lesson: Pick<LessonHeader, "file" | "permissions">,
  args: readonly string[] = [],
  cwd: string = ROOT,
): string {
  const file = spell(`lessons/${lesson.file}`, cwd);
  const flags = permissionFlags(lesson.permissions, cwd);
  return ["deno", "run", ...flags, file, ...args].map(shellQuote).join(" ");
}

/** A word as a POSIX shell reads it back: quoted when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}
