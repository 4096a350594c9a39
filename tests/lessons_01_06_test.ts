// Lessons 01 to 06: what each Output block cannot say (the blocks are
// tests/lessons_output_test.ts's). One module for the six sections: a test
// module costs ~0.08 CPU-s to start in the suite, whatever it holds.
import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertLess,
  assertRejects,
} from "@std/assert";
import { command as modules } from "../lessons/01_modules.ts";
import { Event } from "../lib/event.ts";
import { command as coroutines } from "../lessons/02_coroutines.ts";
import { command as gather } from "../lessons/03_gather.ts";
import { command as semaphore } from "../lessons/04_semaphore.ts";
import { command as lock } from "../lessons/04_lock.ts";
import { command as exceptions } from "../lessons/05_exceptions.ts";
import { command as taskGroups } from "../lessons/05_task_groups.ts";
import { TaskGroup } from "../lib/task_group.ts";
import { command as executor } from "../lessons/06_executor.ts";
import { Executor } from "../lib/executor.ts";
import { steadily, ticking } from "./_ticks.ts";

const UNIT_01 = 40;

Deno.test("Lesson 01 computes the sum on a Worker, and ends the Worker", async () => {
  // Count the Workers the lesson starts and ends.
  const RealWorker = globalThis.Worker;
  const counts = { started: 0, terminated: 0 };
  globalThis.Worker = class extends RealWorker {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      counts.started++;
    }
    override terminate() {
      counts.terminated++;
      super.terminate();
    }
  };
  try {
    const { lines } = await modules.run({ unit: UNIT_01, log: () => {} });
    assert(lines.includes(
      "concurrent.futures → Worker: 1 + 2 + … + 1,000,000 = 500000500000",
    ));
  } finally {
    globalThis.Worker = RealWorker;
  }
  assertEquals(counts, { started: 1, terminated: 1 });
});

Deno.test("Lesson 01's signal stops only the wait it was handed", async () => {
  const { timeline } = await modules.run({ unit: UNIT_01, log: () => {} });
  const timer = timeline.span("event loop")!;
  assertGreaterOrEqual(timer.end! - timer.start, UNIT_01 / 2 - 1);
  // The wait handed the signal ended at its timeout (half a unit after the
  // signal was made, which a busy machine may make long before the wait
  // starts), not after its 10 units: rejected (the 10 units would have
  // fulfilled it), and before the 1-unit wait beside it ended (below).
  const handed = timeline.span("handed the signal")!;
  assertEquals(handed.outcome, "rejected");
  // The other wait ran its full unit, though the signal had fired while it
  // ran: it started beside the handed wait, not after it.
  const unaware = timeline.span("not handed the signal")!;
  assertEquals(unaware.outcome, "fulfilled");
  assert(
    unaware.start <= handed.start,
    "the unaware wait started after the handed one",
  );
  assertGreaterOrEqual(unaware.end! - unaware.start, UNIT_01 - 1);
  assert(unaware.end! > handed.end!);
});

Deno.test("Lesson 01's Event wakes the waiting task only after the other task set it", async () => {
  // Record each set() among the lesson's Event lines.
  const seen: string[] = [];
  const { set } = Event.prototype;
  Event.prototype.set = function (this: Event) {
    seen.push("set()");
    set.call(this);
  };
  let timeline;
  try {
    ({ timeline } = await modules.run({
      unit: UNIT_01,
      log: (line) => line.includes("→ Event") && seen.push(line),
    }));
  } finally {
    Event.prototype.set = set;
  }
  // The setter's line, then set(), then (and only then) the waiter's line.
  assertEquals(seen, [
    "asyncio → Event: one task set the event after 0.5 seconds",
    "set()",
    "asyncio → Event: the task waiting for it went on",
  ]);
  // On the timeline: the waiter was waiting before the setter's half unit
  // began, and ended only once the setter had ended.
  const waits = timeline.span("waits for the event")!;
  const sets = timeline.span("sets the event")!;
  assert(waits.start <= sets.start, "the waiter started after the setter");
  assertGreaterOrEqual(sets.end! - sets.start, UNIT_01 / 2 - 1);
  assertGreaterOrEqual(waits.end!, sets.end!);
});

const UNIT_02 = 30;

Deno.test("Lesson 02: calling an async function runs it up to its first await", async () => {
  const { lines } = await coroutines.run({ unit: UNIT_02, log: () => {} });
  // "Hello!" comes from inside say_hello(), before the call even returned;
  // a Python coroutine would have printed nothing yet.
  const returned = lines.indexOf(
    "say_hello() returned; its promise is pending",
  );
  assertEquals(lines.slice(returned - 1, returned + 2), [
    "Hello!",
    "say_hello() returned; its promise is pending",
    "Goodbye!",
  ]);
  // The lazy version prints nothing until it is called.
  const lazy = lines.indexOf(
    "nothing has run yet: later() has not been called",
  );
  assertEquals(lines.slice(lazy - 1), [
    "Goodbye!",
    "nothing has run yet: later() has not been called",
    "Hello!",
    "Goodbye!",
  ]);
});

Deno.test("Lesson 02: say_hello waits one unit between its lines", async () => {
  const { timeline } = await coroutines.run({ unit: UNIT_02, log: () => {} });
  for (const name of ["awaited", "eager", "lazy"]) {
    const span = timeline.span(name)!;
    // "eager" starts its timer before the timeline sees it (that is the
    // point of the lesson), so on a busy machine its span can come out a
    // few milliseconds short of the unit; without the wait it would be 0.
    assertGreaterOrEqual(span.end! - span.start, 0.8 * UNIT_02, name);
  }
});

Deno.test("A lesson's run rejects a unit that is not a positive number", async () => {
  const run = (unit: unknown) => coroutines.run({ unit: unit as number });
  await assertRejects(() => run(0), RangeError, "current value is 0");
  await assertRejects(() => run(-5), RangeError, "current value is -5");
  await assertRejects(() => run(NaN), RangeError, "current value is NaN");
  await assertRejects(() => run("5"), TypeError, 'current value is "5"');
});

// What lesson 3's Output block cannot say (tests/lessons_output_test.ts
// checks its lines): when each task ran.
const UNIT_03 = 40;

Deno.test("Lesson 03: gather takes about the longest task, and the created task runs while main goes on", async () => {
  const { lines, timeline } = await gather.run({
    unit: UNIT_03,
    log: () => {},
  });
  const [a, b, c] = ["A", "B", "C"].map((name) => timeline.span(name)!);
  assertEquals(
    timeline.completionOrder().filter((name) => "ABC".includes(name)),
    ["B", "A", "C"],
  );
  // All three start together, before the first of them ends...
  assertLess(Math.max(a!.start, b!.start, c!.start), b!.end!);
  // ...so the gather lasts at least 3 units, and less than the three tasks'
  // own times added up, as a sequence would (on their own clock: a late
  // timer stretches both; "under 5 units" failed once, at 5.5, under load).
  const total = c!.end! - Math.min(a!.start, b!.start);
  assertGreaterOrEqual(total, 3 * UNIT_03 - 1);
  const took = (span: { start: number; end?: number }) =>
    span.end! - span.start;
  assertLess(total, took(a!) + took(b!) + took(c!));
  // main waited its 2 units before the gather began.
  const main = timeline.span("main")!;
  assertGreaterOrEqual(main.end! - main.start, 2 * UNIT_03 - 1);
  assertGreaterOrEqual(a!.start, main.end!);
  // The call ran D's body up to its first await before main printed its
  // line (Python's create_task would print main's line first), and D
  // completed only after main's line: main did not wait for it.
  assertEquals(lines.slice(5, 7), [
    "Task D started",
    "Task D is running while main goes on",
  ]);
  const d = timeline.span("D")!;
  assertGreaterOrEqual(d.start, c!.end!);
  assertGreaterOrEqual(d.end! - d.start, UNIT_03 - 1);
});

Deno.test("Lesson 04 semaphore: five tasks, never more than two at once", async () => {
  const unit = 25;
  const started = performance.now();
  const { lines, timeline } = await semaphore.run({ unit, log: () => {} });
  const elapsed = performance.now() - started;

  // The order of the lines is the Output block's (tests/lessons_output_test.ts):
  // the task handed a freed permit starts before the other task of its
  // round finishes.
  // On the timeline too: task 3 started before task 2 ended.
  assert(
    timeline.span("task 3")!.start <= timeline.span("task 2")!.end!,
    "task 3 started only after task 2 ended",
  );
  // At no point in the printed lines are more than two tasks running, and
  // two do run at once.
  let running = 0;
  let most = 0;
  for (const line of lines) {
    running += line === "Task started" ? 1 : -1;
    most = Math.max(most, running);
    assert(running >= 0 && running <= 2, `running = ${running}`);
  }
  assertEquals(most, 2);
  assertEquals(timeline.maxConcurrency(), 2);
  // First come, first served.
  assertEquals(timeline.completionOrder(), [
    "task 1",
    "task 2",
    "task 3",
    "task 4",
    "task 5",
  ]);
  // Three rounds of two seconds: at least 6 units (two at a time, not
  // five). Not the 10 of one at a time: two ran at once (above).
  assert(elapsed >= 6 * unit - 2, `elapsed ${elapsed}`);
});

Deno.test("Lesson 04 lock: one holder at a time, and no lost updates", async (t) => {
  await t.step("default run", async () => {
    const unit = 20;
    const result = await lock.run({ unit, log: () => {} });
    assertEquals(result.lines, [
      "Resource in use",
      "Resource in use",
      "Resource in use",
      "Without a lock: 10 increments, counter = 1",
      "With a lock: 10 increments, counter = 10",
    ]);
    assertEquals([result.unlocked, result.locked], [1, 10]);
    // The three holders of the critical section never overlap, in FIFO order.
    assertEquals(result.timeline.maxConcurrency(), 1);
    assertEquals(result.timeline.completionOrder(), ["A", "B", "C"]);
    const spans = ["A", "B", "C"].map((n) => result.timeline.span(n)!);
    assert(spans[1]!.start >= spans[0]!.end!);
    assert(spans[2]!.start >= spans[1]!.end!);
  });

  await t.step(
    "with 50 tasks, 49 updates are lost without the lock",
    async () => {
      const result = await lock.run({ unit: 5, tasks: 50, log: () => {} });
      assertEquals([result.unlocked, result.locked], [1, 50]);
    },
  );

  await t.step(
    "a bad task count is a RangeError, as is one past 10,000 (10^8 ran out of memory after 75 s)",
    async () => {
      for (const tasks of [0, 10_001]) {
        await assertRejects(
          () => lock.run({ unit: 1, tasks, log: () => {} }),
          RangeError,
          `Cannot run lesson as 'tasks' must be a whole number from 1 to 10000: current value is ${tasks}`,
        );
      }
    },
  );
});

Deno.test("Lesson 05 shows what Promise.all and Promise.allSettled do to the other tasks", async (t) => {
  const unit = 40;
  const { timeline } = await exceptions.run({ unit, log: () => {} });
  const outcome = (name: string) => timeline.span(name)?.outcome;
  const end = (name: string) => timeline.span(name)!.end!;
  const took = (name: string) => end(name) - timeline.span(name)!.start;

  await t.step(
    "Promise.all: A and C ran their full time after B failed",
    () => {
      assertEquals(outcome("all B"), "rejected");
      for (const [name, seconds] of [["all A", 2], ["all C", 3]] as const) {
        assertEquals(outcome(name), "fulfilled");
        assert(took(name) >= seconds * unit - 2);
        assert(end(name) > end("all B"));
      }
      // And the lesson went on only after they ended: no task leaks out.
      assert(timeline.span("allSettled A")!.start >= end("all C"));
    },
  );

  await t.step(
    "Promise.allSettled: every task settled, as it would alone",
    () => {
      assertEquals(
        ["A", "B", "C"].map((n) => outcome(`allSettled ${n}`)),
        ["fulfilled", "rejected", "fulfilled"],
      );
      assert(took("allSettled C") >= 3 * unit - 2);
    },
  );
});

// No time below is bounded from above: ends that came "at once" are told
// apart from later ones by a timer of the test's own (tests/_ticks.ts).
// 250 ms: the body's 1-unit timer is set after A's 2-unit one (spawn calls
// A at once), so a pause of a unit in between lets A finish first. At 100
// ms that failed once in a fresh-clone CI run; a 130 ms busy loop put there
// by hand fails it at 100 and not at 250.
const UNIT_05 = 250;

Deno.test("Lesson 05_task_groups stops the tasks each tool should stop, and only those", async (t) => {
  // How each TaskGroup.run body itself ended: the error of the body part
  // must be the body's own, not that of a task it spawned.
  const bodies: string[] = [];
  const { run } = TaskGroup;
  TaskGroup.run = <T>(
    body: (group: TaskGroup) => T | PromiseLike<T>,
    options?: Parameters<typeof run>[1],
  ): Promise<T> =>
    run(async (group) => {
      try {
        const value = await body(group);
        bodies.push("returned");
        return value;
      } catch (error) {
        bodies.push(`threw ${error}`);
        throw error;
      }
    }, options);
  let result;
  try {
    // Held up for half a unit (load 29), A finished, and so did E.
    result = await steadily(
      UNIT_05 / 2,
      () => taskGroups.run({ unit: UNIT_05, log: () => {} }),
      () => bodies.length = 0,
    );
  } finally {
    TaskGroup.run = run;
  }
  const { timeline, unit, ticksBetween } = result;
  const span = (name: string) => {
    const found = timeline.span(name);
    if (found?.end === undefined) throw new Error(`${name} never ended`);
    const { start, end, outcome } = found;
    return { start, end, outcome, took: end - start };
  };

  await t.step(
    "AbortController: D stopped when aborted, after 1 of its 3 seconds",
    () => {
      // Rejected: stopped before its own 3-second timer could fulfil it.
      assertEquals(span("cancel D").outcome, "rejected");
      assert(span("cancel D").took >= unit - 2);
    },
  );

  await t.step("TaskGroup: A and C were cancelled when B failed", () => {
    for (const name of ["group A", "group C"]) {
      // A task of this lesson rejects only if it fails or is cancelled.
      assertEquals(span(name).outcome, "rejected");
      // Cancelled in the same turn of the event loop as B's failure (the
      // test's timer never ticked in between), not when its own timer
      // would have fired.
      assert(span(name).end >= span("group B").end);
      assertEquals(ticksBetween(span("group B").end, span(name).end), [], name);
    }
  });

  await t.step(
    "TaskGroup.run: the body's error cancelled A and C after 1 second",
    () => {
      // The first body only spawned its tasks; the second threw its own error.
      assertEquals(bodies, ["returned", "threw ValueError: The body failed"]);
      for (const name of ["body A", "body C"]) {
        // Rejected, so stopped before their own 2 and 3 seconds were up, and
        // not before the body failed, after 1 second.
        assertEquals(span(name).outcome, "rejected");
        assert(span(name).took >= unit - 2);
      }
      // Both in one turn of the event loop: the group cancelled them
      // together (so C, too, before A's own 2 seconds).
      const ends = [span("body A").end, span("body C").end];
      assertEquals(ticksBetween(Math.min(...ends), Math.max(...ends)), []);
      // The next part began only after both had stopped.
      assert(span("deadline E").start >= span("body C").end);
    },
  );

  await t.step("timeouts: E and F stopped after 1.5 of their 3 seconds", () => {
    for (const name of ["deadline E", "timeout F"]) {
      // Rejected, so stopped before its own 3 seconds were up, and not
      // before 1.5. (Not "by 2.5": a timer 100 ms late failed that once, at
      // 8 test files at once.)
      assertEquals(span(name).outcome, "rejected");
      assert(span(name).took >= 1.5 * unit - 2);
    }
  });
});

Deno.test("lesson 06: a worker blocks while the heartbeat ticks; the main thread freezes it", async () => {
  const unit = 60;
  // A heartbeat of the test's own (tests/_ticks.ts), which does not rely on
  // the counts the lesson reports: it can tick only while the main thread
  // is free to run its event loop.
  const { lines, timeline, ticks, ticksBetween } = await ticking(
    unit / 4,
    () => executor.run({ unit, log: () => {} }),
  );
  const beatsDuring = (name: string) => {
    const span = timeline.span(name)!;
    return ticksBetween(span.start, span.end!).length;
  };
  for (const name of ["in a worker", "on the main thread"]) {
    const span = timeline.span(name)!;
    assertEquals(span.outcome, "fulfilled");
    assert(span.end! - span.start >= 2 * unit - 1, `${name} blocked 2 units`);
  }
  // Two units blocked in the worker at a tick every quarter unit: about 8
  // ticks. Loose lower bound for a loaded machine, but never the 0 below.
  const duringWorker = beatsDuring("in a worker");
  assert(
    duringWorker >= 3,
    `only ${duringWorker} beats while a worker blocked`,
  );
  assertEquals(beatsDuring("on the main thread"), 0);
  // The lesson's own heartbeat saw the same, and its lines say what it saw.
  assert(ticks.worker >= 3, `only ${ticks.worker} ticks`);
  assertEquals(ticks.main, 0);
  assertEquals(lines, [
    "Finished blocking task",
    `Heartbeat ticked ${ticks.worker} times while a worker blocked`,
    "Finished blocking task",
    `Heartbeat ticked ${ticks.main} times while the main thread blocked`,
  ]);
});

Deno.test("lesson 06 stops its heartbeat when the run fails too", async () => {
  // A run that fails (here, as it does when workers may not load their
  // modules) must not leave the heartbeat's interval keeping the process
  // alive. Every interval the lesson sets is counted until it is cleared.
  const live = new Set<ReturnType<typeof setInterval>>();
  const { setInterval: set, clearInterval: clear } = globalThis;
  const { run } = Executor.prototype;
  globalThis.setInterval = ((...args: Parameters<typeof set>) => {
    const id = set(...args);
    live.add(id);
    return id;
  }) as typeof set;
  globalThis.clearInterval = ((id: ReturnType<typeof set>) => {
    live.delete(id);
    clear(id);
  }) as typeof clear;
  Executor.prototype.run = () => Promise.reject(new Error("no worker today"));
  try {
    await assertRejects(
      () => executor.run({ unit: 20, log: () => {} }),
      Error,
      "no worker today",
    );
  } finally {
    Object.assign(globalThis, { setInterval: set, clearInterval: clear });
    Executor.prototype.run = run;
  }
  const left = live.size;
  live.forEach((id) => clear(id));
  assertEquals(left, 0, "an interval of the lesson was still running");
});
