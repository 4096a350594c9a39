/**
 * A bench file of this folder, run on today's lib/ and on lib/ at an older
 * commit, side by side in one process: what a change to lib/ did to its
 * speed. `git archive` puts the old lib/ twice under .tools/lib_ab/ (with a
 * copy of bench/, course/ and lessons/ beside each, as the bench files import
 * them), so that there are three sides: today, the old one, and the old one
 * again, whose ratio to the old one is the noise (an A/A control).
 *
 * The file's `Deno.bench` calls are collected, not run by `deno bench`. Each
 * round runs each side once, in a random order, on CPU time (worker threads
 * included), about 40 ms a side (or the bench's `n` calls, if fewer); each
 * benchmark prints the median of the per-round ratios to the old side, and
 * their quartiles. Sides on their own copies of the code keep their own call
 * sites, but share the runtime's (Deno's EventTarget, Promise): read a ratio
 * against the A/A beside it, over several runs.
 *
 * Run (the flags: the union of the bench tasks', and git, tar and cp):
 * deno run --config bench/deno.json --allow-read=. --allow-write=.tools
 * --allow-run=git,tar,cp --allow-env --allow-net=127.0.0.1 --allow-sys=cpus
 * --v8-flags=--expose-gc bench/lib_ab.ts COMMIT FILE [rounds] [pattern]
 * e.g. `… bench/lib_ab.ts 5df4acd queue_bench.ts 21 asincronia` (only the
 * benchmarks whose "group | name" matches `pattern`, a regular expression).
 *
 * @module
 */
import process from "node:process";

const [commit, file, rounds = "21", pattern = ""] = Deno.args;
if (!commit || !file) {
  throw new TypeError("Usage: lib_ab.ts COMMIT FILE [rounds] [pattern]");
}
const ROUNDS = Number(rounds);
const match = new RegExp(pattern);
const root = new URL("../", import.meta.url);

/** lib/ at `commit`, beside today's bench/, course/ and lessons/. */
async function copy(name: string): Promise<URL> {
  const dir = new URL(`.tools/lib_ab/${name}/`, root);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const archive = new Deno.Command("git", {
    args: ["archive", "--format=tar", commit!, "lib"],
    cwd: root,
    stdout: "piped",
  }).spawn();
  const tar = new Deno.Command("tar", {
    args: ["-x", "-C", dir.pathname],
    stdin: "piped",
  }).spawn();
  await archive.stdout.pipeTo(tar.stdin);
  if (!(await archive.status).success || !(await tar.status).success) {
    throw new Error(`Cannot take lib/ at ${commit}`);
  }
  for (const folder of ["bench", "course", "lessons"]) {
    await new Deno.Command("cp", {
      args: ["-r", new URL(folder, root).pathname, dir.pathname],
    }).output();
  }
  return dir;
}

interface Bench {
  name: string;
  fn: (b: { start(): void; end(): void }) => unknown;
  group?: string;
  n?: number;
}
let collected: Bench[] = [];
Object.assign(Deno, {
  bench(a: unknown, b?: unknown, c?: unknown): void {
    const found = (typeof a === "function"
      ? { name: a.name, fn: a }
      : typeof a === "string"
      ? (typeof b === "function"
        ? { name: a, fn: b }
        : { ...b!, name: a, fn: c })
      : typeof b === "function"
      ? { ...a!, fn: b }
      : a) as Bench;
    if (found.group) {
      found.name = `${found.group} | ${found.name}`;
    }
    if (match.test(found.name)) {
      collected.push(found);
    }
  },
});
const sides: [string, URL][] = [
  ["old", await copy(`${commit}`)],
  ["today", root],
  ["old again", await copy(`${commit}-again`)],
];
const benches: Bench[][] = [];
for (const [, dir] of sides) {
  collected = [];
  await import(new URL(`bench/${file}`, dir).href);
  benches.push(collected);
}

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/** CPU ms of `k` calls (from `b.start()` to `b.end()` if it calls them). */
async function time(bench: Bench, k: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < k; i++) {
    let start = cpu();
    let inner: number | undefined;
    await bench.fn({
      start: () => void (start = cpu()),
      end: () => void (inner = cpu() - start),
    });
    total += inner ?? cpu() - start;
  }
  return total;
}
const sorted = (values: number[]) => values.toSorted((a, b) => a - b);
const at = (values: number[], q: number) =>
  sorted(values)[Math.floor(q * (values.length - 1) + 0.5)]!;

console.log(`${file}: CPU time ÷ lib/ at ${commit}, median [quartiles]`);
for (const [index, bench] of benches[0]!.entries()) {
  const each = benches.map((list) => list[index]!);
  for (const side of each) await time(side, 3); // warm up
  const once = (await time(each[0]!, 3)) / 3;
  const k = Math.max(1, Math.min(bench.n ?? Infinity, Math.round(40 / once)));
  const ratios: number[][] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    const order = [0, 1, 2].sort(() => Math.random() - 0.5);
    const took: number[] = [];
    for (const side of order) took[side] = await time(each[side]!, k);
    ratios[0]!.push(took[1]! / took[0]!);
    ratios[1]!.push(took[2]! / took[0]!);
  }
  const show = ([name]: [string, URL], values: number[]) =>
    `${name} ${at(values, 0.5).toFixed(2)} [${at(values, 0.25).toFixed(2)}–${
      at(values, 0.75).toFixed(2)
    }]`;
  console.log(
    `${bench.name}: ${show(sides[1]!, ratios[0]!)}, ${
      show(sides[2]!, ratios[1]!)
    } (${ROUNDS} rounds of ${k})`,
  );
}
Deno.exit(0); // some bench files leave servers or pools for deno bench's end
