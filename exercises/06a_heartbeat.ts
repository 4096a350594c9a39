/**
 * # 06a · Keep the heartbeat ticking
 *
 * EN: `tools.blockFor` blocks its thread like `time.sleep`, so the checker's
 * heartbeat stops. Run it on an Executor, return its result, shut the
 * executor down. Lesson 06 (lessons/06_executor.ts) shows how.
 *
 * ES: `tools.blockFor` bloquea su hilo como `time.sleep`, y el latido del
 * comprobador se para. Ejecútala en un Executor, devuelve su resultado y
 * cierra el Executor. Lo enseña la lección 06 (lessons/06_executor.ts).
 *
 * Check it · Compruébalo: `deno task exercise 06a` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** Blocks this thread for `ms` milliseconds; returns "Finished blocking task". */
  blockFor(ms: number): string;
  /** The URL of exercises/_tasks.ts, whose `blockFor` an Executor can run. */
  tasks: URL;
  /** How many milliseconds one unit lasts. */
  unit: number;
}

/** Runs `blockFor(6 units)` without blocking this thread; resolves with its result. */
export function main(tools: Tools): Promise<string> {
  return Promise.resolve(tools.blockFor(6 * tools.unit));
}
