/**
 * The type check of a learner's file (exercises/_run.ts): a fast `deno
 * check` without lib "node" first, deno.json's own when the fast one finds
 * anything. The fast one must never pass a file deno.json's check fails, and
 * what the learner reads is always deno.json's verdict. In copies of the
 * checkout: the fast check writes its config under .tools/check.
 */
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { typeErrors } from "../exercises/_run.ts";
import { runDeno } from "../course/deno.ts";
import { copyCheckout } from "./_checkout.ts";

/** Files a learner could write with lib "node"'s timers and globals, right and wrong. */
const SNIPPETS: Record<string, string> = {
  unref: "const t = setTimeout(() => {}, 1);\nt.unref();\nclearTimeout(t);",
  asNumber: "const t: number = setTimeout(() => {}, 1);\nclearTimeout(t);",
  asString: 'const t: string = setInterval(() => {}, 1);\nclearInterval("t");',
  resolve: "await new Promise((resolve) => setTimeout(resolve, 1));",
  args:
    "clearTimeout(setTimeout((a: string, b: number) => [a, b], 1, 'x', 2));",
  wrongArgs: "clearTimeout(setTimeout((a: string) => a, 1, 2));",
  missingArg: "clearTimeout(setTimeout((a: string) => a, 1));",
  clearNumber: "clearTimeout(5);\nclearInterval(undefined);",
  clearObject: "clearTimeout({});",
  clearNull: "clearInterval(null);",
  interval: "const i = setInterval(() => {}, 1);\nclearInterval(i);",
  returnType:
    "let t: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {}, 1);\nclearTimeout(t);\nt = undefined;",
  unrefTimer: "Deno.unrefTimer(setTimeout(() => {}, 1));",
  asObject: "const t: { ref(): unknown } = setTimeout(() => {}, 1);",
  asEmpty: "const t: object = setTimeout(() => {}, 1);\nconsole.log(t);",
  plus: "const n: number = +setTimeout(() => {}, 1);",
  process: "process.exitCode = 0;",
  buffer: 'const b: Uint8Array = Buffer.from("x");',
  wrongBuffer: 'const b: string = Buffer.from("x");',
  immediate: "clearImmediate(setImmediate(() => {}));",
  unused: "function f(x: number) {\n  const y = 1;\n  return x;\n}\nf(1);",
  // deno's own libs name lib "node"'s `NodeJS.Timeout` here.
  unrefString: 'Deno.unrefTimer("t");',
};

/** Files whose verdict hangs on more than the types the fast check has. */
const BEYOND: Record<string, string> = {
  expectError:
    "const t = setTimeout(() => {}, 1);\n// @ts-expect-error: a number in browsers\nt.unref();",
  declareGlobal: "declare global {\n  var process: number;\n}",
  socket: "declare const r: Request;\nDeno.upgradeWebSocket(r, { socket: 5 });",
  importsOne: 'import "./expectError.ts";',
};

/** Writes `snippets` as modules under `root`/exercises/typed/; their paths. */
async function writeSnippets(
  root: string,
  snippets = SNIPPETS,
): Promise<string[]> {
  await Deno.mkdir(`${root}/exercises/typed`, { recursive: true });
  return await Promise.all(
    Object.entries(snippets).map(async ([name, code]) => {
      const path = `exercises/typed/${name}.ts`;
      await Deno.writeTextFile(`${root}/${path}`, `${code}\nexport {};\n`);
      return path;
    }),
  );
}

/** The files of `paths` that `deno check …flags` finds an error in, run in `root`. */
async function failing(
  root: string,
  flags: string[],
  paths: string[],
): Promise<string[]> {
  const { stderr } = await runDeno(
    ["check", "--quiet", "--no-remote", ...flags, ...paths],
    { cwd: root, env: { NO_COLOR: "1" } },
  );
  const at = stderr.matchAll(
    /^\s+at file:\/\/\S*?\/(exercises\/\S+?):\d+:\d+$/gm,
  );
  return [...new Set([...at].map((m) => m[1]!))].sort();
}

Deno.test("The fast type check", async (t) => {
  const root = await copyCheckout("typecheck");
  try {
    const copy: typeof import("../exercises/_run.ts") = await import(
      `file://${root}/exercises/_run.ts`
    );
    await t.step(
      'never passes a file deno.json\'s check fails: timers and other uses of lib "node", also after a change to its declarations or to deno.json\'s options; files whose verdict hangs on more than types (an expected error, a global declaration, a socket typed by lib "node", a module of their own) go to deno.json\'s',
      async () => {
        // Declarations written by an older exercises/_run.ts, and a config
        // written before a change to deno.json's options, are written anew
        // (else the fast check would pass `unused`).
        const types = `${root}/.tools/check/deno-${Deno.version.deno}.d.ts`;
        await copy.fastConfig();
        const old = (await Deno.readTextFile(types)).replace("NodeJS", "Old");
        await Deno.writeTextFile(types, old);
        const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
        config.compilerOptions.noUnusedLocals = true;
        await Deno.writeTextFile(`${root}/deno.json`, JSON.stringify(config));
        const flags = await copy.fastConfig();
        const snippets = await writeSnippets(root);
        const beyond = await writeSnippets(root, BEYOND);
        const [full, fast] = await Promise.all([
          failing(root, [], [...snippets, ...beyond]),
          failing(root, flags, [...snippets, ...beyond]),
        ]);
        // Only the BEYOND files (importsOne's error is in the file it imports).
        const alone = beyond.filter((path) => !path.endsWith("importsOne.ts"));
        assertEquals(full.filter((path) => !fast.includes(path)), alone.sort());
        // Not vacuous: deno.json's check fails some, and the fast one fails
        // some that deno.json's passes (those its verdict decides).
        assert(full.includes("exercises/typed/clearObject.ts"));
        assert(full.includes("exercises/typed/unused.ts"));
        assert(fast.includes("exercises/typed/unref.ts"));
        assert(!full.includes("exercises/typed/unref.ts"));
        // So they go to deno.json's check, by a look at their text, which no
        // other file of the corpus and no solution matches (the solutions
        // take the fast check: bench/exercise_check.ts fails if one of the
        // six it times fails it).
        const solutions = [...Deno.readDirSync(`${root}/exercises/solutions`)]
          .map((e) => `exercises/solutions/${e.name}`);
        for (const path of [...snippets, ...beyond, ...solutions]) {
          const code = await Deno.readTextFile(`${root}/${path}`);
          assertEquals(copy.BEYOND.test(code), beyond.includes(path), path);
        }
      },
    );
    await t.step(
      "gives deno.json's check's verdict: a file only the fast check fails passes, one it cannot judge fails, also from two checks at once that write the fast check's config",
      async () => {
        await Deno.remove(`${root}/.tools/check`, { recursive: true });
        await writeSnippets(root);
        const file = (name: string) =>
          new URL(`file://${root}/exercises/typed/${name}.ts`);
        // Where an error is reported: exercises_process_test.ts.
        const [unref, expectError] = await Promise.all([
          copy.typeErrors(file("unref")),
          copy.typeErrors(file("expectError")),
        ]);
        assertEquals(unref, []);
        assertEquals(expectError.length, 1); // deno.json's check said it
        // Those verdicts would be the same with no fast check at all: see
        // that the two checks wrote its config, and nothing beside it.
        const written = [...Deno.readDirSync(`${root}/.tools/check`)];
        assertEquals(written.map((e) => e.name).sort(), [
          `deno-${Deno.version.deno}.d.ts`,
          "deno.json",
        ]);
      },
    );
    await t.step(
      "is not used when deno.json says more than its config carries over (scopes, links, members, imports by relative path)",
      async () => {
        const shipped = await Deno.readTextFile(`${root}/deno.json`);
        for (
          const more of [
            { scopes: { "./exercises/": { "@std/assert": "./mod.ts" } } },
            { links: ["../x"] },
            { workspace: ["./exercises"] },
            { imports: { "x": "./mod.ts" } },
          ]
        ) {
          const config = { ...JSON.parse(shipped), ...more };
          await Deno.writeTextFile(`${root}/deno.json`, JSON.stringify(config));
          await assertRejects(() => copy.fastConfig());
        }
      },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("A learner's file that is not there is said to be missing, with the command that brings its stub back, not as a type error 'at ?'", async () => {
  const file = new URL("../exercises/10c_gone.ts", import.meta.url);
  const problems = await typeErrors(file);
  assertEquals(problems.length, 1, JSON.stringify(problems));
  for (const words of Object.values(problems[0]!)) {
    assertStringIncludes(words, "`git checkout exercises/10c_gone.ts`");
  }
});

Deno.test("A learner's file that is there but cannot be read is not said to be missing: `git checkout` would overwrite it; it is told why it does not load", async () => {
  const dir = await Deno.makeTempDir({ dir: ".tools/test-output" });
  try {
    const file = new URL(`${dir}/10c_folder.ts/`, `file://${Deno.cwd()}/`);
    await Deno.mkdir(file); // a folder where the file should be
    const problems = await typeErrors(new URL(file.href.slice(0, -1)));
    assertEquals(problems.length, 1, JSON.stringify(problems));
    for (const words of Object.values(problems[0]!)) {
      assert(!words.includes("git checkout"), words);
      assertStringIncludes(words, "10c_folder.ts");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
