/** The check of exercise 10a. @module */
import {
  define,
  describe,
  EPSILON,
  KEEPS_STATE,
  num,
  refOf,
  type Scene,
  type Text,
  text,
  textIf,
  toldAgain,
  units,
  unknownTask,
} from "../_harness.ts";
import type { Checking } from "../_world.ts";

const FILES = [0, 1, 2, 3, 4];
/** A last run's tools.files: other files, and more, so that no list written in passes. */
const OTHERS = [1, 2, 3, 4, 5, 6];
const DURATIONS = [3, 1, 2, 1.5, 2.5, 0.5, 3.5];
/** A third run's: the downloads end in another order, 0, 2, 4, 1, 3. */
const AGAIN = [1, 2.5, 1.5, 3, 2];
const SIZES = [300, 100, 0, 150, 250, 50, 400];
const FAILS = 2;

/** When a file was first reported, with what, and how many times. */
type Report = { at: number; size?: unknown; error?: unknown; times: number };
type Reports = Record<number, Report>;

export const exercise = define<Reports[]>({
  slug: "10a_as_completed",
  words: { download: "descarga" },
  // One run after the other: a world has the clock to itself.
  observe: (s) =>
    Array.fromAsync(
      [DURATIONS, DURATIONS, AGAIN, DURATIONS],
      (d, i) => observe(s, d, i === 3 ? OTHERS : FILES),
    ),
  judge(run, [reports, same, again, others], runs) {
    run.judge(reported(run, reports!, DURATIONS));
    runs[1]!.rejudge(KEEPS_STATE, reported(runs[1]!, same!, DURATIONS));
    runs[2]!.rejudge(
      text(
        "The check ran your code again with downloads that end in another order (0, 2, 4, 1, 3): report each one as it ends, whatever the order.",
        "La comprobación volvió a ejecutar tu código con descargas que acaban en otro orden (0, 2, 4, 1, 3): informa de cada una al acabar, sea cual sea el orden.",
      ),
      reported(runs[2]!, again!, AGAIN),
    );
    const judged = () =>
      runs[3]!.judge(reported(runs[3]!, others!, DURATIONS, OTHERS));
    toldAgain(judged, [OTHERS, FILES], "tools.files");
  },
});

/** Runs the learner's code on `files`, downloads that take `took` units each; what it reported. */
async function observe(session: Checking, took: number[], files: number[]) {
  await using world = session.open();
  const reset = new Error("file 2: connection reset");
  const ends = SIZES.map((value, f) =>
    f === FAILS ? { fail: session.mark(reset, "failure") } : { value }
  );
  const reports: Reports = {};
  const note = (file: number, entry: { size?: unknown; error?: unknown }) => {
    const { at = world.now(), times = 0 } = reports[file] ?? {};
    reports[file] = { at, ...entry, times: times + 1 };
  };
  const tools = {
    files: [...files],
    download: (f: number) =>
      files.includes(f)
        ? world.task(`download ${f}`, took[f]!, ends[f])
        : unknownTask(f, files),
    report: (file: number, size: unknown) => note(file, { size }),
    reportFailure: (file: number, error: unknown) => note(file, { error }),
  };
  await world.run(() => session.export(tools), 20);
  return reports;
}

/** What is wrong with what the learner's code `said` of the downloads of `files` that `took` so many units each. */
function reported(run: Scene, said: Reports, took: number[], files = FILES) {
  const late = files.find((f) => run.spanOf(`download ${f}`).start > EPSILON);
  const problems: Text[] = late === undefined ? [] : [text(
    "Download {file} started at {start}; it could have started at 0.0: start them all at once.",
    "La descarga {file} empezó en {start}; podía haber empezado en 0,0: lánzalas todas a la vez.",
    { file: late, start: units(run.spanOf(`download ${late}`).start) },
  )];
  // The first download to end whose report is wrong.
  for (const file of files.toSorted((a, b) => took[a]! - took[b]!)) {
    const { end } = run.spanOf(`download ${file}`);
    const report = said[file];
    const failed = file === FAILS;
    const values = { file, end: units(end ?? 0), ...report };
    if (end === undefined) continue;
    if (report === undefined) {
      problems.push(textIf(failed, [
        "Download {file} failed at {end} and you never reported it: call reportFailure({file}, error), and go on with the others.",
        "La descarga {file} falló en {end} y nunca informaste del fallo: llama a reportFailure({file}, error), y sigue con las demás.",
      ], [
        "Download {file} was done at {end}, and you never reported it.",
        "La descarga {file} acabó en {end}, y nunca informaste de ella.",
      ], values));
    } else if (report.times > 1) {
      problems.push(text(
        "You reported download {file} {times} times; once is enough.",
        "Informaste de la descarga {file} {times} veces; basta con una.",
        values,
      ));
    } else if (failed && refOf(report.error) !== "failure") {
      problems.push(text(
        "Download {file} failed with {reset}; report it with reportFailure({file}, error), passing that error.",
        "La descarga {file} falló con {reset}; infórmalo con reportFailure({file}, error), pasando ese error.",
        { file, reset: "Error: file 2: connection reset" },
      ));
    } else if (!failed && report.size !== SIZES[file]) {
      problems.push(text(
        "You reported download {file} with size {size}; its size was {expected}.",
        "Informaste de la descarga {file} con tamaño {size}; su tamaño era {expected}.",
        { file, size: describe(report.size), expected: SIZES[file] },
      ));
    } else if (report.at > end + EPSILON) {
      problems.push(text(
        "You reported download {file} at {at}; it {done} at {end}: report each download as soon as it ends.",
        "Informaste de la descarga {file} en {at}; {done} en {end}: informa de cada descarga en cuanto termine.",
        {
          file,
          at: units(report.at),
          end: num(end),
          done: failed ? text("failed", "falló") : text("was done", "acabó"),
        },
      ));
    }
    if (problems.length > 0) break;
  }
  return problems;
}
