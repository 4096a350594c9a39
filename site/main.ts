/** `deno task site`: the course in a browser (flags: see HELP). @module */
import { errorLine } from "../course/errors.ts";
import { parseFlags, UsageError } from "../course/flags.ts";
import { startSite } from "./server.ts";

const HELP =
  `The course in a browser: lessons beside their explanation, run live.

Usage: deno task site [--port 8000] [--max-runs 2] [--time-limit 120]

  --port <n>        the port on 127.0.0.1 (default 8000; 0 picks a free one)
  --max-runs <n>    how many runs may go on at once (default 2)
  --time-limit <s>  how many seconds a run may last (default 120)
  -h, --help        show this help`;

if (import.meta.main) {
  let args;
  try {
    args = parseFlags(Deno.args, {
      port: { type: "number", integer: true, min: 0, max: 65535 },
      "max-runs": { type: "number", integer: true, min: 1, max: 16 },
      "time-limit": { type: "number", integer: true, min: 1, max: 3600 },
      help: { type: "switch" },
    }, { short: { h: "help" } });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}; run with --help to see the flags`);
    Deno.exit(2);
  }
  if (args.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  const port = args.port ?? 8000;
  const timeLimit = (args["time-limit"] ?? 120) * 1000;
  let site;
  try {
    site = await startSite({ port, maxRuns: args["max-runs"], timeLimit });
  } catch (error) {
    const next = port < 65535 ? port + 1 : port - 1; // a port that exists
    console.error(
      error instanceof Deno.errors.AddrInUse
        ? `Port ${port} is in use: try --port ${next}, or --port 0`
        : `Cannot start the site: ${errorLine(error)}`,
    );
    Deno.exit(1);
  }
  console.log(`Asincronía: ${site.url} (Ctrl-C stops it)`);
  // Ctrl-C, or SIGTERM from whatever started it: the runs stop first.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      await site.shutdown();
      Deno.exit(0);
    });
  }
}
