// Semaphore.run() given a function whose promise misbehaves: each permit is
// still given back once, never twice and never lost.
import { assertEquals, assertRejects } from "@std/assert";
import { Semaphore } from "../../lib/semaphore.ts";

/** A native promise whose own `then` calls back twice. */
function twice<T>(value: T): Promise<T> {
  const promise = Promise.resolve(value);
  const then = (ok: (value: T) => void) => (ok(value), ok(value));
  return Object.assign(promise, { then }) as Promise<T>;
}

/** A native promise whose `constructor` getter throws. */
function badConstructor<T>(value: T): Promise<T> {
  const get = () => {
    throw new RangeError("no constructor");
  };
  return Object.defineProperty(Promise.resolve(value), "constructor", { get });
}

Deno.test("Semaphore.run() gives its permit back once, whatever promise fn returns", async (t) => {
  for (const queued of [false, true]) {
    const how = queued ? "queued" : "with a free permit";
    await t.step(`an own then that calls back twice, ${how}`, async () => {
      const semaphore = new Semaphore(1);
      const held = queued ? await semaphore.acquire() : undefined;
      const call = semaphore.run(() => twice("x"));
      held?.release();
      assertEquals(await call, "x");
      assertEquals([semaphore.available, semaphore.waiting], [1, 0]);
    });
    await t.step(`a constructor getter that throws, ${how}`, async () => {
      const semaphore = new Semaphore(1);
      const held = queued ? await semaphore.acquire() : undefined;
      const call = semaphore.run(() => badConstructor("x"));
      held?.release();
      await assertRejects(() => call, RangeError, "no constructor");
      assertEquals([semaphore.available, semaphore.waiting], [1, 0]);
    });
  }
});
