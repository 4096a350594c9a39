/** The check of exercise 09a. @module */
import {
  define,
  describe,
  num,
  overLimit,
  type Text,
  text,
  units,
} from "../_harness.ts";
import { calls } from "../_tasks.ts";
import { Executor } from "../../lib/executor.ts";

/** Real milliseconds per unit. */
const UNIT = 50;
const LIMIT = 100_000;
/** How many primes there are below 100,000. */
const PRIMES = 9592;
const WORKERS = 2;

export const exercise = define<{ here: number; chunks: number }>({
  slug: "09a_split_work",
  real: true,
  needs: "tasks",
  words: { chunk: "trozo" },
  async observe(session) {
    const before = calls();
    const executor = new Executor({ workers: WORKERS, idleTimeout: Infinity });
    // Calls still running when the world has closed are aborted (the
    // executor ends their workers): a chunk that never ends ends there.
    const stop = new AbortController();
    let chunks = 0;
    try {
      await using world = session.open({ virtual: false, unit: UNIT });
      const tools = {
        executor: {
          run<T>(module: URL, exportName: string, args: unknown[]): Promise<T> {
            const [from, to] = [args?.[0], args?.[1]].map((a) => describe(a));
            const { signal } = stop;
            const run = executor.run<T>(module, exportName, args, { signal });
            return world.track(`chunk ${++chunks} ${from}–${to}`, run);
          },
        },
        tasks: new URL("../_tasks.ts", import.meta.url),
        limit: LIMIT,
        workers: WORKERS,
      };
      await world.run(() => session.export(tools), 50);
    } finally {
      stop.abort();
      await executor.shutdown();
    }
    return { here: calls() - before, chunks };
  },
  judge(run, { here, chunks }) {
    const problems: Text[] = [];
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
    if (run.outcome.status === "fulfilled" && run.outcome.value !== PRIMES) {
      problems.push(text(
        "You counted {value} primes below {limit}; there are {primes}. Do your chunks cover 2 to {last} exactly once? (countPrimes(from, to) leaves `to` out.)",
        "Contaste {value} primos menores que {limit}; hay {primes}. ¿Cubren tus trozos de 2 a {last} exactamente una vez? (countPrimes(from, to) deja fuera `to`.)",
        {
          value: describe(run.outcome.value),
          limit: text("100,000", "100\u202f000"),
          primes: text("9,592", "9592"),
          last: text("99,999", "99\u202f999"),
        },
      ));
    }
    // The executor's workers are the checker's: they are no leak.
    const leaks = run.outcome.leaks.filter((leak) => leak.kind !== "worker");
    run.judge(problems, "fulfilled", { ...run.outcome, leaks });
  },
});
