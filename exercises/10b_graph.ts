/**
 * # 10b · Run a dependency graph, each task as early as it can
 *
 * EN: Run a graph of tasks, each as soon as everything it needs is done, and not
 * before; a failure stops only what depends on it. Lessons 03 and 10
 * (lessons/03_gather.ts, lessons/10_downloads.ts) give the pieces.
 *
 * ES: Ejecuta un grafo de tareas, cada una en cuanto acabe lo que necesita, y no
 * antes; un fallo solo detiene lo que depende de él. Las lecciones 03 y 10
 * (lessons/03_gather.ts, lessons/10_downloads.ts) dan las piezas.
 *
 * Check it · Compruébalo: `deno task exercise 10b` (`--hint` for a hint)
 *
 * @module
 */

/** A task of the graph. */
export interface Task {
  /** The names of the tasks that must be done before this one starts. */
  needs: string[];
  /** Runs the task; it rejects if the task fails. */
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
  for (const task of Object.values(tasks)) await task.run();
}
