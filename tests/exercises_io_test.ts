/**
 * Exercises that need real time: a server on 127.0.0.1 (08a, 08b) or an
 * Executor's workers (06a, 09a). Each check fails on its stub and on every
 * wrong solution with the message the learner should see, and passes on the
 * solution. Also: `deno task exercise`'s own command line checks an
 * exercise.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { EXERCISES } from "../exercises/_catalog.ts";
import { stubSolutionWrong } from "./_exercises.ts";

for (const exercise of EXERCISES.filter((e) => e.real)) {
  Deno.test(
    `Exercise ${exercise.id} (${exercise.title.en}): the stub fails, the solution passes, each wrong solution fails with its message`,
    (t) => stubSolutionWrong(t, exercise),
  );
}

Deno.test("deno task exercise's own command line checks an exercise in a process of its own; without write access the progress is just not saved", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  );
  const task: string = config.tasks.exercise;
  assert(!/--allow-all|-A\b|--allow-env|--allow-net/.test(task), task);
  // The same flags, minus the write access: the test must not touch the
  // learner's progress file.
  const flags = task.split(" ").filter((word) =>
    word.startsWith("--allow-") && !word.startsWith("--allow-write")
  ).map((flag) =>
    flag.startsWith("--allow-run=") ? `--allow-run=${Deno.execPath()}` : flag
  );
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, "exercises/_cli.ts", "03a", "--lang", "es"],
    cwd: new URL("../", import.meta.url),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assertEquals(new TextDecoder().decode(stderr), "");
  assertStringIncludes(
    text,
    "(Progreso sin guardar: no hay permiso para escribir exercises/.progress.json.)",
  );
  // Solved here or not, the verdict comes back, in Spanish.
  const verdict = /^([✓✗]) 03a · Solapa tres esperas/m.exec(text)?.[1];
  assertEquals(code, verdict === "✓" ? 0 : 1, text);
});
