/**
 * Exercises on simulated time: each check fails on its stub and on every
 * wrong solution with the message the learner should see, and passes on the
 * solution; the catalogue; the learner's side of a check (the World: its
 * clock, its tasks, what it reports left behind). The exercises that need a
 * server or workers are in exercises_io_test.ts, the CLI in
 * exercises_cli_test.ts, the process a check runs in in
 * exercises_process_test.ts.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { listLessons } from "../course/header.ts";
import { EXERCISES, fileOf } from "../exercises/_catalog.ts";
import { Scene, units } from "../exercises/_harness.ts";
import { check } from "../exercises/_run.ts";
import { Checking } from "../exercises/_world.ts";
import {
  checkFile,
  EXPECTED,
  FIXTURES,
  pooled,
  shipped,
  stubSolutionWrong,
} from "./_exercises.ts";

for (const exercise of EXERCISES.filter((e) => !e.real)) {
  Deno.test(
    `Exercise ${exercise.id} (${exercise.title.en}): the stub fails, the solution passes, each wrong solution fails with its message`,
    (t) => stubSolutionWrong(t, exercise),
  );
}

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

Deno.test("Checks on simulated time give the same verdict, word for word, run after run", async () => {
  const virtual = EXERCISES.filter((e) => !e.real);
  const stubs = await Promise.all(virtual.map(shipped));
  // The first run is the one the test of each exercise made above.
  const first = await Promise.all(
    virtual.map((e, i) => checkFile(e, stubs[i]!)),
  );
  const again = await pooled(
    virtual.map((e, i) => [e, stubs[i]!] as const),
    ([e, stub]) => check(e, stub, { typeCheck: false }),
  );
  virtual.forEach((exercise, i) =>
    assertEquals(
      JSON.stringify(again[i]),
      JSON.stringify(first[i]),
      exercise.id,
    )
  );
});

Deno.test("Times read as each language writes a decimal: 1.0 unit, 1,0 unidades", () => {
  assertEquals(units(1), { en: "1.0 unit", es: "1,0 unidades" });
  assertEquals(units(2.25), { en: "2.3 units", es: "2,3 unidades" });
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
    const timeout = AbortSignal.timeout(150);
    await new Promise((resolve) => timeout.addEventListener("abort", resolve));
    order.push(`aborted ${(timeout.reason as DOMException).name}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    return Date.now() - t0;
  });
  assertEquals(order, ["a", "aborted TimeoutError", "b", "c"]);
  assertEquals([outcome.status, outcome.value, outcome.at], [
    "fulfilled",
    400,
    4,
  ]);
  assertEquals(globalThis.setTimeout, realSetTimeout);
  assertEquals(Date.now, realDateNow);
  assertEquals(Object.hasOwn(performance, "now"), false);
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
    },
  );
});
