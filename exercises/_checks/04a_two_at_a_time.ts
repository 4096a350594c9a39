/** The check of exercise 04a. @module */
import {
  changed,
  define,
  describe,
  idleSlot,
  num,
  overLimit,
  text,
  units,
  unknownTask,
} from "../_harness.ts";

const FILES = [0, 1, 2, 3, 4];
const DURATIONS = [2, 1, 3, 1, 2];
const SIZES = [120, 80, 300, 50, 200];
const LIMIT = 2;

export const exercise = define<number[]>({
  slug: "04a_two_at_a_time",
  words: { download: "descarga" },
  async observe(session) {
    await using world = session.open();
    const files = [...FILES]; // the learner's, to see whether it changes
    const download = (f: number) =>
      FILES.includes(f)
        ? world.task(`download ${f}`, DURATIONS[f]!, { value: SIZES[f] })
        : unknownTask(f, FILES);
    await world.run(() => session.export({ files, download }), 30);
    return files;
  },
  judge(run, files) {
    const problems = changed("tools.files", FILES, files);
    for (const file of FILES) run.spanOf(`download ${file}`);
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
        "From {from} to {to} {running} running while {name} waited (it started at {start}): start the next download as soon as one ends.",
        "De {from} a {to} {running} mientras la {name} esperaba (empezó en {start}): empieza la siguiente descarga en cuanto acabe una.",
        {
          from: num(idle.from),
          to: units(idle.to),
          running: idle.running === 1
            ? text("only 1 download was", "solo iba 1 descarga")
            : text("no download was", "no iba ninguna descarga"),
          name: text(idle.waiting.name, run.es(idle.waiting.name)),
          start: num(idle.waiting.start),
        },
      ));
    }
    const { status, value } = run.outcome;
    if (status === "fulfilled" && describe(value) !== describe(SIZES)) {
      problems.push(text(
        "Your function returned {value}; it should return the sizes in file order: {sizes}.",
        "Tu función devolvió {value}; debería devolver los tamaños en el orden de los ficheros: {sizes}.",
        { value: describe(value), sizes: describe(SIZES) },
      ));
    }
    run.judge(problems);
  },
});
