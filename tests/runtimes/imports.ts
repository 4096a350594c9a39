// lib/ is erasable TypeScript: Node strips the types of every module and
// runs it as it is, as Deno and Bun do (a browser runs the bundle instead).
import { runtime } from "./_harness.ts";

export async function everyLibModuleAndModTsImportAsTheyAre(): Promise<void> {
  if (runtime === "browser") return;
  const lib = new URL("../../lib/", import.meta.url);
  const { readdir } = await import("node:fs/promises");
  const files = (await readdir(lib)).filter((file) =>
    // The worker's file runs only as a worker.
    file.endsWith(".ts") && file !== "_executor_worker.ts"
  );
  for (const file of files) await import(new URL(file, lib).href);
  await import(new URL("../mod.ts", lib).href);
}
