/** The check of exercise 04b. @module */
import {
  define,
  EPSILON,
  num,
  type Scene,
  type Text,
  text,
  toldAgain,
  units,
  unknownTask,
} from "../_harness.ts";

const WORKERS = [0, 1, 2, 3];
/** Each run's tools.workers: then others, and more, so that no list written in passes. */
const RUNS = [WORKERS, [1, 2, 3, 4, 5]];

type Notes = { counter: unknown; reads: number[] };

export const exercise = define<Notes[]>({
  slug: "04b_lock_counter",
  words: { work: "trabajo", read: "lectura", write: "escritura" },
  // One run after the other: a world has the clock to itself.
  observe: (session) =>
    Array.fromAsync(RUNS, async (workers) => {
      await using world = session.open();
      let counter: unknown = 0;
      const reads: number[] = [];
      const known = (w: number, go: () => Promise<unknown>) =>
        workers.includes(w) ? go() : unknownTask(w, workers);
      const tools = {
        workers: [...workers],
        work: (w: number) => known(w, () => world.task(`work ${w}`, 2)),
        read: (w: number) =>
          known(w, async () => {
            await world.task(`read ${w}`, 0.5);
            return reads[w] = counter as number;
          }),
        write: (w: number, value: unknown) =>
          known(w, async () => {
            await world.task(`write ${w}`, 0.5);
            counter = value;
          }),
      };
      await world.run(() => session.export(tools), 40);
      return { counter, reads };
    }),
  judge: (_, notes, runs) =>
    runs.forEach((run, i) => {
      const judged = () => judge(run, notes[i]!, RUNS[i]!);
      toldAgain(judged, [RUNS[i], WORKERS], "tools.workers");
    }),
});

/** Fails if anything is wrong in `run`, where the learner's code was handed `workers`. */
function judge(run: Scene, { counter, reads }: Notes, workers: number[]) {
  const problems: Text[] = [];
  const sections = workers.map((w) => ({
    w,
    start: run.spanOf(`read ${w}`).start,
    end: run.spanOf(`write ${w}`).end ?? Infinity,
  }));
  // The first moment two workers were between their read and their write.
  const [first, second] =
    sections.flatMap((a) =>
      sections.filter((b) =>
        a.start <= b.start && a.w !== b.w && b.start < a.end - EPSILON
      ).map((b) => [a, b])
    ).sort(([, b], [, d]) => b!.start - d!.start)[0] ?? [];
  // Serialised: the first write after which the counter stood free while
  // a worker done with its work waited, and the next read after it.
  const ready = (w: number) => run.spanOf(`work ${w}`).end ?? Infinity;
  const idle = sections.flatMap((free) => {
    const next = sections.filter((s) => s.start > free.end - EPSILON)
      .sort((a, b) => a.start - b.start)[0];
    const late = next && next.start - Math.max(free.end, ready(next.w));
    return late && late > EPSILON ? [{ free, next }] : [];
  })[0];
  const lost = counter === workers.length ? "" : text(
    "The counter ended at {counter}, not {n}: ",
    "El contador acabó en {counter}, no en {n}: ",
    { counter: String(counter), n: workers.length },
  );
  if (first && second) {
    const value = reads[second.w];
    problems.push(text(
      "{lost}worker {second} read the counter at {read}{what} while worker {first}, which had read it at {firstRead}, had not written it back yet. Only one worker at a time may go from its read to its write.",
      "{lost}el trabajador {second} leyó el contador en {read}{what} mientras el trabajador {first}, que lo había leído en {firstRead}, aún no lo había escrito. Solo un trabajador a la vez puede ir de su lectura a su escritura.",
      {
        lost,
        second: second.w,
        read: units(second.start),
        what: value === undefined
          ? ""
          : text(" (it read {value})", " (leyó {value})", { value }),
        first: first.w,
        firstRead: num(first.start),
      },
    ));
  } else if (idle) {
    problems.push(text(
      "Worker {w} read the counter at {read}, but the lock was free from {free}, when worker {before} wrote the counter back: worker {w} waited for nothing. Wait for the lock itself (`await lock.acquire()`), not by checking a flag now and then.",
      "El trabajador {w} leyó el contador en {read}, pero el cerrojo estaba libre desde {free}, cuando el trabajador {before} volvió a escribir el contador: el trabajador {w} esperó sin necesidad. Espera al cerrojo mismo (`await lock.acquire()`), no mirando una variable de vez en cuando.",
      {
        w: idle.next.w,
        read: units(idle.next.start),
        free: num(idle.free.end),
        before: idle.free.w,
      },
    ));
  } else if (run.outcome.status === "fulfilled" && lost) {
    problems.push(text(
      "{lost}each worker should write what it read plus one.",
      "{lost}cada trabajador debe escribir lo que leyó más uno.",
      { lost },
    ));
  }
  const late = workers.find((w) => run.spanOf(`work ${w}`).start > EPSILON);
  if (late !== undefined) {
    problems.push(text(
      "Worker {w}'s work started at {start}; it could have started at 0.0: the work shares nothing, so only the read and the write need the lock.",
      "El trabajador {w} empezó su trabajo en {start}; podía haber empezado en 0,0: el trabajo no comparte nada, así que solo la lectura y la escritura necesitan el cerrojo.",
      { w: late, start: units(run.spanOf(`work ${late}`).start) },
    ));
  }
  run.judge(problems);
}
