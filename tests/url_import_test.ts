// The package imported by URL, as JSR users import it: the published files
// (mod.ts and lib/) are served over HTTP, and a script in a subprocess uses
// every export with the permissions that README.md's "Permissions" states.
//
// Permissions of this test (see the "test" task): --allow-read=. to serve the
// files, --allow-net=127.0.0.1 for the server, and --allow-run for the deno
// binary. The task grants the very file that runs the tests (the path
// Deno.execPath() returns, printed by `deno eval`); under --allow-run=deno
// instead, the PATH's `deno` is run, since Deno does not follow a symlinked
// `deno` on the PATH (npm, Homebrew) to the file Deno.execPath() names.
import { assert, assertEquals } from "@std/assert";

const root = new URL("../", import.meta.url);
const script = new URL("./fixtures/url_import/main.ts", import.meta.url);
const tasks = new URL("./fixtures/url_import/tasks.ts", import.meta.url);

/** What the package publishes: mod.ts and lib/ (deno.json publish.include). */
const PUBLISHED = /^\/(?:mod\.ts|lib\/[\w.-]+\.ts)$/;

interface Served {
  url: string;
  /** Every path asked for, in order. */
  paths: string[];
  server: Deno.HttpServer<Deno.NetAddr>;
}

/**
 * Serves the published files, plus three routes for the fetch helpers:
 * /api/ok, /api/missing (404) and /api/flaky (503 once, then 200).
 */
function serve(): Served {
  const paths: string[] = [];
  let flaky = 0;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    const path = new URL(request.url).pathname;
    paths.push(path);
    switch (path) {
      case "/api/ok":
        return new Response("ok");
      case "/api/missing":
        return new Response("missing", { status: 404 });
      case "/api/flaky":
        return flaky++ === 0
          ? new Response("busy", { status: 503 })
          : new Response("recovered");
    }
    if (!PUBLISHED.test(path)) return new Response(null, { status: 404 });
    try {
      const body = await Deno.readFile(new URL(`.${path}`, root));
      return new Response(body, {
        headers: { "content-type": "application/typescript; charset=utf-8" },
      });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return new Response(null, { status: 404 });
      }
      throw error;
    }
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, paths, server };
}

/** This very deno when --allow-run covers its path, else the PATH's `deno`. */
function denoBinary(): string {
  const self = Deno.execPath();
  const state = Deno.permissions.querySync({ name: "run", command: self });
  return state.state === "granted" ? self : "deno";
}

/** Runs deno with `args`; env as given. */
async function deno(
  args: string[],
  env: Record<string, string> = {},
): Promise<Deno.CommandOutput> {
  return await new Deno.Command(denoBinary(), {
    args,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

/**
 * Runs main.ts against the server at `url` with the given permission
 * flags; `denoDir` is the cache of the remote modules: Deno caches them
 * under a name that includes the port, and a DENO_DIR of the test's own,
 * removed at its end, keeps them out of the user's cache.
 */
function runScript(
  url: string,
  denoDir: string,
  flags: string[],
): Promise<Deno.CommandOutput> {
  return deno([
    "run",
    "--no-config",
    "--no-lock",
    ...flags,
    script.pathname,
    url,
  ], { DENO_DIR: denoDir });
}

Deno.test("The package imported by URL, with and without the permissions the README states", async (t) => {
  // One server and one cache for the three runs: the modules are fetched
  // and compiled once (three servers and caches cost ~0.2 CPU-s more).
  const { url, paths, server } = serve();
  const host = new URL(url).host;
  const tools = new URL(".tools/", root).pathname;
  const denoDir = `${tools}url-import-${server.addr.port}`;
  try {
    await t.step("with them, every export works", async () => {
      const output = await runScript(url, denoDir, [
        `--allow-import=${host}`,
        `--allow-net=${host}`,
        `--allow-read=${tasks.pathname}`,
      ]);
      const stdout = new TextDecoder().decode(output.stdout);
      const stderr = new TextDecoder().decode(output.stderr);
      assertEquals(output.code, 0, `the script failed:\n${stderr}`);
      const report = JSON.parse(stdout.trim().split("\n").at(-1)!);
      assertEquals(report.unused, [], "exports the script does not use");
      assertEquals(report.results, {
        semaphorePeak: 2,
        lockLocked: true,
        taskGroup: [true, true],
        timeline: ["fast", "slow"],
        event: true,
        queue: [[1, 2, 3], true, [[1, 3, 2], [1, 2, 3]]],
        asCompleted: [1, 0],
        fetchWithRetry: [200, "recovered"],
        fetchAll: ["ok", 404],
        executor: [5, 16, 7, true],
      });
      // Everything came over HTTP, the Executor's worker file included, and
      // nothing outside the published files was asked for.
      assert(paths.includes("/mod.ts"));
      assert(paths.includes("/lib/_executor_worker.ts"));
      assertEquals(
        paths.filter((p) => !p.startsWith("/api/") && !PUBLISHED.test(p)),
        [],
      );
    });

    await t.step(
      "without --allow-read for its task module, the Executor fails and says why",
      async () => {
        const output = await runScript(url, denoDir, [
          `--allow-import=${host}`,
          `--allow-net=${host}`,
        ]);
        const stderr = new TextDecoder().decode(output.stderr);
        assertEquals(output.code, 1);
        assert(
          stderr.includes(`Requires read access to "${tasks.pathname}"`),
          stderr,
        );
      },
    );

    await t.step(
      "without --allow-net for the host, the fetch helpers fail and say why",
      async () => {
        const output = await runScript(url, denoDir, [
          `--allow-import=${host}`,
        ]);
        const stderr = new TextDecoder().decode(output.stderr);
        assertEquals(output.code, 1);
        assert(stderr.includes(`Requires net access to "${host}"`), stderr);
      },
    );
  } finally {
    await server.shutdown();
    // .tools/ itself goes too if this run created it (it is then empty).
    const cleanup = await deno([
      "eval",
      "--no-config",
      `await Deno.remove(${JSON.stringify(denoDir)}, { recursive: true });
       await Deno.remove(${JSON.stringify(tools)}).catch(() => {});`,
    ]);
    assertEquals(cleanup.code, 0, new TextDecoder().decode(cleanup.stderr));
  }
});
