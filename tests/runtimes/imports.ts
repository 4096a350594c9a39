// lib/ is erasable TypeScript: Node strips the types of every module and
// runs it as it is, as Deno and Bun do (a browser runs the bundle instead);
// or JavaScript, as JSR's npm package ships it (run.ts builds it so).
import assert from "node:assert/strict";
import { runtime } from "./_harness.ts";

export async function everyLibModuleAndModTsImportAsTheyAre(): Promise<void> {
  if (runtime === "browser") return;
  const extension = import.meta.url.slice(-3); // .ts, or .js as built
  const lib = new URL("../../lib/", import.meta.url);
  const { readdir } = await import("node:fs/promises");
  const files = (await readdir(lib)).filter((file) =>
    // The worker's file runs only as a worker.
    file.endsWith(extension) && !file.startsWith("_executor_worker.")
  );
  for (const file of files) await import(new URL(file, lib).href);
  assert(files.length > 0, `no lib/*${extension} found`);
  await import(new URL(`../mod${extension}`, lib).href);
}
