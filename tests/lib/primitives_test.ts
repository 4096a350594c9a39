// What every primitive owes, checked across all of them in one test module
// (a module costs ~0.08 CPU-s to start in the suite, whatever it holds): a
// bad signal is refused, a settled call keeps nothing alive, and a seeded
// soak of random operations matches the model.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "@std/assert";
import {
  asCompleted,
  Event,
  Lock,
  Queue,
  Semaphore,
  TaskGroup,
} from "../../mod.ts";
import { forever, refusal, settle } from "./_helpers.ts";
import { soak } from "../../bench/soak.ts";

// Every method of Semaphore, Lock, Event, Queue and asCompleted that takes a
// signal refuses one that is not a real AbortSignal, look-alikes included
// (attack #12: `Object.create(AbortSignal.prototype)` passed the check, and
// its first `aborted` read then threw "Illegal invocation" synchronously).
// A method that returns a promise rejects, it never throws; the error is a
// TypeError that names the parameter and the value, and nothing is queued.
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

// A signal that takes no listener: on Deno, one made non-extensible
// (`Object.preventExtensions`, `seal`, `freeze`) before anyone listened; it
// still aborts. A call that had to wait threw the runtime's TypeError
// synchronously and left its waiter queued with nobody holding its promise:
// the next permit or item went to it, lost for good.
Deno.test("a signal that takes no listener makes a waiting call reject, and leaves no waiter to take a permit or item", async () => {
  // One signal for every call: after the first refusal, it takes none either.
  const signal = Object.preventExtensions(new AbortController().signal);
  const sem = new Semaphore(1);
  const lock = new Lock();
  const held = [sem.tryAcquire()!, lock.tryAcquire()!];
  const event = new Event();
  const queue = new Queue<number>();
  const rendezvous = new Queue<number>({ maxsize: 0 });
  const unfinished = new Queue<number>();
  unfinished.tryPut(0);
  const pending = asCompleted([new Promise(() => {})], { signal });
  const calls: [string, () => unknown][] = [
    ["Semaphore.acquire", () => sem.acquire({ signal })],
    ["Semaphore.run", () => sem.run(() => 1, { signal })],
    ["Lock.acquire", () => lock.acquire({ signal })],
    ["Event.wait", () => event.wait({ signal })],
    ["Queue.get", () => queue.get({ signal })],
    ["Queue.put", () => rendezvous.put(1, { signal })],
    ["Queue.join", () => unfinished.join({ signal })],
    ["asCompleted next()", () => pending.next()],
    ["TaskGroup.run", () => TaskGroup.run(() => 1, { signal })],
  ];
  for (const [name, call] of calls) {
    let result: unknown;
    try {
      result = call();
    } catch (error) {
      throw new Error(`${name}: threw synchronously: ${error}`);
    }
    assertInstanceOf(result, Promise, name);
    assertInstanceOf(await refusal(() => result), TypeError, name);
  }
  for (const permit of held) permit.release();
  queue.tryPut(1);
  const waiting = [sem.waiting, lock.waiting, event.waiting];
  assertEquals([sem.available, lock.locked, ...waiting], [1, false, 0, 0, 0]);
  assertEquals([queue.tryGet(), rendezvous.waitingPutters], [{ value: 1 }, 0]);
  assertEquals(unfinished.waitingGetters, 0);
});

// A settled call leaves nothing behind that keeps the process alive, even
// when it was handed a signal from AbortSignal.timeout(): the cases of
// fixtures/keep_alive.ts run in a process that must end by itself once the
// work is done. All in one process: it ends only if no case leaves anything
// behind (one process instead of ten saves ~0.3 CPU-s); when one does, each
// case runs again in a process of its own, to name it.
const fixture = new URL("./fixtures/keep_alive.ts", import.meta.url);
const cases = [
  "semaphore",
  "lock",
  "event",
  "queue-get",
  "queue-put",
  "queue-join",
  "task-group-run",
  "task-group",
  "as-completed",
  "fetch",
];

/** Runs the cases `names` in one process: the problems it showed, if any. */
async function run(...names: string[]): Promise<string | undefined> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read=.",
      "--allow-net=127.0.0.1",
      fixture.pathname,
      ...names,
    ],
    stdin: "null",
  }).output();
  const out = new TextDecoder().decode(stdout).trim();
  const err = new TextDecoder().decode(stderr).trim();
  return code === 0 && out === "" ? undefined : `exit ${code}: ${out} ${err}`;
}

Deno.test("A call handed a timeout signal does not keep the process alive once settled", async () => {
  if (await run(...cases) === undefined) return;
  const kept: string[] = [];
  for (const name of cases) {
    const problem = await run(name);
    if (problem !== undefined) kept.push(`${name} (${problem})`);
  }
  assertEquals(kept, [], "cases that kept their process alive");
  throw new Error("all the cases together kept their process alive");
});

// Only the signal's own abort counts: an "abort" event dispatched by hand on
// a signal that has not aborted (a polyfill, a test double) rejected every
// waiter on it with `undefined` and aborted a TaskGroup watching it.
Deno.test("an 'abort' event dispatched by hand on a live signal changes nothing: the real abort still does", async () => {
  const controller = new AbortController();
  const { signal } = controller;
  const sem = new Semaphore(1);
  const permit = sem.tryAcquire()!;
  const queue = new Queue<number>();
  const group = new TaskGroup({ signal });
  const calls = [
    sem.acquire({ signal }),
    new Event().wait({ signal }),
    queue.get({ signal }),
    group.spawn(() => forever(group.signal)),
  ].map((call) => call.then(() => "resolved", (reason) => reason));
  signal.dispatchEvent(new globalThis.Event("abort"));
  await settle();
  assertEquals([sem.waiting, queue.waitingGetters], [1, 1]);
  assert(!group.signal.aborted, "the group was aborted");
  const reason = new Error("the real one");
  controller.abort(reason);
  assertEquals(await Promise.all(calls), [reason, reason, reason, reason]);
  assert(await assertRejects(() => group.wait()) === reason);
  permit.release();
});

// A short run of the soak in bench/soak.ts (`deno task soak` runs 10^7
// operations): random operations over Semaphore, Lock, Event, Queue,
// TaskGroup and asCompleted, with aborts and closes, each call checked
// against a model of what it must do. It throws at the first mismatch.
Deno.test("a short soak (5·10^4 random operations, seed 7) matches the model", async () => {
  const { ops } = await soak(50_000, 7);
  assert(ops >= 50_000);
});
