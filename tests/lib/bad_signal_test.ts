// Every method of Semaphore, Lock, Event, Queue and asCompleted that takes a
// signal refuses one that is not a real AbortSignal, look-alikes included
// (attack #12: `Object.create(AbortSignal.prototype)` passed the check, and
// its first `aborted` read then threw "Illegal invocation" synchronously).
// A method that returns a promise rejects, it never throws; the error is a
// TypeError that names the parameter and the value, and nothing is queued.
import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import { asCompleted, Event, Lock, Queue, Semaphore } from "../../mod.ts";

const LOOKALIKES: [string, unknown, string][] = [
  [
    "Object.create(AbortSignal.prototype)",
    Object.create(AbortSignal.prototype),
    "an AbortSignal",
  ],
  ["{ aborted: true }", { aborted: true, reason: 1 }, "{ aborted, reason }"],
  ["an EventTarget", new EventTarget(), "an EventTarget"],
  ["null", null, "null"],
  ["a long array", new Array(100_000), "an array of 100000 items"],
];

const sem = new Semaphore(1);
const lock = new Lock();
const event = new Event();
const queue = new Queue<number>({ maxsize: 1 });
const idle = () =>
  [sem.available, sem.waiting, lock.locked, lock.waiting, event.waiting] +
  `${[queue.size, queue.waitingGetters, queue.waitingPutters]}`;
const before = idle();

// deno-lint-ignore no-explicit-any
const CALLS: [string, (signal: any) => unknown][] = [
  ["Semaphore.acquire", (signal) => sem.acquire({ signal })],
  ["Semaphore.run", (signal) => sem.run(() => 1, { signal })],
  ["Lock.acquire", (signal) => lock.acquire({ signal })],
  ["Lock.run", (signal) => lock.run(() => 1, { signal })],
  ["Event.wait", (signal) => event.wait({ signal })],
  ["Queue.put", (signal) => queue.put(1, { signal })],
  ["Queue.get", (signal) => queue.get({ signal })],
  ["Queue.join", (signal) => queue.join({ signal })],
];

for (const [method, call] of CALLS) {
  Deno.test(`${method} rejects a signal that is not an AbortSignal, and queues nothing`, async () => {
    for (const [name, signal, shown] of LOOKALIKES) {
      let result: unknown;
      try {
        result = call(signal);
      } catch (error) {
        throw new Error(`${name}: threw synchronously: ${error}`);
      }
      assertInstanceOf(result, Promise, name);
      const error: TypeError = await (result as Promise<unknown>).then(
        () => undefined,
        (e) => e,
      );
      assertInstanceOf(error, TypeError, name);
      assert(error.message.includes("'signal'"), error.message);
      assert(error.message.includes(shown), error.message);
      assert(error.message.length < 200, error.message);
    }
    assertEquals(idle(), before);
  });
}

Deno.test("asCompleted() throws a TypeError for a look-alike signal, before reading its input", () => {
  for (const [name, signal, shown] of LOOKALIKES) {
    let read = false;
    const inputs = {
      *[Symbol.iterator]() {
        read = true;
        yield 1;
      },
    };
    let error = undefined as unknown as TypeError;
    try {
      // deno-lint-ignore no-explicit-any
      asCompleted(inputs, { signal: signal as any });
    } catch (e) {
      error = e as TypeError;
    }
    assertInstanceOf(error, TypeError, name);
    assert(error.message.includes("'signal'"), error.message);
    assert(error.message.includes(shown), error.message);
    assertEquals(read, false, name);
  }
});
