/**
 * Checks an exercise: `deno check` of the learner's file, then its
 * scenarios in a `deno` process of their own (exercises/_child.ts) with only
 * the permissions that exercise needs, then the verdict, here. Learners can
 * skip this file.
 *
 * The learner's process may only read its own file, mod.ts and lib/ (and
 * exercises/_tasks.ts for the worker exercises), reach its check's server
 * (one port), if any, and import nothing remote. It reports what happened
 * on its standard output, in lines that carry a nonce it got on its
 * standard input; this side judges. The process is killed when the check
 * ends, and when it stays silent for `silence` ms: a loop that never yields
 * stops its heartbeat.
 *
 * @module
 */
import { kill, lines, runDeno, spawnDeno } from "../course/deno.ts";
import {
  decode,
  type Exercise,
  Failure,
  heldUp,
  type Run,
  Scene,
  type Text,
  text,
} from "./_harness.ts";

/**
 * How a check of an exercise went: whether every scenario passed; what is
 * wrong, most important first; the chart of the failing run, when the
 * check drew one, and the ms of its unit; what the learner's code printed;
 * of a pass whose timing a busy machine could have bent, why.
 */
export interface Result {
  readonly id: string;
  readonly passed: boolean;
  readonly problems: readonly Text[];
  readonly chart?: Text;
  readonly unit?: number;
  readonly output?: string;
  readonly note?: Text;
}

/**
 * Options of {@linkcode check}: whether to run `deno check` on the file
 * first (default yes), how long the learner's process may stay silent and
 * last in all (ms, default 3000 and 60000).
 */
export interface CheckOptions {
  typeCheck?: boolean;
  silence?: number;
  total?: number;
}

const ROOT = new URL("../", import.meta.url);
/** What a process may take to start, and stay silent then (default), in ms. */
const [STARTUP_MS, SILENCE_MS] = [30_000, 3000];
/** At most this much of what the learner's code printed is kept. */
const MAX_OUTPUT = 2_000;
/** Of a longer line of its process, the end (where our messages sit). */
const MAX_LINE = 4 * 2 ** 20;
const ENV = { NO_COLOR: "1" }; // deno's own messages, as the learner reads them

/**
 * Checks `file` against `exercise`. Never throws for anything the file does.
 * On real time, a busy machine can hold the process up past a deadline, or
 * stretch a wait that is too short past its bound: a check that fails is
 * run once more, one that passes with a note up to twice more, and the
 * last verdict stands.
 */
export async function check(
  exercise: Exercise,
  file: URL,
  options: CheckOptions = {},
): Promise<Result> {
  const once = async (patience = 1) => {
    const silence = patience * (options.silence ?? SILENCE_MS);
    const report = await observe(exercise, file, { ...options, silence });
    return verdict(exercise, file, report);
  };
  // The type check and the first run go side by side: a check right after an
  // edit took 0.64–1.12 s one after the other, 0.58–0.70 s so (six solved
  // exercises, `deno task exercise`). Type errors win: the run is then
  // stopped and its verdict dropped.
  const run = new AbortController();
  const typeCheck = options.typeCheck ?? true;
  const [problems, report] = await Promise.all([
    typeCheck
      ? typeErrors(file).then((problems) => {
        if (problems.length > 0) run.abort();
        return problems;
      })
      : [],
    observe(exercise, file, options, run.signal),
  ]);
  if (problems.length > 0) return { id: exercise.id, passed: false, problems };
  // A package the type check just cached came too late (--cached-only); a
  // silence can be a short stretch of work that a busy machine drew out
  // (twice past 3 s at load 19): it gets twice the patience.
  const again = report.messages.some((m) =>
    m.kind === "silent" || typeCheck && m.kind === "load"
  );
  const first = again ? await once(2) : verdict(exercise, file, report);
  let [result, failed, held] = [first, false, 0];
  while (exercise.real) {
    if (!result.passed && result.unit !== undefined && !failed) failed = true;
    else if (!result.note || ++held > 2) break;
    result = await once();
  }
  return result;
}

/**
 * The verdict on what the learner's process of a check of `file` reported:
 * this side's half of a check, apart so that a test can hand it a report.
 */
export function verdict(exercise: Exercise, file: URL, report: Report): Result {
  const name = file.pathname.slice(file.pathname.lastIndexOf("/") + 1);
  const problems = report.messages.flatMap((m) => said(m, name, exercise));
  const result = {
    id: exercise.id,
    passed: false,
    problems,
    ...report.output ? { output: report.output } : {},
  };
  const sent = report.messages.find((m) => m.kind === "result");
  if (sent === undefined) {
    if (problems.length === 0) {
      const error = /^error: (?:Uncaught (?:\(in promise\) )?)?(.*)$/m
        .exec(report.stderr)?.[1];
      problems.push(
        error
          ? text(...SAID.load!, { name, error })
          : text(...SAID.ended!, { code: report.code }),
      );
    }
    return result;
  }
  const scenes = (sent.runs as Run[]).map((r) => new Scene(r, exercise.words));
  try {
    exercise.judge(scenes[0]!, decode(sent.notes as string), scenes);
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    problems.push(...error.problems);
    return { ...result, chart: error.chart, unit: error.unit };
  }
  const held = (sent.runs as Run[]).some(heldUp);
  const note = held && problems.length === 0 && text(
    "A busy machine held up three runs of this check, each long enough that a wait too short or too long could have passed. If your code waits as asked, all is well; to be sure, check again when the machine is less busy.",
    "Un equipo ocupado retrasó tres ejecuciones de esta comprobación, cada una tanto que una espera demasiado corta o larga habría podido pasar. Si tu código espera lo pedido, todo está bien; para asegurarte, vuelve a comprobarlo cuando el equipo esté menos ocupado.",
  );
  return { ...result, passed: problems.length === 0, ...note ? { note } : {} };
}

/** A line of the learner's process, read back: `result` carries the Runs and the notes. */
export interface Message {
  kind: string;
  [key: string]: unknown;
}

/** What the learner's process may say besides its result, as problems. */
const SAID: Record<string, [en: string, es: string]> = {
  exit: [
    "Your code called {call}{where}, which ends the whole program, so the check could not finish: return from your function instead.",
    "Tu código llamó a {call}{where}, que termina todo el programa, así que la comprobación no pudo acabar: en su lugar, vuelve de tu función.",
  ],
  posted: [
    "Your code posted a message (postMessage{where}): it runs on the main thread here, where nothing receives it, and a check's verdict comes from the checker alone. Return your result instead.",
    "Tu código envió un mensaje (postMessage{where}): aquí corre en el hilo principal, donde nadie lo recibe, y el veredicto lo da solo el comprobador. Devuelve tu resultado en su lugar.",
  ],
  load: ["{name} does not load: {error}", "{name} no se puede cargar: {error}"],
  more: [
    "… and {more} more: `deno check {file}` lists them all.",
    "… y {more} más: `deno check {file}` los muestra todos.",
  ],
  gone: [
    "{file} is not there: `git checkout {file}` brings back its stub.",
    "{file} no está: `git checkout {file}` recupera su esqueleto.",
  ],
  beside: [
    "{name} imports {file}, and a check may read only your file and the package (import that by its name, @asincronia/asincronia): put what you need in {name}.",
    "{name} importa {file}, y una comprobación solo puede leer tu fichero y el paquete (impórtalo por su nombre, @asincronia/asincronia): pon lo que necesites en {name}.",
  ],
  missing: [
    "{name} should export a function named {fn}, and it does not: keep the export line of the stub.",
    "{name} debería exportar una función llamada {fn}, y no lo hace: conserva la línea export del esqueleto.",
  ],
  uncaught: [
    "Your code threw {error} where nothing could catch it, and the check could not finish.",
    "Tu código lanzó {error} donde nada podía capturarlo, y la comprobación no pudo terminar.",
  ],
  crash: [
    "The check could not finish: {error}",
    "La comprobación no pudo terminar: {error}",
  ],
  mimic: [
    "Your code printed a line that imitates the checker's own messages: the check does not read it, and fails for it.",
    "Tu código escribió una línea que imita los mensajes del comprobador: la comprobación no la lee, y falla por ello.",
  ],
  silent: [
    "Your code did not give control back for {s} s: is there a loop that never awaits anything, or awaits only what is already done (after `await Promise.resolve()` no timer has run)?",
    "Tu código no devolvió el control en {s} s: ¿hay un bucle que nunca espera nada, o que solo espera algo ya resuelto (tras `await Promise.resolve()` no ha corrido ningún temporizador)?",
  ],
  late: [
    "The check ran out of time ({s} s), though your code kept giving control back: something it awaits never comes (an await outside any function in {name}?).",
    "La comprobación se quedó sin tiempo ({s} s), aunque tu código devolvía el control: algo que espera nunca llega (¿un await fuera de toda función en {name}?).",
  ],
  ended: [
    "The check's process ended (exit code {code}) before it could finish.",
    "El proceso de la comprobación terminó (código {code}) antes de acabar.",
  ],
};

/** A message of the learner's process as a problem, if it is one: it ended, posted, imitated us. */
function said(m: Message, name: string, exercise: Exercise): Text[] {
  // A file it imports that it may not read: the learner cannot add the flag.
  const file = /^TypeError: Requires read access to "(?:.*\/)?(.*?)"/
    .exec(m.kind === "load" ? String(m.error) : "")?.[1];
  const message = SAID[file ? "beside" : m.kind];
  const values = { name, fn: exercise.export, file, ...m };
  return message ? [text(...message, values)] : [];
}

/** `deno check` of `file`: its syntax and type errors, at most three, as problems. */
export async function typeErrors(file: URL): Promise<Text[]> {
  // Not --cached-only: this is where a first `import … from "@std/…"`
  // brings std into the cache. Only what the file names statically is
  // fetched; what its code computes when it runs never is (the run is
  // --cached-only).
  const path = decodeURIComponent(file.pathname);
  const denoCheck = (...flags: string[]) =>
    runDeno(["check", "--quiet", "--no-remote", ...flags, path], { env: ENV });
  const fast = await fastConfig().catch(() => undefined);
  const shown = display(file);
  const source = await Deno.readTextFile(path).catch((error: Error) => error);
  if (source instanceof Deno.errors.NotFound) {
    return [text(...SAID.gone!, { file: shown })]; // not for a file unread
  } else if (source instanceof Error) {
    return [text(...SAID.load!, { name: shown, error: source.message })];
  }
  const alone = !BEYOND.test(source);
  // Whatever the fast check finds or cannot judge, deno.json's check says.
  if (fast && alone && (await denoCheck(...fast)).code === 0) return [];
  const { code, stderr: out } = await denoCheck("--no-lock");
  if (code === 0) return [];
  const where = (from: number) => {
    const at = /^\s+at (file:\/\/\S+?):(\d+):(\d+)$/m.exec(out.slice(from));
    return at ? `${display(new URL(at[1]!))}:${at[2]}:${at[3]}` : "?";
  };
  // Each error's block: its message's lines, the code it quotes over ~~~
  // or ^, where. An indented message is a note on the error before it.
  const errors: string[] = [];
  for (const e of out.matchAll(/^(TS\d+) \[ERROR\]: (.*(?:\n.+)*)/gm)) {
    const lines = e[2]!.split("\n").map((line) => line.trim());
    const quoted = lines.findIndex((line) => /^[~^]+$/.test(line)) - 1;
    const message = lines.slice(0, Math.max(quoted, 1)).join(" ");
    if (errors.length && /^\s/.test(e[2]!)) {
      errors.push(errors.pop()!.replace(/ \(TS\d+\)$/, ` ${message}$&`));
    } else errors.push(`${where(e.index)}: ${message} (${e[1]})`);
  }
  const problems = errors.slice(0, errors.length > 3 ? 2 : 3)
    .map((e) => text(`Type error at ${e}`, `Error de tipos en ${e}`));
  const more = errors.length - problems.length;
  if (more > 0) problems.push(text(...SAID.more!, { more, file: shown }));
  const first = /^error: (.*)$/m.exec(out);
  const message = first?.[1] ?? out.trim().split("\n")[0] ?? "";
  const at = first ? where(first.index) : "?";
  return problems.length > 0 ? problems : [text(
    `${shown} does not compile: ${message} (at ${at})`,
    `${shown} no compila: ${message} (en ${at})`,
  )];
}

/**
 * Flags for a `deno check` that types a file as deno.json says but without
 * lib "node", which deno's default libs bring for four timers and which is
 * half of what a check parses: 395 ms after an edit, where deno.json's
 * check takes 609 (medians, bench/README.md). Its declarations are
 * deno's own (`deno types`, in .tools/check per deno version and TIMERS),
 * but for those timers, which {@linkcode TIMERS} declares no looser than
 * Node does: what else a file takes from lib "node" is an error there, and
 * {@linkcode typeErrors} then asks deno.json's check.
 */
export async function fastConfig(): Promise<string[]> {
  const dir = decodeURIComponent(new URL(".tools/check", ROOT).pathname);
  const name = `deno-${Deno.version.deno}.d.ts`;
  const write = async (file: string, text: string) => {
    const temp = `${dir}/${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(temp, text);
    await Deno.rename(temp, `${dir}/${file}`); // whole, to a check beside too
  };
  let types = await Deno.readTextFile(`${dir}/${name}`).catch(() => "");
  if (!types.endsWith(TIMERS)) {
    // deno.window's own part of `deno types` and deno.shared_globals'; the
    // libs they name but lib "node" and each other are the first line.
    const both = /^\/\/\/ <reference lib="(node|deno\.shared_globals)"/m;
    const own = (await runDeno(["types"])).stdout.split(/^(?=\/\/ Copyright)/m)
      .filter((part) => both.test(part)).join("\n");
    const libs = own.match(/(?<=^\/\/\/ <reference lib=")[^"]+/gm)
      ?.filter((lib) => !both.test(`/// <reference lib="${lib}"`));
    if (!libs?.length) throw new Error("deno types: no deno.window in it");
    types = `// ${[...new Set(libs)].join(" ")}\n${
      own.replace(/^\/\/\/ <reference .*$/gm, "")
    }${TIMERS}`;
    await Deno.mkdir(dir, { recursive: true });
    await write(name, types);
  }
  const root = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const options = root.compilerOptions ?? {};
  // What the config would not carry over is left to deno.json's check.
  const relative = Object.values<string>(root.imports ?? {})
    .some((to) => to.startsWith("."));
  if (
    options.lib || options.types || root.scopes || root.links ||
    root.workspace || relative
  ) throw new Error("deno.json: more than the fast check carries over");
  // The package by its own name, as deno.json's name and exports say.
  const imports = { ...root.imports };
  for (const [path, to] of Object.entries<string>(root.exports ?? {})) {
    imports[root.name + path.slice(1)] = `../../${to.replace(/^\.\//, "")}`;
  }
  const lib = types.slice(3, types.indexOf("\n")).split(" ");
  const config = JSON.stringify({
    compilerOptions: { ...options, lib, types: [`./${name}`] },
    imports,
    unstable: root.unstable,
  });
  const old = await Deno.readTextFile(`${dir}/deno.json`).catch(() => "");
  if (old !== config) await write("deno.json", config);
  return ["--no-lock", `--config=${dir}/deno.json`];
}

/**
 * What the fast check cannot judge by its types: an expected error (it has
 * errors of its own), a global declaration (lib "node"'s may collide), a
 * `socket` of `Deno.upgradeWebSocket` (lib "node"'s type), another file.
 */
export const BEYOND: RegExp =
  /@ts-expect-error|\bglobal\b|upgradeWebSocket|["'`](?:\.{0,2}\/(?!`)|\\|file:|data:)/i;

/**
 * lib "node"'s timers as the fast check knows them: what `setTimeout` and
 * `setInterval` return is of a type of its own that only clearing takes, so
 * that any other use of a timer is an error there and goes to deno.json's
 * check, which has Node's `Timeout`. It is `NodeJS.Timeout`, which deno's
 * own libs name (`Deno.unrefTimer`): undeclared, it would be `any`.
 */
const TIMERS = `
declare namespace NodeJS {
  interface Timeout { readonly "a fast check's timer": never }
}
declare function setTimeout<A extends unknown[]>(
  callback: (...args: A) => void, ms?: number, ...args: A): NodeJS.Timeout;
declare function setTimeout(callback: (_: void) => void, ms?: number):
  NodeJS.Timeout;
declare function setInterval<A extends unknown[]>(
  callback: (...args: A) => void, ms?: number, ...args: A): NodeJS.Timeout;
declare function setInterval(callback: (_: void) => void, ms?: number):
  NodeJS.Timeout;
declare function clearTimeout(id: NodeJS.Timeout | undefined): void;
declare function clearInterval(id: NodeJS.Timeout | undefined): void;
`;

/** A path from the repository root, as the learner types it. */
export function display(url: URL): string {
  return url.href.startsWith(ROOT.href)
    ? decodeURIComponent(url.href.slice(ROOT.href.length))
    : decodeURIComponent(url.pathname);
}

/** The permissions of the learner's process: its file, the package, what the exercise needs (the check's server, at `port`). */
export function permissions(exercise: Exercise, file: URL, port: number) {
  const reads = [display(file), "mod.ts", "lib"];
  if (exercise.needs === "tasks") reads.push("exercises/_tasks.ts");
  const net = exercise.needs === "net" && `--allow-net=127.0.0.1:${port}`;
  return [`--allow-read=${reads.join(",")}`, ...net ? [net] : []];
}

/** The one port a check's process may reach, for its server: Linux gives a port 0 none from 61000 up. */
export const drawPort = () => 61_000 + Math.floor(Math.random() * 4_536);

/** What the learner's process of a check said, printed (of its standard error, the last `error:` line) and exited with. */
export interface Report {
  messages: Message[];
  output: string;
  stderr: string;
  code: number;
}

/**
 * Runs the scenarios in a process of their own; collects what it says. Up
 * to twice more when the port drawn for the check's server was taken.
 */
async function observe(...args: Parameters<typeof observeOn>) {
  const taken = (m: Message) => /^AddrInUse/.test(String(m.error));
  let report = await observeOn(...args);
  for (let runs = 1; runs < 3 && report.messages.some(taken); runs++) {
    report = await observeOn(...args);
  }
  return report;
}

async function observeOn(
  exercise: Exercise,
  file: URL,
  { silence = SILENCE_MS, total = 60_000 }: CheckOptions,
  signal?: AbortSignal,
) {
  const nonce = crypto.randomUUID();
  const flags = ["--no-prompt", "--no-remote", "--cached-only", "--no-lock"];
  const port = drawPort();
  const perms = permissions(exercise, file, port);
  const args = ["run", ...flags, ...perms, "exercises/_child.ts", exercise.id];
  args.push(file.href, String(port));
  const child = spawnDeno(args, { env: ENV, stdin: "piped" });
  // Heard before the first wait: type errors found meanwhile stop it.
  const stop = () => kill(child, "SIGKILL");
  signal?.addEventListener("abort", stop, { once: true });
  const input = child.stdin.getWriter();
  await input.write(new TextEncoder().encode(nonce + "\n")).catch(() => {});
  const report: Report = { messages: [], output: "", stderr: "", code: 0 };
  // Until it says hello, the process may take STARTUP_MS to start; then
  // it may stay silent for `silence` ms at most; all in all, `total`: what
  // ends it then (its module still loading?) is said once.
  const started = Date.now();
  let limit = STARTUP_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watch = () => {
    clearTimeout(timer);
    if (report.messages.some((m) => /^(late|silent)$/.test(m.kind))) return;
    const left = Math.min(limit, total - (Date.now() - started));
    timer = setTimeout(() => {
      const late = left < limit;
      if (late || limit === silence) {
        const s = (late ? total : silence) / 1000;
        report.messages.push({ kind: late ? "late" : "silent", s });
      }
      stop();
    }, Math.max(0, left));
  };
  watch();
  // Of its standard error, the last `error:` line: deno's own, at the end.
  let error = "";
  const stderr = lines(child.stderr, (line) => {
    if (line.startsWith("error: ")) error = line;
  }, MAX_LINE);
  const keep = (text: string) => {
    report.output = (report.output + text).slice(0, MAX_OUTPUT);
  };
  /** A line of its output: what the learner's code printed, then a message of ours or one that imitates them. */
  const line = (line: string) => {
    const mark = line.indexOf("\x1e");
    if (mark === -1) return keep(line + "\n");
    keep(line.slice(0, mark));
    if (!line.startsWith(nonce + " ", mark + 1)) {
      const mimic = report.messages.some((m) => m.kind === "mimic");
      return void (mimic || report.messages.push({ kind: "mimic" }));
    }
    const message = JSON.parse(line.slice(mark + 2 + nonce.length));
    if (message.kind === "hello") limit = silence;
    watch();
    if (message.kind !== "beat") report.messages.push(message);
    if (message.kind === "result") stop();
  };
  try {
    await lines(child.stdout, line, MAX_LINE);
  } finally {
    clearTimeout(timer);
    stop();
    await input.close().catch(() => {});
    report.code = (await child.status).code;
    await stderr;
    report.stderr = error;
  }
  return report;
}
