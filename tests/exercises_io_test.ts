/**
 * Exercises that need real time: a server on 127.0.0.1 (08a, 08b) or an
 * Executor's workers (06a, 09a). Each check fails on its stub and on every
 * wrong solution with the message the learner should see, and passes on the
 * solution. Also: every solution passes through the CLI, and the task's
 * permissions are enough to run a check in its Worker.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { EXERCISES, fileOf } from "../exercises/_catalog.ts";
import { checkFile } from "../exercises/_run.ts";
import { type Io, main, type Progress } from "../exercises/_cli.ts";
import { stubSolutionWrong } from "./_exercises.ts";

for (const exercise of EXERCISES.filter((e) => e.real)) {
  Deno.test(
    `Exercise ${exercise.id} (${exercise.title.en}): the stub fails, the solution passes, each wrong solution fails with its message`,
    (t) => stubSolutionWrong(t, exercise),
  );
}

Deno.test("deno task exercise with every exercise solved: 17 of 17 done", async () => {
  let out = "";
  let saved: Progress = { results: {}, hints: {} };
  const io: Io = {
    write: (text) => void (out += text),
    load: () => Promise.resolve(saved),
    save: (progress) => Promise.resolve(void (saved = progress)),
    file: (exercise) => fileOf(exercise, true),
    check: (exercise, file) => checkFile(exercise, file.href),
    async *watch() {},
    color: false,
    width: 80,
    clear: () => {},
  };
  assertEquals(await main([], io), 0);
  assertStringIncludes(out, `${EXERCISES.length} of ${EXERCISES.length} done`);
  assertStringIncludes(
    out,
    `All ${EXERCISES.length} exercises pass. Well done!`,
  );
  assertEquals(
    Object.values(saved.results).filter((r) => r.passed).length,
    EXERCISES.length,
  );
});

Deno.test("deno task exercise's permissions run a check in its Worker; without write access the progress is just not saved", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  );
  const task: string = config.tasks.exercise;
  assertStringIncludes(task, "--allow-write=exercises/.progress.json ");
  assert(!/--allow-all|-A\b|--allow-run|--allow-env/.test(task), task);
  // The same flags, minus the write access: the test must not touch the
  // learner's progress file.
  const flags = task.split(" ").filter((word) =>
    word.startsWith("--allow-") && !word.startsWith("--allow-write")
  );
  const root = new URL("../", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, "exercises/_cli.ts", "03a", "--lang", "es"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assertEquals(new TextDecoder().decode(stderr), "");
  assertEquals(code, 1);
  assertStringIncludes(
    text,
    "(Progreso sin guardar: no hay permiso para escribir exercises/.progress.json.)",
  );
  assertStringIncludes(
    text,
    "La tarea B empezó en 2,0 unidades; podía haber empezado en 0,0",
  );
});
