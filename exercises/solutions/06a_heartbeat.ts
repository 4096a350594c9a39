/**
 * # 06a · Keep the heartbeat ticking — a solution
 *
 * EN: The Executor runs the function on a worker thread (Python's
 * `loop.run_in_executor`) and hands back a promise; `await using` shuts it
 * down when the function is left, so no worker keeps the program alive.
 *
 * ES: El Executor ejecuta la función en un hilo worker (el
 * `loop.run_in_executor` de Python) y devuelve una promesa; `await using` lo
 * cierra al salir de la función, así que ningún worker mantiene vivo el
 * programa.
 *
 * @module
 */
import { Executor } from "@asincronia/asincronia";

/** What the checker hands you. */
export interface Tools {
  blockFor(ms: number): string;
  tasks: URL;
  unit: number;
}

/** Runs `blockFor(6 units)` without blocking this thread; resolves with its result. */
export async function main(tools: Tools): Promise<string> {
  await using executor = new Executor({ workers: 1 });
  return await executor.run<string>(tools.tasks, "blockFor", [6 * tools.unit]);
}
