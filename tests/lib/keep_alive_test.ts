// A settled call leaves nothing behind that keeps the process alive, even
// when it was handed a signal from AbortSignal.timeout(): the cases of
// fixtures/keep_alive.ts run in a process that must end by itself once the
// work is done. All in one process: it ends only if no case leaves anything
// behind (one process instead of ten saves ~0.3 CPU-s); when one does, each
// case runs again in a process of its own, to name it.
import { assertEquals } from "@std/assert";

const fixture = new URL("./fixtures/keep_alive.ts", import.meta.url);
const cases = [
  "semaphore",
  "lock",
  "event",
  "queue-get",
  "queue-put",
  "queue-join",
  "task-group-run",
  "task-group",
  "as-completed",
  "fetch",
];

/** Runs the cases `names` in one process: the problems it showed, if any. */
async function run(...names: string[]): Promise<string | undefined> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read=.",
      "--allow-net=127.0.0.1",
      fixture.pathname,
      ...names,
    ],
    stdin: "null",
  }).output();
  const out = new TextDecoder().decode(stdout).trim();
  const err = new TextDecoder().decode(stderr).trim();
  return code === 0 && out === "" ? undefined : `exit ${code}: ${out} ${err}`;
}

Deno.test("A call handed a timeout signal does not keep the process alive once settled", async () => {
  if (await run(...cases) === undefined) return;
  const kept: string[] = [];
  for (const name of cases) {
    const problem = await run(name);
    if (problem !== undefined) kept.push(`${name} (${problem})`);
  }
  assertEquals(kept, [], "cases that kept their process alive");
  throw new Error("all the cases together kept their process alive");
});
