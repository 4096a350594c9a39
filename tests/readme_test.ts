// The README is read before anything else: it stays short, its lines fit a
// screen, and its list of the course says what the lesson headers say.
import { assert, assertEquals } from "@std/assert";
import { listLessons } from "../course/header.ts";
import { readmeList } from "../course/list.ts";

const root = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));

const START = "<!-- lessons: made by readmeList() of course/list.ts; " +
  "tests/readme_test.ts keeps it in sync -->";
const END = "<!-- /lessons -->";

Deno.test("README lists every lesson with its title, section, command and exercises", async () => {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  assert(start >= 0 && end > start, "README lacks the lessons markers");
  // One line per item, however deno fmt wrapped it.
  const shown = readme.slice(start + START.length, end).trim()
    .replace(/\n(?!- )\s*/g, " ");
  const expected = readmeList(await listLessons());
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
