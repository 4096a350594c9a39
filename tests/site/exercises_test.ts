/**
 * The site's adapter over exercises/: the catalogue, each exercise's state
 * from the progress file, the checker's command from deno.json, and the
 * exercise's brief from its file. A fixture stands in for exercises/.
 */
import { assertEquals } from "@std/assert";
import {
  brief,
  checkerFlags,
  exerciseChecker,
  loadExercises,
} from "../../site/exercises.ts";

const FIXTURE = new URL("../fixtures/site", import.meta.url).pathname;

Deno.test("loadExercises() lists the catalogue with each exercise's state, as deno task exercise reads it", async () => {
  const exercises = await loadExercises(FIXTURE, ["03_gather", "04_semaphore"]);
  assertEquals(
    exercises.map((
      e,
    ) => [e.id, e.section, e.lesson, e.title, e.titleEs, e.file, e.state]),
    [
      ["03a", 3, "03_gather", "Done", "Hecho", "exercises/03a_done.ts", "done"],
      [
        "03b",
        3,
        "03_gather",
        "Failing",
        "Falla",
        "exercises/03b_failing.ts",
        "failing",
      ],
      // Passed once, but the file changed since: to do again.
      [
        "04a",
        4,
        "04_semaphore",
        "Changed since",
        "Cambiado",
        "exercises/04a_changed.ts",
        "todo",
      ],
      // Never checked; its lesson is not one the site lists.
      [
        "05a",
        5,
        undefined,
        "Never checked",
        "Sin comprobar",
        "exercises/05a_new.ts",
        "todo",
      ],
    ],
  );
  assertEquals(exercises[0]!.hints, [
    { en: "First hint", es: "Primera pista" },
    { en: "Second", es: "Segunda" },
  ]);
});

Deno.test("loadExercises() is empty where there is no exercises/", async () => {
  const nowhere =
    new URL("../fixtures/site/exercises", import.meta.url).pathname;
  assertEquals(await loadExercises(nowhere, []), []);
});

Deno.test("checkerFlags() takes deno task exercise's permissions, and refuses any other kind", () => {
  const task =
    "deno run --allow-read=exercises,lib,mod.ts --allow-write=exercises/.progress.json --allow-net=127.0.0.1 exercises/_cli.ts";
  assertEquals(checkerFlags(task), [
    "--allow-read=exercises,lib,mod.ts",
    "--allow-write=exercises/.progress.json",
    "--allow-net=127.0.0.1",
  ]);
  for (
    const bad of [
      null,
      42,
      "deno run -A exercises/_cli.ts",
      "deno run --allow-all exercises/_cli.ts",
      "deno run --allow-run=deno exercises/_cli.ts",
      "deno run --allow-env exercises/_cli.ts",
      "deno run --allow-read exercises/_cli.ts",
      "deno run --allow-read=. other.ts",
      "deno test --allow-read=. exercises/_cli.ts",
      "deno run --allow-read=$(pwd) exercises/_cli.ts",
    ]
  ) {
    assertEquals(checkerFlags(bad), undefined, String(bad));
  }
});

Deno.test("exerciseChecker() runs the checker on one exercise, in the page's language, with the task's flags only", async () => {
  const [exercise] = await loadExercises(FIXTURE, ["03_gather"]);
  const task =
    "deno run --allow-read=exercises,lib --allow-write=exercises/.progress.json exercises/_cli.ts";
  assertEquals(exerciseChecker(FIXTURE, exercise!, "es", task), {
    display: "deno task exercise 03a --lang es",
    args: [
      "run",
      "--no-prompt",
      "--allow-read=exercises,lib",
      "--allow-write=exercises/.progress.json",
      "exercises/_cli.ts",
      "03a",
      "--lang",
      "es",
    ],
    unit: 100,
  });
  // Tests check without touching the learner's progress.
  assertEquals(
    exerciseChecker(FIXTURE, exercise!, "en", task, false)?.args.slice(2, 4),
    ["--allow-read=exercises,lib", "exercises/_cli.ts"],
  );
  // A task the site does not trust, or no checker in exercises/: no Check.
  assertEquals(
    exerciseChecker(FIXTURE, exercise!, "en", "deno run -A exercises/_cli.ts"),
    undefined,
  );
  const elsewhere = new URL("../fixtures", import.meta.url).pathname;
  assertEquals(exerciseChecker(elsewhere, exercise!, "en", task), undefined);
});

Deno.test("brief() reads what an exercise's file asks, in each language", async () => {
  const source = await Deno.readTextFile(`${FIXTURE}/exercises/03a_done.ts`);
  assertEquals(brief(source), {
    en: "Do the thing, in two lines.",
    es: "Haz la cosa, en dos líneas.",
  });
  assertEquals(brief("export const x = 1;"), {});
});
