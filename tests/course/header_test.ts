/**
 * The lesson headers (course/header.ts), the one source of each lesson's
 * facts, and `deno task lessons`, the listing made from them (the README's
 * list is tests/readme_test.ts's); and parseFlags() (course/flags.ts), the
 * command line of the lessons and the exercises. (One module: a test module
 * costs ~0.08 CPU-s to start in the suite, whatever it holds.)
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { ROOT, runDeno } from "../../course/deno.ts";
import { listLessons, readHeader } from "../../course/header.ts";
import { formatLessons, main } from "../../course/list.ts";
import { EXERCISES } from "../../exercises/_catalog.ts";
import { testFolder } from "../_checkout.ts";
import { type Flag, parseFlags, UsageError } from "../../course/flags.ts";

const lessons = await listLessons();

const HEADER = `/**
 * @title A lesson
 * @title:es Una lección
 * @section 3 — Funciones
 * @guide docs/es/03-funciones.md
 * @difficulty beginner
 * @tags a, b
 * @run deno run --allow-read=lessons,lib --allow-net=127.0.0.1 lessons/03_x.ts --timeline
 * @resource {https://example.org/} Example
 *
 * What it shows,
 * in two lines.
 *
 * Output:
 *
 * \`\`\`text
 * Start
 *
 * End
 * \`\`\`
 */
code();`;

Deno.test("readHeader() reads every fact of a lesson from its header", () => {
  assertEquals(readHeader(HEADER, "03_x.ts"), {
    file: "03_x.ts",
    id: "03_x",
    section: 3,
    sectionTitle: "Funciones",
    title: { en: "A lesson", es: "Una lección" },
    difficulty: "beginner",
    tags: ["a", "b"],
    run:
      "deno run --allow-read=lessons,lib --allow-net=127.0.0.1 lessons/03_x.ts --timeline",
    permissions: { read: ["lessons", "lib"], net: ["127.0.0.1"] },
    resources: [{ url: "https://example.org/", text: "Example" }],
    guide: "docs/es/03-funciones.md",
    exercises: [],
    summary: ["What it shows, in two lines."],
    output: ["Start", "", "End"],
  });
});

Deno.test("readHeader() refuses a header that lacks a fact, or whose @run is not the permissions it declares", () => {
  const refuses = (from: string, to: string, problem: string) =>
    assertThrows(
      () => readHeader(HEADER.replace(from, to), "03_x.ts"),
      SyntaxError,
      `The header of lessons/03_x.ts has a bad ${problem}`,
    );
  refuses(" * @title:es Una lección\n", "", "@title:es: missing");
  refuses(" * @guide docs/es/03-funciones.md\n", "", "@guide: missing");
  refuses("@section 3 —", "@section 4 —", "@section: 4, not the file's number");
  refuses("@section 3 — Funciones", "@section Funciones", "@section");
  refuses("--allow-read=lessons,lib ", "-A ", "@run: -A is not a permission");
  refuses(
    "--allow-read=lessons,lib ",
    "--allow-all ",
    "@run: --allow-all is not",
  );
  refuses(
    "--allow-read=lessons,lib ",
    "--allow-write=x ",
    "@run: --allow-write=x",
  );
  refuses(
    "--allow-read=lessons,lib ",
    "--allow-read ",
    "@run: --allow-read is",
  );
  // The order every command line prints them in: read, net, run.
  refuses(
    "--allow-read=lessons,lib --allow-net=127.0.0.1",
    "--allow-net=127.0.0.1 --allow-read=lessons,lib",
    '@run: not "deno run',
  );
  refuses("lessons/03_x.ts", "lessons/04_y.ts", '@run: not "deno run');
  refuses("deno run --allow", "deno run  --allow", "@run");
});

Deno.test("Every lesson's header has its facts, its guide page and exercises that exist, listed in the notes' order", async () => {
  assertEquals(lessons.map((l) => l.file).slice(0, 3), [
    "01_modules.ts",
    "02_coroutines.ts",
    "03_gather.ts",
  ]);
  for (const lesson of lessons) {
    assert(lesson.output.length > 0, `${lesson.file} has no Output block`);
    assertMatch(lesson.guide, /^docs\/es\/\d\d-[a-z-]+\.md$/, lesson.file);
    await Deno.stat(`${ROOT}/${lesson.guide}`);
  }
  // Each exercise belongs to one lesson, the one whose header lists it, and
  // the lessons come in the exercises' order, which is the notes' (§4 teaches
  // the semaphore, 04a, before the lock, 04b).
  const listed = lessons.flatMap((l) => l.exercises);
  assertEquals(listed, EXERCISES.map((e) => e.id).toSorted());
  // Each lesson of the repository is listed: none is left out for its header.
  const git = new Deno.Command("git", { args: ["ls-files"], cwd: ROOT });
  const tracked = new TextDecoder().decode((await git.output()).stdout);
  const files = tracked.match(/^lessons\/\d\d_\w+\.ts$/gm) ?? [];
  const paths = lessons.map((l) => `lessons/${l.file}`);
  assertEquals(paths.toSorted(), files.toSorted());
});

Deno.test("listLessons() skips a file in lessons/ whose header does not read (a learner's copy of a lesson, a scratch file): the list, the site and the exercise CLI, which read the lessons through it, go on without it", async () => {
  const root = await testFolder("lesson-copies");
  await Deno.mkdir(`${root}/lessons`);
  const source = await Deno.readTextFile(`${ROOT}/lessons/03_gather.ts`);
  await Deno.writeTextFile(`${root}/lessons/03_gather.ts`, source);
  // A copy: its @run still names lessons/03_gather.ts.
  await Deno.writeTextFile(`${root}/lessons/03_gather_mine.ts`, source);
  await Deno.writeTextFile(`${root}/lessons/11_mine.ts`, "console.log(1);\n");
  try {
    const found = await listLessons(root);
    assertEquals(found.map((l) => l.file), ["03_gather.ts"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// Runs the listing's command line in this process and collects what it wrote.
async function listing(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

Deno.test("deno task lessons lists each lesson's title, section, exercises and command, in either language", async () => {
  const en = await listing([]);
  assertEquals([en.code, en.err], [0, []]);
  assertEquals(en.out, formatLessons(lessons, "en"));
  assertStringIncludes(
    en.out.join("\n"),
    "03  Running tasks concurrently: gather and create_task\n" +
      "    notes:      §3 Funciones y estructuras asincrónicas\n" +
      "    exercises:  03a, 03b\n" +
      "    run:        deno run lessons/03_gather.ts --timeline\n",
  );
  const es = await listing(["--lang=es"]);
  assertStringIncludes(
    es.out.join("\n"),
    "03  Tareas concurrentes: gather y create_task\n" +
      "    apuntes:    §3 Funciones y estructuras asincrónicas\n" +
      "    guía:       docs/es/03-funciones-y-estructuras.md\n",
  );
  // With the task's own permissions, in a subprocess.
  const task = await runDeno(["task", "--quiet", "lessons", "--lang", "es"]);
  assertEquals([task.code, task.stdout], [0, es.out.join("\n") + "\n"]);
});

Deno.test("deno task lessons refuses a bad flag in one line, in the language asked for, and exits 2", async () => {
  assertEquals(await listing(["--lang", "fr"]), {
    code: 2,
    out: [],
    err: [
      'Flag --lang must be en or es: current value is "fr"',
      "Usage: deno task lessons [--lang en|es]",
    ],
  });
  assertEquals((await listing(["--bogus", "--lang", "es"])).err, [
    "Opción desconocida --bogus",
    "Uso: deno task lessons [--lang en|es]",
  ]);
  assertEquals((await listing(["--lang"])).err[0], "Flag --lang needs a value");
  const help = await listing(["--help"]);
  assertEquals([help.code, help.err], [0, []]);
  // --help speaks the language asked for, all of it.
  const ayuda = (await listing(["--lang=es", "--help"])).out.join("\n");
  assertStringIncludes(ayuda, "Uso: deno task lessons");
  assertStringIncludes(ayuda, "--lang es  títulos en español");
  assert(!ayuda.includes("English titles"), ayuda);
});

const FLAGS = {
  unit: { type: "number", min: 1, max: 10_000 },
  seed: { type: "number", integer: true },
  lang: { type: "string", choices: ["en", "es"] },
  name: { type: "string" },
  watch: { type: "switch" },
  help: { type: "switch" },
} as const satisfies Record<string, Flag>;

const parse = (argv: string[], positionals = 0) =>
  parseFlags(argv, FLAGS, { short: { h: "help", w: "watch" }, positionals });

/** The message of the UsageError `argv` throws, in both languages. */
function refusal(argv: string[], positionals = 0) {
  const error = assertThrows(() => parse(argv, positionals), UsageError);
  assertEquals(error.message, error.text.en);
  return [error.text.en, error.text.es];
}

Deno.test("parseFlags() reads numbers, strings, switches and plain arguments", () => {
  assertEquals(parse(["--unit", "2.5", "--name", "x", "-h"]), {
    unit: 2.5,
    name: "x",
    help: true,
    _: [],
  });
  assertEquals(parse(["--unit=1e3", "--lang=es"]), {
    unit: 1000,
    lang: "es",
    _: [],
  });
  // Negative numbers are values, not flags; the last of a flag wins.
  assertEquals(parse(["--seed", "-1", "--seed=-.0"]).seed, -0);
  assertEquals(parse(["--seed", "-1"]).seed, -1);
  // Plain arguments stay as typed: 04 is not 4, 1e3 is not 1000.
  assertEquals(parse(["04", "--watch"], 1), { watch: true, _: ["04"] });
  assertEquals(parse(["--", "--watch"], 1), { _: ["--watch"] });
});

Deno.test("parseFlags() turns a switch on and off with yes and no, in either language", () => {
  for (const yes of ["", "yes", "true", "on", "1", "YES", "sí", "si"]) {
    assertEquals(parse([`--watch=${yes}`]).watch, true, yes);
    assertEquals(parse([`-w=${yes}`]).watch, true, yes);
  }
  for (const no of ["no", "false", "off", "0", "No"]) {
    assertEquals(parse([`--watch=${no}`]).watch, false, no);
  }
  assertEquals(parse(["--watch", "--watch=no"]).watch, false);
  assertEquals(parse(["--watch=no", "--watch"]).watch, true);
});

Deno.test("parseFlags() refuses in one line that names the flag and the value as typed", () => {
  assertEquals(refusal(["--bogus"]), [
    "Unknown flag --bogus",
    "Opción desconocida --bogus",
  ]);
  assertEquals(refusal(["-x"])[0], "Unknown flag -x");
  assertEquals(refusal(["--__proto__"])[0], "Unknown flag --__proto__");
  // A dash and an equals sign with no name between them.
  assertEquals(refusal(["-="])[0], "Unknown flag -=");
  assertEquals(refusal(["-=x"])[0], "Unknown flag -=x");
  assertEquals(refusal(["--unit"]), [
    "Flag --unit needs a value",
    "La opción --unit necesita un valor",
  ]);
  assertEquals(
    refusal(["--seed", "--unit", "5"])[0],
    "Flag --seed needs a value",
  );
  assertEquals(refusal(["--unit="])[0], "Flag --unit needs a value");
  assertEquals(refusal(["--watch=maybe"]), [
    'Flag --watch takes no value, or yes or no: current value is "maybe"',
    'La opción --watch va sin valor, o con sí o no: el valor actual es "maybe"',
  ]);
  assertEquals(refusal(["--lang", "fr"]), [
    'Flag --lang must be en or es: current value is "fr"',
    'La opción --lang debe ser en o es: el valor actual es "fr"',
  ]);
  assertEquals(refusal(["04", "05"], 1), [
    'Unexpected argument "05"',
    'Argumento de más "05"',
  ]);
  assertEquals(refusal(["no"])[0], 'Unexpected argument "no"');
});

Deno.test("parseFlags() takes numbers in decimal only, within their range, and says the rule", () => {
  const rule = "Flag --unit must be a number from 1 to 10000: current value is";
  for (
    const typed of [
      "abc",
      "0",
      "-5",
      "10000.5",
      "1e400",
      "1e-400",
      "0x10",
      "0b1",
      "Infinity",
      " 5",
      "5ms",
      "1_000",
      "NaN",
    ]
  ) {
    assertEquals(refusal(["--unit", typed])[0], `${rule} "${typed}"`, typed);
  }
  assertEquals(
    refusal(["--unit", "0"])[1],
    'La opción --unit debe ser un número de 1 a 10000: el valor actual es "0"',
  );
  for (
    const [typed, unit] of [["1", 1], ["10000", 10000], [".5e1", 5], [
      "1E3",
      1000,
    ]] as const
  ) {
    assertEquals(parse(["--unit", typed]).unit, unit, typed);
  }
  assertEquals(
    refusal(["--seed", "1.5"])[0],
    'Flag --seed must be a whole number: current value is "1.5"',
  );
  const bounded = (argv: string[], flag: Flag) =>
    assertThrows(() => parseFlags(argv, { n: flag }), UsageError).message;
  assertEquals(
    bounded(["--n", "0"], { type: "number", integer: true, min: 1 }),
    'Flag --n must be a whole number of at least 1: current value is "0"',
  );
  assertEquals(
    bounded(["--n", "9"], { type: "number", max: 5 }),
    'Flag --n must be a number of at most 5: current value is "9"',
  );
});
