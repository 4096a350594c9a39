/**
 * `deno task site` as a learner runs it: with the task's own permissions
 * (read from deno.json), it prints its address, serves the course there, and
 * Ctrl-C ends it; bad flags get one line.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { denoExecutable, ROOT } from "../../course/deno.ts";

/** The `site` task's permission flags, with this deno's path for --allow-run. */
async function taskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const task: string = config.tasks.site;
  const flags = task.split(" ").filter((word) => word.startsWith("--allow-"));
  assert(
    !/--allow-all|-A\b|--allow-env|--allow-write|--allow-sys/.test(task),
    task,
  );
  assertEquals(flags.map((f) => f.split("=")[0]), [
    "--allow-read",
    "--allow-net",
    "--allow-run",
  ]);
  assertEquals(flags[1], "--allow-net=127.0.0.1");
  // --allow-run names the deno binary itself, as the task computes it.
  return flags.map((flag) =>
    flag.startsWith("--allow-run=") ? `--allow-run=${Deno.execPath()}` : flag
  );
}

Deno.test("deno task site prints its address on 127.0.0.1, serves the course, and stops on Ctrl-C", async () => {
  const child = new Deno.Command(denoExecutable(), {
    args: ["run", ...await taskFlags(), "site/main.ts", "--port", "0"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let first = "";
  while (!first.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    first += value;
  }
  const line = first.split("\n")[0]!;
  assertMatch(
    line,
    /^Asincronía: http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C stops it\)$/,
  );
  const url = /http:\S+/.exec(line)![0];
  const index = await fetch(`${url}en/`);
  assertEquals(index.status, 200);
  const html = await index.text();
  assertMatch(html, /<h1>Asincronía<\/h1>/);
  // The task's read permission covers the exercises' catalogue too.
  assertMatch(html, /href="\/en\/exercises\/03a"/);
  // A run, with the task's permissions: it can start a lesson's deno.
  const run = await fetch(`${url}api/lessons/02_coroutines/run?unit=20`, {
    method: "POST",
  });
  const events = await run.text();
  assertMatch(events, /event: exit\ndata: \{"reason":"finished","code":0/);
  child.kill("SIGINT");
  assertEquals((await child.status).code, 0);
  await reader.cancel();
  assertEquals(await stderr, "");
});

Deno.test("deno task site refuses a bad flag in one line", async () => {
  const { code, stdout, stderr } = await new Deno.Command(denoExecutable(), {
    args: ["run", ...await taskFlags(), "site/main.ts", "--port", "http"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assertEquals(code, 2);
  assertEquals(new TextDecoder().decode(stdout), "");
  assertEquals(
    new TextDecoder().decode(stderr),
    'Flag --port must be a whole number from 0 to 65535: current value is "http"; run with --help to see the flags\n',
  );
});
