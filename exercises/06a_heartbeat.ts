/**
 * # 06a · Keep the heartbeat ticking
 *
 * EN: `blockFor` blocks its thread like `time.sleep`, so the checker's heartbeat
 * stops. Run it on an Executor, return its result, shut the executor down.
 * Lesson 06 (lessons/06_executor.ts) shows how.
 *
 * ES: `blockFor` bloquea su hilo como `time.sleep`, y el latido del comprobador se
 * para. Ejecútala en un Executor, devuelve su resultado y ciérralo. Lo enseña
 * la lección 06 (lessons/06_executor.ts).
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
