import { assertEquals, assertThrows } from "@std/assert";
import { type Flag, parseFlags, UsageError } from "../../course/flags.ts";

const FLAGS = {
  unit: { type: "number", min: 1, max: 10_000 },
  seed: { type: "number", integer: true },
  lang: { type: "string", choices: ["en", "es"] },
  name: { type: "string" },
  watch: { type: "switch" },
  help: { type: "switch" },
} as const satisfies Record<string, Flag>;

const parse = (argv: string[], positionals = 0) =>
  parseFlags(argv, FLAGS, { short: { h: "help", w: "watch" }, positionals });

/** The message of the UsageError `argv` throws, in both languages. */
function refusal(argv: string[], positionals = 0) {
  const error = assertThrows(() => parse(argv, positionals), UsageError);
  assertEquals(error.message, error.text.en);
  return [error.text.en, error.text.es];
}

Deno.test("parseFlags() reads numbers, strings, switches and plain arguments", () => {
  assertEquals(parse(["--unit", "2.5", "--name", "x", "-h"]), {
    unit: 2.5,
    name: "x",
    help: true,
    _: [],
  });
  assertEquals(parse(["--unit=1e3", "--lang=es"]), {
    unit: 1000,
    lang: "es",
    _: [],
  });
  // Negative numbers are values, not flags; the last of a flag wins.
  assertEquals(parse(["--seed", "-1", "--seed=-.0"]).seed, -0);
  assertEquals(parse(["--seed", "-1"]).seed, -1);
  // Plain arguments stay as typed: 04 is not 4, 1e3 is not 1000.
  assertEquals(parse(["04", "--watch"], 1), { watch: true, _: ["04"] });
  assertEquals(parse(["--", "--watch"], 1), { _: ["--watch"] });
});

Deno.test("parseFlags() turns a switch on and off with yes and no, in either language", () => {
  for (const yes of ["", "yes", "true", "on", "1", "YES", "sí", "si"]) {
    assertEquals(parse([`--watch=${yes}`]).watch, true, yes);
    assertEquals(parse([`-w=${yes}`]).watch, true, yes);
  }
  for (const no of ["no", "false", "off", "0", "No"]) {
    assertEquals(parse([`--watch=${no}`]).watch, false, no);
  }
  assertEquals(parse(["--watch", "--watch=no"]).watch, false);
  assertEquals(parse(["--watch=no", "--watch"]).watch, true);
});

Deno.test("parseFlags() refuses in one line that names the flag and the value as typed", () => {
  assertEquals(refusal(["--bogus"]), [
    "Unknown flag --bogus",
    "Opción desconocida --bogus",
  ]);
  assertEquals(refusal(["-x"])[0], "Unknown flag -x");
  assertEquals(refusal(["--__proto__"])[0], "Unknown flag --__proto__");
  assertEquals(refusal(["--unit"]), [
    "Flag --unit needs a value",
    "La opción --unit necesita un valor",
  ]);
  assertEquals(
    refusal(["--seed", "--unit", "5"])[0],
    "Flag --seed needs a value",
  );
  assertEquals(refusal(["--unit="])[0], "Flag --unit needs a value");
  assertEquals(refusal(["--watch=maybe"]), [
    'Flag --watch takes no value, or yes or no: current value is "maybe"',
    'La opción --watch va sin valor, o con sí o no: el valor actual es "maybe"',
  ]);
  assertEquals(refusal(["--lang", "fr"]), [
    'Flag --lang must be en or es: current value is "fr"',
    'La opción --lang debe ser en o es: el valor actual es "fr"',
  ]);
  assertEquals(refusal(["04", "05"], 1), [
    'Unexpected argument "05"',
    'Argumento de más "05"',
  ]);
  assertEquals(refusal(["no"])[0], 'Unexpected argument "no"');
});

Deno.test("parseFlags() takes numbers in decimal only, within their range, and says the rule", () => {
  const rule = "Flag --unit must be a number from 1 to 10000: current value is";
  for (
    const typed of [
      "abc",
      "0",
      "-5",
      "10000.5",
      "1e400",
      "1e-400",
      "0x10",
      "0b1",
      "Infinity",
      " 5",
      "5ms",
      "1_000",
      "NaN",
    ]
  ) {
    assertEquals(refusal(["--unit", typed])[0], `${rule} "${typed}"`, typed);
  }
  assertEquals(
    refusal(["--unit", "0"])[1],
    'La opción --unit debe ser un número de 1 a 10000: el valor actual es "0"',
  );
  for (
    const [typed, unit] of [["1", 1], ["10000", 10000], [".5e1", 5], [
      "1E3",
      1000,
    ]] as const
  ) {
    assertEquals(parse(["--unit", typed]).unit, unit, typed);
  }
  assertEquals(
    refusal(["--seed", "1.5"])[0],
    'Flag --seed must be a whole number: current value is "1.5"',
  );
  const bounded = (argv: string[], flag: Flag) =>
    assertThrows(() => parseFlags(argv, { n: flag }), UsageError).message;
  assertEquals(
    bounded(["--n", "0"], { type: "number", integer: true, min: 1 }),
    'Flag --n must be a whole number of at least 1: current value is "0"',
  );
  assertEquals(
    bounded(["--n", "9"], { type: "number", max: 5 }),
    'Flag --n must be a number of at most 5: current value is "9"',
  );
});
