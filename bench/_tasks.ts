// Tasks that the bench runs on our Executor.
export function add(a: number, b: number): number {
  return a + b;
}

/** Counts the primes in [from, to) by trial division: pure CPU work. */
export function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** Keeps its thread busy for `ms` milliseconds: one heavy call. */
export function burn(ms: number): number {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Spin.
  }
  return ms;
}
