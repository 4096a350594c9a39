/**
 * `deno task exercise` in process: a fake terminal and progress file; each
 * check still runs in a process of its own. The list, the first exercise not
 * done, one exercise, bad command lines, yes/no flags, hints, languages, the
 * chart's legend, --solution, --watch.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { EXERCISES, fileOf, findExercise } from "../exercises/_catalog.ts";
import { type Io, main } from "../exercises/_cli.ts";
import { display } from "../exercises/_run.ts";
import type { Progress } from "../course/progress.ts";
import { checkFile, shipped } from "./_exercises.ts";

/** Each exercise's stub as shipped (read from git where a learner is solving it). */
const STUBS = new Map(
  await Promise.all(
    EXERCISES.map(async (e) => [e.id, await shipped(e)] as const),
  ),
);
/** Where the stub of `id` is, as the CLI shows it. */
const stub = (id: string) => display(STUBS.get(id)!);

function fakeIo(
  files: Record<string, "stub" | "solution" | URL> = {},
  watches = 0,
) {
  let out = "";
  const saved: Progress = { results: {}, hints: {} };
  const checks: string[] = [];
  let clears = 0;
  const io: Io = {
    write: (text) => void (out += text),
    load: () => Promise.resolve(structuredClone(saved)),
    update: (change) => {
      change(saved);
      return Promise.resolve(structuredClone(saved));
    },
    file: (exercise) => {
      const where = files[exercise.id] ?? "stub";
      return where instanceof URL
        ? where
        : where === "solution"
        ? fileOf(exercise, true)
        : STUBS.get(exercise.id)!;
    },
    check: (exercise, file) => {
      checks.push(exercise.id);
      return checkFile(exercise, file);
    },
    async *watch() {
      for (let i = 0; i < watches; i++) yield;
    },
    color: false,
    width: 80,
    clear: () => void clears++,
  };
  return {
    io,
    get out() {
      return out;
    },
    /** The output with its wrapped lines joined (a stub's path may be long). */
    get flat() {
      return out.replace(/\n\s+/g, " ");
    },
    reset() {
      out = "";
      checks.length = 0;
    },
    get saved() {
      return saved;
    },
    checks,
    get clears() {
      return clears;
    },
  };
}

Deno.test("deno task exercise: the list, then the first exercise not done, checked", async (t) => {
  const fake = fakeIo({
    "01a": "solution",
    "02a": "solution",
    "03a": "solution",
    "03b": "solution",
  });
  await t.step(
    "passes 01a to 03b, stops at 04a and shows why",
    async () => {
      assertEquals(await main([], fake.io), 1);
      assertEquals(fake.checks, ["01a", "02a", "03a", "03b", "04a"]);
      const out = fake.out;
      assertStringIncludes(out, "Asincronía · exercises   4 of 17 done");
      assertStringIncludes(out, "  ✓ 02a  Say hello, wait, say goodbye");
      assertStringIncludes(out, "  ✗ 04a  Five downloads, two at a time");
      assertStringIncludes(out, "← next");
      assertStringIncludes(
        out,
        "  ✓ done   ✗ failing   · to do\n  the number is the lesson: 04b is lesson 04's second exercise\n",
      );
      assertStringIncludes(out, "  · 04b  Protect a read-await-write counter");
      assertStringIncludes(
        out,
        "✓ 03b · Finish background work before returning — passed",
      );
      assertStringIncludes(
        out,
        `✗ 04a · Five downloads, two at a time\n  ${stub("04a")}`,
      );
      assertStringIncludes(
        out,
        "  • At 0.0 units, 5 downloads were running at once; at most 2 may run at a",
      );
      assertStringIncludes(out, "download 2 ######");
      assertStringIncludes(out, "Stuck? `deno task exercise 04a --hint`");
      assertEquals(fake.saved.results["04a"]?.passed, false);
      assertEquals(fake.saved.results["03b"]?.passed, true);
    },
  );
  await t.step(
    "a second run checks only what is not known to pass as it is",
    async () => {
      fake.reset();
      assertEquals(await main([], fake.io), 1);
      assertEquals(fake.checks, ["04a"]);
    },
  );
  await t.step("one exercise by id; a pass names the next one", async () => {
    fake.reset();
    assertEquals(await main(["03a"], fake.io), 0);
    assertStringIncludes(fake.out, "✓ 03a · Overlap three waits — passed");
    assertStringIncludes(
      fake.out,
      "Next: 04a · Five downloads, two at a time → `deno task exercise`",
    );
    fake.reset();
    assertEquals(await main(["05c"], fake.io), 1);
    assertStringIncludes(
      fake.flat,
      `Edit ${stub("05c")}, then run \`deno task exercise 05c\` again`,
    );
  });
  await t.step("an unknown id lists the real ones", async () => {
    fake.reset();
    assertEquals(await main(["11z"], fake.io), 2);
    assertStringIncludes(
      fake.out,
      `There is no exercise "11z". The exercises are: 01a, 02a, 03a, 03b, 04a`,
    );
  });
});

Deno.test("deno task exercise with every exercise solved: 17 of 17 done", async () => {
  const fake = fakeIo();
  // That each solution passes is each exercise's test; here, every one does.
  fake.io.check = (exercise) =>
    Promise.resolve({ id: exercise.id, passed: true, problems: [] });
  assertEquals(await main([], fake.io), 0, fake.out);
  const m = EXERCISES.length;
  assertStringIncludes(fake.out, `${m} of ${m} done`);
  assertStringIncludes(fake.out, `All ${m} exercises pass. Well done!`);
  assertEquals(
    Object.values(fake.saved.results).filter((r) => r.passed).length,
    m,
  );
});

Deno.test("deno task exercise refuses an unknown flag, a yes/no flag's other value, a second argument or an unknown id, in one line naming it as typed, with exit code 2", async () => {
  const fake = fakeIo();
  for (
    const [args, message] of [
      [["03a", "--bogus"], "Unknown flag --bogus"],
      [["-x", "03a"], "Unknown flag -x"],
      [["03a", "--watch=1", "--bogus=2"], "Unknown flag --bogus"],
      [["03a", "04b"], 'Unexpected argument "04b"'],
      [["03a", "--bogus", "--lang", "es"], "Opción desconocida --bogus"],
      [["03a", "04b", "--lang", "es"], 'Argumento de más "04b"'],
      [
        ["03a", "--watch=maybe"],
        'Flag --watch takes no value, or yes or no: current value is "maybe"',
      ],
      [
        ["--hint=garbage", "04b"],
        'Flag --hint takes no value, or yes or no: current value is "garbage"',
      ],
      [["04b", "--solution=nope"], "Flag --solution takes no value"],
      [
        ["-h=never"],
        'Flag -h takes no value, or yes or no: current value is "never"',
      ],
      [["-w=sometimes", "03a"], 'current value is "sometimes"'],
      [
        ["03a", "--solution=quizá", "--lang", "es"],
        'La opción --solution va sin valor, o con sí o no: el valor actual es "quizá"',
      ],
      [["--help=garbage", "--lang=es"], "La opción --help va sin valor"],
      // Numbers are not converted: the message names what was typed.
      [["04a", "1e3"], 'Unexpected argument "1e3"'],
      [["04a", "0x10"], 'Unexpected argument "0x10"'],
      [["04"], 'There is no exercise "04". The exercises are: 01a, 02a, 03a'],
      [["04a", "1e3", "--lang", "es"], 'Argumento de más "1e3"'],
      [["0x10", "--lang", "es"], 'No hay ningún ejercicio "0x10"'],
      // An unknown id refuses the command line before --lang is remembered.
      [["99z", "--lang", "es"], 'No hay ningún ejercicio "99z"'],
      [["99z", "--help", "--lang", "es"], 'No hay ningún ejercicio "99z"'],
    ] as const
  ) {
    fake.reset();
    assertEquals(await main([...args], fake.io), 2, args.join(" "));
    assertStringIncludes(fake.out, message);
    assertEquals(fake.out.trimEnd().split("\n").length, 1, fake.out);
    assertEquals(fake.checks, [], "nothing is checked");
  }
  // A refused command line does not remember its --lang either.
  assertEquals(fake.saved.lang, undefined);
  assertEquals(fake.saved.hints, {});
});

Deno.test("deno task exercise reads --solution, --hint, --help and --watch as the lessons' yes/no flags: =no is off, =yes on", async () => {
  const fake = fakeIo({}, 1);
  // --solution=no: the exercise is checked, no solution named.
  assertEquals(await main(["04b", "--solution=no"], fake.io), 1);
  assert(!fake.out.includes("A solution"), fake.out);
  assertEquals(fake.checks, ["04b"]);
  fake.reset();
  assertEquals(await main(["04b", "--solution=yes"], fake.io), 0);
  assertStringIncludes(fake.out, "A solution: exercises/solutions/04b_");
  assertEquals(fake.checks, []);
  // --hint=no: no hint shown, none counted.
  fake.reset();
  assertEquals(await main(["04b", "--hint=no"], fake.io), 1);
  assert(!fake.out.includes("Hint"), fake.out);
  assertEquals(fake.saved.hints["04b"], undefined);
  fake.reset();
  assertEquals(await main(["04b", "--hint=YES"], fake.io), 0);
  assertStringIncludes(fake.out, "Hint 1 of 3");
  assertEquals(fake.saved.hints["04b"], 1);
  // --help=no, -h=no: no usage; --help=yes: the usage.
  for (const off of ["--help=no", "-h=no", "--help=off", "--help=false"]) {
    fake.reset();
    assertEquals(await main(["03a", off], fake.io), 1, off);
    assert(!fake.out.includes("Usage"), fake.out);
  }
  fake.reset();
  assertEquals(await main(["03a", "--help=yes"], fake.io), 0);
  assertStringIncludes(fake.out, "Usage: deno task exercise");
  // --watch=no, -w=no: one check, no watching; --watch=yes watches.
  for (const off of ["--watch=no", "-w=no", "--watch=0"]) {
    fake.reset();
    assertEquals(await main(["03a", off], fake.io), 1, off);
    assertEquals(fake.checks, ["03a"], off);
    assert(!fake.out.includes("Watching"), fake.out);
  }
  fake.reset();
  await main(["03a", "--watch=yes"], fake.io);
  assertEquals(fake.checks, ["03a", "03a"]);
  assertStringIncludes(fake.out, "Watching exercises/ for changes.");
  // After --, nothing is a flag.
  fake.reset();
  assertEquals(await main(["--", "--watch=no"], fake.io), 2);
  assertStringIncludes(fake.out, 'There is no exercise "--watch=no"');
});

Deno.test("deno task exercise --hint reveals one more hint each time, and remembers", async () => {
  const fake = fakeIo();
  const hints = findExercise("04b")!.hints;
  assertEquals(await main(["04b", "--hint"], fake.io), 0);
  assertStringIncludes(fake.out, "Hint 1 of 3");
  assertStringIncludes(fake.out, hints[0]!.en.slice(0, 40));
  assert(!fake.out.includes("Hint 2"));
  assertStringIncludes(
    fake.out,
    "Another one: `deno task exercise 04b --hint`",
  );
  assertEquals(fake.saved.hints["04b"], 1);
  assertEquals(fake.checks, [], "a hint runs no check");
  fake.reset();
  await main(["04b", "--hint"], fake.io);
  assertStringIncludes(fake.out, "Hint 1 of 3");
  assertStringIncludes(fake.out, "Hint 2 of 3");
  fake.reset();
  await main(["04b", "--hint"], fake.io);
  await main(["04b", "--hint"], fake.io);
  assertEquals(fake.saved.hints["04b"], 3);
  assertStringIncludes(
    fake.out,
    "No more hints. `deno task exercise 04b --solution`",
  );
  // Without an id: the first exercise not done.
  fake.reset();
  await main(["--hint"], fake.io);
  assertStringIncludes(
    fake.out,
    "01a · Wait for an Event: a traffic light\n\nHint 1 of 3",
  );
});

Deno.test("deno task exercise --lang es speaks Spanish from then on; --lang en goes back", async () => {
  const fake = fakeIo();
  assertEquals(await main(["03a", "--lang", "es"], fake.io), 1);
  assertStringIncludes(fake.out, "✗ 03a · Solapa tres esperas");
  assertStringIncludes(
    fake.out,
    "La tarea B empezó en 2,0 unidades; podía haber empezado en 0,0",
  );
  assertStringIncludes(
    fake.out,
    "¿Te has atascado? `deno task exercise 03a --hint`",
  );
  assertEquals(fake.saved.lang, "es");
  // The chart speaks Spanish too: decimal commas on its axis and durations.
  const chart = fake.out.slice(fake.out.indexOf("Lo que hizo tu código"));
  assertStringIncludes(chart, "0,5");
  assertStringIncludes(chart, " 2,00\n");
  assert(!/\d\.\d/.test(chart), chart);
  // A task still running is "activa", in the column of the durations.
  fake.reset();
  assertEquals(await main(["03b"], fake.io), 1);
  const rows = fake.out.split("\n").filter((l) => /^ {2}(save|fetch) /.test(l));
  assertEquals(rows.length, 2, fake.out);
  assert(rows[0]!.endsWith(" activa"), rows[0]);
  assert(rows[1]!.endsWith(" 1,00"), rows[1]);
  assertEquals(rows[0]!.length, rows[1]!.length, "columns stay aligned");
  assert(!fake.out.includes("running"), fake.out);
  fake.reset();
  await main([], fake.io);
  assertStringIncludes(fake.out, "Asincronía · ejercicios   0 de 17 hechos");
  assertStringIncludes(fake.out, "← siguiente");
  assertStringIncludes(
    fake.out,
    "el número es la lección: 04b es el segundo ejercicio de la lección 04",
  );
  fake.reset();
  await main(["03a", "--hint"], fake.io);
  assertStringIncludes(fake.out, "Pista 1 de 3");
  fake.reset();
  await main(["03a", "--lang", "en"], fake.io);
  assertStringIncludes(fake.out, "Task B started at 2.0 units");
  assertEquals(fake.saved.lang, "en");
  fake.reset();
  assertEquals(await main(["--lang", "fr"], fake.io), 2);
  assertStringIncludes(
    fake.out,
    'Flag --lang must be en or es: current value is "fr"',
  );
});

Deno.test("deno task exercise 04b --solution prints where the solution is, and it is there", async () => {
  const fake = fakeIo();
  assertEquals(await main(["04b", "--solution"], fake.io), 0);
  assertStringIncludes(
    fake.out,
    "A solution: exercises/solutions/04b_lock_counter.ts",
  );
  await Deno.stat(
    new URL("../exercises/solutions/04b_lock_counter.ts", import.meta.url),
  );
  assertEquals(fake.checks, []);
});

Deno.test("deno task exercise --watch checks again each time a file changes", async () => {
  const fake = fakeIo({}, 2);
  await main(["03a", "--watch"], fake.io);
  assertEquals(fake.checks, ["03a", "03a", "03a"]);
  assertEquals(fake.clears, 2);
  assertStringIncludes(
    fake.out,
    "Watching exercises/ for changes. Ctrl-C to stop.",
  );
  // Watching already: saving is what checks again, not another command.
  assertStringIncludes(
    fake.flat,
    `Edit ${stub("03a")} and save: it is checked again then.`,
  );
  assert(!fake.out.includes("again (or add --watch)"), fake.out);
  assert(!fake.out.includes("run `deno task exercise"), fake.out);
  // The list in watch mode, in Spanish too.
  const es = fakeIo({}, 1);
  await main(["--watch", "--lang", "es"], es.io);
  assertStringIncludes(
    es.flat,
    `Edita ${stub("01a")} y guarda: entonces se vuelve a comprobar.`,
  );
  assert(!es.out.includes("añade --watch"), es.out);
});
