// The README is read before anything else: it stays short, its lines fit a
// screen, and its list of the course says what the lesson headers say.
import { assert, assertEquals } from "@std/assert";
import { listLessons } from "../lessons/_list.ts";
import { EXERCISES } from "../exercises/_catalog.ts";

const root = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));

const START = "<!-- lessons: generated from the lesson headers; " +
  "tests/readme_test.ts keeps it in sync -->";
const END = "<!-- /lessons -->";

/**
 * The course list as the README must show it, from the lessons' own
 * headers: one item per lesson (`deno fmt` wraps the items as it likes).
 */
async function courseList(): Promise<string> {
  const lessons = await listLessons(new URL("lessons/", root));
  return lessons.map((lesson) => {
    const section = lesson.spanish?.section ?? lesson.section;
    const number = Number.parseInt(lesson.number, 10);
    const ids = EXERCISES.filter((e) => e.lesson === `lessons/${lesson.file}`)
      .map((e) => e.id);
    const exercises = ids.length > 0 ? ` · exercises ${ids.join(", ")}` : "";
    return `- ${lesson.number} [${lesson.title}](lessons/${lesson.file}) · ` +
      `§${number} ${section} · \`${lesson.run}\`${exercises}`;
  }).join("\n");
}

Deno.test("README lists every lesson with its title, section, command and exercises", async () => {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  assert(start >= 0 && end > start, "README lacks the lessons markers");
  // One line per item, however deno fmt wrapped it.
  const shown = readme.slice(start + START.length, end).trim()
    .replace(/\n(?!- )\s*/g, " ");
  const expected = await courseList();
  assertEquals(
    shown,
    expected,
    `README's course list is stale; between the markers it should read:\n\n${expected}\n`,
  );
});

Deno.test("README stays under 12 KB, with no line over 120 characters outside code", () => {
  const bytes = new TextEncoder().encode(readme).length;
  assert(bytes <= 12 * 1024, `README.md is ${bytes} bytes`);
  let fenced = false;
  const long: string[] = [];
  for (const [i, line] of readme.split("\n").entries()) {
    if (line.startsWith("```")) fenced = !fenced;
    else if (!fenced && [...line].length > 120) long.push(`${i + 1}: ${line}`);
  }
  assertEquals(long, []);
});

Deno.test("README's relative links lead to files that exist", async () => {
  const targets = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/.test(target));
  assert(targets.length >= 10, `only ${targets.length} links`);
  const missing: string[] = [];
  for (const target of targets) {
    try {
      await Deno.stat(new URL(target, root));
    } catch {
      missing.push(target);
    }
  }
  assertEquals(missing, []);
});
