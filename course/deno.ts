/** Running deno in a subprocess: the one place the course starts one. @module */

/** The checkout that holds course/, as a path (never a URL: `#` and `%` stay as they are). */
export const ROOT: string = import.meta.dirname!.replace(/[\\/]course$/, "");

/**
 * The deno executable to start: this very one when `--allow-run` covers its
 * path, else the PATH's `deno` (`--allow-run=deno` allows that one, and when
 * it is a symlink, as npm and Homebrew install it, not its target).
 */
export function denoExecutable(): string {
  const self = Deno.execPath();
  const state = Deno.permissions.querySync({ name: "run", command: self });
  return state.state === "granted" ? self : "deno";
}

/** The subprocesses of {@linkcode spawnDeno} that have not ended yet. */
const children = new Set<Deno.ChildProcess>();

/**
 * Starts `deno …args` from {@linkcode ROOT}, output piped, input null (unless
 * `options` say), where {@linkcode endChildren} finds it until it ends.
 */
export function spawnDeno(
  args: readonly string[],
  options: Deno.CommandOptions = {},
): Deno.ChildProcess {
  const child = new Deno.Command(denoExecutable(), {
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...options,
    args: [...args],
  }).spawn();
  children.add(child);
  child.status.finally(() => children.delete(child));
  return child;
}

/**
 * Runs `deno …args` as {@linkcode spawnDeno} would start it, `stdin` written
 * to it, to its end; resolves with the exit code (128 + n when signal n ended
 * it; nonzero is no rejection) and what it printed.
 */
export async function runDeno(
  args: readonly string[],
  options: Omit<Deno.CommandOptions, "stdin"> & { stdin?: string } = {},
) {
  const piped = options.stdin === undefined ? "null" : "piped";
  const child = spawnDeno(args, { ...options, stdin: piped });
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    // A child that exits without reading closes the pipe: not our error.
    await writer.write(new TextEncoder().encode(options.stdin)).catch(() => {});
    await writer.close().catch(() => {});
  }
  const { code, stdout, stderr } = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

/**
 * Runs `code` in a deno of its own (`deno run --no-prompt -`) with `args` and
 * no permission (asking for one is an error). Resolves with what it printed,
 * trimmed; a nonzero exit rejects with the first line of its standard error.
 */
export async function runProgram(
  code: string,
  args: readonly string[] = [],
): Promise<string> {
  const out = await runDeno(["run", "--no-prompt", "-", ...args], {
    stdin: code,
  });
  if (out.code !== 0) {
    const reason = out.stderr.trim().split("\n")[0];
    throw new Error(`A deno subprocess exited with ${out.code}: ${reason}`);
  }
  return out.stdout.trim();
}

/**
 * Sends `signal` to every subprocess of {@linkcode spawnDeno} still running:
 * it needs no permission, where `Deno.kill` needs `--allow-run` for all.
 */
export function endChildren(signal: Deno.Signal = "SIGTERM"): void {
  for (const child of children) kill(child, signal);
}

/** Sends `signal` to `child`; a child that has ended already is no error. */
export function kill(child: Deno.ChildProcess, signal?: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* it has ended */ }
}

/**
 * Calls `line` with each line of `stream` as it arrives. Each character is
 * looked at once: a line that comes in many chunks is kept as a list of
 * pieces and joined once it ends, so a 32 MiB line costs what 32 MiB does.
 * Of a line longer than `max` characters only its last `max` are kept: a
 * program that prints without end holds no more memory than that.
 */
export async function lines(
  stream: ReadableStream<Uint8Array>,
  line: (text: string) => void,
  max = Infinity,
): Promise<void> {
  let pieces: string[] = [];
  let size = 0;
  const add = (piece: string) => {
    pieces.push(piece);
    size += piece.length;
    while (size - pieces[0]!.length >= max) size -= pieces.shift()!.length;
    if (size > max) [pieces[0], size] = [pieces[0]!.slice(size - max), max];
  };
  const emit = (last: string) => {
    add(last);
    const text = pieces.join("");
    line(text.endsWith("\r") ? text.slice(0, -1) : text);
    [pieces, size] = [[], 0];
  };
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      let from = 0;
      for (let at; (at = chunk.indexOf("\n", from)) >= 0; from = at + 1) {
        emit(chunk.slice(from, at));
      }
      if (from < chunk.length) add(chunk.slice(from));
    }
  } catch {
    // A pipe that breaks ends the lines, not the run: its exit still comes.
  }
  if (pieces.length > 0) emit("");
}
