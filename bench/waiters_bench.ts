/**
 * How the one waiter core (lib/_waiters.ts) scales, through the primitives
 * that stand on it: Semaphore, Event, Queue and asCompleted. No peers here:
 * each group compares our code with itself at another size or shape, and
 * the ratio is the claim.
 *
 * Run: deno bench --config bench/deno.json bench/waiters_bench.ts
 *
 * - An abort costs the same among many waiters as alone: 10^4 waiters with
 *   signals aborted, alone, then spread among 2·10^5 waiters without (a
 *   core that searched or shifted on each abort would take seconds).
 * - 10^5 waiters on one shared signal cost within 3× of 10^5 on signals of
 *   their own (they share one listener; it is in fact cheaper).
 * - 10^5 concurrent `next()` calls on one asCompleted against 2.5·10^4: no
 *   longer the 3 to 9 s of a quadratic queue (the smaller size still fits in
 *   V8's young generation, so the ratio is above 4; see bench/README.md).
 *
 * @module
 */
import { asCompleted } from "../lib/as_completed.ts";
import { Event } from "../lib/event.ts";
import { Queue } from "../lib/queue.ts";
import { Semaphore } from "../lib/semaphore.ts";

/** A primitive's way to park one caller, and to end every wait left. */
interface Waitable {
  wait(signal?: AbortSignal): Promise<unknown>;
  release(): void;
}

const PRIMITIVES: Record<string, () => Waitable> = {
  Semaphore: () => {
    const sem = new Semaphore(1);
    const held = sem.tryAcquire()!;
    return {
      wait: (signal) => sem.acquire({ signal }).then((p) => p.release()),
      release: () => held.release(),
    };
  },
  Event: () => {
    const event = new Event();
    return {
      wait: (signal) => event.wait({ signal }),
      release: () => event.set(),
    };
  },
  Queue: () => {
    const queue = new Queue<number>();
    return {
      wait: (signal) => queue.get({ signal }),
      release: () => queue.close(),
    };
  },
};

/** A seeded shuffle, so that aborts land all over the waiters. */
function shuffle<T>(items: T[]): T[] {
  let seed = 42;
  for (let i = items.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

for (const [name, make] of Object.entries(PRIMITIVES)) {
  for (const among of [0, 200_000]) {
    Deno.bench({
      name:
        `${name}: 10^4 aborts in random order, among ${among} other waiters`,
      group: `${name}: an abort among many waiters`,
      baseline: among === 0,
      n: 10,
      async fn(b) {
        const waitable = make();
        const controllers = Array.from(
          { length: 10_000 },
          () => new AbortController(),
        );
        const waits: Promise<unknown>[] = [];
        const step = Math.floor(among / controllers.length);
        for (const controller of controllers) {
          for (let i = 0; i < step; i++) {
            waits.push(waitable.wait().catch(() => 0));
          }
          waits.push(waitable.wait(controller.signal).catch(() => 0));
        }
        shuffle(controllers);
        b.start();
        for (const controller of controllers) controller.abort();
        b.end();
        waitable.release();
        await Promise.all(waits);
      },
    });
  }
  for (const shared of [false, true]) {
    Deno.bench({
      name: `${name}: 10^5 waiters, ${
        shared ? "one shared signal" : "a signal each"
      }, then aborted`,
      group: `${name}: 10^5 waiters with signals`,
      baseline: !shared,
      n: 10,
      async fn() {
        const waitable = make();
        const one = new AbortController();
        const controllers = Array.from(
          { length: 100_000 },
          () => shared ? one : new AbortController(),
        );
        const waits = controllers.map((c) =>
          waitable.wait(c.signal).catch(() => 0)
        );
        for (const controller of controllers) controller.abort();
        await Promise.all(waits);
        waitable.release();
      },
    });
  }
}

for (const n of [25_000, 100_000]) {
  Deno.bench({
    name: `asCompleted: ${n} concurrent next() calls`,
    group: "asCompleted: concurrent next()",
    baseline: n === 25_000,
    n: 10,
    async fn() {
      const inputs = Array.from(
        { length: n },
        () => Promise.withResolvers<number>(),
      );
      const iterator = asCompleted(inputs.map((d) => d.promise));
      const calls = Array.from({ length: n }, () => iterator.next());
      for (const [i, input] of inputs.entries()) input.resolve(i);
      await Promise.all(calls);
    },
  });
}
