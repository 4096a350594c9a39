import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  helpText,
  parseFlags,
  place,
  ROOT,
  UsageError,
} from "../lessons/_cli.ts";
import {
  denoExecutable,
  integerOption,
  type LessonCommand,
  type LessonResult,
  runCli,
} from "../lessons/_lesson.ts";
import { Timeline } from "../lib/timeline.ts";

const FLAGS = {
  seed: { type: "number", help: "the seed" },
  name: { type: "string", help: "a name" },
  fast: { type: "boolean", help: "go fast" },
} as const;

Deno.test("parseFlags() reads negative numbers as the values of their flags", () => {
  assertEquals(parseFlags(["--unit", "-5"]).options, { unit: -5 });
  assertEquals(parseFlags(["--seed", "-1"], FLAGS).options, { seed: -1 });
  assertEquals(parseFlags(["--unit", "-.5"]).options, { unit: -0.5 });
  assertEquals(parseFlags(["--unit=-5"]).options, { unit: -5 });
  assertEquals(parseFlags(["--unit", "1e3", "--name", "x"], FLAGS).options, {
    unit: 1000,
    name: "x",
  });
});

Deno.test("parseFlags() names the flag and the value typed when it refuses one", async (t) => {
  const refuses = (argv: string[], message: string) =>
    t.step(argv.join(" "), () => {
      assertThrows(() => parseFlags(argv, FLAGS), UsageError, message);
    });
  await refuses(
    ["--unit", "abc"],
    'Flag --unit must be a decimal number: current value is "abc"',
  );
  await refuses(["--unit"], "Flag --unit needs a value");
  await refuses(["--seed", "--unit", "5"], "Flag --seed needs a value");
  await refuses(["--bogus"], "Unknown flag --bogus");
  await refuses(["-x"], "Unknown flag -x");
  await refuses(["--timeline", "no"], 'Unexpected argument "no"');
  await refuses(
    ["--timeline=maybe"],
    'Flag --timeline takes no value, or yes or no: current value is "maybe"',
  );
  await refuses(
    ["--fast=often"],
    'Flag --fast takes no value, or yes or no: current value is "often"',
  );
});

Deno.test("parseFlags() turns --timeline on and off", () => {
  assertEquals(parseFlags([]).timeline, false);
  assertEquals(parseFlags(["--timeline"]).timeline, true);
  for (const yes of ["yes", "true", "on", "1", "YES"]) {
    assertEquals(parseFlags([`--timeline=${yes}`]).timeline, true, yes);
  }
  for (const no of ["no", "false", "off", "0", "No"]) {
    assertEquals(parseFlags([`--timeline=${no}`]).timeline, false, no);
  }
  assertEquals(parseFlags(["--fast=no"], FLAGS).options, {});
  assertEquals(parseFlags(["--fast"], FLAGS).options, { fast: true });
  assertEquals(parseFlags(["-h"]).help, true);
});

Deno.test("integerOption() names the option and the value", () => {
  assertEquals(integerOption(undefined, "n", 7, 1), 7);
  assertEquals(integerOption(3, "n", 7, 1), 3);
  assertThrows(
    () => integerOption(0, "n", 7, 1),
    RangeError,
    "Cannot run lesson as 'n' must be a positive integer: current value is 0",
  );
  assertThrows(
    () => integerOption(-1, "seed", 7, 0, 9),
    RangeError,
    "'seed' must be an integer from 0 to 9: current value is -1",
  );
  assertThrows(
    () => integerOption("3", "n", 7, 2),
    TypeError,
    "'n' must be an integer of at least 2: current value is \"3\"",
  );
});

// A command line run in this process: what it printed and its status.
async function run(
  command: Partial<LessonCommand>,
  argv: string[],
  cwd = ROOT,
) {
  const out: string[] = [];
  const err: string[] = [];
  const full: LessonCommand = {
    summary: "A lesson.",
    run: () => Promise.resolve(result()),
    ...command,
  };
  const status = await runCli(
    full,
    argv,
    place(`${ROOT}/lessons/99_test.ts`, cwd),
    { out: (text) => out.push(text), err: (text) => err.push(text) },
  );
  return { status, out, err };
}

function result(): LessonResult {
  return { lines: [], timeline: new Timeline(), unit: 1000 };
}

Deno.test("runCli() ends any error of the lesson in one line and status 1", async (t) => {
  await t.step("an error", async () => {
    const failing = () => {
      throw new DOMException("Request timed out after 1 ms", "TimeoutError");
    };
    assertEquals(await run({ run: failing }, []), {
      status: 1,
      out: [],
      err: ["Lesson failed: TimeoutError: Request timed out after 1 ms"],
    });
  });
  await t.step("a message of several lines", async () => {
    const failing = () => Promise.reject(new Error("first\nsecond\nthird"));
    const { status, err } = await run({ run: failing }, []);
    assertEquals([status, err], [1, ["Lesson failed: Error: first"]]);
  });
  await t.step("a thrown value that is not an Error", async () => {
    const failing = () => Promise.reject({ code: 7 });
    const { status, err } = await run({ run: failing }, []);
    assertEquals([status, err], [1, ["Lesson failed: an object { code }"]]);
  });
  await t.step("below the smallest unit, the line says so", async () => {
    const failing = () => Promise.reject(new Error("boom"));
    const { status, err } = await run({ run: failing, minUnit: 20 }, [
      "--unit",
      "2.5",
    ]);
    assertEquals(status, 1);
    assertEquals(err, [
      "Warning: --unit 2.5 is below 20, the smallest this lesson is written for: lines may differ from its Output.",
      "Lesson failed: Error: boom (--unit 2.5 is below 20, the smallest this lesson is written for)",
    ]);
  });
});

Deno.test("runCli() refuses bad flags with status 2, naming the value typed", async () => {
  assertEquals(await run({}, ["--unit", "-5"]), {
    status: 2,
    out: [],
    err: [
      "Flag --unit must be a number of milliseconds from 1 to 10000: current value is -5",
      "Run with --help to see the flags.",
    ],
  });
  // A lesson's own option, checked by the lesson's function.
  const seeded: Partial<LessonCommand> = {
    flags: { seed: { type: "number", help: "" } },
    run: (options) => {
      integerOption((options as { seed?: number }).seed, "seed", 1, 0, 9);
      return Promise.resolve(result());
    },
  };
  const { status, err } = await run(seeded, ["--seed", "-1"]);
  assertEquals([status, err[0]], [
    2,
    "Flag --seed must be an integer from 0 to 9: current value is -1",
  ]);
});

Deno.test("--unit is a decimal number of milliseconds from 1 to 10000; --help says so", async (t) => {
  for (const typed of ["1e9", "10000.5", "5e-324", "0.001", "0.999"]) {
    await t.step(`--unit ${typed} is refused, naming it`, async () => {
      const { status, err } = await run({}, ["--unit", typed]);
      assertEquals([status, err[0]], [
        2,
        `Flag --unit must be a number of milliseconds from 1 to 10000: current value is ${
          Number(typed)
        }`,
      ]);
    });
  }
  for (
    const typed of [
      "0x10",
      "0b1",
      "0o7",
      "Infinity",
      "-Infinity",
      " 5",
      "5ms",
      "1_000",
    ]
  ) {
    await t.step(
      `--unit ${JSON.stringify(typed)} is not a decimal number`,
      () => {
        assertThrows(
          () => parseFlags(["--unit", typed]),
          UsageError,
          `Flag --unit must be a decimal number: current value is "${typed}"`,
        );
      },
    );
  }
  for (
    const [typed, unit] of [["1", 1], ["10000", 10000], ["2.5", 2.5], [
      ".5e1",
      5,
    ], ["1E3", 1000]] as const
  ) {
    await t.step(`--unit ${typed} runs`, async () => {
      const { status, err } = await run({}, ["--unit", typed]);
      assertEquals([status, err], [0, []]);
      assertEquals(parseFlags(["--unit", typed]).options, { unit });
    });
  }
  // Past what a double holds, the message names what was typed.
  assertThrows(
    () => parseFlags(["--unit", "1e400"]),
    UsageError,
    'Flag --unit is too large a number: current value is "1e400"',
  );
  assertThrows(
    () => parseFlags(["--unit", "1e-400"]),
    UsageError,
    'Flag --unit is too small a number: current value is "1e-400"',
  );
  assertEquals(parseFlags(["--unit", "0e5"]).options.unit, 0); // then out of range
  // A lesson's own number flags are decimal too.
  assertThrows(
    () => parseFlags(["--seed", "0x10"], FLAGS),
    UsageError,
    'Flag --seed must be a decimal number: current value is "0x10"',
  );
  const { out } = await run({ minUnit: 20 }, ["--help"]);
  assertMatch(
    out.join("\n"),
    /--unit <ms> +how many milliseconds a second of the notes lasts \(1 to 10000, default 1000; below 20 /,
  );
});

Deno.test("runCli() prints the timeline only when asked", async () => {
  assertEquals((await run({}, [])).out, []);
  assertEquals((await run({}, ["--timeline=no"])).out, []);
  const { out } = await run({}, ["--timeline"]);
  assertEquals(out.length, 2);
  // The last of several wins, as for --events.
  assertEquals((await run({}, ["--timeline=yes", "--timeline=no"])).out, []);
  assertEquals((await run({}, ["--timeline", "--timeline=no"])).out, []);
  assertEquals((await run({}, ["--timeline=no", "--timeline"])).out.length, 2);
});

Deno.test("runCli() warns when --unit is below the lesson's smallest", async () => {
  const { status, err } = await run({ minUnit: 100 }, ["--unit", "50"]);
  assertEquals(status, 0);
  assertEquals(err, [
    "Warning: --unit 50 is below 100, the smallest this lesson is written for: lines may differ from its Output.",
  ]);
  assertEquals((await run({ minUnit: 100 }, ["--unit", "100"])).err, []);
});

Deno.test("--help names the permissions, the smallest unit and the command", async () => {
  const permissions = { read: ["lessons", "lib"], run: ["deno"] };
  const { status, out } = await run({ permissions, minUnit: 100 }, ["-h"]);
  assertEquals(status, 0);
  const help = out.join("\n");
  assertStringIncludes(
    help,
    "Usage: deno run --allow-read=lessons,lib --allow-run=deno lessons/99_test.ts [flags]",
  );
  assertStringIncludes(help, "  --allow-read=lessons,lib: workers load");
  assertStringIncludes(help, "  --allow-run=deno: the lesson starts deno");
  assertStringIncludes(help, "below 100 the lines may differ from the Output");
  // From another directory, the paths are absolute.
  const elsewhere = helpText("A lesson.", {}, permissions, undefined, {
    root: "/home/me/asincronia",
    file: "/home/me/asincronia/lessons/09_x.ts",
    cwd: "/tmp",
  });
  assertStringIncludes(
    elsewhere,
    "Usage: deno run --allow-read=/home/me/asincronia/lessons,/home/me/asincronia/lib --allow-run=deno /home/me/asincronia/lessons/09_x.ts [flags]",
  );
  assertStringIncludes(
    helpText("A lesson.", {}, {}, undefined, place("/x/lessons/1.ts", "/x")),
    "Permissions:\n  none",
  );
});

Deno.test("A missing permission prints the command that grants it, from where the lesson runs", async (t) => {
  // This test process may read the checkout and reach 127.0.0.1 only.
  await t.step("from the checkout", async () => {
    const { status, err } = await run(
      { permissions: { read: ["lessons"], net: ["example.org"] } },
      ["--unit", "50"],
    );
    assertEquals(status, 1);
    assertEquals(err, [
      "This lesson needs --allow-net=example.org. Run it with:",
      "  deno run --allow-read=lessons --allow-net=example.org lessons/99_test.ts --unit 50",
    ]);
  });
  await t.step("from another directory, with absolute paths", async () => {
    const { err } = await run(
      {
        permissions: { read: ["lessons"], run: ["no-such-program"] },
        flags: FLAGS,
      },
      ["--name", "it's"],
      "/tmp",
    );
    assertEquals(err, [
      "This lesson needs --allow-run=no-such-program. Run it with:",
      `  deno run --allow-read=${ROOT}/lessons --allow-run=no-such-program ${ROOT}/lessons/99_test.ts --name 'it'\\''s'`,
    ]);
  });
});

// The real command line, in a deno subprocess.
async function deno(args: string[], cwd = ROOT) {
  const { code, stdout, stderr } = await new Deno.Command(denoExecutable(), {
    args: ["run", "--no-prompt", ...args],
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test("A lesson's command line, end to end", async (t) => {
  const lessons = `${ROOT}/lessons`;
  await t.step("--unit -5 names the value and exits 2", async () => {
    const { code, stderr } = await deno([
      "lessons/03_gather.ts",
      "--unit",
      "-5",
    ]);
    assertEquals(code, 2);
    assertEquals(
      stderr,
      "Flag --unit must be a number of milliseconds from 1 to 10000: current value is -5\nRun with --help to see the flags.\n",
    );
  });
  await t.step("run from another directory, it works", async () => {
    const { code, stdout } = await deno(
      [`${lessons}/02_coroutines.ts`, "--unit", "1"],
      "/",
    );
    assertEquals(code, 0);
    assertMatch(stdout, /^Hello!\nGoodbye!\n/);
  });
  await t.step(
    "run from another directory without permissions, it prints a command that works there",
    async () => {
      const { code, stderr } = await deno(
        [`${lessons}/06_executor.ts`, "--unit", "5"],
        "/",
      );
      assertEquals(code, 1);
      const [, hint] = stderr.split("\n");
      const suggested = hint!.trim().split(" ").slice(2);
      assertEquals(suggested, [
        `--allow-read=${ROOT}/lessons,${ROOT}/lib`,
        `${lessons}/06_executor.ts`,
        "--unit",
        "5",
      ]);
      const again = await deno(suggested, "/");
      assertEquals(again.code, 0, again.stderr);
      assertStringIncludes(again.stdout, "Finished blocking task\n");
    },
  );
  await t.step(
    "a rejection nobody handles ends in one line and status 1",
    async () => {
      // A lesson whose task rejects with nobody listening, after the lesson
      // itself has returned.
      const script = `
      import { cli } from "./lessons/_lesson.ts";
      import { Timeline } from "./lib/timeline.ts";
      await cli(import.meta, {
        summary: "leaks",
        run: () => {
          setTimeout(() => Promise.reject(new RangeError("nobody caught me")));
          return Promise.resolve({ lines: [], timeline: new Timeline(), unit: 1 });
        },
      });
      setTimeout(() => console.log("still running"), 200);
    `;
      const child = new Deno.Command(denoExecutable(), {
        args: ["run", "--no-prompt", "-"],
        cwd: ROOT,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(script));
      await writer.close();
      const { code, stdout, stderr } = await child.output();
      assertEquals(code, 1);
      assertEquals(new TextDecoder().decode(stdout), "");
      assertEquals(
        new TextDecoder().decode(stderr),
        "Lesson failed: RangeError: nobody caught me\n",
      );
    },
  );
  await t.step(
    "lesson 7 still handles its own unhandled rejection",
    async () => {
      const { code, stdout } = await deno([
        "lessons/07_best_practices.ts",
        "--unit",
        "50",
      ]);
      assertEquals(code, 0);
      assert(stdout.includes("Unhandled rejection seen by the listener"));
    },
  );
});
