import { assert, assertEquals } from "@std/assert";
import { listLessons, matchesOutput } from "../lessons/_list.ts";
import type { LessonCommand } from "../lessons/_lesson.ts";

const dir = new URL("../lessons/", import.meta.url);

// Each lesson runs at a small unit, so that the whole file stays fast: 20 ms
// when any will do, else twice its smallest (a margin for a loaded machine).
Deno.test("Every lesson prints the lines of its header's Output block", async (t) => {
  for (const lesson of await listLessons(dir)) {
    await t.step(lesson.file, async () => {
      assert(lesson.output.length > 0, `${lesson.file} has no Output block`);
      const { command } = await import(new URL(lesson.file, dir).href) as {
        command: LessonCommand;
      };
      const unit = Math.max(20, 2 * (command.minUnit ?? 0));
      const { lines } = await command.run({ unit, log: () => {} });
      const mismatches = lesson.output.flatMap((expected, i) =>
        matchesOutput(expected, lines[i] ?? "") ? [] : [
          `line ${i + 1}: expected ${JSON.stringify(expected)}, printed ${
            JSON.stringify(lines[i])
          }`,
        ]
      );
      assertEquals(mismatches, [], lines.join("\n"));
      assertEquals(lines.length, lesson.output.length, lines.join("\n"));
    });
  }
});

Deno.test("matchesOutput() reads ~N as any number and everything else as text", () => {
  assert(matchesOutput("took ~2.0 s", "took 2.01 s"));
  assert(matchesOutput("took ~2.0 s", "took 13 s"));
  assert(matchesOutput("on ~2 cores (a.b)", "on 16 cores (a.b)"));
  assert(!matchesOutput("took ~2.0 s", "took 2.0 seconds"));
  assert(!matchesOutput("took 2.0 s", "took 2.1 s"));
  assert(!matchesOutput("a.b", "axb"));
  assert(!matchesOutput("Task B", "Task B and more"));
});
