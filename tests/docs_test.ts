// The Spanish guide (README.es.md and docs/es/) against the lessons: every
// lesson has its page, every command runs as written, every link resolves,
// every expected output is the lesson's own Output block, every snippet
// type-checks, and the prose carries its accents.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { ROOT, runDeno } from "../course/deno.ts";
import { type LessonHeader, listLessons } from "../course/header.ts";
import type { LessonCommand } from "../course/lesson.ts";
import { testFolder } from "./_checkout.ts";
const GUIDE_DIR = "docs/es";
const ENTRY = "README.es.md";

/** A Markdown file of the guide, by its path from the checkout. */
interface Doc {
  path: string;
  text: string;
}

/** A fenced code block: its info string, its lines, the line before it. */
interface Block {
  lang: string;
  lines: string[];
  /** The last non-blank line before the fence (markers sit there). */
  before: string;
}

async function read(path: string): Promise<Doc> {
  return { path, text: await Deno.readTextFile(`${ROOT}/${path}`) };
}

/** README.es.md and every page of docs/es/, in name order. */
async function guide(): Promise<Doc[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/${GUIDE_DIR}`)) {
    if (entry.isFile && entry.name.endsWith(".md")) names.push(entry.name);
  }
  names.sort();
  return Promise.all([
    read(ENTRY),
    ...names.map((name) => read(`${GUIDE_DIR}/${name}`)),
  ]);
}

function blocks(text: string): Block[] {
  const found: Block[] = [];
  let open: Block | undefined;
  let before = "";
  for (const line of text.split("\n")) {
    if (open) {
      if (line.startsWith("```")) {
        found.push(open);
        open = undefined;
      } else open.lines.push(line);
    } else if (line.startsWith("```")) {
      open = { lang: line.slice(3).trim(), lines: [], before };
    } else if (line.trim() !== "") before = line.trim();
  }
  assert(open === undefined, "a code block is never closed");
  return found;
}

/** The text outside code blocks, with inline code spans blanked out. */
function prose(text: string): string {
  return text.replace(/^```[^]*?^```$/gm, "").replace(/`[^`\n]*`/g, "``");
}

/** The heading lines outside code blocks: level and text. */
function headings(text: string): { level: number; text: string }[] {
  return [...prose(text).matchAll(/^(#{1,6}) (.+)$/gm)].map((m) => ({
    level: m[1]!.length,
    text: m[2]!.trim(),
  }));
}

/** GitHub's anchor for each heading of `text`, duplicates numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const raw = text.replace(/^```[^]*?^```$/gm, "");
  for (const [, , heading] of raw.matchAll(/^(#{1,6}) (.+)$/gm)) {
    const base = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N} _-]/gu, "")
      .replaceAll(" ", "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** The targets of the inline links `[text](target)` outside code. */
function links(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

function dirOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
}

/** `target` seen from the file `from`, as a path from the checkout. */
function resolve(from: string, target: string): string {
  const parts = `${dirOf(from)}/${target}`.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "..") {
      assert(out.length > 0, `${from}: ${target} leaves the checkout`);
      out.pop();
    } else if (part !== "." && part !== "") out.push(part);
  }
  return out.join("/");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(`${ROOT}/${path}`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

const lessons: LessonHeader[] = await listLessons();

Deno.test("Every lesson has its page in docs/es/, titled with its section", async () => {
  const pages = new Set<string>();
  for (const lesson of lessons) {
    assert(await exists(lesson.guide), `${lesson.guide} is missing`);
    const name = lesson.guide.slice(GUIDE_DIR.length + 1);
    assertMatch(name, new RegExp(`^${lesson.file.slice(0, 2)}-[a-z-]+\\.md$`));
    const { text } = await read(lesson.guide);
    // One page per section: section 4's two lessons share it, so the title
    // leaves out the part in brackets.
    const title = `${lesson.section}. ${
      lesson.sectionTitle.replace(/ \(.*\)$/, "")
    }`;
    assertEquals(headings(text)[0], { level: 1, text: title }, name);
    pages.add(name);
  }
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/${GUIDE_DIR}`)) {
    if (/^\d\d-/.test(entry.name)) files.push(entry.name);
  }
  assertEquals(files.sort(), [...pages].sort(), "pages without a lesson");
  assertEquals(pages.size, 10, "one page per section of the notes");
});

Deno.test("Each page ends with its section's exercises and the command that checks each", async () => {
  const { findExercise } = await import("../exercises/_catalog.ts");
  for (const lesson of lessons) {
    const { text } = await read(lesson.guide);
    const listed = text.slice(text.indexOf("## Ejercicios"));
    for (const exercise of lesson.exercises.map((id) => findExercise(id)!)) {
      assert(
        text.includes("## Ejercicios") &&
          listed.includes(`**${exercise.id}** ${exercise.title.es}`) &&
          listed.includes(`\`deno task exercise ${exercise.id} --lang es\``),
        `${lesson.guide} does not list exercise ${exercise.id}`,
      );
    }
  }
});

Deno.test("README.es.md's index names each page as its title does", async () => {
  const entry = await read(ENTRY);
  const items = [...entry.text.matchAll(/^(\d+)\. \[([^\]]+)\]\(([^)#]+)\)/gm)];
  assertEquals(items.length, 10, "one index item per section");
  for (const [, number, label, target] of items) {
    const { text } = await read(target!);
    // The label may add to the title (section 4 names its two parts).
    const title = headings(text)[0]!.text;
    assert(
      `${number}. ${label}`.startsWith(title),
      `README.es.md's item ${number}, «${label}», is not titled as ${target}: «${title}»`,
    );
  }
});

Deno.test("README.es.md leads to every page and the glossary, and README.md to it", async () => {
  const entry = await read(ENTRY);
  const targets = new Set(links(entry.text).map((t) => t.split("#")[0]));
  for (const lesson of lessons) {
    assert(targets.has(lesson.guide), lesson.guide);
  }
  assert(targets.has(`${GUIDE_DIR}/glosario.md`), "glosario.md");
  assert(targets.has("README.md"), "the way back to README.md");
  const readme = await read("README.md");
  assert(links(readme.text).includes(ENTRY), "README.md links README.es.md");
});

Deno.test("Each page shows its lesson's @run command and its Output block unchanged", async () => {
  for (const lesson of lessons) {
    const page = await read(lesson.guide);
    const found = blocks(page.text);
    assert(
      found.some((b) => b.lang === "sh" && b.lines.includes(lesson.run)),
      `${page.path} has no sh block with the @run line of ${lesson.file}: ${lesson.run}`,
    );
    const marker = `<!-- salida: ${lesson.file} -->`;
    const shown = found.filter((b) => b.before === marker);
    assertEquals(shown.length, 1, `${page.path}: one block after ${marker}`);
    assertEquals(shown[0]!.lang, "text", `${page.path}: ${marker}`);
    assert(lesson.output.length > 0, `${lesson.file} has no Output block`);
    assertEquals(
      shown[0]!.lines,
      lesson.output,
      `${page.path} must show the Output block of ${lesson.file} as it is`,
    );
  }
  // No marker names a lesson that is not on its page.
  for (const doc of await guide()) {
    for (const [, file] of doc.text.matchAll(/<!-- salida: (\S+) -->/g)) {
      const lesson = lessons.find((l) => l.file === file);
      assertEquals(lesson?.guide, doc.path, `${doc.path}: ${file}`);
    }
  }
});

Deno.test("Every relative link in the guide and docs/library.md leads to a file, and every anchor to a heading", async () => {
  const docs = [
    ...await guide(),
    await read("docs/library.md"),
    await read("README.md"),
  ];
  let checked = 0;
  for (const doc of docs) {
    // README.md is the lead's; only its link to the guide is checked here.
    const targets = doc.path === "README.md"
      ? links(doc.text).filter((t) => t.startsWith(ENTRY))
      : links(doc.text);
    for (const target of targets) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto: (not fetched)
      const [file = "", anchor] = target.split("#");
      const path = file === "" ? doc.path : resolve(doc.path, file);
      assert(await exists(path), `${doc.path}: ${target} → ${path} is missing`);
      if (anchor !== undefined) {
        assert(
          path.endsWith(".md"),
          `${doc.path}: ${target} anchors a non-page`,
        );
        const heads = anchors((await read(path)).text);
        assert(
          heads.has(decodeURIComponent(anchor)),
          `${doc.path}: ${target} names no heading of ${path}`,
        );
      }
      checked++;
    }
  }
  assert(checked > 100, `only ${checked} links checked`);
});

// A command of the guide, as the test runs it.
interface Run {
  line: string;
  args: string[];
  lesson?: LessonHeader;
}

// The tasks the test may run: `test` and `check` would run this very suite
// (or take a minute), so the guide shows them in prose, not in sh blocks.
const RUNNABLE_TASKS = new Set(["lessons"]);

async function commands(): Promise<Run[]> {
  const tasks = Object.keys(
    JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)).tasks,
  );
  const runs = new Map<string, Run>();
  for (const doc of await guide()) {
    for (const block of blocks(doc.text).filter((b) => b.lang === "sh")) {
      for (const line of block.lines.filter((l) => l.trim() !== "")) {
        const where = `${doc.path}: ${line}`;
        assertMatch(
          line,
          /^[\w@=.,/ -]+$/,
          `${where}: no quotes or shell syntax`,
        );
        const [launcher, ...args] = line.startsWith("npx -y deno@")
          ? line.split(" ").slice(2)
          : line.split(" ");
        assertMatch(launcher!, /^deno(@\d+\.\d+\.\d+)?$/, where);
        assert(
          args[0] === "run" || args[0] === "task",
          `${where}: run or task`,
        );
        if (args[0] === "task") {
          assert(tasks.includes(args[1]!), `${where}: no such task`);
          assert(RUNNABLE_TASKS.has(args[1]!), `${where}: not runnable here`);
        }
        const file = args.find((a) => /^lessons\/\d\d_\w+\.ts$/.test(a));
        const lesson = lessons.find((l) => `lessons/${l.file}` === file);
        if (args[0] === "run") assert(lesson, `${where}: names no lesson`);
        runs.set(args.join(" "), { line: args.join(" "), args, lesson });
      }
    }
  }
  return [...runs.values()];
}

Deno.test("Every npx command of the READMEs asks for the same Deno", async () => {
  const versions = new Set<string>();
  for (const doc of [await read(ENTRY), await read("README.md")]) {
    for (const [, version] of doc.text.matchAll(/npx -y deno@(\S+) /g)) {
      versions.add(version!);
    }
  }
  assertEquals(versions.size, 1, [...versions].join(", "));
});

Deno.test("Every command in the guide runs as written, a lesson at a small --unit", async () => {
  // A lesson's own @run line is run by tests/lessons_output_test.ts, which
  // checks its Output block too (without --timeline, whose chart the block
  // does not show); each page shows that line (above).
  const runs = (await commands()).filter(({ line, lesson }) => {
    const run = lesson?.run.replace(/^deno /, "");
    return line !== run && line !== run?.replace(/ --timeline$/, "");
  });
  assert(runs.length >= 5, `only ${runs.length} commands`);
  const failures: string[] = [];
  const one = async ({ args, lesson }: Run) => {
    const argv = [...args];
    if (lesson && !argv.includes("--unit")) {
      const { command } = await import(`../lessons/${lesson.file}`) as {
        command: LessonCommand;
      };
      // The smallest unit the lesson is written for (below it, a warning),
      // 20 ms where it names none: what is checked here, the exit code and
      // standard error, does not depend on how late a timer fires.
      argv.push("--unit", String(Math.max(20, command.minUnit ?? 0)));
    }
    const { code, stderr } = await runDeno(argv);
    const problems: string[] = [];
    if (code !== 0) problems.push(`exit ${code}`);
    if (/^Warning/m.test(stderr)) problems.push("a warning");
    if (problems.length > 0) {
      failures.push(
        `deno ${argv.join(" ")}: ${problems.join(", ")}\n${stderr}`,
      );
    }
  };
  // Two at a time: the machine is shared with the rest of the suite, and
  // lesson 9 keeps every core busy for a second.
  const queue = [...runs];
  await Promise.all(Array.from({ length: 2 }, async () => {
    for (let run = queue.shift(); run; run = queue.shift()) await one(run);
  }));
  assertEquals(failures, []);
});

Deno.test("Every TypeScript snippet of the guide type-checks", async () => {
  const docs = await guide();
  const snippets = docs.flatMap((d) =>
    blocks(d.text).filter((b) => /^(ts|typescript)\b/.test(b.lang))
  );
  assert(snippets.length >= 10, `only ${snippets.length} snippets`);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", "--doc-only", ...docs.map((d) => d.path)],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
});

Deno.test("Every TypeScript snippet of docs/library.md type-checks against this checkout", async () => {
  // The page imports the package from JSR, which these machines cannot
  // reach: each snippet is written to a file of its own that imports mod.ts
  // instead. A block that starts "// tasks.ts" is the task module the
  // Executor's snippets name, beside the fib() that the first one calls.
  const { text } = await read("docs/library.md");
  const dir = await testFolder("library-snippets");
  const mod = JSON.stringify(new URL("../mod.ts", import.meta.url).href);
  let tasks = "export const fib = (n: number): number =>\n" +
    "  n < 2 ? n : fib(n - 1) + fib(n - 2);\n";
  const files: string[] = [];
  try {
    for (
      const [, indent, body] of text.matchAll(/^( *)```ts\n([^]*?)^\1```$/gm)
    ) {
      const code = body!.split("\n").map((line) => line.slice(indent!.length))
        .join("\n").replaceAll(`"jsr:@asincronia/asincronia"`, mod);
      if (code.startsWith("// tasks.ts\n")) tasks += code;
      else {
        files.push(`${dir}/snippet_${files.length}.ts`);
        await Deno.writeTextFile(files.at(-1)!, code);
      }
    }
    await Deno.writeTextFile(`${dir}/tasks.ts`, tasks);
    assert(files.length >= 8, `only ${files.length} snippets`);
    // No config: .tools/ is outside the checkout's own (deno.json excludes it).
    const check = ["check", "--no-config", ...files, `${dir}/tasks.ts`];
    const { code, stderr } = await runDeno(check);
    assertEquals(code, 0, stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("The paragraph before a Python snippet names only asyncio calls the snippet makes", async () => {
  let checked = 0;
  for (const doc of await guide()) {
    const lines = doc.text.split("\n");
    let inBlock = false;
    lines.forEach((line, i) => {
      if (!line.startsWith("```")) return;
      inBlock = !inBlock;
      if (!inBlock || line.slice(3).trim() !== "python") return;
      // The paragraph just above the fence, and the block under it.
      let last = i;
      while (last > 0 && lines[last - 1]!.trim() === "") last--;
      let start = last;
      while (start > 0 && lines[start - 1]!.trim() !== "") start--;
      const paragraph = lines.slice(start, last).join(" ");
      const end = lines.findIndex((l, at) => at > i && l.startsWith("```"));
      const code = lines.slice(i + 1, end).join("\n");
      for (const [, name] of paragraph.matchAll(/`asyncio\.(\w+)`/g)) {
        assert(
          code.includes(`asyncio.${name}`),
          `${doc.path}:${
            i + 1
          }: the text names asyncio.${name}, the snippet does not use it`,
        );
        checked++;
      }
    });
  }
  assert(checked >= 1, "no paragraph names an asyncio call");
});

Deno.test("No TypeScript snippet of the guide fetches from a fixed port of this machine", async () => {
  // Nothing listens there: a lesson's server takes a free port of its own.
  for (const doc of await guide()) {
    for (const block of blocks(doc.text)) {
      if (!/^(ts|typescript)\b/.test(block.lang)) continue;
      const code = block.lines.join("\n");
      const fixed = /(127\.0\.0\.1|localhost):\d+/.exec(code);
      assert(fixed === null, `${doc.path}: a snippet fetches ${fixed?.[0]}`);
    }
  }
});

// Unaccented spellings the notes use (and a few more that a Spanish text
// is likely to need), which the guide must write with their accents.
const UNACCENTED = [
  "asincronia",
  "sincronizacion",
  "modulo",
  "modulos",
  "semaforo",
  "semaforos",
  "practicas",
  "comparacion",
  "integracion",
  "sincronica",
  "sincronicas",
  "asincronica",
  "asincronicas",
  "asincrono",
  "asincrona",
  "asincronos",
  "asincronas",
  "cancelacion",
  "excepcion",
  "leccion",
  "seccion",
  "funcion",
  "ejecucion",
  "nucleo",
  "nucleos",
  "codigo",
  "pagina",
  "paginas",
  "tambien",
  "despues",
  "ademas",
  "aqui",
  "numero",
  "ultimo",
  "utiles",
  "pequeno",
  "peticion",
  "version",
];

/** The words of `text`'s prose that lack their accents. */
function unaccented(text: string): string[] {
  const banned = new Set(UNACCENTED);
  const words = prose(text)
    .replace(/\]\([^)]*\)/g, "]") // link targets are file names
    .replace(/<!--[^]*?-->/g, "")
    .match(/\p{L}+/gu) ?? [];
  return words.filter((word) => banned.has(word.toLowerCase()));
}

Deno.test("The guide writes the accents that the notes leave out", async () => {
  // The check reads words of prose, not code, file names or link targets.
  assertEquals(
    unaccented(
      "La Leccion usa `modulo`:\n```ts\nsemaforo\n```\n[página](01-modulos.md)",
    ),
    ["Leccion"],
  );
  const found: string[] = [];
  for (const doc of await guide()) {
    found.push(...unaccented(doc.text).map((word) => `${doc.path}: ${word}`));
  }
  assertEquals(found, []);
});

Deno.test("The glossary gives each term its Python name, its TypeScript name and a lesson", async () => {
  const { text } = await read(`${GUIDE_DIR}/glosario.md`);
  const entries = text.split(/^## /m).slice(1).map((part) => {
    const [title = "", ...body] = part.split("\n");
    return { title, body: body.join("\n") };
  });
  const terms = entries.map((e) => e.title.toLowerCase());
  for (
    const term of [
      "corrutina",
      "bucle de eventos",
      "tarea",
      "futuro / promesa",
      "semáforo",
      "cerrojo (lock)",
      "evento",
      "cola",
      "hilo",
      "proceso",
      "gil",
      "cancelación",
      "tiempo de espera (timeout)",
      "concurrencia",
      "paralelismo",
      "reintento",
      "contrapresión",
    ]
  ) assert(terms.includes(term), `the glossary has no entry "${term}"`);
  const sorted = [...terms].sort((a, b) => a.localeCompare(b, "es"));
  assertEquals(terms, sorted, "entries in alphabetical order");
  for (const { title, body } of entries) {
    // The list items, each with its continuation lines.
    const items = body.split(/\n(?=- )|\n\n/);
    const item = (label: string) =>
      items.find((i) => i.startsWith(`- **${label}:**`));
    assert(item("Python"), `${title}: no Python line`);
    assert(item("TypeScript / Deno"), `${title}: no TypeScript / Deno line`);
    const lesson = item("Lección") ?? "";
    assertMatch(
      lesson,
      /\]\((\d\d-[a-z-]+\.md|\.\.\/\.\.\/(lessons|lib)\/\w+\.ts)\)/,
      `${title}: the Lección line links no page, lesson or module`,
    );
  }
});
