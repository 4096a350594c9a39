/**
 * Exercises on simulated time: each check fails on its stub and on every
 * wrong solution with the message the learner should see, and passes on the
 * solution; the catalogue; the learner's side of a check (the World: its
 * clock, its tasks, what it reports left behind); `deno task exercise` in
 * process, with a fake terminal and progress file (the list, the first
 * exercise not done, one exercise, bad command lines, yes/no flags, hints,
 * languages, the chart's legend, --solution, --watch). The CLI's checks are
 * the ones the exercises' tests ran already in this process (checkFile
 * remembers them): 10 checks fewer than in a file of their own. The
 * exercises that need a server or workers are in exercises_io_test.ts, the
 * process a check runs in in exercises_process_test.ts.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { listLessons } from "../course/header.ts";
import { UI } from "../course/i18n.ts";
import { EXERCISES, fileOf, findExercise } from "../exercises/_catalog.ts";
import { type Io, main, wrap } from "../exercises/_cli.ts";
import { Failure, Scene, text, units } from "../exercises/_harness.ts";
import { display } from "../exercises/_run.ts";
import { testFolder } from "./_checkout.ts";
import { Checking } from "../exercises/_world.ts";
import {
  loadProgress,
  type Progress,
  updateProgress,
} from "../course/progress.ts";
import {
  checkFile,
  checkHere,
  EXPECTED,
  FIXTURES,
  shipped,
  stubSolutionWrong,
} from "./_exercises.ts";

for (const exercise of EXERCISES.filter((e) => !e.real)) {
  Deno.test(
    `Exercise ${exercise.id} (${exercise.title.en}): the stub fails, the solution passes, each wrong solution fails with its message`,
    (t) => stubSolutionWrong(t, exercise),
  );
}

Deno.test("Right solutions written another way pass: 05c aborts its request as it gives up and returns in the same turn, 07a yields with setImmediate", async () => {
  for (const name of ["_05c_abort_after_deadline", "_07a_set_immediate"]) {
    const file = new URL(`${name}.ts`, FIXTURES);
    const result = await checkHere(findExercise(name.slice(1, 4))!, file);
    assertEquals(result.problems.map((p) => p.en), [], name);
  }
});

Deno.test("Exercises cover lessons 01 to 10 in course order, each with a stub, a solution, hints and wrong solutions", async () => {
  assert(EXERCISES.length >= 14, `only ${EXERCISES.length} exercises`);
  const ids = EXERCISES.map((e) => e.id);
  assertEquals(ids, [...ids].sort(), "course order");
  assertEquals(new Set(ids).size, ids.length, "unique ids");
  for (const { section } of await listLessons()) {
    assert(
      ids.some((id) => Number(id.slice(0, 2)) === section),
      `no exercise for section ${section}`,
    );
  }
  for (const exercise of EXERCISES) {
    assert(exercise.slug.startsWith(exercise.id + "_"), exercise.slug);
    const stub = await Deno.readTextFile(await shipped(exercise));
    await Deno.stat(fileOf(exercise, true));
    // The header: English and Spanish, the command that checks it, the lesson.
    assertStringIncludes(stub, `# ${exercise.id} · `);
    for (const lang of ["EN", "ES"]) {
      const lines =
        new RegExp(` \\* ${lang}: [^]*?\\n \\*\\n`).exec(stub)?.[0].trimEnd()
          .split("\n").length ?? 0;
      assert(
        lines >= 3 && lines <= 4,
        `${exercise.id}: the ${lang} header has ${lines - 1} lines, not 2 or 3`,
      );
    }
    assertStringIncludes(stub, `deno task exercise ${exercise.id}`);
    assertStringIncludes(stub, `export `);
    assert(
      exercise.hints.length >= 2,
      `${exercise.id} has ${exercise.hints.length} hints`,
    );
    for (const text of [exercise.title, exercise.success, ...exercise.hints]) {
      assert(
        text.en.length > 0 && text.es.length > 0 && text.en !== text.es ||
          text.en.startsWith("`"),
        text.en,
      );
    }
    assert(
      Object.keys(EXPECTED[exercise.id]?.wrong ?? {}).length >= 1,
      `${exercise.id} has no wrong solution`,
    );
  }
  // exercises/_texts.json has the texts of these exercises, and no others.
  const texts = JSON.parse(
    await Deno.readTextFile(
      new URL("../exercises/_texts.json", import.meta.url),
    ),
  );
  assertEquals(Object.keys(texts), ids);
  // exercises/README.md lists every exercise (the README's course list
  // points from each lesson to its exercises: tests/readme_test.ts).
  const section = await Deno.readTextFile(
    new URL("../exercises/README.md", import.meta.url),
  );
  for (const id of ids) assertStringIncludes(section, ` ${id} `);
  // Every wrong solution on disk is in the table, and the other way round.
  const onDisk = [];
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (entry.name.endsWith(".ts") && !entry.name.startsWith("_")) {
      onDisk.push(entry.name.slice(0, -3));
    }
  }
  assertEquals(
    onDisk.sort(),
    Object.values(EXPECTED).flatMap((e) => Object.keys(e.wrong)).sort(),
  );
});

Deno.test("Each exercise is listed by one lesson of its section, which uses what its solution imports from the package, and its stub names that lesson", async () => {
  const lessons = await listLessons();
  for (const exercise of EXERCISES) {
    const listing = lessons.filter((l) => l.exercises.includes(exercise.id));
    assertEquals(listing.length, 1, `${exercise.id}: listed by one lesson`);
    const lesson = listing[0]!;
    assertEquals(lesson.section, Number(exercise.id.slice(0, 2)), exercise.id);
    const source = await Deno.readTextFile(
      new URL(`../lessons/${lesson.file}`, import.meta.url),
    );
    const solution = await Deno.readTextFile(fileOf(exercise, true));
    const imported = solution.match(
      /(?<=import \{)[^}]*(?=\} from "@asincronia\/asincronia")/,
    )?.[0].split(",").map((name) => name.trim()) ?? [];
    for (const name of imported) {
      assertMatch(
        source,
        new RegExp(`^import \\{[^}]*\\b${name}\\b[^}]*\\} from "\\.\\./`, "m"),
        `${exercise.id}'s solution uses ${name}; lessons/${lesson.file} does not`,
      );
    }
    const stub = await Deno.readTextFile(await shipped(exercise));
    assertStringIncludes(stub, `lessons/${lesson.file}`, exercise.id);
  }
});

Deno.test("Checks on simulated time give the same verdict, word for word, in the check's own process and observed again here", async () => {
  // The first verdict is the one each exercise's test got above, from the
  // learner's process; the second observes the scenarios again, in this
  // process (as the tests of the wrong solutions do), and judges them alike.
  for (const exercise of EXERCISES.filter((e) => !e.real)) {
    const stub = await shipped(exercise);
    assertEquals(
      JSON.stringify(await checkHere(exercise, stub)),
      JSON.stringify(await checkFile(exercise, stub)),
      exercise.id,
    );
  }
});

Deno.test("Times read as each language writes a decimal: 1.0 unit, 1,0 unidades", () => {
  assertEquals(units(1), { en: "1.0 unit", es: "1,0 unidades" });
  assertEquals(units(2.25), { en: "2.3 units", es: "2,3 unidades" });
});

Deno.test("Nothing printed reads as each language says it: 'tools.log printed nothing', 'tools.log no escribió nada'", async () => {
  const file = new URL("02a_console_log.ts", FIXTURES);
  const [problem] = (await checkHere(findExercise("02a")!, file)).problems;
  assert(problem!.es.startsWith("tools.log no escribió nada;"), problem!.es);
});

/** Runs `fn` in a simulated world of its own and reads the Run back as the checker does. */
async function scene<T>(
  fn: (world: ReturnType<Checking["open"]>) => T | PromiseLike<T>,
  limit = 10,
): Promise<Scene> {
  const session = new Checking(import.meta.url, undefined);
  {
    await using world = session.open();
    await world.run(() => fn(world), limit);
  }
  return new Scene(session.runs[0]!);
}

Deno.test("World: simulated timers fire in time order, then creation order, and the real clock comes back", async () => {
  const realSetTimeout = globalThis.setTimeout;
  const realDateNow = Date.now;
  const order: string[] = [];
  const session = new Checking(import.meta.url, undefined);
  {
    await using _world = session.open();
    let refused: unknown;
    try {
      session.open();
    } catch (error) {
      refused = error;
    }
    assertStringIncludes(String(refused), "Only one check");
  }
  const { outcome } = await scene(async () => {
    const t0 = Date.now();
    setTimeout(() => order.push("b"), 200);
    setTimeout(() => order.push("a"), 100);
    setTimeout(() => order.push("c"), 200);
    setImmediate((what: string) => order.push(what), "at 0, as Node's"); // a turn
    const timeout = AbortSignal.timeout(150);
    await new Promise((resolve) => timeout.addEventListener("abort", resolve));
    order.push(`aborted ${(timeout.reason as DOMException).name}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    return Date.now() - t0;
  });
  assertEquals(order, [
    "at 0, as Node's",
    "a",
    "aborted TimeoutError",
    "b",
    "c",
  ]);
  assertEquals([outcome.status, outcome.value, outcome.at], [
    "fulfilled",
    400,
    4,
  ]);
  assertEquals(globalThis.setTimeout, realSetTimeout);
  assertEquals(Date.now, realDateNow);
  assertEquals(Object.hasOwn(performance, "now"), false);
});

Deno.test("World on real time with a margin: a hold-up of the process is noted as a share of the margin, and the 1 ms watch ends with the world, even when the code throws", async () => {
  const session = new Checking(import.meta.url, undefined);
  {
    await using world = session.open({ virtual: false, unit: 10, margin: 2 });
    await world.run(() => {
      const end = performance.now() + 40; // held up for 2 margins
      while (performance.now() < end) { /* busy */ }
      throw new Error("boom");
    }, 10);
  }
  // The sanitizers fail this test if a timer of the watch outlives it.
  const held = session.runs[0]!.held!;
  assert(held >= 1, `held: ${held}`);
});

Deno.test("World: what the code leaves behind, gets stuck on, polls for or never handles is reported", async (t) => {
  await t.step(
    "a pending timer and interval, with the line that set them; not an unref'd one",
    async () => {
      const run = await scene(() => {
        setTimeout(() => {}, 300);
        setInterval(() => {}, 100);
        const quiet = setTimeout(() => {}, 100);
        Deno.unrefTimer(quiet);
        return "done";
      });
      assertEquals(
        run.outcome.leaks.map((l) => [l.kind, l.due, l.origin?.split(":")[0]]),
        [["timer", 3, "exercises_test.ts"], [
          "interval",
          1,
          "exercises_test.ts",
        ]],
      );
      const problems = run.common().map((p) => p.en);
      assertEquals(problems.length, 2);
      assertStringIncludes(problems[0]!, "but a timer (exercises_test.ts:");
      assertStringIncludes(problems[0]!, "(due at 3.0)");
    },
  );
  await t.step("a wait nothing will ever end is stuck, at once", async () => {
    const run = await scene(() => new Promise(() => {}));
    assertEquals([run.outcome.status, run.outcome.at], ["stuck", 0]);
    assertStringIncludes(
      run.common()[0]!.en,
      "nothing is left that could ever wake it up",
    );
  });
  await t.step(
    "polling with 0 ms timers is busy, not an endless test",
    async () => {
      const run = await scene(async () => {
        while (true) await new Promise((resolve) => setTimeout(resolve, 0));
      });
      assertEquals(run.outcome.status, "busy");
    },
  );
  await t.step("a wait longer than the limit is late", async () => {
    const run = await scene(() => new Promise((r) => setTimeout(r, 5000)));
    assertEquals([run.outcome.status, run.outcome.at], ["late", 10]);
  });
  await t.step(
    "a rejection nobody handles, and a timer callback that throws",
    async () => {
      const run = await scene(() => {
        Promise.reject(new RangeError("lost"));
        setTimeout(() => {
          throw new TypeError("thrown in a callback");
        }, 100);
        return new Promise((resolve) => setTimeout(resolve, 200));
      });
      const problems = run.common().map((p) => p.en);
      assertStringIncludes(
        problems[0]!,
        "A promise rejected with RangeError: lost (exercises_test.ts:",
      );
      assertStringIncludes(
        problems[1]!,
        "A timer callback threw TypeError: thrown in a callback (exercises_test.ts:",
      );
    },
  );
  await t.step(
    "a simulated task still running, with when it would end, drawn in both languages",
    async () => {
      const run = await scene((world) => {
        world.task("slow", 3);
        return world.task("fast", 1);
      });
      assertEquals(run.outcome.running, [{ name: "slow", until: 3 }]);
      assertStringIncludes(
        run.common()[0]!.en,
        "but task slow was still running (until 3.0 units)",
      );
      // Drawn until it would have ended, not only until the function returned.
      const chart = run.chart()!;
      assertStringIncludes(chart.en, "slow =====");
      assert(/ 3\n?$/.test(chart.en), chart.en);
      assert(chart.en.split("\n")[0]!.endsWith(" running"), chart.en);
      assert(chart.es.split("\n")[0]!.endsWith(" activa"), chart.es);
      assertStringIncludes(chart.es, "1,00");
      // The key under a chart names that state with the bar's own word.
      assertStringIncludes(UI.marks[0].split(" = ")[1]!, "running");
      assertStringIncludes(UI.marks[1].split(" = ")[1]!, "activa");
      // Left running, 03a's tasks end at 2, 1 and 3: each bar where its own does.
      const three = await scene((world) => {
        for (const [name, units] of [["A", 2], ["B", 1], ["C", 3]] as const) {
          world.task(name, units);
        }
      });
      const ends = three.chart()!.en.split("\n").slice(0, 3)
        .map((row) => row.lastIndexOf("=") - row.indexOf("=") + 1);
      assertEquals(ends.map((n) => Math.round(3 * n / ends[2]!)), [2, 1, 3]);
    },
  );
});

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
  await t.step("a pass's note comes under its success text", async () => {
    fake.reset();
    const note = text("Held up: check again.", "Detenida.");
    const io: Io = {
      ...fake.io,
      check: ({ id }) =>
        Promise.resolve({ id, passed: true, problems: [], note }),
    };
    assertEquals(await main(["08b"], io), 0);
    const success = wrap(findExercise("08b")!.success.en, 80, "  ");
    assertStringIncludes(fake.out, `${success}\n  • Held up: check again.`);
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

Deno.test("deno task exercise refuses an unknown flag, a yes/no flag's other value, a second argument, an unknown id or two of --hint/--solution/--watch, in one line naming it as typed, with exit code 2", async () => {
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
      // One thing at a time: a hint, the solution's path, or watching.
      [["04b", "--hint", "--solution"], "you gave --hint --solution"],
      [["-w", "--hint", "--lang", "es"], "pusiste --hint --watch"],
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

Deno.test("Two checks at once each keep their result in the progress file", async () => {
  const OUTPUT = new URL(`${await testFolder("progress")}/`, "file:///");
  const file = new URL("progress.json", OUTPUT);
  const io = (ids: string[]): Io => ({
    write: () => {},
    load: () => loadProgress(file),
    update: (change: (p: Progress) => void) => updateProgress(change, file),
    file: (exercise) => fileOf(exercise, true),
    check: (exercise, f) =>
      checkFile(exercise, f).then((r) => (ids.push(exercise.id), r)),
    async *watch() {},
    color: false,
    width: 80,
    clear: () => {},
  });
  try {
    const checked: string[] = [];
    await Promise.all([
      main(["03a"], io(checked)),
      main(["04a"], io(checked)),
    ]);
    assertEquals(checked.sort(), ["03a", "04a"]);
    const saved = await loadProgress(file);
    assertEquals(Object.keys(saved.results).sort(), ["03a", "04a"]);
  } finally {
    await Deno.remove(OUTPUT, { recursive: true });
  }
});

Deno.test("wrap() breaks between words, never inside a `command`, so the command copies whole", () => {
  assertEquals(
    wrap("run `deno task exercise 03b` again (or add --watch).", 25, "  "),
    "  run\n  `deno task exercise 03b`\n  again (or add --watch).",
  );
  assertEquals(wrap("a b c", 3, "• ", "  "), "• a\n  b\n  c");
  // A backtick and a line break in the learner's own error: still indented.
  assertEquals(
    wrap("threw `config\nline` here", 80, "  "),
    "  threw `config line` here",
  );
});

Deno.test("A task is named in Spanish as its chart names it (descarga 0, not download 0): left running, never run, started twice", async () => {
  const exercise = findExercise("10a")!;
  const { problems } = await checkHere(exercise, await shipped(exercise));
  const left = problems.find((p) => p.es.includes("seguían en marcha"));
  assertStringIncludes(left!.es, "las tareas descarga 0 y descarga 4 seguían");
  // The same words when it started twice, or never.
  const twice = await scene((w) => [1, 2].map(() => w.start("download 1")));
  const es = new Scene(twice.run, { download: "descarga" });
  assertStringIncludes(es.twice()[0]!.es, "La tarea descarga 1 se lanzó");
  const never = assertThrows(() => es.spanOf("download 2"), Failure).problems;
  assertEquals(never.at(-1)!.es, "La tarea descarga 2 no llegó a ejecutarse.");
  // Only the exercise's words: 09a names chunks by the learner's arguments.
  assertEquals(es.es('download "constructor"–5'), 'descarga "constructor"–5');
});
