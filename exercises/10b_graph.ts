/**
 * # 10b · Run a dependency graph, each task as early as it can
 *
 * EN: Each task lists the tasks it `needs`. Start every task as soon as all
 * it needs is done, and not before. If a task fails, the tasks that need it
 * (directly or not) never start, the others still run, and `runGraph`
 * throws the error once nothing is left running. Lessons 03 and 10
 * (lessons/03_gather.ts, lessons/10_downloads.ts) give the pieces.
 *
 * ES: Cada tarea lista las tareas que `needs` (necesita). Empieza cada tarea
 * en cuanto todo lo que necesita haya acabado, y no antes. Si una falla, las
 * que la necesitan (directa o indirectamente) no empiezan, las demás siguen,
 * y `runGraph` lanza el error cuando ya no queda nada en marcha. Las
 * lecciones 03 y 10 dan las piezas.
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

/** Runs every task of `tasks` as soon as what it needs is done. */
export async function runGraph(tasks: Record<string, Task>): Promise<void> {
  for (const task of Object.values(tasks)) await task.run();
}
