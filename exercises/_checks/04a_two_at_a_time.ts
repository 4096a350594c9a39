/** The check of exercise 04a. @module */
import {
  describe,
  exercise as define,
  idleSlot,
  num,
  overLimit,
  type Text,
  text,
  units,
  unknownTask,
} from "../_harness.ts";

const FILES = [0, 1, 2, 3, 4];
const DURATIONS = [2, 1, 3, 1, 2];
const SIZES = [120, 80, 300, 50, 200];
const LIMIT = 2;

export const exercise = define({
  slug: "04a_two_at_a_time",
  export: "main",
  title: text(
    "Five downloads, two at a time",
    "Cinco descargas, de dos en dos",
  ),
  success: text(
    "Never more than two downloads at once, and never a free place while a download waited: all five were done at 5.0 units.",
    "Nunca más de dos descargas a la vez, y nunca un hueco libre mientras una esperaba: las cinco acabaron en 5,0 unidades.",
  ),
  hints: [
    text(
      "Promise.all over five downloads starts all five at once. Something must make the third one wait until one of the first two ends.",
      "Promise.all sobre cinco descargas las lanza las cinco a la vez. Algo tiene que hacer esperar a la tercera hasta que acabe una de las dos primeras.",
    ),
    text(
      'A Semaphore(2) hands out two permits; a download that gets no permit waits in line for the next one that comes back. Import it from "@asincronia/asincronia".',
      "Un Semaphore(2) reparte dos permisos; una descarga sin permiso espera en la cola al siguiente que se devuelva. Impórtalo de «@asincronia/asincronia».",
    ),
    text(
      "Keep the Promise.all, and wrap each download: `semaphore.run(() => tools.download(file))`. Downloading in pairs (two, then two more) leaves a place idle.",
      "Conserva el Promise.all y envuelve cada descarga: `semaphore.run(() => tools.download(file))`. Descargar por parejas (dos y luego otras dos) deja un hueco ocioso.",
    ),
  ],
  words: { download: "descarga" },
  async observe(session) {
    await using world = session.open();
    const download = (file: number) =>
      FILES.includes(file)
        ? world.task(`download ${file}`, DURATIONS[file]!, {
          value: SIZES[file],
        })
        : unknownTask(file, FILES);
    await world.run(() => session.export({ files: [...FILES], download }), 30);
  },
  judge(run) {
    const problems: Text[] = [];
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
        "De {from} a {to} {running} mientras la {waiting} esperaba (empezó en {start}): empieza la siguiente descarga en cuanto acabe una.",
        {
          from: num(idle.from),
          to: units(idle.to),
          running: idle.running === 1
            ? text("only 1 download was", "solo iba 1 descarga")
            : text("no download was", "no iba ninguna descarga"),
          name: idle.waiting.name,
          start: num(idle.waiting.start),
          waiting: idle.waiting.name.replace("download", "descarga"),
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
