/**
 * The process a check runs the learner's code in (exercises/_child.ts,
 * started by exercises/_run.ts): only the checker gives the verdict, the
 * process may do nothing the exercise does not need, and it is gone when
 * the check ends, also under --watch. And the feedback on a file that does
 * not parse or type-check.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { EXERCISES, fileOf, findExercise } from "../exercises/_catalog.ts";
import { type Io, main } from "../exercises/_cli.ts";
import { check, type Result } from "../exercises/_run.ts";
import { checkFile, FIXTURES, shipped } from "./_exercises.ts";
import { copyCheckout } from "./_checkout.ts";

function fixture(name: string): URL {
  return new URL(`${name}.ts`, FIXTURES);
}

/** The check of exercise `id` on the fixture `name`. */
function checkFixture(id: string, name: string): Promise<Result> {
  return checkFile(findExercise(id)!, fixture(name));
}

/**
 * A program that reads /proc (this test may not), among the descendants of
 * process `root` (another suite may run the same fixture; one left behind
 * by a process that died belongs to no one): the processes whose command
 * line names `needle`, printed once as JSON; or, given "watch", it waits
 * for the checker running in the checkout `needle` and ends once a process
 * the checker started has ended (its children's page faults, the 11th field
 * of its stat, count those of every child it has reaped: no race with a
 * run that lasts 30 ms, as watching for the run itself was, which missed
 * it 2 times in 20 suite runs). A process sent a fatal signal is ended,
 * though a loaded machine may not have run it since. Reads are synchronous:
 * a look takes about 1 ms, against 12-15 ms with async reads.
 */
const PROC = `
  const [needle, root, watch] = Deno.args;
  const ours = (match) => {
    const parent = new Map(), found = [];
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
      try {
        const stat = Deno.readTextFileSync(\`/proc/\${entry.name}/stat\`);
        parent.set(entry.name, stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        // Ending: a fatal signal set SIGKILL pending on it (it may not have run since).
        const status = Deno.readTextFileSync(\`/proc/\${entry.name}/status\`);
        if (BigInt("0x" + /^SigPnd:\\s*(\\w+)/m.exec(status)[1]) & 0x100n) continue;
        const line = Deno.readTextFileSync(\`/proc/\${entry.name}/cmdline\`);
        if (match(entry.name, line)) found.push(entry.name);
      } catch { /* it ended meanwhile */ }
    }
    return found.filter((pid) => {
      for (let p = parent.get(pid); p; p = parent.get(p)) if (p === root) return true;
      return false;
    }).map(Number);
  };
  if (watch === undefined) {
    console.log(JSON.stringify(ours((_, line) => line.includes(needle))));
  } else {
    const turn = () => new Promise((resolve) => setTimeout(resolve, 5));
    const checker = (pid, line) => line.includes("exercises/_cli.ts") &&
      Deno.readLinkSync(\`/proc/\${pid}/cwd\`) === needle;
    const reaped = (pid) => {
      const stat = Deno.readTextFileSync(\`/proc/\${pid}/stat\`);
      return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[8] !== "0";
    };
    let pid;
    while ((pid = ours(checker)[0]) === undefined) await turn();
    while (!reaped(pid)) await turn();
  }`;

/** Starts {@linkcode PROC} on `needle` for this test process's descendants (`anywhere`: for all, descendants of pid 1). */
function readProc(
  needle: string,
  anywhere: boolean,
  ...watch: ["watch"] | []
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--allow-read=/proc",
      PROC,
      needle,
      anywhere ? "1" : String(Deno.pid),
      ...watch,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
}

/**
 * The processes, descendants of this one, whose command line names `file`;
 * `anywhere`, those out of this tree too: a process whose parent died
 * without ending it is no one's descendant.
 */
async function processesOf(file: URL, anywhere = false): Promise<number[]> {
  const { stdout } = await readProc(file.href, anywhere).output();
  return JSON.parse(new TextDecoder().decode(stdout));
}

function assertNamed(result: Result, words: string): void {
  assert(!result.passed, "the check passed");
  const named = result.problems.find((p) => p.en.includes(words));
  assert(named, `no problem says "${words}": ${JSON.stringify(result)}`);
  assert(named!.es !== named!.en && named!.es.length > 0, named!.en);
}

Deno.test("Only the checker gives a verdict: a posted message, a line that imitates the checker, a patched harness, Deno.exit, process.exit and close() are named, and fail", async () => {
  const cases: [string, string, string][] = [
    [
      "05b",
      "_forged_verdict",
      "Your code posted a message (postMessage, _forged_verdict.ts:3)",
    ],
    [
      "03a",
      "_mimic",
      "Your code printed a line that imitates the checker's own messages",
    ],
    [
      "04a",
      "_patched_harness",
      "_patched_harness.ts does not load: TypeError: Cannot assign to read only property 'task'",
    ],
    [
      "03a",
      "_exits",
      "Your code called Deno.exit(0) (_exits.ts:4), which ends the whole program",
    ],
    ["03a", "_process_exits", "Your code called process.exit(0) (_process"],
    ["03a", "_closes", "Your code called close() (_closes.ts:4)"],
  ];
  for (const [id, name, words] of cases) {
    assertNamed(await checkFile(findExercise(id)!, fixture(name)), words);
  }
  // The posted verdict and the imitation change nothing else: the wrong
  // code under them is judged as it is.
  const forged = await checkFile(
    findExercise("05b")!,
    fixture("_forged_verdict"),
  );
  assertStringIncludes(
    forged.problems[1]!.en,
    "Job A kept running after job B failed",
  );
});

Deno.test("A check's process may not import from afar, reach the network, read past its module, write, read the environment or start a process", async () => {
  const result = await checkFile(findExercise("03a")!, fixture("_reaches_out"));
  // Once per run of the check (03a runs the code twice): 8 probes each.
  const lines = [...new Set(result.output!.trimEnd().split("\n"))];
  assertEquals(lines.length, 8, result.output);
  for (const line of lines) assertStringIncludes(line, ": refused (");
});

Deno.test("A module that imports a file of its own beside it is told that a check reads only the exercise's file and the package, not to add a flag it cannot add", async () => {
  const file = fixture("_imports_beside");
  const result = await checkFile(findExercise("03a")!, file);
  assertNamed(result, "_imports_beside.ts imports 03a_forgotten.ts");
  // Both languages say how to take what it needs from the package.
  assertStringIncludes(result.problems[0]!.es, "impórtalo por su nombre");
  assert(!JSON.stringify(result.problems).includes("--allow-"), result.output);
  // One that reads that file as it loads does not import it.
  const reads = await checkFile(findExercise("03a")!, fixture("_reads_beside"));
  assertNamed(reads, "_reads_beside.ts does not load: NotCapable");
});

Deno.test("A loop that never yields is reported once the process falls silent, and no process is left behind, also by deno task exercise --watch", async () => {
  let out = "";
  const results: Result[] = [];
  const io: Io = {
    write: (text) => void (out += text),
    load: () => Promise.resolve({ results: {}, hints: {} }),
    update: () => Promise.resolve({ results: {}, hints: {} }),
    file: () => fixture("_never_yields"),
    check: async (exercise, file) => {
      // Two heartbeats of silence (they come every 100 ms), four on the
      // second look: the loop spins for as long in each check, the first
      // and the one a save starts.
      const result = await check(exercise, file, {
        typeCheck: false,
        silence: 200,
      });
      results.push(result);
      return result;
    },
    async *watch() {
      yield;
    },
    color: false,
    width: 80,
    clear: () => {},
  };
  await main(["03a", "--watch"], io);
  assertEquals(results.length, 2);
  for (const result of results) {
    assertNamed(result, "Your code did not give control back for 0.4 s");
  }
  assertEquals(out.match(/did not give control back/g)?.length, 2, out);
  assertEquals(await processesOf(fixture("_never_yields")), []);
});

Deno.test("A module that never finishes loading runs out of the check's time, and no loop is blamed", async () => {
  const file = fixture("_waits_at_load");
  const exercise = findExercise("03a")!;
  const result = await check(exercise, file, { typeCheck: false, total: 1500 });
  assertNamed(result, "The check ran out of time (1.5 s)");
  // The one cause left: a worker that never ends no longer holds a check.
  assertNamed(result, "(an await outside any function in _waits_at_load.ts?)");
  assertEquals(result.problems.length, 1, JSON.stringify(result.problems));
  assertEquals(await processesOf(file), []);
});

Deno.test("A check keeps of the learner's standard error only its last error line: 520 MiB of it still get a verdict", async () => {
  const result = await checkFixture("03a", "_floods_stderr");
  assertEquals(result.passed, false);
  assert(result.problems.length > 0);
});

Deno.test("A timer of node:timers, which the check's clock cannot see, is named as a likely cause of a wait that never ends, and 02a says only that: not to print with tools.log, which it did", async () => {
  const { problems } = await checkFixture("02a", "_node_timers");
  assertEquals(problems.length, 1, problems.map((p) => p.en).join("\n"));
  assertStringIncludes(problems[0]!.en, "not node:timers");
  assertStringIncludes(problems[0]!.es, "no node:timers");
});

Deno.test("A value that cannot be written (it refers to itself) fails the check and names the value, without crashing the checker", async () => {
  const result = await checkFixture("04a", "_cyclic_value");
  assertEquals(result.passed, false);
  assert(result.problems.length > 0);
});

Deno.test("09a: primes counted on the main thread fail the check, whatever the code does to the count of calls made there", async () => {
  const result = await checkFixture("09a", "_resets_count");
  assertEquals(result.passed, false);
});

/**
 * Holds back what is written to a subprocess's standard input until that
 * process has ended, until disposed.
 */
function holdStdin(): Disposable {
  const { spawn } = Deno.Command.prototype;
  const { getWriter } = WritableStream.prototype;
  const { write } = WritableStreamDefaultWriter.prototype;
  const ended = new WeakMap<object, Promise<unknown>>();
  Deno.Command.prototype.spawn = function () {
    const child = spawn.call(this);
    try {
      ended.set(child.stdin, child.status);
    } catch { /* its standard input is not piped */ }
    return child;
  };
  WritableStream.prototype.getWriter = function () {
    const writer = getWriter.call(this);
    if (ended.has(this)) ended.set(writer, ended.get(this)!);
    return writer;
  };
  WritableStreamDefaultWriter.prototype.write = function (chunk) {
    const status = ended.get(this);
    const send = () => write.call(this, chunk);
    return status ? status.then(send) : send();
  };
  return {
    [Symbol.dispose]() {
      Object.assign(Deno.Command.prototype, { spawn });
      Object.assign(WritableStream.prototype, { getWriter });
      Object.assign(WritableStreamDefaultWriter.prototype, { write });
    },
  };
}

Deno.test("Type errors stop the run that goes beside the type check: the check ends with them, where they are, no process left, also in a folder named with a space, an ñ, a % and a #", async () => {
  // In a copy of the checkout, with the copy's own checker: deno check
  // reads the deno.json of the folder it starts in, and ours excludes .tools/.
  const root = await copyCheckout("mistyped dir ñ%41#x");
  const at = (path: string) => {
    const url = new URL("file:///");
    url.pathname = `${root}/${path}`.replaceAll("%", "%25");
    return url;
  };
  const file = at("exercises/03a_overlap.ts");
  // Type errors in a function that never gives control back (it blocks
  // its thread in Atomics.wait: no CPU spent, no heartbeat either); the
  // second one's message has two lines, the second saying it is a Promise;
  // the third comes with a note of its own ("Did you forget to use
  // 'await'?"), which goes with it, so that there are four in all.
  await Deno.writeTextFile(
    file,
    'import { Lock } from "@asincronia/asincronia";\nexport function main(): Promise<void> {\n  const left: number = "all";\n  using _held = new Lock().acquire();\n  const one = Promise.resolve(1) + 1;\n  const two: number = "two";\n  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);\n  return Promise.resolve();\n}\n',
  );
  const copy: typeof import("../exercises/_run.ts") = await import(
    at("exercises/_run.ts").href
  );
  // Unstopped, the run would hold the check for the ten minutes it is let
  // last here. Two minutes after the last deno check ended tell: the
  // whole check takes 4 s, 28-34 s under ten busy loops, and over two
  // minutes with two suites at once at a load of 50 (counted from its
  // start, the test failed then); the run's stop that follows the type
  // errors is a kill and its exit.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let over = false;
  const held = Promise.withResolvers<"held">();
  // The type errors come before the run is even handed its first line, as
  // on a loaded machine (an abort then was missed: seen at a load of 20).
  // Before the class below: it patches, and later restores, Deno.Command's
  // own spawn, which the class's spawn calls.
  using _ = holdStdin();
  const RealCommand = Deno.Command;
  Deno.Command = class extends RealCommand {
    #check: boolean;
    constructor(command: string | URL, options?: Deno.CommandOptions) {
      super(command, options);
      this.#check = options?.args?.[0] === "check";
    }
    override spawn() {
      const child = super.spawn();
      if (this.#check) {
        // No deadline while a deno check runs; it counts from its end.
        clearTimeout(timer);
        child.status.then(() => {
          if (!over) timer = setTimeout(() => held.resolve("held"), 120_000);
        });
      }
      return child;
    }
  };
  try {
    const result = await Promise.race([
      copy.check(findExercise("03a")!, file, { silence: 6e5, total: 6e5 }),
      held.promise,
    ]);
    if (result === "held") {
      throw new Error("the run went on after the type errors");
    }
    assertEquals(result.passed, false);
    // The error in the file, where it is (not a module that is not found).
    assertEquals(
      result.problems[0]!.es,
      "Error de tipos en exercises/03a_overlap.ts:3:9: Type 'string' is not assignable to type 'number'. (TS2322)",
    );
    assertStringIncludes(
      result.problems[1]!.en,
      "or be 'null' or 'undefined'. Property '[Symbol.dispose]' is missing in type 'Promise<Permit>' but required in type 'Disposable'. (TS2850)",
    );
    // Three lines at most, as the CLI shows: the last says how many more.
    assertEquals(
      result.problems.slice(2).map((p) => p.en),
      ["… and 2 more: `deno check exercises/03a_overlap.ts` lists them all."],
    );
    assertEquals(result.output, undefined);
    assertEquals(await processesOf(file), []);
  } finally {
    Deno.Command = RealCommand;
    over = true;
    clearTimeout(timer);
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("Ctrl-C on deno task exercise --watch ends the check it is running", async () => {
  const root = await copyCheckout("exercise-watch");
  const file = `${root}/exercises/03a_overlap.ts`;
  await Deno.copyFile(fixture("_never_yields"), file);
  const cli = await watchIn(root, "null");
  try {
    const learner = new URL(`file://${file}`);
    // Until the learner's process runs its loop (deno check comes first).
    while ((await processesOf(learner)).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    cli.kill("SIGINT");
    assertEquals((await cli.status).code, 130);
    // Anywhere: one the CLI left behind is no longer this process's
    // descendant (its file is in this test's own checkout).
    assertEquals(await processesOf(learner, true), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** `deno task exercise 03a --watch` in the checkout at `root`, with the task's permissions. */
async function watchIn(root: string, stdout: "piped" | "null") {
  const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  const flags = (config.tasks.exercise as string).split(" ").filter((w) =>
    w.startsWith("--allow-")
  ).map((flag) =>
    flag.startsWith("--allow-run=") ? `--allow-run=${Deno.execPath()}` : flag
  );
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, "exercises/_cli.ts", "03a", "--watch"],
    cwd: root,
    stdout,
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
}

Deno.test("deno task exercise --watch checks again when a save renames a new file over the old one (gedit, Kate, JetBrains' safe write), and when the file is deleted, saying it is not there", async () => {
  const root = await copyCheckout("exercise-watch-rename");
  const file = `${root}/exercises/03a_overlap.ts`;
  const cli = await watchIn(root, "piped");
  const out = cli.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Each check ends with the line that says the CLI watches; a save that
  // brings none in two minutes was missed. A deadline against a save never
  // heard, not a speed test: in a fresh clone at a load of 40 a first check
  // (a cold type check) took over 30 s, the deadline then, in 3 of 8 runs.
  const checked = () =>
    Promise.race([
      (async () => {
        let seen = "";
        while (!seen.includes("Watching exercises/")) {
          const { value, done } = await out.read();
          if (done) throw new Error(`the CLI ended after: ${seen}`);
          seen += value;
        }
        return seen;
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no check came")), 120_000);
      }),
    ]).finally(() => clearTimeout(timer));
  try {
    await checked();
    await Deno.copyFile(fileOf(findExercise("03a")!, true), `${file}.new`);
    await Deno.rename(`${file}.new`, file);
    await checked();
    // Deleted: the verdict on screen is not left as if the file were there.
    await Deno.remove(file);
    assertStringIncludes(await checked(), "03a_overlap.ts is not there");
  } finally {
    cli.kill("SIGINT");
    await cli.status;
    await out.cancel();
    await Deno.remove(root, { recursive: true });
  }
});

/** `deno task exercise …args` in the checkout at `root`, with `env` besides: its exit code and output. */
async function exercise(root: string, args: string[], env = {}) {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "exercise", ...args],
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
  }).output();
  // Lines wrapped to the terminal's width are joined again.
  const out = new TextDecoder().decode(stdout).replace(/\n {2,}/g, " ");
  return { code, out };
}

Deno.test("In a learner's checkout: a file that does not parse says where (type errors: the test of a run they stop)", async () => {
  const root = await copyCheckout("exercise-feedback");
  const file = `${root}/exercises/03a_overlap.ts`;
  try {
    await Deno.writeTextFile(
      file,
      'export async function main(task: (name: string) => Promise<void>) {\n  await task("A";\n}\n',
    );
    const parse = await exercise(root, ["03a"]);
    assertEquals(parse.code, 1);
    assertStringIncludes(
      parse.out,
      "exercises/03a_overlap.ts does not compile: SyntaxError: Expected ',', got ';' (at exercises/03a_overlap.ts:2:",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** A gzipped tar of `files` (path → text), as npm serves a package. */
async function tarball(
  files: Record<string, string>,
): Promise<Uint8Array<ArrayBuffer>> {
  const blocks: Uint8Array[] = [];
  const ascii = (block: Uint8Array, at: number, text: string) =>
    block.set(new TextEncoder().encode(text), at);
  for (const [path, text] of Object.entries(files)) {
    const body = new TextEncoder().encode(text);
    const head = new Uint8Array(512);
    ascii(head, 0, path);
    ascii(head, 100, "0000644\0");
    ascii(head, 124, body.length.toString(8).padStart(11, "0") + "\0");
    ascii(head, 136, "00000000000\0");
    ascii(head, 148, "        ");
    ascii(head, 156, "0");
    ascii(head, 257, "ustar\x0000");
    const sum = head.reduce((a, b) => a + b, 0);
    ascii(head, 148, sum.toString(8).padStart(6, "0") + "\0 ");
    const padded = new Uint8Array(Math.ceil(body.length / 512) * 512);
    padded.set(body);
    blocks.push(head, padded);
  }
  blocks.push(new Uint8Array(1024));
  const gzip = new Blob(blocks as BlobPart[]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(gzip).arrayBuffer());
}

Deno.test("A package a file imports that no check has fetched yet: the run beside the type check could not load it, so it runs again; no lock is written", async () => {
  const root = await copyCheckout("npm-first");
  const file = new URL(`file://${root}/exercises/02a_say_hello.ts`);
  await Deno.writeTextFile(
    file,
    `import { unitsOf } from "npm:asincronia-probe@1.0.0";
// Another file: deno.json's check, not the fast one, types this one.
import type { Semaphore as _ } from "../mod.ts";
export interface Tools { log(line: string): void; unit: number }
export async function sayHello(tools: Tools): Promise<void> {
  tools.log("Hello!");
  await new Promise((resolve) => setTimeout(resolve, unitsOf(tools.unit, 1)));
  tools.log("Goodbye!");
}
`,
  );
  const tgz = await tarball({
    "package/package.json":
      '{"name":"asincronia-probe","version":"1.0.0","main":"index.js","types":"index.d.ts"}',
    "package/index.js": "exports.unitsOf = (unit, n) => unit * n;\n",
    "package/index.d.ts":
      "export declare function unitsOf(unit: number, n: number): number;\n",
  });
  const digest = await crypto.subtle.digest("SHA-512", tgz);
  const integrity = "sha512-" +
    btoa(String.fromCharCode(...new Uint8Array(digest)));
  // A deno cache of its own, where only the probe can come from npm: the
  // course itself imports nothing from npm (the import map's @std is for
  // solutions, and goes with the lock).
  const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  for (const name of Object.keys(config.imports)) {
    if (name.startsWith("@std/")) delete config.imports[name];
  }
  await Deno.writeTextFile(`${root}/deno.json`, JSON.stringify(config));
  await Deno.remove(`${root}/deno.lock`);
  // The registry answers once the first run has ended: until then the
  // package is in no cache.
  const watcher = readProc(root, false, "watch");
  // Should the first run never end, the registry answers after 10 s all
  // the same, so that nothing hangs, and the test fails: `ended` says which
  // came first (the timer still fires after the watcher has ended, and a
  // check that took 12 s in all under the suite's load failed on it).
  const checked = new AbortController();
  let guard: ReturnType<typeof setTimeout> | undefined;
  const ended = Promise.race([
    watcher.status.then(() => true),
    new Promise((resolve) => checked.signal.onabort = resolve),
    new Promise((resolve) => guard = setTimeout(() => resolve(false), 10_000)),
  ]);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const { pathname, origin } = new URL(request.url);
      if (pathname.endsWith(".tgz")) return new Response(tgz);
      await ended;
      return Response.json({
        name: "asincronia-probe",
        "dist-tags": { latest: "1.0.0" },
        versions: {
          "1.0.0": {
            name: "asincronia-probe",
            version: "1.0.0",
            dist: {
              tarball:
                `${origin}/asincronia-probe/-/asincronia-probe-1.0.0.tgz`,
              integrity,
            },
          },
        },
      });
    },
  );
  try {
    const { code, out } = await exercise(root, ["02a", "--lang", "en"], {
      DENO_DIR: `${root}/.deno-dir`,
      NPM_CONFIG_REGISTRY: `http://127.0.0.1:${server.addr.port}/`,
    });
    assertEquals(code, 0, out);
    assertStringIncludes(out, "✓ 02a");
    assert(await ended, "the registry answered before the first run had ended");
    // The learner's package stays out of the course's lock (deno task test
    // checks that it names no package but std's mirror).
    const lock = await Deno.stat(`${root}/deno.lock`).catch(() => undefined);
    assertEquals(lock, undefined, "the check wrote a deno.lock");
  } finally {
    checked.abort();
    clearTimeout(guard);
    await server.shutdown();
    try {
      watcher.kill("SIGKILL");
    } catch { /* it has ended */ }
    await watcher.status;
    await watcher.stdout.cancel();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("Stubs and solutions import nothing by a relative path (the package by its name), so a solution copied over its stub works as its check in solutions/ does", async () => {
  for (const exercise of EXERCISES) {
    for (const f of [await shipped(exercise), fileOf(exercise, true)]) {
      const source = await Deno.readTextFile(f);
      for (const [, specifier] of source.matchAll(/from "([^"]+)"/g)) {
        assert(!specifier!.startsWith("."), `${f.pathname}: ${specifier}`);
      }
    }
  }
});

Deno.test("The suite reads each stub as committed, never the checkout's file, so a stub a learner saves while it runs changes no verdict", async () => {
  for (const exercise of EXERCISES) {
    const stub = await shipped(exercise);
    assert(stub.href !== fileOf(exercise).href, stub.href);
    const committed = new Deno.Command("git", {
      args: ["show", `HEAD:exercises/${exercise.slug}.ts`],
      stdout: "piped",
    });
    const { stdout } = await committed.output();
    assertEquals(
      await Deno.readTextFile(stub),
      new TextDecoder().decode(stdout),
    );
  }
});

Deno.test("Test modules that copy the committed stubs at once, as --parallel runs them in one process, each get every copy whole", async () => {
  // Each import is a module of its own, with its own cache, as a test
  // module is; with --parallel they share one process, and its pid.
  const copies = await Promise.all(
    ["a", "b", "c"].map(async (tag) => {
      const module = await import(`./_exercises.ts?${tag}`);
      const shipped: (e: typeof EXERCISES[0]) => Promise<URL> = module.shipped;
      return Promise.all(EXERCISES.map((exercise) => shipped(exercise)));
    }),
  );
  for (const urls of copies) {
    assertEquals(urls.map(String), copies[0]!.map(String));
  }
});
