/** The check of exercise 09a. @module */
import {
  define,
  describe,
  num,
  overLimit,
  type Scene,
  type Text,
  text,
  textIf,
  units,
} from "../_harness.ts";
import { calls } from "../_tasks.ts";
import { Executor } from "../../lib/executor.ts";

/** Real milliseconds per unit. */
const UNIT = 50;
const LIMIT = 100_000;
/** How many primes there are below 100,000; a second run's limit (3,245). */
const PRIMES = 9592;
const AGAIN = 30_000;
const WORKERS = 2;

export const exercise = define<{ here: number; ranges: unknown[][] }>({
  slug: "09a_split_work",
  real: true,
  needs: "tasks",
  words: { chunk: "trozo" },
  async observe(session) {
    const before = calls();
    const executor = new Executor({ workers: WORKERS, idleTimeout: Infinity });
    const ranges: unknown[][] = []; // each chunk's from and to, first run
    const tasks = new URL("../_tasks.ts", import.meta.url);
    try {
      for (const limit of [LIMIT, AGAIN]) {
        // Both workers up before the clock starts (at load 70, a start
        // outlasted the run's 50 units, and right solutions were late).
        const up = () => executor.run(tasks, "calls", []);
        await Promise.all(Array.from({ length: WORKERS }, up));
        // Calls still running when the world has closed are aborted (the
        // executor ends their workers): a chunk that never ends ends there.
        const stop = new AbortController();
        using _stop = { [Symbol.dispose]: () => stop.abort() };
        await using world = session.open({ virtual: false, unit: UNIT });
        let chunk = 0;
        const tools = {
          executor: {
            run<T>(module: URL, name: string, args: unknown[]): Promise<T> {
              const [from, to] = [args?.[0], args?.[1]].map((a) => describe(a));
              const { signal } = stop;
              const run = executor.run<T>(module, name, args, { signal });
              if (limit === LIMIT) ranges.push([args?.[0], args?.[1]]);
              return world.track(`chunk ${++chunk} ${from}–${to}`, run);
            },
          },
          tasks,
          limit,
          workers: WORKERS,
        };
        await world.run(() => session.export(tools), 50);
      }
    } finally {
      await executor.shutdown();
    }
    return { here: calls() - before, ranges };
  },
  judge(run, { here, ranges }, runs) {
    const problems: Text[] = [];
    const chunks = ranges.length;
    // End to end: each chunk past 2 starts where another ends, one at LIMIT.
    const ends = new Set(ranges.map((r) => Number(r[1])));
    const starts = ranges.map((r) => Number(r[0])).filter((from) => from > 2);
    const tiled = !chunks ||
      ends.has(LIMIT) && starts.every((f) => ends.has(f));
    if (here > 0) {
      problems.push(text(
        "countPrimes ran on your code's own thread: send it to tools.executor, whose workers run on other cores.",
        "countPrimes corrió en el propio hilo de tu código: envíala a tools.executor, cuyos workers corren en otros núcleos.",
      ));
    } else if (chunks === 0) {
      problems.push(text(
        "Nothing ran on tools.executor: the check watches the executor it hands you, so use that one.",
        "No corrió nada en tools.executor: la comprobación vigila el executor que te da, así que usa ese.",
      ));
    } else if (chunks < WORKERS) {
      problems.push(text(
        "You sent {chunks} chunk to the executor, so one worker had all the work and the other none: split the range into at least {workers} chunks.",
        "Enviaste {chunks} trozo al executor, así que un worker tuvo todo el trabajo y el otro nada: divide el rango en al menos {workers} trozos.",
        { chunks, workers: WORKERS },
      ));
    } else if (overLimit(run.spans, 1) === undefined) {
      const [first, second] = run.spans;
      problems.push(text(
        "Your {chunks} chunks ran one after the other: chunk 2 was sent at {start}, once chunk 1 was back (at {end}). Send them all, then wait for them together.",
        "Tus {chunks} trozos fueron uno tras otro: el trozo 2 se envió en {start}, cuando el 1 ya había vuelto (en {end}). Envíalos todos y espéralos juntos.",
        { chunks, start: units(second!.start), end: num(first!.end ?? 0) },
      ));
    }
    const { status, value } = run.outcome;
    if (status === "fulfilled" && (value !== PRIMES || !tiled)) {
      problems.push(text(
        "You counted {value} primes below {limit}; {why}. Do your chunks cover 2 to {last} exactly once? (countPrimes(from, to) leaves `to` out.)",
        "Contaste {value} primos menores que {limit}; {why}. ¿Cubren tus trozos de 2 a {last} exactamente una vez? (countPrimes(from, to) deja fuera `to`.)",
        {
          value: describe(value),
          limit: text("100,000", "100\u202f000"),
          why: textIf(value !== PRIMES, ["there are 9,592", "hay 9592"], [
            "right, but only because no prime falls where your chunks miss or overlap",
            "bien, pero solo porque ningún primo cae donde tus trozos faltan o se solapan",
          ]),
          last: text("99,999", "99\u202f999"),
        },
      ));
    }
    // The executor's workers are the checker's: they are no leak.
    const mine = (s: Scene, problems: Text[]) =>
      s.judge(problems, "fulfilled", {
        ...s.outcome,
        leaks: s.outcome.leaks.filter((leak) => leak.kind !== "worker"),
      });
    mine(run, problems);
    const { status: again, value: counted } = runs[1]!.outcome;
    const count = text(
      "The check ran your code again with tools.limit = 30,000, and you counted {counted} primes; there are 3,245. Split the range up to tools.limit, and add up what the chunks return.",
      "La comprobación volvió a ejecutar tu código con tools.limit = 30\u202f000, y contaste {counted} primos; hay 3245. Divide el rango hasta tools.limit, y suma lo que devuelven los trozos.",
      { counted: describe(counted) },
    );
    mine(runs[1]!, again === "fulfilled" && counted !== 3245 ? [count] : []);
  },
});
