/**
 * `deno task site`: the course in a browser, at http://127.0.0.1:8000/.
 *
 * Flags: `--port N` (default 8000; 0 picks a free one), `--max-runs N`
 * (runs at once, default 2), `--time-limit S` (seconds a run may last,
 * default 120), `--help`.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { startSite } from "./server.ts";

const HELP =
  `The course in a browser: lessons beside their explanation, run live.

Usage: deno task site [--port 8000] [--max-runs 2] [--time-limit 120]

  --port <n>        the port on 127.0.0.1 (default 8000; 0 picks a free one)
  --max-runs <n>    how many runs may go on at once (default 2)
  --time-limit <s>  how many seconds a run may last (default 120)
  -h, --help        show this help`;

/** Reads a whole-number flag within bounds, or exits with one line. */
function integer(
  args: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = args[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(String(raw)) || value < min || value > max) {
    console.error(
      `Flag --${name} must be a whole number from ${min} to ${max}: current value is ${
        JSON.stringify(raw)
      }`,
    );
    Deno.exit(2);
  }
  return value;
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["port", "max-runs", "time-limit"],
    boolean: ["help"],
    alias: { h: "help" },
    unknown: (arg: string) => {
      console.error(
        `Unknown argument ${arg}; run with --help to see the flags`,
      );
      Deno.exit(2);
    },
  }) as Record<string, unknown>;
  if (args.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  const port = integer(args, "port", 8000, 0, 65535);
  const maxRuns = integer(args, "max-runs", 2, 1, 16);
  const timeLimit = integer(args, "time-limit", 120, 1, 3600) * 1000;
  let site;
  try {
    site = await startSite({ port, maxRuns, timeLimit });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(
        `Port ${port} is in use: try --port ${port + 1}, or --port 0`,
      );
      Deno.exit(1);
    }
    throw error;
  }
  console.log(`Asincronía: ${site.url} (Ctrl-C stops it)`);
  Deno.addSignalListener("SIGINT", async () => {
    await site.shutdown();
    Deno.exit(0);
  });
}
