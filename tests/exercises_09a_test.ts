// Exercise 09a's check hands the learner an Executor of its own. A chunk
// that never ends (a bound of 1e10 for the limit) must not hold the check
// up: once the check's world has closed, what still runs on that executor
// is aborted (the executor ends its worker), and the check says the chunk
// was still running.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { findExercise } from "../exercises/_catalog.ts";
import { check } from "../exercises/_run.ts";
import { FIXTURES } from "./_exercises.ts";

Deno.test("09a: a chunk that never ends is stopped with the check's world, and the check names it rather than running out of time", async () => {
  const file = new URL("_09a_endless_chunk.ts", FIXTURES);
  // Were it waited for, the check would run out of these 10 s instead.
  const options = { typeCheck: false, total: 10_000 };
  const result = await check(findExercise("09a")!, file, options);
  const problems = result.problems.map((problem) => problem.en);
  assertEquals(result.passed, false);
  assertStringIncludes(
    problems.join("\n"),
    "but task chunk 1 50000–10000000000 was still running",
  );
  assertEquals(problems.filter((p) => p.includes("ran out of time")), []);
});
