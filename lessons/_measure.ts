/**
 * The measuring instruments of lessons 7 and 9, which say what each
 * measures. Learners can skip this file.
 *
 * @module
 */
import { delay } from "@std/async/delay";

/**
 * Runs `work` while a heartbeat ticks every `every` ms, and resolves with
 * how late the latest tick got, in ms: about 0 when `work` leaves the
 * thread free, about as long as `work` when it holds the thread. The
 * heartbeat ticks for `settle` ms before and after, to see it steady.
 */
export async function heartbeatLag(
  every: number,
  settle: number,
  work: () => Promise<unknown>,
): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const id = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - every);
    last = now;
  }, every);
  using _stop = { [Symbol.dispose]: () => clearInterval(id) };
  await delay(settle);
  await work();
  await delay(settle);
  return worst;
}

/**
 * Runs `work` and resolves with what it resolved with (`value`), how long it
 * took in real ms, whether the main thread was `free` meanwhile (a timer set
 * as the work started fired before it ended: work on the main thread never
 * lets it), and how many `cores`' worth of CPU time this process had then.
 */
export async function timed<T>(work: () => Promise<T>) {
  // Loaded here only: Node's layer adds tens of ms to a worker's start.
  const { cpuUsage } = (await import("node:process")).default;
  const [cpu, start] = [cpuUsage(), performance.now()];
  let fired = false;
  const timer = setTimeout(() => fired = true, 0);
  using _stop = { [Symbol.dispose]: () => clearTimeout(timer) };
  const value = await work();
  const ms = performance.now() - start;
  const { user, system } = cpuUsage(cpu); // in µs
  return { value, ms, free: fired, cores: (user + system) / 1000 / ms };
}
