/**
 * # 06a · Keep the heartbeat ticking
 *
 * EN: `blockFor` (exercises/_tasks.ts) blocks its thread like `time.sleep`,
 * and while it does the checker's heartbeat cannot tick. Run it on an
 * Executor instead, return its result, and shut the executor down. Lesson
 * 06 (lessons/06_executor.ts) shows how.
 *
 * ES: `blockFor` (exercises/_tasks.ts) bloquea su hilo como `time.sleep`, y
 * mientras tanto el latido del comprobador no puede sonar. Ejecútala en un
 * Executor, devuelve su resultado y cierra el executor. Lo enseña la lección
 * 06 (lessons/06_executor.ts).
 *
 * Check it · Compruébalo: `deno task exercise 06a` (`--hint` for a hint)
 *
 * @module
 */
import { blockFor } from "./_tasks.ts";

/** What the checker hands you. */
export interface Tools {
  /** The URL of exercises/_tasks.ts, for an Executor. */
  tasks: URL;
  /** How many milliseconds one unit lasts. */
  unit: number;
}

/** Runs `blockFor(6 units)` without blocking this thread; resolves with its result. */
export function main(tools: Tools): Promise<string> {
  return Promise.resolve(blockFor(6 * tools.unit));
}
