/**
 * Where the time of `deno task exercise ID` goes right after an edit (issue
 * 21 asks for a median check of 0.5 s at most). In a copy of the checkout
 * (tests/_checkout.ts), with the solutions of six exercises copied over
 * their stubs, each round times, in a random order:
 *
 * - `task`: `deno task exercise ID --lang en` right after a comment is
 *   appended to the exercise's file (what a learner waits for);
 * - `cached`: the same at once again, the file unchanged (deno's check
 *   cache hits);
 * - `startup`: `deno task exercise --help` (the task, its `deno eval`, the
 *   CLI's start; no check);
 * - `check`: `deno check --quiet --no-remote FILE` after an edit, as
 *   exercises/_run.ts runs it;
 * - `check:NAME`: the same with more flags (candidates, see
 *   {@linkcode FLAGS});
 * - `check:empty`: the same for an empty file (the floor of `deno check`),
 *   and with deno.window's libs but lib "node" ({@linkcode NO_NODE});
 * - `child`: the learner's process alone, from its start to its result line
 *   (it runs beside the check, so a check takes about the longer of the two,
 *   after `startup`);
 * - `lsp`: a warm `deno lsp`, from an edited text sent to its diagnostics.
 *
 * Run: deno run --allow-read=. --allow-write=.tools --allow-run=deno bench/exercise_check.ts [rounds]
 *
 * @module
 */
import { findExercise } from "../exercises/_catalog.ts";
import { permissions } from "../exercises/_run.ts";
import { copyCheckout } from "../tests/_checkout.ts";

const IDS = ["01a", "03a", "04b", "05a", "08a", "10a"];
const ROUNDS = Number(Deno.args[0] ?? 5);
/** Candidates: `check:NAME` is `check` with these flags added. */
const FLAGS: Record<string, string[]> = {
  "semi-space-16": ["--v8-flags=--min-semi-space-size=16"],
  "no-lock": ["--no-lock"],
};
/** deno.json's default libs (deno.window) but for deno.shared_globals, which brings lib "node". */
const NO_NODE = [
  "deno.ns",
  "deno.console",
  "deno.url",
  "deno.web",
  "deno.fetch",
  "deno.websocket",
  "deno.crypto",
  "deno.broadcast_channel",
  "deno.webstorage",
  "deno.cache",
  "esnext",
];

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
const config = JSON.parse(await Deno.readTextFile(`${copy}/deno.json`));
config.compilerOptions.lib = NO_NODE;
await Deno.writeTextFile(`${copy}/no-node.json`, JSON.stringify(config));
files.empty = "exercises/_empty.ts";
await Deno.writeTextFile(`${copy}/${files.empty}`, "");
let edits = 0;
/** The versions of the documents sent to the lsp, never twice the same. */
let versions = 0;
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
  "check:empty": () => (edit("empty"), time(checkArgs("empty"))),
  "check:empty, no node": () => (
    edit("empty"), time(checkArgs("empty", "--config=no-node.json"))
  ),
  child,
  lsp,
};
for (const [name, flags] of Object.entries(FLAGS)) {
  measures[`check:${name}`] = (id) => (
    edit(id), time(checkArgs(id, ...flags))
  );
}

const times: Record<string, number[]> = {};
const server = await startLsp();
// One untimed pass fills deno's caches (npm packages, code cache).
for (const id of IDS) await measures.task!(id);
const tasks: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const id of IDS) {
    const order = Object.keys(measures).sort(() => Math.random() - 0.5);
    for (const name of order) {
      const ms = await measures[name]!(id);
      (times[name] ??= []).push(ms);
      if (name === "task") (tasks[id] ??= []).push(ms);
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
await server.end();
await Deno.remove(copy, { recursive: true });

function checkArgs(id: string, ...more: string[]) {
  return ["check", "--quiet", "--no-remote", ...more, files[id]!];
}

/** The learner's process of a check of `id`, as exercises/_run.ts starts it, to its result. */
async function child(id: string): Promise<number> {
  const exercise = findExercise(id)!;
  const file = new URL(`file://${copy}/${files[id]}`);
  const start = performance.now();
  const process = new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      "--no-remote",
      "--cached-only",
      // As a path from the checkout, which the copy's is too.
      ...permissions(exercise, new URL(`../${files[id]}`, import.meta.url)),
      "exercises/_child.ts",
      id,
      file.href,
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

/**
 * A warm `deno lsp` (started before the rounds): the time from sending an
 * edited file to its diagnostics, the file opened before and closed after.
 * Its settings enable only the six exercises' files: else every file of the
 * workspace joins its program, and their globals with it.
 */
async function lsp(id: string): Promise<number> {
  const uri = `file://${copy}/${files[id]}`;
  const text = (edit(id), await Deno.readTextFile(`${copy}/${files[id]}`));
  const version = ++versions;
  const textDocument = { uri, languageId: "typescript", version, text };
  const start = performance.now();
  const opened = server.diagnostics(uri, version);
  server.notify("textDocument/didOpen", { textDocument });
  await opened;
  (times["lsp: open"] ??= []).push(performance.now() - start);
  const timed = performance.now();
  const changed = server.diagnostics(uri, version + 1);
  server.notify("textDocument/didChange", {
    textDocument: { uri, version: ++versions },
    contentChanges: [{ text: text + "// lsp\n" }],
  });
  await changed;
  const ms = performance.now() - timed;
  server.notify("textDocument/didClose", { textDocument: { uri } });
  return ms;
}

/** `deno lsp` in the copy, lint off; a minimal client of it. */
async function startLsp() {
  const process = new Deno.Command("deno", {
    args: ["lsp"],
    cwd: copy,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const input = process.stdin.getWriter();
  const encoder = new TextEncoder();
  const send = (message: object) => {
    const body = encoder.encode(JSON.stringify({ jsonrpc: "2.0", ...message }));
    const head = encoder.encode(`Content-Length: ${body.length}\r\n\r\n`);
    input.write(new Uint8Array([...head, ...body]));
  };
  const settings = () => ({
    enable: true,
    lint: false,
    enablePaths: IDS.map((id) => files[id]),
  });
  const waiting = new Map<string, (value: unknown) => void>();
  const read = (async () => {
    let buffer = new Uint8Array();
    for await (const chunk of process.stdout) {
      buffer = new Uint8Array([...buffer, ...chunk]);
      while (true) {
        const head = new TextDecoder().decode(buffer.subarray(0, 64));
        const match = /Content-Length: (\d+)\r\n\r\n/.exec(head);
        const from = match ? match.index + match[0].length : 0;
        if (!match || buffer.length < from + Number(match[1])) break;
        const to = from + Number(match[1]);
        const m = JSON.parse(
          new TextDecoder().decode(buffer.subarray(from, to)),
        );
        buffer = buffer.slice(to);
        if (m.method === "workspace/configuration") {
          send({ id: m.id, result: m.params.items.map(settings) });
        } else if (m.method && m.id !== undefined) {
          send({ id: m.id, result: null });
        }
        const key = m.method === "textDocument/publishDiagnostics"
          ? `${m.params.uri} ${m.params.version}`
          : `reply ${m.id}`;
        waiting.get(key)?.(m);
      }
    }
  })();
  const wait = (key: string) =>
    new Promise((resolve) => waiting.set(key, resolve));
  const initialized = wait("reply 1");
  send({
    id: 1,
    method: "initialize",
    params: {
      processId: null,
      rootUri: `file://${copy}`,
      capabilities: { workspace: { configuration: true } },
      initializationOptions: settings(),
    },
  });
  await initialized;
  send({ method: "initialized", params: {} });
  return {
    notify: (method: string, params: object) => send({ method, params }),
    diagnostics: (uri: string, version: number) => wait(`${uri} ${version}`),
    async end() {
      process.kill();
      await process.status;
      await read;
    },
  };
}

/** The ms `deno …args` takes in the copy; it must succeed. */
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
