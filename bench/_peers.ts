// The npm peers for bench/runtimes_bench.ts under Node and Bun, loaded from
// .tools/bench/node_modules, where bench/runtimes.ts installs them: not a
// dependency of the checkout, and never downloaded by a learner.
import { createRequire } from "node:module";

// deno-lint-ignore no-explicit-any
export const peer: (name: string) => any = createRequire(
  new URL("../.tools/bench/package.json", import.meta.url),
);
