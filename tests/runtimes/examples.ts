// The package's examples as a Node or Bun project runs them once it has the
// package from npm (`npx jsr add`): `node examples.ts DIR` imports every
// module of DIR (run.ts writes there the JSDoc examples and the snippets of
// docs/library.md that need neither Deno nor the network, beside a
// node_modules/ with lib/ built as JSR builds it), one case per module.
// `deno run --allow-read=. examples.ts DIR` runs them on lib/'s sources:
// Deno resolves the package's name through deno.json.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { runCases } from "./_harness.ts";

const { process } = globalThis as unknown as { process: { argv: string[] } };
const dir = `${process.argv[2]}/`;
const files = (await readdir(dir)).filter((file) => file.endsWith(".ts"));
for (const from of ["mod_ts_", "lib_", "library_md_"]) {
  assert(files.some((file) => file.startsWith(from)), `no ${from}* example`);
}
const cases = Object.fromEntries(
  files.filter((file) => file !== "tasks.ts").map((file) => [
    file,
    () => import(pathToFileURL(dir + file).href),
  ]),
);
// What the examples print is theirs; the cases' lines go out all the same.
const print = console.log.bind(console);
console.log = () => {};
await runCases({ examples: cases }, print);
