/**
 * The exercises as the site sees them: exercises/_catalog.ts, each with the
 * lesson whose header lists it, its state from the progress file, the
 * command that checks it and the brief of its file.
 */
import { assertEquals } from "@std/assert";
import { ROOT } from "../../course/deno.ts";
import { listLessons } from "../../course/header.ts";
import { EXERCISES } from "../../exercises/_catalog.ts";
import {
  brief,
  checkCommand,
  type Exercise,
  loadExercises,
} from "../../site/course.ts";

const sha = async (text: string) =>
  Array.from(
    new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
    ),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");

Deno.test("loadExercises() lists the catalogue with each exercise's lesson and its state, as deno task exercise records it", async () => {
  const root = `${ROOT}/.tools/test-output/site-exercises`;
  await Deno.mkdir(`${root}/exercises`, { recursive: true });
  const [first, second, third] = EXERCISES;
  const file = (exercise: typeof first) =>
    `${root}/exercises/${exercise!.slug}.ts`;
  await Deno.writeTextFile(file(first), "passed as it is");
  await Deno.writeTextFile(file(second), "failed as it is");
  await Deno.writeTextFile(file(third), "changed since it passed");
  await Deno.writeTextFile(
    `${root}/exercises/.progress.json`,
    JSON.stringify({
      results: {
        [first!.id]: { hash: await sha("passed as it is"), passed: true },
        [second!.id]: { hash: await sha("failed as it is"), passed: false },
        [third!.id]: { hash: await sha("before"), passed: true },
      },
    }),
  );
  const lessons = await listLessons();
  const exercises = await loadExercises(root, lessons);
  assertEquals(exercises.map((e) => e.id), EXERCISES.map((e) => e.id));
  assertEquals(exercises.map((e) => e.state).slice(0, 4), [
    "done",
    "failing",
    "todo",
    "todo",
  ]);
  for (const exercise of exercises) {
    const lesson = lessons.find((l) => l.id === exercise.lesson)!;
    assertEquals(lesson.exercises.includes(exercise.id), true, exercise.id);
    assertEquals(exercise.section, lesson.section);
  }
  assertEquals(exercises[0]!.file, `exercises/${first!.slug}.ts`);
  assertEquals(exercises[0]!.title, first!.title);
  // No progress file: everything is to do.
  await Deno.remove(`${root}/exercises/.progress.json`);
  const fresh = await loadExercises(root, lessons);
  assertEquals(new Set(fresh.map((e) => e.state)), new Set(["todo"]));
});

Deno.test("checkCommand() runs deno task exercise on one exercise, in the page's language", () => {
  const exercise = { id: "04b" } as Exercise;
  assertEquals(checkCommand(exercise, "es"), {
    display: "deno task exercise 04b --lang es",
    args: ["task", "--quiet", "exercise", "04b", "--lang", "es"],
  });
});

Deno.test("brief() reads what an exercise's file asks, in each language", () => {
  const source = `/**
 * EN: Do the thing,
 * in two lines.
 *
 * ES: Haz la cosa,
 * en dos líneas.
 */
export function thing() {}`;
  assertEquals(brief(source), {
    en: "Do the thing, in two lines.",
    es: "Haz la cosa, en dos líneas.",
  });
  assertEquals(brief("export const x = 1;"), {});
});
