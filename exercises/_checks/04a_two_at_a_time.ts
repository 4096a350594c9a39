/** The check of exercise 04a. @module */
import {
  changed,
  define,
  describe,
  idleSlot,
  num,
  overLimit,
  type Scene,
  text,
  toldAgain,
  units,
  unknownTask,
} from "../_harness.ts";

const FILES = [0, 1, 2, 3, 4];
/** Each run's tools.files: then other files, and more, so that no list written in passes. */
const RUNS = [FILES, [1, 2, 3, 4, 5, 6]];
const DURATIONS = [2, 1, 3, 1, 2, 1.5, 1];
const SIZES = [120, 80, 300, 50, 200, 90, 60];
const LIMIT = 2;

export const exercise = define<number[][]>({
  slug: "04a_two_at_a_time",
  words: { download: "descarga" },
  // One run after the other: a world has the clock to itself.
  observe: (session) =>
    Array.fromAsync(RUNS, async (asked) => {
      await using world = session.open();
      const files = [...asked]; // the learner's, to see whether it changes
      const download = (f: number) =>
        asked.includes(f)
          ? world.task(`download ${f}`, DURATIONS[f]!, { value: SIZES[f] })
          : unknownTask(f, asked);
      await world.run(() => session.export({ files, download }), 30);
      return files;
    }),
  judge: (_, files, runs) =>
    runs.forEach((run, i) => {
      const judged = () => judge(run, files[i]!, RUNS[i]!);
      toldAgain(judged, [RUNS[i], FILES], "tools.files");
    }),
});

/** Fails if anything is wrong in `run`, where the learner's code was handed `asked` and left `files`. */
function judge(run: Scene, files: number[], asked: number[]) {
  const problems = changed("tools.files", asked, files);
  for (const file of asked) run.spanOf(`download ${file}`);
  const over = overLimit(run.spans, LIMIT);
  const idle = over ? undefined : idleSlot(run.spans, LIMIT);
  if (over) {
    problems.push(text(
      "At {at}, {count} downloads were running at once; at most {limit} may run at a time.",
      "En {at} había {count} descargas a la vez; como mucho pueden ir {limit} a la vez.",
      { at: units(over.at), count: over.count, limit: LIMIT },
    ));
  } else if (idle) {
    problems.push(text(
      "From {from} to {to} {running} running while {name} waited (it started at {start}): keep {limit} running, starting the next download whenever fewer run.",
      "De {from} a {to} {running} mientras la {name} esperaba (empezó en {start}): mantén {limit} en marcha, empezando la siguiente descarga en cuanto haya menos.",
      {
        from: num(idle.from),
        to: units(idle.to),
        running: idle.running === 1
          ? text("only 1 download was", "solo había 1 descarga en marcha")
          : text("no download was", "no había ninguna descarga en marcha"),
        name: text(idle.waiting.name, run.es(idle.waiting.name)),
        start: num(idle.waiting.start),
        limit: LIMIT,
      },
    ));
  }
  const { status, value } = run.outcome;
  const sizes = asked.map((file) => SIZES[file]);
  if (status === "fulfilled" && describe(value) !== describe(sizes)) {
    problems.push(text(
      "Your function returned {value}; it should return the sizes in file order: {sizes}.",
      "Tu función devolvió {value}; debería devolver los tamaños en el orden de los ficheros: {sizes}.",
      { value: describe(value), sizes: describe(sizes) },
    ));
  }
  run.judge(problems);
}
