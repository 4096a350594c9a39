/**
 * `deno task test:runtimes`: the portable suite (main.ts) on Deno, Node, Bun
 * and headless Chromium, against one local server, then one summary line per
 * runtime; exits 1 if any runtime is red (a failed case, a crash, or a
 * process that does not exit by itself once the suite is done).
 *
 * Node and Bun come from npm into .tools/runtimes/ the first time (the
 * versions in _npm.ts; Linux x64); Chromium is Debian's
 * (tests/site/_chromium.ts).
 * The browser runs bundles (`deno bundle --platform browser`) of main.ts, of
 * the Executor's worker and of the task module, served beside each other
 * from a cross-origin isolated page, since the Executor needs shared memory.
 *
 * Node and Bun also run the suite as JavaScript, lib/ built the way JSR
 * builds the npm package that `npx jsr add` installs (each .ts file to a .js
 * file, imports renamed: tsc with tsconfig.emit.json), and the package's
 * examples as a project with that package installed (examples.ts; Deno runs
 * them too, on the sources, as deno.json names the package); and tsc checks
 * lib/ as plain TypeScript sees it, without Deno's types, then with Node's.
 *
 * @module
 */
import { ROOT } from "../../course/deno.ts";
import { Chromium } from "../site/_chromium.ts";
import type { Outcome } from "./_harness.ts";
import {
  BINARIES,
  npmInstall,
  RUNTIME_PACKAGES,
  RUNTIMES,
  sh,
  TYPESCRIPT,
  TYPESCRIPT_PACKAGES,
} from "./_npm.ts";

const OUT = `${ROOT}/.tools/test-output/runtimes`;
const TSC = `${TYPESCRIPT}/node_modules/typescript/bin/tsc`;
/**
 * How long a runtime may take for the whole suite (against a hang: Node's
 * took 74 s at load 40, of 120 then), and to exit after it.
 */
const SUITE_MS = 300_000;
const EXIT_MS = 10_000;

/**
 * Bundles for the browser: the suite, with node:assert/strict mapped to a
 * shim (the other entries of deno.json's map kept), the worker, the tasks.
 */
async function bundle(): Promise<void> {
  await Deno.mkdir(OUT, { recursive: true });
  const { imports } = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const shim = new URL("./_assert_browser.ts", import.meta.url).href;
  const map = `${OUT}/import_map.json`;
  await Deno.writeTextFile(
    map,
    JSON.stringify({ imports: { ...imports, "node:assert/strict": shim } }),
  );
  const entries = [
    ["tests/runtimes/main.ts", "main.js"],
    ["lib/_executor_worker.ts", "_executor_worker.js"],
    ["tests/runtimes/_tasks.ts", "_tasks.js"],
  ];
  await Promise.all(
    entries.map(([from, to]) =>
      sh(Deno.execPath(), [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--import-map",
        map,
        "-o",
        `${OUT}/${to}`,
        from!,
      ])
    ),
  );
}

/** The code of each `@example` of a file's JSDoc (its lines' `* ` cut). */
function examples(text: string): string[] {
  const lines = text.split("\n").map((line) => line.replace(/^\s*\* ?/, ""));
  return lines.join("\n").match(/(?<=@example.*\n```ts\n)[^]*?(?=^```)/gm) ??
    [];
}

/**
 * A project that installed the package from npm (examples.ts runs it): the
 * .js build as node_modules/@asincronia/asincronia, its exports those of
 * deno.json; as modules, every example of the package's JSDoc and every
 * snippet of docs/library.md, but those that use Deno or reach the network;
 * tasks.ts, the task module that the snippets name.
 */
async function consumer(): Promise<string> {
  const dir = `${OUT}/consumer`;
  const pkg = `${dir}/node_modules/@asincronia/asincronia`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${pkg}/lib`, { recursive: true });
  const built = await Array.fromAsync(Deno.readDir(`${OUT}/js/lib`));
  const files = built.map((entry) => `lib/${entry.name}`);
  for (const file of ["mod.js", "mod.d.ts", ...files]) {
    await Deno.copyFile(`${OUT}/js/${file}`, `${pkg}/${file}`);
  }
  const { name, version, exports } = JSON.parse(
    await Deno.readTextFile(`${ROOT}/deno.json`),
  );
  for (const key in exports) exports[key] = exports[key].replace(/ts$/, "js");
  const json = { name, version, type: "module", exports };
  await Deno.writeTextFile(`${pkg}/package.json`, JSON.stringify(json));
  await Deno.writeTextFile(`${dir}/package.json`, '{ "type": "module" }\n');
  const codes: [string, string][] = [];
  const lib = await Array.fromAsync(Deno.readDir(`${ROOT}/lib`));
  for (const file of ["mod.ts", ...lib.map((entry) => `lib/${entry.name}`)]) {
    const text = await Deno.readTextFile(`${ROOT}/${file}`);
    examples(text).forEach((code, i) => codes.push([`${file}_${i}`, code]));
  }
  let tasks = "export const fib = (n: number): number =>\n" +
    "  n < 2 ? n : fib(n - 1) + fib(n - 2);\n";
  const doc = await Deno.readTextFile(`${ROOT}/docs/library.md`);
  for (const [, indent, body] of doc.matchAll(/^( *)```ts\n([^]*?)^\1```$/gm)) {
    const code = body!.replace(new RegExp(`^${indent}`, "gm"), "")
      .replaceAll('"jsr:@asincronia/asincronia', '"@asincronia/asincronia');
    if (code.startsWith("// tasks.ts\n")) tasks += code;
    else codes.push([`library.md_${codes.length}`, code]);
  }
  await Deno.writeTextFile(`${dir}/tasks.ts`, tasks);
  for (const [name, code] of codes) {
    if (/\bDeno\.|https:\/\//.test(code)) continue;
    await Deno.writeTextFile(`${dir}/${name.replace(/\W/g, "_")}.ts`, code);
  }
  return dir;
}

/** Aborted before the server shuts down: the slow route's waits end. */
const closing = new AbortController();
/** A port nothing listens on, for a connection that is refused. */
const refused = (() => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return listener.addr.port;
})();
/** Per key, how many times the routes below have seen it. */
const hits = new Map<string, number>();

/**
 * The page and its scripts, and the routes the fetch cases use. Every
 * answer makes the page cross-origin isolated; a request for another host,
 * or from another origin, is refused.
 */
async function route(request: Request, self: string): Promise<Response> {
  const url = new URL(request.url);
  const origin = request.headers.get("origin");
  if (
    url.origin !== self || request.headers.get("host") !== url.host ||
    (origin !== null && origin !== self)
  ) {
    return new Response("Not for this server", { status: 403 });
  }
  const key = url.searchParams.get("key") ?? "";
  const n = (hits.get(url.pathname + key) ?? 0) + 1;
  hits.set(url.pathname + key, n);
  const file = {
    "/": "index.html",
    "/main.js": "main.js",
    "/_executor_worker.js": "_executor_worker.js",
    "/_tasks.js": "_tasks.js",
  }[url.pathname];
  if (file === "index.html") {
    return new Response(
      '<!doctype html><script type="module" src="/main.js"></script>',
      { headers: { "content-type": "text/html" } },
    );
  }
  if (file) {
    return new Response(await Deno.readFile(`${OUT}/${file}`), {
      headers: { "content-type": "text/javascript" },
    });
  }
  switch (url.pathname) {
    case "/status": {
      const code = Number(url.searchParams.get("code"));
      return new Response(`status ${code}`, { status: code });
    }
    case "/flaky": {
      const fail = Number(url.searchParams.get("fail"));
      return n > fail
        ? new Response(`ok after ${fail}`)
        : new Response(`failure ${n}`, { status: 503 });
    }
    case "/limited":
      return n > 1 ? new Response("ok") : new Response("slow down", {
        status: 429,
        headers: { "retry-after": "0" },
      });
    case "/slow":
      // The first answer waits until the end: the client gives up before.
      if (n === 1) {
        await new Promise((resolve) =>
          closing.signal.addEventListener("abort", resolve)
        );
      }
      return new Response("ok");
    case "/refused":
      return new Response(`http://127.0.0.1:${refused}/`);
    case "/redirect": {
      // To itself (a loop), or to `to`.
      const to = url.searchParams.get("to") ?? url.pathname + url.search;
      return new Response(null, { status: 302, headers: { location: to } });
    }
  }
  return new Response("Not found", { status: 404 });
}

/** What one runtime gave: its summary line, and whether it is green. */
interface Result {
  line: string;
  green: boolean;
}

/** Reads a process's standard output line by line until it ends. */
async function lines(
  stream: ReadableStream<Uint8Array>,
  each: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    parts.forEach(each);
  }
  if (rest) each(rest);
}

/**
 * Runs the suite in a child process: green when every case passed and the
 * process then exited by itself, with code 0.
 */
async function runProcess(
  name: string,
  command: string,
  args: string[],
): Promise<Result> {
  const start = performance.now();
  const child = new Deno.Command(command, {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  let summary: string | undefined;
  let summarized = 0;
  const stdout = lines(child.stdout, (line) => {
    output.push(line);
    if (/^\d+ passed, \d+ failed$/.test(line)) {
      summary = line;
      summarized = performance.now();
    }
  });
  const stderr = lines(child.stderr, (line) => output.push(line));
  const kill = setTimeout(() => child.kill("SIGKILL"), SUITE_MS);
  // Once the summary is out, the process must end by itself soon.
  const late = setInterval(() => {
    if (summary && performance.now() - summarized > EXIT_MS) {
      child.kill("SIGKILL");
    }
  }, 100);
  const status = await child.status;
  clearTimeout(kill);
  clearInterval(late);
  await Promise.all([stdout, stderr]);
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  const exited = status.signal === null;
  const green = exited && status.code === 0 && summary !== undefined &&
    summary.endsWith(" 0 failed");
  if (!green) {
    for (const line of output) {
      if (!line.startsWith("ok ")) console.log(`  ${name}| ${line}`);
    }
  }
  const why = summary === undefined
    ? `no summary (exit ${status.code}${
      status.signal ? `, ${status.signal}` : ""
    })`
    : exited
    ? summary
    : `${summary}, but it did not exit within ${EXIT_MS / 1000} s`;
  return { line: `runtime ${name}: ${why} (${seconds} s)`, green };
}

/**
 * tsc on lib/ (tsconfig.json) with no types but the language's and the
 * DOM's, then with @types/node; then the package in `project` as a Node
 * program sees its .d.ts files, with Node's types and no DOM library:
 * green when none finds an error.
 */
async function typeCheck(project: string): Promise<Result> {
  const start = performance.now();
  const config = ["-p", "tests/runtimes/tsconfig.json"];
  const node = [
    "--types",
    "node",
    "--typeRoots",
    `${TYPESCRIPT}/node_modules/@types`,
  ];
  const user = `${project}/types.mts`; // not an example: examples.ts runs .ts
  await Deno.writeTextFile(
    user,
    'import * as library from "@asincronia/asincronia";\nconsole.log(library);\n',
  );
  const alone = ["--strict", "--noEmit", "--lib", "esnext", "--module"];
  const runs = await Promise.all(
    [config, [...config, ...node], [...alone, "nodenext", ...node, user]].map(
      (args) =>
        new Deno.Command(BINARIES.node, {
          args: [TSC, ...args],
          cwd: ROOT,
          stdin: "null",
        }).output(),
    ),
  );
  for (const { stdout } of runs) {
    const text = new TextDecoder().decode(stdout).trim();
    if (text) console.log(text.replace(/^/gm, "  tsc| "));
  }
  const green = runs.every((run) => run.success);
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  const line = green ? "no error" : "errors (above)";
  return {
    line:
      `tsc, lib/ without Deno's types, with Node's, as a package without the DOM's: ${line} (${seconds} s)`,
    green,
  };
}

/** Runs the suite in a headless Chromium page. */
async function runBrowser(self: string): Promise<Result> {
  const start = performance.now();
  const browser = await Chromium.launch();
  try {
    const page = await browser.newPage(800, 600);
    await page.goto(`${self}/`);
    const isolated = await page.evaluate<boolean>(
      "globalThis.crossOriginIsolated",
    );
    const outcome = await page.evaluate<Outcome | null>(
      "globalThis.suite ?? null",
    );
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    if (!outcome) {
      return {
        line:
          `runtime chromium: the page did not start the suite (isolated: ${isolated}) (${seconds} s)`,
        green: false,
      };
    }
    for (const failure of outcome.failed) {
      console.log(`  chromium| FAILED ${failure}`);
    }
    const line = `${outcome.passed} passed, ${outcome.failed.length} failed`;
    return {
      line: `runtime chromium: ${line} (${seconds} s)`,
      green: outcome.failed.length === 0,
    };
  } finally {
    await browser.close();
  }
}

const start = performance.now();
await npmInstall(RUNTIMES, RUNTIME_PACKAGES);
await npmInstall(TYPESCRIPT, TYPESCRIPT_PACKAGES);
await bundle();
// As JSR's npm package: .js files in a package of type "module".
await sh(BINARIES.node, [TSC, "-p", "tests/runtimes/tsconfig.emit.json"]);
await Deno.writeTextFile(`${OUT}/js/package.json`, '{ "type": "module" }\n');
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (request) => {
    const response = await route(request, base);
    response.headers.set("cross-origin-opener-policy", "same-origin");
    response.headers.set("cross-origin-embedder-policy", "require-corp");
    return response;
  },
);
const base: string = `http://127.0.0.1:${server.addr.port}`;
const main = "tests/runtimes/main.ts";
const built = `${OUT}/js/${main.replace(/ts$/, "js")}`;
const project = await consumer();
const examplesRunner = "tests/runtimes/examples.ts";
const results = await Promise.all([
  runProcess("deno", Deno.execPath(), [
    "run",
    "--allow-read=.",
    "--allow-net=127.0.0.1",
    main,
    base,
  ]),
  runProcess("node", BINARIES.node, [main, base]),
  runProcess("bun", BINARIES.bun, [main, base]),
  runProcess("node, .js", BINARIES.node, [built, base]),
  runProcess("bun, .js", BINARIES.bun, [built, base]),
  runProcess("deno, examples", Deno.execPath(), [
    "run",
    "--allow-read=.",
    examplesRunner,
    project,
  ]),
  runProcess("node, examples", BINARIES.node, [examplesRunner, project]),
  runProcess("bun, examples", BINARIES.bun, [examplesRunner, project]),
  runBrowser(base),
  typeCheck(project),
]);
closing.abort();
await server.shutdown();
for (const { line } of results) console.log(line);
console.log(
  `runtimes: ${((performance.now() - start) / 1000).toFixed(1)} s in all`,
);
if (!results.every((result) => result.green)) Deno.exit(1);
