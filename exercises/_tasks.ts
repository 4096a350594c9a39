/**
 * Functions that exercises 06a and 09a run on an Executor's workers. You do
 * not need to change this file.
 *
 * Each function counts the calls made on the thread that imported it, so
 * that a check can tell whether it ran there or on a worker (a worker loads
 * its own copy of this module, with its own count).
 *
 * @module
 */

let callsHere = 0;

/**
 * Blocks its thread for `ms` milliseconds, like Python's `time.sleep`: no
 * timer, no callback, nothing else runs on that thread meanwhile. Returns
 * "Finished blocking task". It first says `ms` on the BroadcastChannel
 * "blockFor", which a check hears from any thread.
 */
export function blockFor(ms: number): string {
  callsHere++;
  const [said, wait] = [new BroadcastChannel("blockFor"), Number(ms)];
  said.postMessage(wait);
  said.close();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
  return "Finished blocking task";
}

/**
 * How many primes there are from `from` up to, not including, `to`,
 * counted by trial division: work for the CPU only.
 */
export function countPrimes(from: number, to: number): number {
  callsHere++;
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    let d = 2;
    while (d * d <= n && n % d !== 0) d++;
    if (d * d > n) count++;
  }
  return count;
}

/**
 * How many times these functions ran on the thread that asks. The count
 * only grows: a check reads it before and after, and no code of yours can
 * take a call back.
 */
export function calls(): number {
  return callsHere;
}
