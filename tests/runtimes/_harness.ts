/**
 * The portable suite's harness: no test framework, so that Deno, Node, Bun
 * and a browser run the very same files. A case is an exported async
 * function of a case module, named for what it checks; it passes when it
 * resolves. Cases run one at a time, each within {@linkcode LIMIT} ms.
 *
 * @module
 */

/**
 * How long a case may take before it counts as failed (it hung): a guard
 * that names a hung case, not a speed test (no case asserts on time). Ten
 * suites run at once under `deno task test:runtimes`; on 2 cores at load 50
 * Node's 'a dead worker ...' (three worker starts) took 6.3 s alone and over
 * 15 s beside them.
 */
export const LIMIT = 60_000;

type Globals = {
  Deno?: { args: string[] };
  Bun?: unknown;
  process?: { argv: string[]; versions: { node?: string } };
  location?: { origin: string };
};
const globals = globalThis as unknown as Globals;

/** Where this suite runs: `deno`, `bun`, `node` or `browser`. */
export const runtime: "deno" | "bun" | "node" | "browser" = globals.Deno
  ? "deno"
  : globals.Bun
  ? "bun"
  : globals.process?.versions.node
  ? "node"
  : "browser";

/**
 * The test server's origin (`tests/runtimes/run.ts` starts it): the page's
 * own in a browser, else the first command-line argument.
 */
export const origin: string = globals.location?.origin ??
  (globals.Deno?.args ?? globals.process?.argv.slice(2) ?? [])[0] ?? "";

/** What a run of the suite gives. */
export interface Outcome {
  runtime: string;
  passed: number;
  /** `module › case: error`, one per failed case. */
  failed: string[];
}

/**
 * Runs every exported function of each module, in order, and prints a line
 * per case and a last one with the counts (what the runner reads).
 */
export async function runCases(
  modules: Record<string, Record<string, unknown>>,
  print: (line: string) => void = console.log,
): Promise<Outcome> {
  const outcome: Outcome = { runtime, passed: 0, failed: [] };
  for (const [file, cases] of Object.entries(modules)) {
    for (const [name, fn] of Object.entries(cases)) {
      if (typeof fn !== "function") continue;
      const title = `${file} › ${
        name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)
      }`;
      const start = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          fn(),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`not done after ${LIMIT} ms`)),
              LIMIT,
            );
          }),
        ]);
        outcome.passed++;
        print(`ok ${title} (${Math.round(performance.now() - start)} ms)`);
      } catch (error) {
        const why = error instanceof Error
          ? error.stack ?? error.message
          : String(error);
        outcome.failed.push(`${title}: ${why}`);
        print(`FAILED ${title}: ${why}`);
      } finally {
        clearTimeout(timer);
      }
    }
  }
  print(`${outcome.passed} passed, ${outcome.failed.length} failed`);
  return outcome;
}

/** Resolves once `cells[index]` is no longer `from` (a worker notified it). */
export async function changed(
  cells: Int32Array,
  index: number,
  from: number,
): Promise<void> {
  const { async, value } = Atomics.waitAsync(cells, index, from);
  if (async) await value;
}
