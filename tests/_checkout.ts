/**
 * Folders of a test's own under .tools/test-output/, and a copy of the
 * checkout there, for tests that must not touch the real one (a check
 * records its result in exercises/.progress.json) or that need an odd path
 * (`#` and `%` in it).
 * Only what the course runs is copied: deno.json and its lock, mod.ts,
 * lib/, course/, lessons/, docs/ and exercises/ (without its progress).
 */
import { ROOT } from "../course/deno.ts";

const PARTS = [
  "deno.json",
  "deno.lock",
  "mod.ts",
  "lib",
  "course",
  "lessons",
  "docs",
  "exercises",
];

/**
 * Copies the checkout to a new folder .tools/test-output/`name`-XXXX (its own:
 * two suites at once in one checkout must not share it) and returns its path.
 */
export async function copyCheckout(name: string): Promise<string> {
  const root = await testFolder(name);
  const copy = async (from: string, to: string): Promise<void> => {
    if ((await Deno.stat(from)).isFile) return await Deno.copyFile(from, to);
    await Deno.mkdir(to, { recursive: true });
    for await (const entry of Deno.readDir(from)) {
      if (entry.name === ".progress.json") continue;
      await copy(`${from}/${entry.name}`, `${to}/${entry.name}`);
    }
  };
  await Promise.all(
    PARTS.map((part) => copy(`${ROOT}/${part}`, `${root}/${part}`)),
  );
  return root;
}

/** A new, empty folder .tools/test-output/`name`-XXXX of its own: its path. */
export async function testFolder(name: string): Promise<string> {
  const dir = `${ROOT}/.tools/test-output`;
  await Deno.mkdir(dir, { recursive: true });
  return await Deno.makeTempDir({ dir, prefix: `${name}-` });
}
