// The portable suite, as every runtime runs it: `deno run`, `node` and `bun`
// with the test server's origin as the argument, or a browser page from a
// bundle (tests/runtimes/run.ts does all four). Prints a line per case, then
// "N passed, M failed"; the page also leaves the outcome in `suite`.
import { runCases } from "./_harness.ts";
import * as executor from "./executor.ts";
import * as fetch from "./fetch.ts";
import * as imports from "./imports.ts";
import * as primitives from "./primitives.ts";

const suite = runCases({ imports, primitives, fetch, executor });
(globalThis as { suite?: unknown }).suite = suite;
await suite;
