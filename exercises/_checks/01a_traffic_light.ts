/** The check of exercise 01a. @module */
import {
  define,
  EPSILON,
  num,
  refOf,
  type Text,
  text,
  textIf,
  units,
} from "../_harness.ts";

interface Light {
  green(): void;
  red(): void;
  pass(options?: { signal?: AbortSignal }): Promise<void>;
}

/** Who arrives when, and when each should pass (undefined: gives up at `quits`, on red till then but car 8's; car 6 waits beside car 5). */
const CARS = [
  { car: 1, arrives: 0, passes: 2 },
  { car: 2, arrives: 1, passes: 2 },
  { car: 3, arrives: 3.5, passes: 5 },
  { car: 4, arrives: 5.5, passes: 5.5 },
  { car: 5, arrives: 6.5, passes: undefined, quits: 7 },
  { car: 6, arrives: 6.5, passes: 8 },
  { car: 7, arrives: 7.5, passes: undefined, quits: 7.5 },
  { car: 8, arrives: 8.5, passes: undefined, quits: 8.5 }, // on green
];
/** When the light changes: green from 2 to 3, from 5 to 6, and from 8. */
const CHANGES = [2, 3, 5, 6, 8].map((at, i) =>
  [at, i % 2 ? "red" : "green"] as const
);

/** The light at `t`: its colour, since when, and when it next turns green. */
function lightAt(t: number) {
  const last = CHANGES.findLast(([at]) => at <= t + EPSILON);
  const next = CHANGES.find(([at, to]) => at > t + EPSILON && to === "green");
  return { colour: last?.[1] ?? "red", since: last?.[0] ?? 0, next: next?.[0] };
}

/** When a car's pass() settled, and how. */
type Passage = { at: number; ok: boolean; reason?: unknown };

export const exercise = define<Record<number, Passage>>({
  slug: "01a_traffic_light",
  export: "TrafficLight",
  words: { car: "coche", green: "verde" },
  async observe(session) {
    const Light: new () => Light = session.export;
    await using world = session.open();
    const seen: Record<number, Passage> = {};
    const after = (t: number, act: () => void) => world.sleep(t).then(act);
    await world.run(async () => {
      const light = new Light();
      const cars: Promise<void>[] = [];
      let greens = 0; // The green periods go on the chart too.
      await Promise.all([
        ...CHANGES.map(([at, to]) =>
          after(at, () => {
            if (to === "green") world.start(`green ${++greens}`);
            else world.end(`green ${greens}`);
            light[to]();
          })
        ),
        after(4, () => light.red()), // red again, with car 3 waiting for green
        ...CARS.map(({ car, arrives, quits }) =>
          after(arrives, () => {
            const stop = new AbortController();
            const name = world.start(`car ${car}`);
            const options = quits === undefined ? undefined : stop;
            const done = (ok: boolean) => (reason?: unknown) => {
              seen[car] = { at: world.now(), ok, reason };
              world.end(name, ok ? "fulfilled" : "rejected");
            };
            const quit = () =>
              stop.abort(session.mark(new Error(`${name} gave up`), name));
            if (quits === arrives) quit();
            // A pass() that throws at once is taken as rejecting then.
            const pass = () => light.pass(options && { signal: stop.signal });
            cars.push(Promise.try(pass).then(done(true), done(false)));
            if (quits! > arrives) after(quits! - arrives, quit);
          })
        ),
      ]);
      await Promise.all(cars);
      world.end(`green ${greens}`);
    }, 20);
    return seen;
  },
  judge(run, seen) {
    const problems: Text[] = [];
    for (const { car, arrives, passes, quits } of CARS) {
      const result = seen[car];
      const at = result && units(result.at);
      const shown = result && run.show(result.reason);
      const early = quits! - (result?.ok ? result.at : Infinity) > EPSILON;
      if (quits !== undefined && !early) {
        const when = { at: result && num(result.at) };
        const what = result === undefined
          ? text("pass() never settled", "pass() nunca se resolvió")
          : result.ok
          ? text("it passed at {at}", "pasó en {at}", when)
          : text("pass() rejected at {at}", "pass() se rechazó en {at}", when);
        if (!result || result.ok || Math.abs(result.at - quits) > EPSILON) {
          problems.push(textIf(quits > arrives, [
            "Car {car} gave up at {quits} (its signal aborted), but {what}: pass() should reject at once with the signal's reason.",
            "El coche {car} se rindió en {quits} (su señal abortó), pero {what}: pass() debería rechazarse en el acto con el motivo de la señal.",
          ], [
            "Car {car} came at {quits} with its signal already aborted, but {what}: pass() should reject at once with the signal's reason (look at signal.aborted first, before you wait or let it through: an abort listener added now never runs).",
            "El coche {car} llegó en {quits} con su señal ya abortada, pero {what}: pass() debería rechazarse en el acto con el motivo de la señal (mira signal.aborted antes que nada, antes de esperar o de dejarlo pasar: un listener de abort añadido ahora nunca se ejecuta).",
          ], { car, quits: units(quits), what }));
        } else if (refOf(result.reason) !== `car ${car}`) {
          problems.push(text(
            "Car {car}'s pass() rejected with {shown}; reject with the signal's reason (signal.reason).",
            "pass() del coche {car} se rechazó con {shown}; recházala con el motivo de la señal (signal.reason).",
            { car, shown },
          ));
        }
      } else if (result === undefined) {
        problems.push(text(
          "Car {car} came at {arrives} and never passed; the light was green from {passes}.",
          "El coche {car} llegó en {arrives} y nunca pasó; el semáforo de tráfico estaba en verde desde {passes}.",
          { car, arrives: units(arrives), passes: num(passes!) },
        ));
      } else if (!result.ok) {
        const other = textIf(!!refOf(result.reason), [
          ", another car's signal's reason: one car giving up must not stop the others",
          ", el motivo de la señal de otro coche: que un coche se rinda no debe detener a los demás",
        ], ["", ""]);
        problems.push(text(
          "pass() rejected for car {car} with {shown}{other}; it should let the car through at {passes}.",
          "pass() se rechazó para el coche {car} con {shown}{other}; debería dejarlo pasar en {passes}.",
          { car, shown, other, passes: units(passes!) },
        ));
      } else if (early || Math.abs(result.at - passes!) > EPSILON) {
        const light = lightAt(result.at);
        problems.push(textIf(light.colour === "red" && !(result.at > passes!), [
          "Car {car} passed at {at} while the light was red (red since {since}{next}).",
          "El coche {car} pasó en {at} con el semáforo de tráfico en rojo (rojo desde {since}{next}).",
        ], [
          "Car {car} passed at {at}; it could go at {passes}{why}.",
          "El coche {car} pasó en {at}; podía ir en {passes}{why}.",
        ], {
          car,
          at,
          since: num(light.since),
          next: light.next === undefined ? "" : text(
            ", green again at {next}",
            ", verde de nuevo en {next}",
            { next: num(light.next) },
          ),
          passes: num(passes!),
          why: textIf(passes! > arrives, [
            ", when the light turned green: wake waiting cars at once",
            ", cuando el semáforo de tráfico se puso verde: despierta a los que esperan en el acto",
          ], [", as it came on green", ", pues llegó con verde"]),
        }));
      }
    }
    run.judge(problems);
  },
});
