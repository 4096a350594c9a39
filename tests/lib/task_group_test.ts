import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { TaskGroup } from "../../lib/task_group.ts";
import { aborted, delay, outcome, unhandledRejections } from "./_helpers.ts";

Deno.test("TaskGroup.wait() fulfills when every task has fulfilled", async (t) => {
  await t.step("the spawned promises carry the results", async () => {
    const group = new TaskGroup();
    const a = group.spawn(async () => {
      await delay(10);
      return "a";
    });
    const b = group.spawn(() => Promise.resolve(2));
    // A function that returns a plain value is a task that succeeded at once.
    const c = group.spawn(() => 3);
    await group.wait();
    assertEquals([await a, await b, await c], ["a", 2, 3]);
    assertEquals(group.signal.aborted, false);
  });

  await t.step("an empty group settles at once", async () => {
    const group = new TaskGroup();
    await group.wait();
  });

  await t.step(
    "fn is called synchronously with a signal that follows the group's",
    async () => {
      const group = new TaskGroup();
      let received: AbortSignal | undefined;
      const task = group.spawn(async (signal) => {
        received = signal;
        await aborted(signal);
        return signal.reason;
      });
      assertInstanceOf(received, AbortSignal);
      const own = received as AbortSignal;
      assertEquals(own.aborted, false);
      const reason = new Error("stop");
      group.abort(reason);
      // At the same moment as the group's, with the same reason.
      assertEquals([own.aborted, group.signal.aborted], [true, true]);
      assertStrictEquals(own.reason, reason);
      assertStrictEquals(await task, reason);
      await group.wait();
    },
  );

  await t.step(
    "a task's signal stops following the group once the task settled",
    async () => {
      const group = new TaskGroup();
      let early: AbortSignal | undefined;
      let late: AbortSignal | undefined;
      await group.spawn((signal) => {
        early = signal;
      });
      const running = group.spawn((signal) => {
        late = signal;
        return aborted(signal);
      });
      group.abort();
      await running;
      assertEquals([early!.aborted, late!.aborted], [false, true]);
      await group.wait();
    },
  );

  await t.step("wait() and asyncDispose return the same promise", async () => {
    const group = new TaskGroup();
    group.spawn(() => delay(1));
    const waiting = group.wait();
    assertStrictEquals(group.wait(), waiting);
    assertStrictEquals(group[Symbol.asyncDispose](), waiting);
    await waiting;
  });
});

Deno.test("TaskGroup aborts the signal for every sibling at the first failure", async () => {
  const group = new TaskGroup();
  const failure = new Error("boom");
  const slow = group.spawn((signal) => delay(10_000, { signal }));
  const slower = group.spawn((signal) => delay(20_000, { signal }));
  group.spawn(async () => {
    await delay(10);
    throw failure;
  });

  const error = await assertRejects(() => group.wait(), AggregateError);
  // Only the real failure is reported: the siblings were cancelled.
  assertEquals(error.errors, [failure]);

  const reason = group.signal.reason;
  assertInstanceOf(reason, DOMException);
  assertEquals(reason.name, "AbortError");
  assertStrictEquals((reason as { cause?: unknown }).cause, failure);
  assertStrictEquals(
    (await outcome(slow) as PromiseRejectedResult).reason,
    reason,
  );
  assertStrictEquals(
    (await outcome(slower) as PromiseRejectedResult).reason,
    reason,
  );
});

Deno.test("TaskGroup treats a synchronous throw in fn as a failed task", async () => {
  const group = new TaskGroup();
  const failure = new TypeError("thrown before any await");
  const sibling = group.spawn((signal) => delay(10_000, { signal }));
  const task = group.spawn(() => {
    throw failure;
  });
  // spawn did not throw: the task's promise rejects instead.
  assertStrictEquals(
    (await outcome(task) as PromiseRejectedResult).reason,
    failure,
  );
  const error = await assertRejects(() => group.wait(), AggregateError);
  assertEquals(error.errors, [failure]);
  assertEquals((await outcome(sibling)).status, "rejected");
});

Deno.test("TaskGroup.wait() waits for a task that ignores the signal", async () => {
  const group = new TaskGroup();
  const events: string[] = [];
  group.spawn(async (signal) => {
    await aborted(signal);
    events.push("stubborn saw the abort");
    // It goes on working without passing the signal on.
    await delay(30);
    events.push("stubborn finished");
  });
  group.spawn(async () => {
    await delay(5);
    events.push("failing task throws");
    throw new Error("boom");
  });
  await assertRejects(
    () => group.wait(),
    AggregateError,
    "1 task in the group failed",
  );
  events.push("wait settled");
  assertEquals(events, [
    "failing task throws",
    "stubborn saw the abort",
    "stubborn finished",
    "wait settled",
  ]);
});

Deno.test("TaskGroup.wait() rejects with an AggregateError of every failure", async (t) => {
  await t.step(
    "failures in the order they happened; cancellations left out",
    async () => {
      const group = new TaskGroup();
      const first = new Error("first");
      const cleanup = new RangeError("failed while cancelling");
      group.spawn(async () => {
        await delay(10);
        throw first;
      });
      // Rejects with signal.reason: cancelled, not failed.
      group.spawn((signal) => delay(10_000, { signal }));
      // Its own AbortError after the abort: also a cancellation, as asyncio
      // leaves every CancelledError out of its ExceptionGroup.
      group.spawn(async (signal) => {
        await aborted(signal);
        throw new DOMException("stopped by hand", "AbortError");
      });
      // A different error while cancelling is a failure.
      group.spawn(async (signal) => {
        await aborted(signal);
        await delay(5);
        throw cleanup;
      });
      // Anything may be thrown; a string is a failure too.
      group.spawn(async (signal) => {
        await aborted(signal);
        await delay(20);
        throw "a string";
      });
      const error = await assertRejects(() => group.wait(), AggregateError);
      assertEquals(
        error.message,
        '3 tasks in the group failed: "task 1", "task 4", "task 5"',
      );
      assertEquals(error.errors.length, 3);
      assertStrictEquals(error.errors[0], first);
      assertStrictEquals(error.errors[1], cleanup);
      assertStrictEquals(error.errors[2], "a string");
    },
  );

  await t.step(
    "an AbortError before the group aborted is a failure",
    async () => {
      const group = new TaskGroup();
      const own = new DOMException("a task's own timeout", "AbortError");
      group.spawn(() => Promise.reject(own));
      const error = await assertRejects(() => group.wait(), AggregateError);
      assertEquals(error.errors, [own]);
      assertEquals(group.signal.aborted, true);
    },
  );

  await t.step(
    "after the abort, an error whose name cannot be read is a failure",
    async () => {
      const group = new TaskGroup();
      const first = new Error("first");
      const odd = new Error("its name throws");
      Object.defineProperty(odd, "name", {
        get(): never {
          throw new Error("name was read");
        },
      });
      group.spawn(() => Promise.reject(first));
      group.spawn(async (signal) => {
        await aborted(signal);
        throw odd;
      });
      const error = await assertRejects(() => group.wait(), AggregateError);
      assertEquals(error.errors.length, 2);
      assertStrictEquals(error.errors[1], odd);
    },
  );
});

Deno.test("TaskGroup never lets a task's rejection go unhandled", async (t) => {
  using unhandled = unhandledRejections();
  await t.step("the listener sees a truly unhandled rejection", async () => {
    // The control: proves the listener below would catch one.
    const control = new Error("control");
    Promise.reject(control);
    assertEquals(await unhandled.reported(), [control]);
  });

  await t.step("failed tasks nobody awaits, with wait()", async () => {
    const group = new TaskGroup();
    group.spawn(() => Promise.reject(new Error("one")));
    group.spawn(async () => {
      await delay(5);
      throw new Error("two");
    });
    group.spawn((signal) => delay(10_000, { signal }));
    await assertRejects(() => group.wait(), AggregateError);
    assertEquals(await unhandled.reported(), []);
  });

  await t.step(
    "failed tasks nobody awaits, without wait(): only the group's failure is reported",
    async () => {
      const group = new TaskGroup();
      const failure = new Error("nobody looks");
      const task = group.spawn(async () => {
        await delay(5);
        throw failure;
      });
      // Settle it without attaching anything to the task itself.
      await aborted(group.signal);
      const reported = await unhandled.reported(1);
      assertEquals(reported.length, 1);
      assertInstanceOf(reported[0], AggregateError);
      assertEquals((reported[0] as AggregateError).errors, [failure]);
      // The task's promise still rejects for whoever asks later.
      await assertRejects(() => task, Error, "nobody looks");
      await assertRejects(() => group.wait(), AggregateError);
    },
  );
});

Deno.test("TaskGroup.abort() cancels the tasks without failing the group", async (t) => {
  await t.step(
    "wait() fulfills; the default reason is an AbortError",
    async () => {
      const group = new TaskGroup();
      const task = group.spawn((signal) => delay(10_000, { signal }));
      group.spawn(async () => {
        await delay(5);
        group.abort();
      });
      await group.wait();
      const reason = (await outcome(task) as PromiseRejectedResult).reason;
      assertInstanceOf(reason, DOMException);
      assertEquals(reason.name, "AbortError");
    },
  );

  await t.step(
    "a given reason is passed on; a second abort changes nothing",
    async () => {
      const group = new TaskGroup();
      const reason = { why: "enough" };
      group.abort(reason);
      group.abort(new Error("ignored"));
      assertStrictEquals(group.signal.reason, reason);
      const task = group.spawn(() => 1);
      assertStrictEquals(
        (await outcome(task) as PromiseRejectedResult).reason,
        reason,
      );
      await group.wait();
    },
  );

  await t.step(
    "a task hears of it once the group's signal is aborted: a sibling it spawns then is not started",
    async () => {
      const group = new TaskGroup();
      const seen: boolean[] = [];
      let started = false;
      let late: Promise<unknown> | undefined;
      group.spawn((signal) => {
        signal.onabort = () => {
          seen.push(group.signal.aborted);
          late = group.spawn(() => started = true);
        };
      });
      group.abort();
      assertEquals([seen, started], [[true], false]);
      assertEquals(await outcome(late!), {
        status: "rejected",
        reason: group.signal.reason,
      });
      await group.wait();
    },
  );
});

Deno.test("TaskGroup.spawn() works while wait() is pending and fails once settled", async (t) => {
  await t.step(
    "a task may spawn a sibling while the group is waited on",
    async () => {
      const group = new TaskGroup();
      const events: string[] = [];
      group.spawn(async () => {
        await delay(5);
        group.spawn(async () => {
          await delay(20);
          events.push("child finished");
        });
        events.push("parent finished");
      });
      await group.wait();
      events.push("wait settled");
      assertEquals(events, [
        "parent finished",
        "child finished",
        "wait settled",
      ]);
    },
  );

  await t.step(
    "wait() called synchronously inside fn counts that task",
    async () => {
      const group = new TaskGroup();
      const events: string[] = [];
      let waiting: Promise<void> | undefined;
      group.spawn(async () => {
        waiting = group.wait();
        await delay(10);
        events.push("task finished");
      });
      // The group has not settled: spawning is still allowed.
      group.spawn(() => events.push("sibling ran"));
      await waiting;
      events.push("wait settled");
      assertEquals(events, ["sibling ran", "task finished", "wait settled"]);
    },
  );

  await t.step(
    "spawn after the group settled throws and starts nothing",
    async () => {
      const group = new TaskGroup();
      await group.wait();
      let called = false;
      assertThrows(
        () =>
          group.spawn(() => {
            called = true;
          }),
        Error,
        "Cannot spawn task as the task group has already settled",
      );
      assertEquals(called, false);
    },
  );

  await t.step("also after a failed group settled", async () => {
    const group = new TaskGroup();
    group.spawn(() => Promise.reject(new Error("x")));
    await assertRejects(() => group.wait(), AggregateError);
    assertThrows(() => group.spawn(() => 1), Error, "already settled");
  });
});

Deno.test("TaskGroup with await using is the counterpart of async with", async (t) => {
  await t.step("the block ends when every task has settled", async () => {
    const events: string[] = [];
    {
      await using group = new TaskGroup();
      group.spawn(async () => {
        await delay(10);
        events.push("task");
      });
    }
    events.push("after the block");
    assertEquals(events, ["task", "after the block"]);
  });

  await t.step("a failure leaves the block as an AggregateError", async () => {
    const failure = new Error("boom");
    const error = await assertRejects(async () => {
      await using group = new TaskGroup();
      group.spawn((signal) => delay(10_000, { signal }));
      group.spawn(() => Promise.reject(failure));
    }, AggregateError);
    assertEquals(error.errors, [failure]);
  });

  await t.step(
    "a throwing body and a failing group make a SuppressedError",
    async () => {
      const body = new Error("body");
      const failure = new Error("task");
      const error = await assertRejects(async () => {
        await using group = new TaskGroup();
        group.spawn(async () => {
          await delay(5);
          throw failure;
        });
        throw body;
      }, SuppressedError);
      assertStrictEquals(error.suppressed, body);
      assertInstanceOf(error.error, AggregateError);
      assertEquals((error.error as AggregateError).errors, [failure]);
    },
  );

  await t.step(
    "a throwing block does not cancel the tasks (TaskGroup.run does)",
    async () => {
      const body = new Error("body");
      let sawAbort: boolean | undefined;
      const error = await assertRejects(async () => {
        await using group = new TaskGroup();
        group.spawn(async (signal) => {
          await delay(10, { signal });
          sawAbort = signal.aborted;
        });
        throw body;
      });
      // The block's own error, alone; the task ran to its end, unaborted.
      assertStrictEquals(error, body);
      assertEquals(sawAbort, false);
    },
  );
});

Deno.test("TaskGroup reports a failure nobody waits on as an unhandled rejection", async (t) => {
  using unhandled = unhandledRejections();
  await t.step(
    "once a task failed and every task settled, with no wait()",
    async () => {
      const group = new TaskGroup();
      const failure = new Error("lost?");
      group.spawn(() => Promise.reject(failure));
      const sibling = group.spawn((signal) => delay(10_000, { signal }));
      const reported = await unhandled.reported(1);
      assertEquals(reported.length, 1);
      const error = reported[0] as AggregateError;
      assertInstanceOf(error, AggregateError);
      assertEquals(error.errors, [failure]);
      // The sibling had settled (cancelled) before the report.
      assertEquals((await outcome(sibling)).status, "rejected");
      // wait() afterwards rejects with that same error; the group is done.
      assertStrictEquals(await assertRejects(() => group.wait()), error);
      assertThrows(() => group.spawn(() => 1), Error, "already settled");
    },
  );

  await t.step("not when wait() was called in time", async () => {
    const group = new TaskGroup();
    group.spawn(async () => {
      await delay(5);
      throw new Error("seen");
    });
    const waiting = group.wait();
    await assertRejects(() => waiting, AggregateError);
    assertEquals(await unhandled.reported(), []);
  });

  await t.step("not for an await using block that ends in time", async () => {
    const error = await assertRejects(async () => {
      await using group = new TaskGroup();
      group.spawn(() => Promise.reject(new Error("in the block")));
      await Promise.resolve(); // a short await in the body changes nothing
    }, AggregateError);
    assertEquals(error.errors.length, 1);
    assertEquals(await unhandled.reported(), []);
  });

  await t.step(
    "not for a cancellation: abort() or a parent's abort",
    async () => {
      const parent = new AbortController();
      const byParent = new TaskGroup({ signal: parent.signal });
      byParent.spawn((signal) => delay(10_000, { signal }));
      const byHand = new TaskGroup();
      const task = byHand.spawn((signal) => delay(10_000, { signal }));
      parent.abort();
      byHand.abort();
      await outcome(task);
      assertEquals(await unhandled.reported(), []);
      await assertRejects(() => byParent.wait(), DOMException);
      await byHand.wait();
    },
  );
});

Deno.test("TaskGroup spawns and settles tasks that listen to their signal", async (t) => {
  /** Counts the listeners added to `signal`. */
  function countListeners(signal: AbortSignal): { added: number } {
    const counts = { added: 0 };
    const add = signal.addEventListener.bind(signal);
    Object.assign(signal, {
      addEventListener(...args: Parameters<typeof add>) {
        counts.added++;
        add(...args);
      },
    });
    return counts;
  }

  await t.step("no task's listener lands on the group's signal", async () => {
    const group = new TaskGroup();
    const counts = countListeners(group.signal);
    for (let i = 0; i < 1000; i++) {
      group.spawn((signal) => delay(1, { signal }));
    }
    await group.wait();
    assertEquals(counts.added, 0);
  });

  // The cost of 10^3 and 10^4 such tasks, against the same by hand on one
  // signal (quadratic): bench/task_group_bench.ts.
  await t.step("1,000 tasks run to the end", async () => {
    const group = new TaskGroup();
    let done = 0;
    for (let i = 0; i < 1000; i++) {
      group.spawn(async (signal) => {
        await delay(1, { signal });
        done++;
      });
    }
    await group.wait();
    assertEquals(done, 1000);
  });

  await t.step("1,000 tasks cancelled by one failure", async () => {
    const group = new TaskGroup();
    const failure = new Error("the last one fails");
    let cancelled = 0;
    for (let i = 0; i < 1000; i++) {
      group.spawn((signal) =>
        i === 999
          ? delay(1).then(() => Promise.reject(failure))
          : delay(60_000, { signal }).catch((reason) => {
            if (reason === signal.reason) cancelled++;
            throw reason;
          })
      );
    }
    const error = await assertRejects(() => group.wait(), AggregateError);
    assertEquals(error.errors, [failure]);
    assertEquals(cancelled, 999);
  });
});

Deno.test("TaskGroup names its tasks", async (t) => {
  await t.step(
    "spawn(fn, { name }); the others are task 1, task 2, … in spawn order [task_name]",
    async () => {
      const group = new TaskGroup();
      const stop = Promise.withResolvers<void>();
      group.spawn(() => stop.promise);
      group.spawn(() => stop.promise, { name: "download a" });
      group.spawn(() => stop.promise, { name: "" });
      group.spawn(() => stop.promise);
      assertEquals(group.tasks.map((task) => task.name), [
        "task 1",
        "download a",
        "",
        "task 4",
      ]);
      stop.resolve();
      await group.wait();
    },
  );

  await t.step(
    "the AggregateError's message names the failed tasks in the order of its errors",
    async () => {
      const group = new TaskGroup();
      group.spawn(async (signal) => {
        await aborted(signal);
        throw new RangeError("while cancelling");
      });
      group.spawn(() => Promise.reject(new Error("first")), { name: "fetch" });
      const error = await assertRejects(() => group.wait(), AggregateError);
      assertEquals(error.errors.map((e: Error) => e.message), [
        "first",
        "while cancelling",
      ]);
      assertEquals(
        error.message,
        '2 tasks in the group failed: "fetch", "task 1"',
      );
      // The siblings' reason names the task that failed.
      assertEquals(
        group.signal.reason.message,
        'A task in the group failed: "fetch"',
      );
    },
  );

  await t.step("long names are cut, and past five only counted", async () => {
    const group = new TaskGroup();
    const long = "x".repeat(1000);
    for (let i = 0; i < 7; i++) {
      group.spawn(() => Promise.reject(new Error(String(i))), {
        name: i === 0 ? long : undefined,
      });
    }
    const error = await assertRejects(() => group.wait(), AggregateError);
    assertEquals(error.errors.length, 7);
    assertEquals(
      error.message,
      `7 tasks in the group failed: "${
        "x".repeat(40)
      }…" (1000 characters), "task 2", "task 3", "task 4", "task 5" and 2 more`,
    );
  });

  await t.step("a refused spawn leaves nothing half-done", async () => {
    const group = new TaskGroup();
    let called = false;
    const fn = () => {
      called = true;
    };
    assertThrows(() => group.spawn(fn, { name: 42 as never }), TypeError);
    assertThrows(() => group.spawn(fn, "download" as never), TypeError);
    assertThrows(() => group.spawn(42 as never), TypeError);
    assertEquals([called, group.tasks.length], [false, 0]);
    // Nothing was half-done: the next task is "task 1".
    group.spawn(() => delay(1));
    assertEquals(group.tasks.map((task) => task.name), ["task 1"]);
    await group.wait();
  });
});

Deno.test("TaskGroup.tasks lists the running tasks: name, state, age [23]", async (t) => {
  await t.step("tasks leave the list as they settle", async () => {
    const group = new TaskGroup();
    const gates = [0, 1, 2].map(() => Promise.withResolvers<void>());
    gates.forEach((gate, i) =>
      group.spawn(() => gate.promise, { name: `job ${i}` })
    );
    assertEquals(group.tasks.map((task) => task.name), [
      "job 0",
      "job 1",
      "job 2",
    ]);
    gates[1]!.resolve();
    await delay(0);
    assertEquals(group.tasks.map((task) => task.name), ["job 0", "job 2"]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    await group.wait();
    assertEquals(group.tasks, []);
  });

  await t.step(
    "running, then cancelling once aborted, until the task settles",
    async () => {
      const group = new TaskGroup();
      const stubborn = Promise.withResolvers<void>();
      group.spawn(() => stubborn.promise, { name: "stubborn" });
      group.spawn((signal) => delay(10_000, { signal }), { name: "polite" });
      assertEquals(group.tasks.map((task) => task.state), [
        "running",
        "running",
      ]);
      group.abort();
      assertEquals(
        group.tasks.map(({ name, state }) => [name, state]),
        [["stubborn", "cancelling"], ["polite", "cancelling"]],
      );
      await delay(1);
      assertEquals(
        group.tasks.map(({ name, state }) => [name, state]),
        [["stubborn", "cancelling"]],
      );
      stubborn.resolve();
      await group.wait();
    },
  );

  await t.step("age: milliseconds since the task was spawned", async () => {
    const group = new TaskGroup();
    const stop = Promise.withResolvers<void>();
    group.spawn(() => stop.promise, { name: "old" });
    const [fresh] = group.tasks;
    assert(fresh!.age >= 0, `age ${fresh!.age}`);
    await delay(30);
    group.spawn(() => stop.promise, { name: "young" });
    const [old, young] = group.tasks;
    assert(old!.age >= 25, `old age ${old!.age}`);
    assert(young!.age < old!.age - 20, `young age ${young!.age}`);
    stop.resolve();
    await group.wait();
  });

  await t.step("a listing is a snapshot", async () => {
    const group = new TaskGroup();
    group.spawn(() => delay(1));
    const listed = group.tasks;
    await group.wait();
    assertEquals(listed.length, 1);
    assertEquals(group.tasks.length, 0);
  });
});
