/**
 * The learner's process of a check: `deno run … exercises/_child.ts ID URL`,
 * started by exercises/_run.ts with the permissions that exercise needs.
 * Learners can skip this file.
 *
 * It imports the learner's module, runs the exercise's scenarios on it
 * (`observe`) and writes what happened to standard output, where the
 * checker reads it. The checker judges; nothing here says "passed".
 *
 * Its messages are lines `\x1e<nonce> <JSON>`. The nonce comes on standard
 * input before the learner's code is loaded and stays in this module, so a
 * line the learner's code prints cannot pass for one. Everything this module
 * uses after that point is taken before the learner's code runs, and the
 * check's own classes are frozen: the learner's module shares this process
 * and may import them. What it could still do is rewrite JavaScript's own
 * built-ins under them; nothing a solution would do comes near that, and the
 * verdict is never taken here.
 *
 * @module
 */
import { errorLine } from "../course/errors.ts";
import { EXERCISES } from "./_catalog.ts";
import { Checking, originIn, REAL, World } from "./_world.ts";

const [id, url = "", port = "0"] = Deno.args;
const exercise = EXERCISES.find((e) => e.id === id);
if (exercise === undefined || url === "") {
  throw new Error(`Usage: _child.ts ID URL PORT (got ${Deno.args.join(" ")})`);
}
const observe = exercise.observe.bind(exercise);

// Taken before the learner's code can change them.
const writeSync = Deno.stdout.writeSync.bind(Deno.stdout);
const bytes = TextEncoder.prototype.encode.bind(new TextEncoder());
const stringify = JSON.stringify;
const exit: (code?: number) => never = Deno.exit;
const setEvery = setInterval;
/** The learner's line that called, between `before` and `after`; "" if none. */
const where = (before: string, after = "") => {
  const line = originIn(new Error().stack, url);
  return line ? before + line + after : "";
};

// The nonce, then nothing: the checker closes our input when done or dead.
const input = Deno.stdin.readable.pipeThrough(new TextDecoderStream())
  .getReader();
let nonce = "";
while (!nonce.includes("\n")) nonce += (await input.read()).value ?? exit(0);
nonce = nonce.split("\n")[0]!;
(async () => {
  while (!(await input.read()).done) { /* nothing else comes */ }
  exit(0);
})();

/** Sends one message to the checker, whole. */
function send(message: Record<string, unknown>): void {
  const data = bytes(`\x1e${nonce} ${stringify(message)}\n`);
  for (let done = 0; done < data.length;) {
    done += writeSync(data.subarray(done));
  }
}

[World, Checking, World.prototype, Checking.prototype].forEach(Object.freeze);
EXERCISES.forEach(Object.freeze);

// What would end this process or talk to nobody is named to the checker.
const global = globalThis as Record<string, unknown>;
const ending = (call: string, code = 0) => {
  send({ kind: "exit", call, where: where(" (", ")") });
  return exit(code);
};
Deno.exit = (code = 0) => ending(`Deno.exit(${code})`, code);
process.exit = (code = 0) => ending(`process.exit(${code})`, Number(code));
global.close = () => ending("close()");
global.postMessage = () => send({ kind: "posted", where: where(", ") });
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  send({ kind: "uncaught", error: shown(event.error) });
  exit(1);
});
// Rejections outside a scenario's run are the run's leftovers; a run
// collects its own (World listens too).
globalThis.addEventListener("unhandledrejection", (e) => e.preventDefault());

send({ kind: "hello" });
// A loop that never yields stops these: the checker notices the silence.
setEvery(() => send({ kind: "beat" }), 100);

// A fetch kept from before a world opened goes through the world's, noted.
const forward: typeof fetch = (...args) =>
  (globalThis.fetch === forward ? REAL.fetch : globalThis.fetch)(...args);
globalThis.fetch = forward;
// Still loading after 10 s: a top-level await waits for what never comes.
const loading = REAL.setTimeout(() => {
  send({ kind: "late", s: 10 });
  exit(1);
}, 10_000);
let module: Record<string, unknown>;
try {
  module = await import(url);
  REAL.clearTimeout(loading);
} catch (error) {
  send({ kind: "load", error: shown(error) });
  exit(1);
}
const fn = module[exercise.export];
if (typeof fn !== "function") {
  send({ kind: "missing" });
  exit(0);
}
const session = new Checking(url, fn, Number(port));
try {
  const notes = await observe(session);
  send({ kind: "result", runs: session.runs, notes: session.encode(notes) });
} catch (error) {
  // Not an observation: the learner's code broke the check's world.
  send({ kind: "crash", error: shown(error) });
}
exit(0);

/**
 * An error as one line, with the learner's line when its stack or its
 * message has one (Deno wraps a module that does not parse in a TypeError
 * whose message ends "at URL:line:column").
 */
function shown(error: unknown): string {
  const one = errorLine(error).replace(/^TypeError: (?=\w*Error: )/, "");
  if (!(error instanceof Error)) return one;
  const at = error.message.lastIndexOf(`at ${url}:`);
  const line = at === -1
    ? originIn(error.stack, url)
    : url.slice(url.lastIndexOf("/") + 1) +
      error.message.slice(at + 3 + url.length).split("\n")[0];
  return line ? `${one} (${line})` : one;
}
