/**
 * Helpers that the lib tests share: letting promise callbacks run, a seeded
 * random source for repeatable stress tests, and a look at a promise's state.
 *
 * @module
 */

/** Lets every pending promise callback run (a few hops deep). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/** A small seeded PRNG (mulberry32), so stress tests and shuffles repeat. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `items` in place (Fisher–Yates) with `rand`, and returns them. */
export function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Records whether a promise has settled, how, and with what value. */
export function track<T>(
  promise: Promise<T>,
): { state: string; value?: T } {
  const box: { state: string; value?: T } = { state: "pending" };
  promise.then(
    (value) => {
      box.state = "fulfilled";
      box.value = value;
    },
    () => box.state = "rejected",
  );
  return box;
}
