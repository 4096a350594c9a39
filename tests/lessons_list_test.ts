import { assertEquals, assertMatch } from "@std/assert";
import { listLessons } from "../lessons/_list.ts";

Deno.test("Every lesson's header names its title, section and exact command", async () => {
  const lessons = await listLessons(new URL("../lessons/", import.meta.url));
  assertEquals(lessons.slice(0, 3).map((l) => l.file), [
    "01_modules.ts",
    "02_coroutines.ts",
    "03_gather.ts",
  ]);
  for (const lesson of lessons) {
    assertMatch(lesson.title, /\w/, lesson.file);
    assertMatch(lesson.section, /\w/, lesson.file);
    // The command runs this very file, never with -A or --allow-all.
    assertMatch(
      lesson.run,
      new RegExp(`^deno run .*lessons/${lesson.file}`),
      lesson.file,
    );
    assertEquals(
      /(^| )(-A|--allow-all)( |$)/.test(lesson.run),
      false,
      lesson.file,
    );
  }
});
