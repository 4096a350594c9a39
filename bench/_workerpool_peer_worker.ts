// The tasks for workerpool under Node and Bun (bench/runtimes_bench.ts).
import { peer } from "./_peers.ts";
import { burn, countPrimes } from "./_tasks.ts";

peer("workerpool").worker({
  add: (a: number, b: number) => a + b,
  burn,
  countPrimes,
});
