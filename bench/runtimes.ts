/**
 * `deno task bench:runtimes`: bench/runtimes_bench.ts under Node 24 and then
 * Bun, one after the other (never side by side on a 2-core machine), after
 * installing the runtimes (as `deno task test:runtimes` does) and the peers,
 * at the versions below, into ignored folders under .tools/.
 *
 * @module
 */
import { ROOT } from "../course/deno.ts";
import {
  BINARIES,
  npmInstall,
  RUNTIME_PACKAGES,
  RUNTIMES,
} from "../tests/runtimes/_npm.ts";

const PEERS = [
  "piscina@5.3.2",
  "tinypool@1.1.1",
  "workerpool@9.3.4",
  "p-limit@7.3.3",
  "async-mutex@0.5.0",
];

await npmInstall(RUNTIMES, RUNTIME_PACKAGES);
await npmInstall(`${ROOT}/.tools/bench`, PEERS);
console.log("| runtime | workload | ours | peer | peer ÷ ours |");
console.log("| ------- | -------- | ---- | ---- | ----------- |");
for (const binary of [BINARIES.node, BINARIES.bun]) {
  const { success } = await new Deno.Command(binary, {
    args: ["bench/runtimes_bench.ts"],
    cwd: ROOT,
    stdin: "null",
  }).spawn().status;
  if (!success) Deno.exit(1);
}
