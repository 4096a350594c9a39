// The README is read before anything else: it stays short, its lines fit a
// screen, and its list of the course says what the lesson headers say. Its
// pictures: the timeline of lesson 3 is what toSVG() draws for that lesson
// today (the run's timings aside), made as the README's command makes its own;
// the site's screenshot is a small PNG.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { type LessonHeader, listLessons } from "../course/header.ts";
import { command } from "../lessons/03_gather.ts";

const root = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));

const START =
  "<!-- lessons: made by readmeList() of tests/readme_test.ts, which keeps it in sync -->";
const END = "<!-- /lessons -->";

/** The README's list of the course: one Markdown item per lesson. */
function readmeList(lessons: LessonHeader[]): string {
  return lessons.map((l) =>
    `- ${l.file.slice(0, 2)} [${l.title.en}](lessons/${l.file}) · ` +
    `§${l.section} ${l.sectionTitle} · \`${l.run}\`` +
    (l.exercises.length ? ` · exercises ${l.exercises.join(", ")}` : "")
  ).join("\n");
}

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

const SVG = "docs/img/03_gather.svg";

/**
 * An SVG with its numbers and its axis left out: what stays the same from
 * one run of a lesson to the next (tasks, order, outcomes, style, title).
 */
function shape(svg: string): string[] {
  return svg.split("\n")
    .filter((line) => !/class="tl-(grid|axis|tick)"/.test(line))
    .map((line) => line.replace(/\d+(\.\d+)?/g, "#"));
}

Deno.test("The README's timeline of lesson 3 is what toSVG() draws for it now", async () => {
  const committed = await Deno.readTextFile(new URL(SVG, root));
  const { timeline, unit } = await command.run({ unit: 20, log: () => {} });
  const { title } = (await listLessons()).find((l) => l.id === "03_gather")!;
  const fresh = timeline.toSVG({ unit, title: title.en });
  assertEquals(
    shape(committed),
    shape(fresh),
    `${SVG} is out of date: deno run --allow-write=${SVG} lessons/03_gather.ts --timeline=svg ${SVG}`,
  );
  // Made at the lesson's default unit: the durations read 2, 2, 1, 3, 1.
  const notes = [...committed.matchAll(/class="tl-note"[^>]*>([\d.]+)s</g)]
    .map((m) => Math.round(Number(m[1])));
  assertEquals(notes, [2, 2, 1, 3, 1]);
});

Deno.test("The README shows both pictures and the command that makes the timeline", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  // It writes a file of its own that git ignores: whoever runs it leaves
  // the checkout (and the picture above) as it was.
  const file = /--timeline=svg (\S+)/.exec(readme)?.[1];
  assertStringIncludes(readme, `--allow-write=${file} lessons/03_gather.ts`);
  const ignore = await Deno.readTextFile(new URL(".gitignore", root));
  assert(
    ignore.split("\n").includes(`/${file}`),
    `${file} is not in .gitignore`,
  );
  assertStringIncludes(readme, `](${SVG})`);
  assertStringIncludes(readme, "](docs/img/site.png)");
  const png = await Deno.readFile(new URL("docs/img/site.png", root));
  assertEquals([...png.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  assert(png.length < 150_000, `${png.length} bytes`);
});
