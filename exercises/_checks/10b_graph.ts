/** The check of exercise 10b. @module */
import {
  carries,
  changed,
  define,
  EPSILON,
  listOf,
  num,
  type Scene,
  text,
  textIf,
  units,
} from "../_harness.ts";

type Node = { units: number; needs: string[]; fails?: boolean };
/** What each task of a graph needs, as the learner's code left it. */
type Needs = Record<string, string[]>;
/** A task of `units` that needs `needs`; one that needs nothing and fails. */
const n = (units: number, ...needs: string[]): Node => ({ units, needs });
const failing = (units: number): Node => ({ units, needs: [], fails: true });

/**
 * Three graphs: one given in an order where running the tasks in the order
 * listed respects every need; one listed out of order, whose chain Y → Z
 * must not wait for the slow X; one where A fails.
 */
const GRAPHS: Record<string, Node>[] = [
  { A: n(1), B: n(2), C: n(2, "A"), D: n(1, "A", "B"), E: n(1, "C", "D") },
  { W: n(1, "X", "Z"), Z: n(1, "Y"), X: n(3), Y: n(1) },
  { A: failing(1), B: n(2), C: n(1, "A"), D: n(1, "B"), E: n(1, "C", "D") },
];

export const exercise = define<Needs[]>({
  slug: "10b_graph",
  export: "runGraph",
  async observe(session) {
    const needs: Needs[] = []; // each task's, after the run
    for (const graph of GRAPHS) {
      await using world = session.open();
      const tasks = Object.fromEntries(
        Object.entries(graph).map(([name, node]) => {
          const fail = node.fails
            ? { fail: session.mark(new Error(`${name} failed`), name) }
            : {};
          const run = () => world.task(name, node.units, fail);
          return [name, { needs: [...node.needs], run }];
        }),
      );
      const given = Object.entries(tasks);
      await world.run(() => session.export(tasks), 30);
      needs.push(Object.fromEntries(given.map(([n, task]) => [n, task.needs])));
    }
    return needs;
  },
  judge: (_, needs, runs) =>
    GRAPHS.forEach((graph, i) => judge(runs[i]!, graph, needs[i]!)),
});

function judge(run: Scene, graph: Record<string, Node>, after: Needs) {
  const { status, error } = run.outcome;
  const problems = Object.entries(graph).flatMap(([name, node]) =>
    changed(`tasks.${name}.needs`, node.needs, after[name])
  );
  const ended = (name: string) => run.span(name)?.end;
  const failed = (name: string) => run.span(name)?.outcome === "rejected";
  // Tasks that can never run: they need, directly or not, one that failed.
  const doomed = (name: string): boolean =>
    graph[name]!.needs.some((need) => graph[need]!.fails || doomed(need));
  const described = `{ ${
    Object.entries(graph).map(([n, { needs }]) =>
      needs.length ? `${n} ← ${needs.join(",")}` : n
    ).join("; ")
  } }`;
  for (const name of Object.keys(graph).sort()) {
    const span = run.span(name);
    const needs = graph[name]!.needs;
    const values = { described, name, start: units(span?.start ?? 0) };
    if (doomed(name)) {
      const blocked = needs.filter((n) => failed(n) || doomed(n));
      if (span === undefined) continue;
      problems.push(text(
        "In {described}, task {name} ran although {failed}, which it needs, failed or could not run.",
        "En {described}, la tarea {name} se ejecutó aunque {failed}, {which}.",
        {
          ...values,
          failed: listOf(blocked),
          which: blocked.length > 1
            ? "de las que depende, fallaron o no pudieron ejecutarse"
            : "de la que depende, falló o no pudo ejecutarse",
        },
      ));
      continue;
    }
    const ready = Math.max(0, ...needs.map((n) => ended(n) ?? Infinity));
    const what = textIf(needs.length === 0, [
      "it needs nothing, so it could have started at 0.0",
      "no necesita nada, así que podía empezar en 0,0",
    ], [
      "everything it needed ({needs}) was done at {ready}",
      "todo lo que necesitaba ({needs}) estaba listo en {ready}",
    ], { needs: listOf(needs), ready: num(ready) });
    const early = needs.filter((n) =>
      (ended(n) ?? Infinity) > (span?.start ?? 0) + EPSILON
    );
    if (span === undefined && ready < Infinity && status !== "late") {
      problems.push(text(
        "In {described}, task {name} never ran; {what}.",
        "En {described}, la tarea {name} nunca se ejecutó; {what}.",
        { ...values, what },
      ));
    } else if (span !== undefined && early.length > 0) {
      problems.push(textIf(early.length > 1, [
        "In {described}, task {name} started at {start}, before {early}, which it needs, were done.",
        "En {described}, la tarea {name} empezó en {start}, antes de que acabaran {early}, de las que depende.",
      ], [
        "In {described}, task {name} started at {start}, before {early}, which it needs, was done.",
        "En {described}, la tarea {name} empezó en {start}, antes de que acabara {early}, de la que depende.",
      ], { ...values, early: listOf(early) }));
    } else if (span !== undefined && span.start > ready + EPSILON) {
      problems.push(text(
        "In {described}, task {name} started at {start}; {what}.",
        "En {described}, la tarea {name} empezó en {start}; {what}.",
        { ...values, what },
      ));
    }
  }
  const fails = Object.values(graph).some((node) => node.fails);
  if (fails && status === "fulfilled") {
    problems.push(text(
      "In {described}, runGraph returned normally although task A failed: throw its error (alone or in an AggregateError) once nothing is left running.",
      "En {described}, runGraph terminó con normalidad aunque la tarea A falló: lanza su error (solo o en un AggregateError) cuando no quede nada en marcha.",
      { described },
    ));
  } else if (fails && status === "rejected" && !carries(error, "A")) {
    problems.push(text(
      "In {described}, runGraph threw {e}; throw A's error (Error: A failed), alone or in an AggregateError.",
      "En {described}, runGraph lanzó {e}; lanza el error de A (Error: A failed), solo o en un AggregateError.",
      { described, e: run.show(error) },
    ));
  }
  run.judge(problems, fails ? "rejected" : "fulfilled");
}
