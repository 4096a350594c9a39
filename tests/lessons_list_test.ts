import { assertEquals, assertMatch } from "@std/assert";
import { listLessons } from "../lessons/_list.ts";
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
