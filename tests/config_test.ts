// What a learner's first run downloads is decided by deno.json and deno.lock:
// Deno fetches every npm package in the lock as soon as any one is needed.
// The peers that only bench/ compares against live in bench/deno.json, with
// a lock of their own, so they never reach a learner's cache.
import { assert, assertEquals } from "@std/assert";

const root = new URL("../", import.meta.url);

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(new URL(path, root)));
}

/** The npm packages an import map or a lock names, without versions. */
function npmPackages(specifiers: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const specifier of specifiers) {
    const match = /^(?:npm:)?(@?[^@/]+(?:\/[^@/]+)?)@/.exec(specifier);
    if (match) names.add(match[1]!);
  }
  return names;
}

Deno.test("deno.json and deno.lock name no package but std's npm mirror", async () => {
  const config = await readJson("deno.json");
  const imports = Object.values(config.imports as Record<string, string>);
  assertEquals([...npmPackages(imports)], ["deno-std"]);
  const lock = await readJson("deno.lock");
  const locked = Object.keys((lock.npm ?? {}) as Record<string, unknown>);
  assertEquals([...npmPackages(locked)], ["deno-std"]);
});

Deno.test("bench/ has its own config and lock with the peers it compares", async () => {
  const config = await readJson("bench/deno.json");
  const peers = npmPackages(
    Object.values(config.imports as Record<string, string>),
  );
  for (const peer of ["piscina", "p-limit", "async-mutex", "p-queue"]) {
    assert(peers.has(peer), `bench/deno.json lacks ${peer}`);
  }
  const lock = await readJson("bench/deno.lock");
  assert(Object.keys(lock.npm as object).some((k) => k.startsWith("piscina@")));
  const tasks = (await readJson("deno.json")).tasks as Record<string, string>;
  for (const [name, command] of Object.entries(tasks)) {
    if (!name.startsWith("bench:")) continue;
    assert(
      /^deno (bench|run) --config bench\/deno\.json /.test(command),
      `task ${name} does not use bench/deno.json: ${command}`,
    );
  }
});

Deno.test("deno task test turns on Deno's leak checks (they are off by default)", async () => {
  const tasks = (await readJson("deno.json")).tasks as Record<string, string>;
  const flags = tasks.test!.match(/--sanitize-[a-z]+/g) ?? [];
  const fixture = new URL("fixtures/leaks.ts", import.meta.url);
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--no-check",
      ...flags,
      `--allow-read=${fixture.pathname}`,
      fixture.pathname,
    ],
    env: { NO_COLOR: "1" },
    stderr: "null",
  }).output();
  const report = new TextDecoder().decode(stdout);
  assertEquals(code, 1, report);
  assert(/2 failed/.test(report), report);
  assert(report.includes("A timer was started in this test"), report);
  assert(/A file was opened during the test/.test(report), report);
});
