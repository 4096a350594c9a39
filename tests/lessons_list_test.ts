import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { listLessons, main, SPANISH } from "../lessons/_list.ts";
import { commandLine, place, ROOT } from "../lessons/_cli.ts";
import type { LessonCommand } from "../lessons/_lesson.ts";

const dir = new URL("../lessons/", import.meta.url);

Deno.test("Every lesson's header names its title, section and exact command", async () => {
  const lessons = await listLessons(dir);
  assertEquals(lessons.slice(0, 3).map((l) => l.file), [
    "01_modules.ts",
    "02_coroutines.ts",
    "03_gather.ts",
  ]);
  for (const lesson of lessons) {
    assertMatch(lesson.title, /\w/, lesson.file);
    assertMatch(lesson.section, /\w/, lesson.file);
    assertEquals(
      /(^| )(-A|--allow-all)( |$)/.test(lesson.run),
      false,
      lesson.file,
    );
  }
});

Deno.test("Every lesson's @run line grants exactly the permissions its command declares", async () => {
  for (const lesson of await listLessons(dir)) {
    const { command } = await import(new URL(lesson.file, dir).href) as {
      command: LessonCommand;
    };
    // From the checkout, the command the CLI prints for missing permissions
    // is the @run line (which may add --timeline).
    const expected = commandLine(
      command.permissions ?? {},
      place(`${ROOT}/lessons/${lesson.file}`, ROOT),
    );
    assertEquals(lesson.run.replace(/ --timeline$/, ""), expected, lesson.file);
  }
});

// Accents and case aside, two titles are the same.
const fold = (text: string) =>
  text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

// Words of the notes' section titles as the notes spell them, without the
// accents Spanish gives them.
const UNACCENTED =
  /\b(asincronia|sincronizacion|modulos|semaforos|asincronicas|sincronicas|integracion|practicas|comparacion|leccion)\b/i;

Deno.test("Every lesson has one Spanish entry, and every entry a lesson", async () => {
  const files = (await listLessons(dir)).map((l) => l.file);
  assertEquals(Object.keys(SPANISH).sort(), files);
  for (const lesson of await listLessons(dir)) {
    assertEquals(lesson.spanish, SPANISH[lesson.file], lesson.file);
  }
});

Deno.test("Each Spanish section title is the lesson's @section with its accents", async () => {
  for (const lesson of await listLessons(dir)) {
    const spanish = SPANISH[lesson.file]!;
    assertEquals(fold(spanish.section), fold(lesson.section), lesson.file);
    assertEquals(UNACCENTED.exec(spanish.section), null, spanish.section);
    assertEquals(UNACCENTED.exec(spanish.title), null, spanish.title);
  }
  // The check tells an accented title from the notes' spelling.
  assertEquals(
    fold("Sincronización en asincronía"),
    "sincronizacion en asincronia",
  );
  assert(UNACCENTED.test("Sincronizacion en Asincronia"));
});

Deno.test("Each Spanish title translates the lesson's current @title", async () => {
  for (const lesson of await listLessons(dir)) {
    assertEquals(
      SPANISH[lesson.file]!.translates,
      lesson.title,
      `${lesson.file}: the English title changed; update its Spanish title in lessons/_list.ts`,
    );
  }
});

// Runs the listing's command line in this process and collects what it wrote.
async function listing(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

Deno.test("deno task lessons lists each lesson with its English title and the notes' section with accents", async () => {
  const lessons = await listLessons(dir);
  const { code, out, err } = await listing([]);
  assertEquals([code, err], [0, []]);
  const expected = lessons.flatMap((l) => [
    `${l.number}  ${l.title}`,
    `    notes: §${Number(l.number)} ${SPANISH[l.file]!.section}`,
    `    run:   ${l.run}`,
  ]);
  assertEquals(out.slice(0, -1), expected);
  assertStringIncludes(out.at(-1)!, "deno task lessons --lang es");
  assertStringIncludes(
    out.join("\n"),
    "§4 Sincronización en asincronía (semáforos)",
  );
  assertEquals((await listing(["--lang", "en"])).out, out);
  assertEquals((await listing(["--lang=en"])).out, out);
});

Deno.test("deno task lessons --lang es shows the Spanish titles and each lesson's guide page", async () => {
  const lessons = await listLessons(dir);
  const { code, out, err } = await listing(["--lang", "es"]);
  assertEquals([code, err], [0, []]);
  const expected = lessons.flatMap((l) => [
    `${l.number}  ${SPANISH[l.file]!.title}`,
    `    apuntes: §${Number(l.number)} ${SPANISH[l.file]!.section}`,
    `    guía:    ${SPANISH[l.file]!.guide}`,
    `    comando: ${l.run}`,
  ]);
  assertEquals(out.slice(0, -1), expected);
  assertStringIncludes(out.at(-1)!, "README.es.md");
  assertStringIncludes(out.join("\n"), "guía:    docs/es/04-sincronizacion.md");
  assertEquals((await listing(["--lang=es"])).out, out);
});

Deno.test("deno task lessons refuses a bad flag with one line that names it, and exits 2", async (t) => {
  const refuses = (args: string[], message: string) =>
    t.step(args.join(" "), async () => {
      const { code, out, err } = await listing(args);
      assertEquals([code, out], [2, []]);
      assertEquals(err[0], message);
      assertStringIncludes(err[1]!, "--lang en|es");
    });
  await refuses(
    ["--lang", "fr"],
    'Flag --lang must be en or es: current value is "fr"',
  );
  await refuses(
    ["--lang=ES"],
    'Flag --lang must be en or es: current value is "ES"',
  );
  await refuses(["--lang"], "Flag --lang needs a value: en or es");
  await refuses(["--bogus"], 'Unexpected argument "--bogus"');
  const help = await listing(["--help"]);
  assertEquals([help.code, help.err], [0, []]);
  assertStringIncludes(help.out.join("\n"), "--lang es");
});

Deno.test("deno task lessons --lang es runs with the task's own permissions", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "lessons", "--lang", "es"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  assertEquals(code, 0, decode(stderr));
  assertEquals(
    decode(stdout),
    (await listing(["--lang", "es"])).out.join("\n") + "\n",
  );
});
