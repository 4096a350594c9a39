// Every options parameter in lib/ refuses the same values the same way:
// `undefined` (or leaving it out) is allowed, any object but an array is an
// options object, and everything else (null, numbers, strings, booleans,
// symbols, bigints, functions, arrays) is a TypeError naming the value, thrown
// by a constructor or a synchronous method and a rejection for a method that
// returns a promise.
import { assertEquals, assertInstanceOf } from "@std/assert";
import { asCompleted } from "../../lib/as_completed.ts";
import { Event } from "../../lib/event.ts";
import { Executor } from "../../lib/executor.ts";
import { fetchAll, fetchWithRetry } from "../../lib/fetch.ts";
import { Lock } from "../../lib/lock.ts";
import { Queue } from "../../lib/queue.ts";
import { Semaphore } from "../../lib/semaphore.ts";
import { TaskGroup } from "../../lib/task_group.ts";
import { Timeline } from "../../lib/timeline.ts";
import { checkOptions } from "../../lib/_util.ts";

const BAD: [unknown, string][] = [
  [null, "null"],
  [5, "5"],
  ["x", '"x"'],
  [true, "true"],
  [Symbol("s"), "Symbol(s)"],
  [2n, "2n"],
  [function named() {}, 'a function ("named")'],
  [[], "an empty array"],
  [[{ signal: undefined }], "an array of 1 item"],
];

/** What a call did with bad options: threw, rejected, or neither. */
async function outcome(
  call: () => unknown,
): Promise<{ how: "threw" | "rejected" | "accepted"; error?: unknown }> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return { how: "threw", error };
  }
  if (result instanceof Promise) {
    try {
      result = await result;
    } catch (error) {
      return { how: "rejected", error };
    }
  }
  // Accepted (as before the fix): give back what was taken.
  if (result instanceof TaskGroup) await result.wait();
  (result as { release?: () => void } | undefined)?.release?.();
  return { how: "accepted" };
}

// The module URL of a task that is never loaded: bad options stop the call first.
const MODULE = new URL("./fixtures/tasks.ts", import.meta.url).href;
// Nothing listens here: bad options stop the call before anything is sent.
const URL_ = "http://127.0.0.1:9/";

const CASES: {
  name: string;
  how: "threw" | "rejected";
  action: string;
  call: (options: unknown) => unknown;
  after?: () => void | Promise<void>;
}[] = (() => {
  const sem = new Semaphore(1);
  const lock = new Lock();
  const group = new TaskGroup();
  let executor = new Executor({ workers: 1 });
  const timeline = new Timeline();
  const noop = () => {};
  // deno-lint-ignore no-explicit-any
  const any = (value: unknown) => value as any;
  return [
    {
      name: "Semaphore.acquire",
      how: "rejected",
      action: "acquire permit",
      call: (o) => sem.acquire(any(o)),
      after: () => assertEquals([sem.available, sem.waiting], [1, 0]),
    },
    {
      name: "Semaphore.run",
      how: "rejected",
      action: "acquire permit",
      call: (o) => sem.run(noop, any(o)),
      after: () => assertEquals([sem.available, sem.waiting], [1, 0]),
    },
    {
      name: "Lock.acquire",
      how: "rejected",
      action: "acquire permit",
      call: (o) => lock.acquire(any(o)),
      after: () => assertEquals([lock.locked, lock.waiting], [false, 0]),
    },
    {
      name: "Lock.run",
      how: "rejected",
      action: "acquire permit",
      call: (o) => lock.run(noop, any(o)),
      after: () => assertEquals([lock.locked, lock.waiting], [false, 0]),
    },
    {
      name: "new TaskGroup",
      how: "threw",
      action: "create task group",
      call: (o) => new TaskGroup(any(o)),
    },
    {
      name: "TaskGroup.run",
      how: "rejected",
      action: "run task group",
      call: (o) => TaskGroup.run(noop, any(o)),
    },
    {
      name: "TaskGroup.spawn",
      how: "threw",
      action: "spawn task",
      call: (o) => group.spawn(noop, any(o)),
    },
    {
      name: "new Queue",
      how: "threw",
      action: "create queue",
      call: (o) => new Queue(any(o)),
    },
    {
      name: "Queue.put",
      how: "rejected",
      action: "put item",
      call: (o) => new Queue().put(1, any(o)),
    },
    {
      name: "Queue.get",
      how: "rejected",
      action: "get item",
      // One item in the queue: an accepted call would not wait.
      call: (o) => {
        const queue = new Queue();
        queue.tryPut(1);
        return queue.get(any(o));
      },
    },
    {
      name: "Event.wait",
      how: "rejected",
      action: "wait for event",
      call: (o) => {
        const event = new Event();
        event.set(); // an accepted call would not wait
        return event.wait(any(o));
      },
    },
    {
      name: "asCompleted",
      how: "threw",
      action: "iterate results",
      call: (o) => asCompleted([], any(o)),
    },
    {
      name: "new Executor",
      how: "threw",
      action: "create executor",
      call: (o) => new Executor(any(o)),
    },
    {
      name: "Executor.run",
      how: "rejected",
      action: "run task",
      call: (o) => executor.run(MODULE, "double", [1], any(o)),
      after: async () => {
        const started = executor.workers;
        await executor.shutdown();
        executor = new Executor({ workers: 1 });
        assertEquals(started, 0, "no worker started");
      },
    },
    {
      name: "Executor.bind",
      how: "threw",
      action: "bind module",
      call: (o) => executor.bind(MODULE, any(o)),
    },
    {
      name: "fetchWithRetry",
      how: "rejected",
      action: "fetch",
      call: (o) => fetchWithRetry(URL_, any(o)),
    },
    {
      name: "fetchAll",
      how: "rejected",
      action: "fetch all",
      call: (o) => fetchAll([URL_], any(o)),
    },
    {
      name: "new Timeline",
      how: "threw",
      action: "create timeline",
      call: (o) => new Timeline(any(o)),
    },
    {
      name: "Timeline.render",
      how: "threw",
      action: "render timeline",
      call: (o) => timeline.render(any(o)),
    },
    {
      name: "Timeline.toSVG",
      how: "threw",
      action: "draw timeline as SVG",
      call: (o) => timeline.toSVG(any(o)),
    },
  ];
})();

Deno.test("every options parameter in lib/ refuses what is not an object alike, naming it", async (t) => {
  for (const { name, how, action, call, after } of CASES) {
    await t.step(name, async () => {
      const wrong: string[] = [];
      for (const [bad, shown] of BAD) {
        const got = await outcome(() => call(bad));
        await after?.();
        const init = name === "fetchWithRetry" ? "init" : "options";
        const message =
          `Cannot ${action} as '${init}' must be an object: current value is ${shown}`;
        if (
          got.how !== how || !(got.error instanceof TypeError) ||
          got.error.message !== message
        ) {
          wrong.push(`${shown}: ${got.how} ${String(got.error ?? "")}`);
        }
      }
      assertEquals(wrong, [], `${name} with bad options`);
    });
  }
});

Deno.test("an options object may be any object but an array: a class instance or a null-prototype object", async () => {
  class Options {
    signal = undefined;
  }
  for (const options of [undefined, {}, new Options(), Object.create(null)]) {
    assertEquals(checkOptions(options, "do it"), undefined);
    const sem = new Semaphore(1);
    (await sem.acquire(options)).release();
    assertEquals(await sem.run(() => 7, options), 7);
    assertEquals(await new Lock().run(() => 8, options), 8);
    assertEquals(await TaskGroup.run(() => 9, options), 9);
    assertEquals(new Queue(options).maxsize, Infinity);
  }
});

Deno.test("checkOptions() names the parameter it is told", () => {
  const error = checkOptions(42, "fetch", "init");
  assertInstanceOf(error, TypeError);
  assertEquals(
    error?.message,
    "Cannot fetch as 'init' must be an object: current value is 42",
  );
});
