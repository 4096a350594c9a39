// A settled call leaves nothing behind that keeps the process alive, even
// when it was handed a signal from AbortSignal.timeout(): each case of
// fixtures/keep_alive.ts runs in a process of its own, which must end by
// itself once the work is done.
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

function run(name: string) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read=.",
      "--allow-net=127.0.0.1",
      fixture.pathname,
      name,
    ],
    stdin: "null",
  }).output();
}

Deno.test("A call handed a timeout signal does not keep the process alive once settled", async (t) => {
  // Started together, checked one by one.
  const runs = cases.map(run);
  for (const [i, name] of cases.entries()) {
    await t.step(name, async () => {
      const { code, stdout, stderr } = await runs[i]!;
      const out = new TextDecoder().decode(stdout).trim();
      const err = new TextDecoder().decode(stderr).trim();
      assertEquals([code, out], [0, ""], err);
    });
  }
});
