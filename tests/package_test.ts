// The package as JSR shows and ships it. `deno publish` ships mod.ts, lib/,
// LICENSE and deno.json, and no README: the repository's README is about the
// course, so JSR shows mod.ts's module doc as the package page instead. Every
// JSDoc example of the package is a test, run below, that asserts its
// results and reaches no host but 127.0.0.1, and every public class and
// function is used by one.
//
// Permissions (see the "test" task): --allow-read=. for the sources,
// --allow-run for the deno binary (`deno publish --dry-run`),
// --allow-write=.tools/test-output for the examples as modules, and what
// the examples need (--allow-net=127.0.0.1).
import { assert, assertEquals } from "@std/assert";
import { testFolder } from "./_checkout.ts";

const root = new URL("../", import.meta.url);

/** The public entry points that the package page must show, one example each. */
const PRIMITIVES = [
  "Semaphore",
  "Lock",
  "TaskGroup",
  "Event",
  "Queue",
  "asCompleted",
  "Executor",
  "fetchWithRetry",
  "fetchAll",
  "Timeline",
];

/** A fenced code block of a JSDoc comment. */
interface Block {
  /** The path of the file, relative to the repository. */
  file: string;
  /** The line of the opening fence, from 1. */
  line: number;
  /** The fence's info string: `ts`, `ts ignore`, `sh`, … */
  info: string;
  /** The `@example` title the block belongs to, or undefined in prose. */
  example: string | undefined;
  code: string;
}

/** Every fenced block inside the `/** … *\/` comments of `text`. */
function blocks(file: string, text: string): Block[] {
  const found: Block[] = [];
  const lines = text.split("\n");
  let inComment = false;
  let example: string | undefined;
  let open: Block | undefined;
  for (const [index, raw] of lines.entries()) {
    if (!inComment) {
      if (raw.trimStart().startsWith("/**")) {
        inComment = true;
        example = undefined;
      } else continue;
    }
    const line = raw.replace(/^\s*(?:\/\*\*|\*\/|\*) ?/, "");
    if (open) {
      if (line.startsWith("```")) {
        found.push(open);
        open = undefined;
      } else open.code += `${line}\n`;
    } else if (line.startsWith("```")) {
      open = {
        file,
        line: index + 1,
        info: line.slice(3).trim(),
        example,
        code: "",
      };
    } else if (line.startsWith("@example")) {
      example = line.slice("@example".length).trim();
    } else if (/^@\w/.test(line)) {
      example = undefined;
    }
    if (raw.includes("*/")) inComment = false;
  }
  return found;
}

/** The info strings of blocks that run, and the extension of each as a module. */
const EXTENSIONS: Record<string, string> = {
  ts: "ts",
  typescript: "ts",
  js: "js",
  javascript: "js",
  tsx: "tsx",
  jsx: "jsx",
};

/** The package's own files with JSDoc: mod.ts and lib/*.ts. */
async function sources(): Promise<{ file: string; text: string }[]> {
  const files = ["mod.ts"];
  for await (const entry of Deno.readDir(new URL("lib/", root))) {
    if (entry.isFile && entry.name.endsWith(".ts")) {
      files.push(`lib/${entry.name}`);
    }
  }
  files.sort();
  return await Promise.all(files.map(async (file) => ({
    file,
    text: await Deno.readTextFile(new URL(file, root)),
  })));
}

/** The text of mod.ts's module doc, the first JSDoc comment. */
async function moduleDoc(): Promise<string> {
  const text = await Deno.readTextFile(new URL("mod.ts", root));
  const doc = /^\/\*\*([^]*?)\*\//.exec(text)?.[1] ?? "";
  assert(doc.includes("@module"), "mod.ts starts with its @module doc");
  return doc.replace(/^ ?\* ?/gm, "");
}

Deno.test("deno publish ships mod.ts, lib/, LICENSE and deno.json, and nothing else", async () => {
  // --no-check: which files ship does not depend on types, and `deno task
  // check` runs the full dry run; a cold type check here was ~1.5 CPU-s.
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty", "--no-check"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  assertEquals(code, 0, out);
  // "Simulating publish of @asincronia/asincronia@… with files:", then one
  // "   file:///…/path (size)" line per file.
  const shipped = [...out.matchAll(/^\s+(file:\/\/\S+) \(/gm)]
    .map((match) => decodeURIComponent(new URL(match[1]!).pathname))
    .map((path) => path.slice(decodeURIComponent(root.pathname).length))
    .sort();
  const lib: string[] = [];
  for await (const entry of Deno.readDir(new URL("lib/", root))) {
    if (entry.isFile) lib.push(`lib/${entry.name}`);
  }
  // deno.json is the package's manifest: deno publish always ships it.
  assertEquals(
    shipped,
    ["LICENSE", "deno.json", ...lib.sort(), "mod.ts"].sort(),
  );
});

Deno.test("The package page, mod.ts's module doc, shows every primitive with an example and its permissions", async () => {
  const doc = await moduleDoc();
  assert(
    doc.includes("deno add jsr:@asincronia/asincronia"),
    "how to install it",
  );
  const examples = blocks(
    "mod.ts",
    await Deno.readTextFile(new URL("mod.ts", root)),
  )
    .filter((block) => block.example !== undefined);
  for (const name of PRIMITIVES) {
    const shown = examples.filter((block) =>
      new RegExp(
        `^import \\{[^}]*\\b${name}\\b[^}]*\\} from "@asincronia/asincronia";$`,
        "m",
      )
        .test(block.code)
    );
    assertEquals(shown.length, 1, `one example of ${name} on the package page`);
  }
  const permissions = doc.slice(doc.indexOf("## Permissions"));
  assert(doc.includes("## Permissions"), "a Permissions section");
  for (const name of PRIMITIVES) {
    assert(permissions.includes(name), `the permissions of ${name}`);
  }
  // Relative links lead to the repository's files (JSR sends them to the
  // linked GitHub repository): each must exist.
  for (const [, target] of doc.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
    if (/^[a-z]+:/.test(target!)) continue;
    await Deno.stat(new URL(target!, root)); // throws NotFound if it does not exist
  }
});

Deno.test("Every JSDoc example of the package runs here, asserts something and reaches no other host", async () => {
  const all = (await sources()).flatMap(({ file, text }) => blocks(file, text));
  for (const block of all) {
    const where = `${block.file}:${block.line}`;
    const words = block.info.split(/\s+/);
    if (EXTENSIONS[words[0]!] === undefined) continue;
    assertEquals(
      words.slice(1),
      [],
      `${where}: an example that does not run (${block.info})`,
    );
    for (
      const [, host] of block.code.matchAll(
        /\b[a-z][a-z+.-]*:\/\/([^/:\s"'`$]+)/g,
      )
    ) {
      assertEquals(
        host,
        "127.0.0.1",
        `${where}: an example that reaches ${host}`,
      );
    }
    if (block.example !== undefined) {
      assert(
        /\bassert\w*\(/.test(block.code),
        `${where}: an example that asserts nothing`,
      );
    }
  }
});

Deno.test("Every public class and function of the package is used by an example that asserts", async () => {
  const exports = await import(new URL("mod.ts", root).href);
  const names = Object.keys(exports)
    .filter((name) => typeof exports[name] === "function");
  assert(names.includes("Semaphore") && names.includes("fetchAll"), `${names}`);
  const examples = (await sources())
    .flatMap(({ file, text }) => blocks(file, text))
    .filter((block) =>
      block.example !== undefined && /\bassert\w*\(/.test(block.code)
    );
  for (const name of names) {
    const uses = new RegExp(
      `^\\s*import \\{[^}]*\\b${name}\\b[^}]*\\} from "@asincronia/asincronia[/\\w-]*";$`,
      "m",
    );
    assert(
      examples.some((block) => uses.test(block.code)),
      `no asserting example imports ${name}`,
    );
  }
});

// Each example runs as `deno test --doc` would run it: its imports at the
// top of a module of its own, the rest as the body of a test, and the
// exports of its file that it uses imported for it. `deno task check`
// type-checks them (`deno check --doc`). Not `deno test --doc` itself: it
// makes each of the 41 examples a test module of its own, and a test module
// costs ~55 ms of CPU to start; this file, examples included, takes 0.4
// CPU-s and 0.75 s, `deno test --doc lib/ mod.ts` 4.5 CPU-s and 2.6 s
// (alone, 2 cores).
// A folder of its own (another suite may run in this checkout at once),
// gone when the tests of this file end.
const EXAMPLES = new URL(`${await testFolder("doc-examples")}/`, "file:///");
addEventListener(
  "unload",
  () => Deno.removeSync(EXAMPLES, { recursive: true }),
);

/** `block` as a module whose default export runs its body. */
async function asModule(block: Block, extension: string): Promise<URL> {
  const statement = /^import\b[^;]*;\n?/gm;
  const imports: string[] = block.code.match(statement) ?? [];
  const body = block.code.replace(statement, "");
  const source = new URL(block.file, root).href;
  const used = Object.keys(await import(source)).filter((name) =>
    name !== "default" && new RegExp(`\\b${name}\\b`).test(body) &&
    !imports.some((line) => new RegExp(`\\b${name}\\b`).test(line))
  );
  if (used.length > 0) {
    imports.push(`import { ${used.join(", ")} } from "${source}";\n`);
  }
  const module = new URL(
    `${block.file.replace(/\W/g, "_")}_${block.line}.${extension}`,
    EXAMPLES,
  );
  await Deno.writeTextFile(
    module,
    `${imports.join("")}export default async function () {\n${body}}\n`,
  );
  return module;
}

for (const { file, text } of await sources()) {
  for (const block of blocks(file, text)) {
    const extension = EXTENSIONS[block.info];
    if (extension === undefined) continue;
    const module = await asModule(block, extension);
    Deno.test(`${file}#${block.line}: ${block.example ?? "example"}`, async () => {
      const { default: run } = await import(module.href);
      await run();
    });
  }
}
