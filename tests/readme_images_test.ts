/**
 * The README's pictures: the timeline of lesson 3 is what toSVG() draws for
 * that lesson today (the run's timings aside), made by the command the
 * README gives; the site's screenshot is a small PNG.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { listLessons } from "../course/header.ts";
import { command } from "../lessons/03_gather.ts";

const ROOT = new URL("../", import.meta.url);
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
  const committed = await Deno.readTextFile(new URL(SVG, ROOT));
  const { timeline, unit } = await command.run({ unit: 20, log: () => {} });
  const { title } = (await listLessons()).find((l) => l.id === "03_gather")!;
  const fresh = timeline.toSVG({ unit, title: title.en });
  assertEquals(
    shape(committed),
    shape(fresh),
    `${SVG} is out of date: run the command the README gives`,
  );
  // Made at the lesson's default unit: the durations read 2, 2, 1, 3, 1.
  const notes = [...committed.matchAll(/class="tl-note"[^>]*>([\d.]+)s</g)]
    .map((m) => Math.round(Number(m[1])));
  assertEquals(notes, [2, 2, 1, 3, 1]);
});

Deno.test("The README shows both pictures and the command that makes the timeline", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  assertStringIncludes(
    readme,
    `deno run --allow-write=${SVG} lessons/03_gather.ts --timeline=svg ${SVG}`,
  );
  assertStringIncludes(readme, `](${SVG})`);
  assertStringIncludes(readme, "](docs/img/site.png)");
  const png = await Deno.readFile(new URL("docs/img/site.png", ROOT));
  assertEquals([...png.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  assert(png.length < 150_000, `${png.length} bytes`);
});
