/** The check of exercise 04c. @module */
import {
  EPSILON,
  type Exercise,
  num,
  refOf,
  type Text,
  text,
  units,
} from "../_harness.ts";

interface Light {
  green(): void;
  red(): void;
  pass(options?: { signal?: AbortSignal }): Promise<void>;
}

/** Who arrives when, and when each should pass (undefined: gives up at `quits`). */
const CARS = [
  { car: 1, arrives: 0, passes: 2 },
  { car: 2, arrives: 1, passes: 2 },
  { car: 3, arrives: 3.5, passes: 5 },
  { car: 4, arrives: 5.5, passes: 5.5 },
  { car: 5, arrives: 6.5, passes: undefined, quits: 7 },
];
/** When the light changes: green from 2 to 3, from 5 to 6, and from 8. */
const CHANGES: [number, "green" | "red"][] = [
  [2, "green"],
  [3, "red"],
  [5, "green"],
  [6, "red"],
  [8, "green"],
];

function lightAt(
  t: number,
): { colour: "green" | "red"; since: number; next: number | undefined } {
  let colour: "green" | "red" = "red";
  let since = 0;
  let next: number | undefined;
  for (const [at, to] of CHANGES) {
    if (at <= t + EPSILON) {
      colour = to;
      since = at;
    } else if (next === undefined && to !== colour) next = at;
  }
  return { colour, since, next };
}

/** When a car's pass() settled, and how. */
interface Passage {
  at: number;
  ok: boolean;
  reason?: unknown;
}

export const exercise: Exercise<Record<number, Passage>> = {
  id: "04c",
  slug: "04c_traffic_light",
  export: "TrafficLight",
  lesson: "lessons/04_lock.ts",
  title: text(
    "Wait for an Event: a traffic light",
    "Espera un Event: un semáforo de tráfico",
  ),
  success: text(
    "Cars waited while the light was red, all went the moment it turned green, passed at once on green, and car 5 gave up at 7.0 as its signal said.",
    "Los coches esperaron en rojo, salieron todos en cuanto se puso verde, pasaron en el acto con verde, y el coche 5 se rindió en 7,0 como decía su señal.",
  ),
  hints: [
    text(
      "Promise.resolve() lets every car through, red or not. The cars need something they can wait on that green() can open and red() can close again.",
      "Promise.resolve() deja pasar a todos, en rojo o no. Los coches necesitan algo que esperar que green() pueda abrir y red() volver a cerrar.",
    ),
    text(
      'An Event (from "@asincronia/asincronia") does exactly that: set(), clear(), and wait({ signal }), which wakes every waiter when set. A promise you resolve once cannot turn red again.',
      'Un Event (de "@asincronia/asincronia") hace justo eso: set(), clear() y wait({ signal }), que despierta a todos al hacer set. Una promesa que cumples una vez no puede volver a rojo.',
    ),
    text(
      "Keep one Event in a private field: green() is `set()`, red() is `clear()`, pass(options) is `return this.#event.wait(options)`. Rename `_options` to `options`.",
      "Guarda un Event en un campo privado: green() es `set()`, red() es `clear()`, pass(options) es `return this.#event.wait(options)`. Renombra `_options` a `options`.",
    ),
  ],
  words: { car: "coche", green: "verde" },
  async observe(session) {
    const Light: new () => Light = session.export;
    await using world = session.open();
    const seen: Record<number, Passage> = {};
    const scenario = async () => {
      const light = new Light();
      const cars: Promise<void>[] = [];
      const events = [
        ...CARS.map((c) => ({
          at: c.arrives,
          act: () => arrive(c.car, c.quits),
        })),
        ...CHANGES.map(([at, to]) => ({ at, act: () => change(to) })),
        ...CARS.filter((c) => c.quits !== undefined).map((c) => ({
          at: c.quits!,
          act: () => quit(c.car),
        })),
      ].sort((a, b) => a.at - b.at);
      const controllers = new Map<number, AbortController>();
      // The green periods go on the chart too.
      let greens = 0;
      const change = (to: "green" | "red") => {
        if (to === "green") world.start(`green ${++greens}`);
        else world.end(`green ${greens}`);
        light[to]();
      };
      const arrive = (car: number, quits: number | undefined) => {
        let signal: AbortSignal | undefined;
        if (quits !== undefined) {
          const controller = new AbortController();
          controllers.set(car, controller);
          signal = controller.signal;
        }
        world.start(`car ${car}`);
        cars.push(
          Promise.resolve(light.pass(signal ? { signal } : undefined)).then(
            () => {
              seen[car] = { at: world.now(), ok: true };
              world.end(`car ${car}`);
            },
            (reason) => {
              seen[car] = { at: world.now(), ok: false, reason };
              world.end(`car ${car}`, "rejected");
            },
          ),
        );
      };
      const quit = (car: number) => {
        const reason = session.mark(
          new Error(`car ${car} gave up`),
          `car ${car}`,
        );
        controllers.get(car)!.abort(reason);
      };
      let now = 0;
      for (const event of events) {
        if (event.at > now) await world.sleep(event.at - now);
        now = event.at;
        event.act();
      }
      await Promise.all(cars);
      world.end(`green ${greens}`);
    };
    await world.run(scenario, 20);
    return seen;
  },
  judge(run, seen) {
    const problems: Text[] = [];
    for (const { car, arrives, passes, quits } of CARS) {
      const result = seen[car];
      if (passes !== undefined) {
        if (result === undefined) {
          problems.push(text(
            "Car {car} came at {arrives} and never passed; the light was green from {passes}.",
            "El coche {car} llegó en {arrives} y nunca pasó; el semáforo estaba en verde desde {passes}.",
            { car, arrives: units(arrives), passes: num(passes) },
          ));
        } else if (!result.ok) {
          const shown = run.show(result.reason);
          problems.push(text(
            "pass() rejected for car {car} with {shown}; it should let the car through at {passes}.",
            "pass() se rechazó para el coche {car} con {shown}; debería dejarlo pasar en {passes}.",
            { car, shown, passes: units(passes) },
          ));
        } else if (Math.abs(result.at - passes) > EPSILON) {
          const light = lightAt(result.at);
          if (light.colour === "red" && result.at < passes) {
            const next = light.next === undefined ? "" : text(
              ", green again at {at}",
              ", verde de nuevo en {at}",
              { at: num(light.next) },
            );
            problems.push(text(
              "Car {car} passed at {at} while the light was red (red since {since}{next}).",
              "El coche {car} pasó en {at} con el semáforo en rojo (rojo desde {since}{next}).",
              { car, at: units(result.at), since: num(light.since), next },
            ));
          } else {
            problems.push(text(
              "Car {car} passed at {at}; it could go at {passes}{why}.",
              "El coche {car} pasó en {at}; podía ir en {passes}{why}.",
              {
                car,
                at: units(result.at),
                passes: num(passes),
                why: passes > arrives
                  ? text(
                    ", when the light turned green: wake waiting cars at once",
                    ", cuando el semáforo se puso verde: despierta a los que esperan en el acto",
                  )
                  : text(", as it came on green", ", pues llegó con verde"),
              },
            ));
          }
        }
      } else {
        if (
          result === undefined || result.ok ||
          Math.abs(result.at - quits!) > EPSILON
        ) {
          const what = result === undefined
            ? text("pass() never settled", "pass() nunca se resolvió")
            : result.ok
            ? text("it passed at {at}", "pasó en {at}", { at: num(result.at) })
            : text("pass() rejected at {at}", "pass() se rechazó en {at}", {
              at: num(result.at),
            });
          problems.push(text(
            "Car {car} gave up at {quits} (its signal aborted), but {what}: pass() should reject at once with the signal's reason.",
            "El coche {car} se rindió en {quits} (su señal abortó), pero {what}: pass() debería rechazarse en el acto con el motivo de la señal.",
            { car, quits: units(quits!), what },
          ));
        } else if (refOf(result.reason) !== `car ${car}`) {
          const shown = run.show(result.reason);
          problems.push(text(
            "Car {car}'s pass() rejected with {shown}; reject with the signal's reason (signal.reason).",
            "pass() del coche {car} se rechazó con {shown}; recházala con el motivo de la señal (signal.reason).",
            { car, shown },
          ));
        }
      }
    }
    run.verdict([...problems, ...run.common()]);
  },
};
