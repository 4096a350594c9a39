/**
 * Where the time of `deno task exercise ID` goes right after an edit (issue
 * 21 asks for a median check of 0.5 s at most). In a copy of the checkout
 * (tests/_checkout.ts), with the solutions of six exercises copied over
 * their stubs, each round times, for each exercise, each measure three
 * times in a row (the first untimed), the measures in a random order:
 *
 * - `task`: `deno task exercise ID --lang en` right after a comment is
 *   appended to the exercise's file (what a learner waits for);
 * - `cached`: the same at once again, the file unchanged (deno's check
 *   cache hits);
 * - `startup`: `deno task exercise --help` (the task, its `deno eval`, the
 *   CLI's start; no check);
 * - `check`: `deno check --quiet --no-remote FILE` after an edit, with
 *   deno.json, as exercises/_run.ts runs it when the fast check fails;
 * - `check:fast`: the same with exercises/_run.ts's fast check's config
 *   (deno's libs without lib "node"), the check `task` runs first;
 * - `check:empty`: both for an empty file (the floor of `deno check`);
 * - `child`: the learner's process alone, from its start to its result line
 *   (it runs beside the check, so a check takes about the longer of the two,
 *   after `startup`);
 *
 * Run: deno run --allow-read=. --allow-write=.tools --allow-run=deno bench/exercise_check.ts [rounds]
 *
 * @module
 */
import { findExercise } from "../exercises/_catalog.ts";
import { drawPort, permissions } from "../exercises/_run.ts";
import { copyCheckout } from "../tests/_checkout.ts";

const IDS = ["01a", "03a", "04b", "05a", "08a", "10a"];
const ROUNDS = Number(Deno.args[0] ?? 5);
const copy = await copyCheckout("exercise-check");
const files: Record<string, string> = {};
for (const id of IDS) {
  const name = [...Deno.readDirSync(`${copy}/exercises/solutions`)]
    .find((e) => e.name.startsWith(id + "_"))!.name;
  files[id] = `exercises/${name}`;
  await Deno.copyFile(
    `${copy}/exercises/solutions/${name}`,
    `${copy}/${files[id]}`,
  );
}
const fast: string[] = await (await import(
  `file://${copy}/exercises/_run.ts`
) as typeof import("../exercises/_run.ts")).fastConfig();
files.empty = "exercises/_empty.ts";
await Deno.writeTextFile(`${copy}/${files.empty}`, "");
let edits = 0;
/** Appends a comment to `id`'s file, so that no cache knows it. */
const edit = (id: string) =>
  Deno.writeTextFileSync(`${copy}/${files[id]}`, `// edit ${++edits}\n`, {
    append: true,
  });
const measures: Record<string, (id: string) => Promise<number>> = {
  async task(id) {
    edit(id);
    const ms = await time(["task", "exercise", id, "--lang", "en"]);
    const again = await time(["task", "exercise", id, "--lang", "en"]);
    (times.cached ??= []).push(again);
    return ms;
  },
  startup: () => time(["task", "exercise", "--help"]),
  check: (id) => (edit(id), time(checkArgs(id))),
  "check:fast": (id) => (edit(id), time(checkArgs(id, ...fast))),
  "check:empty": () => (edit("empty"), time(checkArgs("empty"))),
  "check:empty, fast": () => (edit("empty"), time(checkArgs("empty", ...fast))),
  child,
};

const times: Record<string, number[]> = {};
// One untimed pass fills deno's caches (npm packages, code cache).
for (const id of IDS) await measures.task!(id);
const tasks: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const id of IDS) {
    const order = Object.keys(measures).sort(() => Math.random() - 0.5);
    // Three times in a row, the first untimed: deno check's incremental
    // cache keeps one program, which a check of another config replaces.
    for (const name of order) {
      await measures[name]!(id);
      for (let k = 0; k < 2; k++) {
        const ms = await measures[name]!(id);
        (times[name] ??= []).push(ms);
        if (name === "task") (tasks[id] ??= []).push(ms);
      }
    }
  }
}
console.log(
  `${ROUNDS} rounds × ${IDS.length} exercises (${
    IDS.join(" ")
  }); ms, median [min–max]`,
);
for (const [name, ms] of Object.entries(times)) {
  console.log(`${name.padEnd(18)} ${summary(ms)}`);
}
console.log("task, by exercise:");
for (const [id, ms] of Object.entries(tasks)) {
  console.log(`  ${id.padEnd(16)} ${summary(ms)}`);
}
await Deno.remove(copy, { recursive: true });

function checkArgs(id: string, ...more: string[]) {
  return ["check", "--quiet", "--no-remote", ...more, files[id]!];
}

/** The learner's process of a check of `id`, as exercises/_run.ts starts it, to its result. */
async function child(id: string): Promise<number> {
  const exercise = findExercise(id)!;
  const file = new URL(`file://${copy}/${files[id]}`);
  const start = performance.now();
  const port = drawPort();
  const process = new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      "--no-remote",
      "--cached-only",
      // As a path from the checkout, which the copy's is too.
      ...permissions(
        exercise,
        new URL(`../${files[id]}`, import.meta.url),
        port,
      ),
      "exercises/_child.ts",
      id,
      file.href,
      String(port),
    ],
    cwd: copy,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const input = process.stdin.getWriter();
  await input.write(new TextEncoder().encode("nonce\n"));
  let seen = "";
  for await (
    const text of process.stdout.pipeThrough(new TextDecoderStream())
  ) {
    seen += text;
    if (seen.includes('"kind":"result"')) break;
  }
  const ms = performance.now() - start;
  if (!seen.includes('"kind":"result"')) throw new Error(`${id}: ${seen}`);
  await input.close();
  await process.status;
  return ms;
}

async function time(args: string[]): Promise<number> {
  const start = performance.now();
  const { code, stderr } = await new Deno.Command("deno", {
    args,
    cwd: copy,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (code !== 0) {
    throw new Error(`${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  }
  return ms;
}

function summary(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const f = (n: number) => n.toFixed(0).padStart(5);
  return `${f(median)} [${f(sorted[0]!)}–${f(sorted.at(-1)!)}]`;
}
