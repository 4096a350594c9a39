/** The check of exercise 02a. @module */
import { again, define, num, type Text, text, units } from "../_harness.ts";

type Line = { line: string; at: number };

const TOLERANCE = 0.05;

export const exercise = define<Line[][]>({
  slug: "02a_say_hello",
  export: "sayHello",
  async observe(session) {
    const all: Line[][] = [];
    // Units of 125 ms, not a round 100, then 90: no wait in ms passes both.
    for (const unit of [125, 90]) {
      await using world = session.open({ unit });
      const lines: Line[] = [];
      const log = (line: string) =>
        lines.push({ line: String(line), at: world.now() });
      await world.run(() => session.export({ log, unit }), 10, 5);
      all.push(lines.slice(0, 100));
    }
    return all;
  },
  judge: (_, all, runs) =>
    runs.forEach((run, i) => {
      const lines = all[i]!;
      const problems: Text[] = [];
      const [hello, bye] = lines;
      const { status, at } = run.outcome;
      if (
        lines.length !== 2 || hello!.line !== "Hello!" ||
        bye!.line !== "Goodbye!"
      ) {
        const printed = lines.map((l) => JSON.stringify(l.line)).join(", ");
        // Spanish says nothing with two negatives: "no escribió nada".
        const es = printed ? `escribió ${printed}` : "no escribió nada";
        problems.push(text(
          'tools.log printed {en}; it should print "Hello!" then "Goodbye!" (print with tools.log: the check reads that alone).',
          "tools.log {es}; debería escribir «Hello!» y luego «Goodbye!» (escribe con tools.log: la comprobación solo lee eso).",
          { en: printed || "nothing", es },
        ));
      } else {
        const gap = bye!.at - hello!.at;
        if (hello!.at > TOLERANCE) {
          problems.push(text(
            '"Hello!" came at {at}; print it at once.',
            "«Hello!» llegó en {at}; escríbelo en el acto.",
            { at: units(hello!.at) },
          ));
        }
        if (Math.abs(gap - 1) > TOLERANCE) {
          problems.push(text(
            '"Goodbye!" came {gap} after "Hello!"; it should come 1.0 unit (tools.unit ms) later.',
            "«Goodbye!» llegó {gap} después de «Hello!»; debería llegar 1,0 unidades (tools.unit ms) más tarde.",
            { gap: units(gap) },
          ));
        }
        const values = { at: units(at), bye: num(bye!.at) };
        if (status === "fulfilled" && at < bye!.at - TOLERANCE) {
          problems.push(text(
            `Your function's promise settled at {at}, before "Goodbye!" at {bye}: whoever awaits sayHello() goes on too early. Await a promise that settles after the wait: setTimeout returns a timer's id, not a promise.`,
            "La promesa de tu función se cumplió en {at}, antes de «Goodbye!» en {bye}: quien espera a sayHello() sigue demasiado pronto. Espera con `await` una promesa que se cumpla tras el retardo: setTimeout devuelve el id de un temporizador, no una promesa.",
            values,
          ));
        } else if (status === "fulfilled" && at > bye!.at + TOLERANCE) {
          problems.push(text(
            `Your function's promise settled at {at}, well after "Goodbye!" at {bye}: there is nothing left to wait for after the goodbye.`,
            "La promesa de tu función se cumplió en {at}, mucho después de «Goodbye!» en {bye}: tras la despedida no queda nada que esperar.",
            values,
          ));
        }
      }
      const ms = [run.run.unit, runs[0]!.run.unit];
      run.judge(["stuck", "late"].includes(status) ? [] : again(problems, ms));
    }),
});
