/**
 * # 10b · Run a dependency graph, each task as early as it can — a solution
 *
 * EN: One promise per task, made once: it waits for the promises of what the
 * task needs (`Promise.all`, which rejects as soon as one of them fails, so
 * the task never starts), then runs it. `Promise.allSettled` over them all
 * waits until nothing is left running.
 *
 * ES: Una promesa por tarea, creada una vez: espera las promesas de lo que
 * la tarea necesita (`Promise.all`, que se rechaza en cuanto falla una, y la
 * tarea no llega a empezar), y luego la ejecuta. `Promise.allSettled` sobre
 * todas espera hasta que no queda nada en marcha.
 *
 * @module
 */

/** A task of the graph. */
export interface Task {
  needs: string[];
  run(): Promise<void>;
}

/**
 * Runs every task as soon as all it needs is done, never before. If a task
 * fails, the tasks that need it (directly or not) never start, the others
 * still run, and it throws that error once nothing is left running.
 * ES: Ejecuta cada tarea en cuanto acabe todo lo que necesita, nunca antes. Si
 * una falla, las que la necesitan (directa o indirectamente) no empiezan, las
 * demás siguen, y lanza ese error cuando no quede nada en marcha.
 */
export async function runGraph(tasks: Record<string, Task>): Promise<void> {
  const done = new Map<string, Promise<void>>();
  const start = (name: string): Promise<void> => {
    let promise = done.get(name);
    if (promise === undefined) {
      const task = tasks[name]!;
      promise = Promise.all(task.needs.map(start)).then(() => task.run());
      done.set(name, promise);
    }
    return promise;
  };
  const results = await Promise.allSettled(Object.keys(tasks).map(start));
  const errors = new Set<unknown>();
  for (const result of results) {
    if (result.status === "rejected") errors.add(result.reason);
  }
  if (errors.size > 0) {
    throw new AggregateError([...errors], "Some tasks failed");
  }
}
