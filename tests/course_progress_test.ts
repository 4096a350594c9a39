/**
 * course/progress.ts: the progress file the exercise CLI and the site share.
 */
import { assertEquals } from "@std/assert";
import {
  hashOf,
  loadProgress,
  stateOf,
  updateProgress,
} from "../course/progress.ts";
import { testFolder } from "./_checkout.ts";

const MODULE = new URL("../course/progress.ts", import.meta.url);

Deno.test("Progress written by two processes at once keeps every change of both", async () => {
  const OUTPUT = new URL(`${await testFolder("progress")}/`, "file:///");
  const file = new URL("progress.json", OUTPUT);
  // Each writer records 20 results of its own, one update at a time.
  const writer = (name: string) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `--allow-read=${OUTPUT.pathname}`,
        `--allow-write=${OUTPUT.pathname}`,
        `import { updateProgress } from "${MODULE.href}";
         for (let i = 0; i < 20; i++) {
           await updateProgress((p) => {
             p.results["${name}" + i] = { hash: "h", passed: true };
           }, new URL("${file.href}"));
         }`,
      ],
    }).output();
  try {
    const [a, b] = await Promise.all([writer("a"), writer("b")]);
    assertEquals([a.code, b.code], [0, 0]);
    const saved = await loadProgress(file);
    assertEquals(Object.keys(saved.results).length, 40);
  } finally {
    await Deno.remove(OUTPUT, { recursive: true });
  }
});

Deno.test("Progress reads as empty when missing or not a progress file, and says where each exercise stands", async () => {
  const OUTPUT = new URL(`${await testFolder("progress")}/`, "file:///");
  const file = new URL("progress.json", OUTPUT);
  try {
    assertEquals(await loadProgress(file), { results: {}, hints: {} });
    await Deno.writeTextFile(file, '{"lang": "fr", "results": [1], "hints": 3');
    assertEquals(await loadProgress(file), { results: {}, hints: {} });
    await updateProgress((p) => {
      p.lang = "es";
      p.results["03a"] = { hash: "x", passed: true };
      p.results["04a"] = { hash: "y", passed: false };
      p.hints["04a"] = 2;
    }, file);
    const saved = await loadProgress(file);
    assertEquals(saved.lang, "es");
    assertEquals(saved.hints, { "04a": 2 });
    assertEquals(stateOf(saved, "03a", "x"), "done");
    assertEquals(stateOf(saved, "03a", "changed"), "todo");
    assertEquals(stateOf(saved, "04a", "y"), "failing");
    assertEquals(stateOf(saved, "05a", "z"), "todo");
    assertEquals(await hashOf(new URL("missing.ts", OUTPUT)), "missing");
    // An exercise that moved keeps its result and its hints under its new id.
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        results: { "04c": { hash: "x", passed: true } },
        hints: { "04d": 2, "10c": 1 },
      }),
    );
    const moved = await loadProgress(file);
    assertEquals(moved.results, { "01a": { hash: "x", passed: true } });
    assertEquals(moved.hints, { "10c": 1 });
    assertEquals((await hashOf(file)).length, 64);
  } finally {
    await Deno.remove(OUTPUT, { recursive: true });
  }
});
