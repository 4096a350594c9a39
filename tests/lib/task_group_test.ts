import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { TaskGroup } from "../../lib/task_group.ts";
import { aborted, delay } from "./_helpers.ts";

// Under `deno test` (Deno 2.9.6), the first call into the npm package's
// timers runs the pending microtasks synchronously, inside that delay()
// call: a task aborted then would miss the listener delay() adds next. Make
// that first call here, before any test.
await delay(0);

/** Settles a promise into a value we can compare, without throwing. */
function outcome<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return Promise.allSettled([promise]).then(([result]) => result!);
}

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
  const started = performance.now();
  const slow = group.spawn((signal) => delay(10_000, { signal }));
  const slower = group.spawn((signal) => delay(20_000, { signal }));
  group.spawn(async () => {
    await delay(10);
    throw failure;
  });

  const error = await assertRejects(() => group.wait(), AggregateError);
  // The siblings did not run their 10 and 20 seconds.
  assert(performance.now() - started < 5_000);
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
});

Deno.test("TaskGroup never lets a task's rejection go unhandled", async (t) => {
  const unhandled: unknown[] = [];
  const listener = (event: PromiseRejectionEvent) => {
    unhandled.push(event.reason);
    event.preventDefault(); // keep the test process alive to report it
  };
  globalThis.addEventListener("unhandledrejection", listener);
  try {
    await t.step("the listener sees a truly unhandled rejection", async () => {
      // The control: proves the listener below would catch one.
      const control = new Error("control");
      Promise.reject(control);
      await delay(1); // unhandled rejections are reported after a macrotask
      assertEquals(unhandled, [control]);
      unhandled.length = 0;
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
      await delay(1);
      assertEquals(unhandled, []);
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
        await delay(1);
        assertEquals(unhandled.length, 1);
        assertInstanceOf(unhandled[0], AggregateError);
        assertEquals((unhandled[0] as AggregateError).errors, [failure]);
        unhandled.length = 0;
        // The task's promise still rejects for whoever asks later.
        await assertRejects(() => task, Error, "nobody looks");
        await assertRejects(() => group.wait(), AggregateError);
      },
    );
  } finally {
    globalThis.removeEventListener("unhandledrejection", listener);
  }
});

Deno.test("TaskGroup follows its parent signal", async (t) => {
  await t.step(
    "a parent abort cancels the tasks; wait() rejects with its reason",
    async () => {
      const parent = new AbortController();
      const group = new TaskGroup({ signal: parent.signal });
      const reason = new Error("parent gave up");
      const task = group.spawn((signal) => delay(10_000, { signal }));
      group.spawn(async () => {
        await delay(5);
        parent.abort(reason);
      });
      const error = await assertRejects(() => group.wait());
      assertStrictEquals(error, reason);
      assertStrictEquals(group.signal.reason, reason);
      assertStrictEquals(
        (await outcome(task) as PromiseRejectedResult).reason,
        reason,
      );
    },
  );

  await t.step("a real failure wins over the parent's reason", async () => {
    const parent = new AbortController();
    const group = new TaskGroup({ signal: parent.signal });
    const failure = new Error("cleanup failed");
    group.spawn(async (signal) => {
      await aborted(signal);
      throw failure;
    });
    parent.abort();
    const error = await assertRejects(() => group.wait(), AggregateError);
    assertEquals(error.errors, [failure]);
  });

  await t.step(
    "a parent abort after abort() still rejects with the parent's reason",
    async () => {
      const parent = new AbortController();
      const group = new TaskGroup({ signal: parent.signal });
      const reason = new Error("parent gave up");
      group.spawn(async (signal) => {
        await aborted(signal);
        await delay(5);
      });
      group.abort();
      parent.abort(reason);
      assertStrictEquals(await assertRejects(() => group.wait()), reason);
    },
  );

  await t.step(
    "a task rejecting with the parent's reason was cancelled",
    async () => {
      const parent = new AbortController();
      const group = new TaskGroup({ signal: parent.signal });
      const failure = new Error("first");
      const reason = new Error("parent gave up");
      // This task listens to the parent directly, not to the group.
      group.spawn(() => delay(10_000, { signal: parent.signal }));
      group.spawn(async () => {
        await delay(5);
        throw failure;
      });
      await aborted(group.signal);
      parent.abort(reason);
      const error = await assertRejects(() => group.wait(), AggregateError);
      assertEquals(error.errors, [failure]);
    },
  );

  await t.step("an aborted parent: nothing starts", async () => {
    const reason = new Error("too late");
    const group = new TaskGroup({ signal: AbortSignal.abort(reason) });
    assertEquals(group.signal.aborted, true);
    let called = false;
    const task = group.spawn(() => {
      called = true;
    });
    assertEquals(called, false);
    assertStrictEquals(
      (await outcome(task) as PromiseRejectedResult).reason,
      reason,
    );
    assertStrictEquals(await assertRejects(() => group.wait()), reason);
  });

  await t.step("AbortSignal.timeout as a parent", async () => {
    const group = new TaskGroup({ signal: AbortSignal.timeout(10) });
    group.spawn((signal) => delay(10_000, { signal }));
    const error = await assertRejects(() => group.wait(), DOMException);
    assertEquals(error.name, "TimeoutError");
  });

  await t.step(
    "once settled, the group stops listening to its parent",
    async () => {
      const parent = new AbortController();
      const group = new TaskGroup({ signal: parent.signal });
      group.spawn(() => delay(1));
      await group.wait();
      parent.abort();
      assertEquals(group.signal.aborted, false);
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

Deno.test("TaskGroup rejects bad input with a TypeError naming the value", async (t) => {
  await t.step("spawn() of a non-function", async () => {
    const group = new TaskGroup();
    for (
      const [value, shown] of [
        [42, "42"],
        ["job", '"job"'],
        [undefined, "undefined"],
        [null, "null"],
        [{ then: 1 }, "an object { then }"],
        [Promise.resolve(1), "a Promise"],
        [Array.from({ length: 100_000 }), "an array of 100000 items"],
      ] as const
    ) {
      assertThrows(
        () => group.spawn(value as unknown as () => void),
        TypeError,
        `Cannot spawn task as 'fn' must be a function: current value is ${shown}`,
      );
    }
    // Nothing was half-done: the group is still empty and usable.
    assertEquals(await group.spawn(() => "ok"), "ok");
    await group.wait();
  });

  await t.step("a signal that is not an AbortSignal", () => {
    assertThrows(
      () => new TaskGroup({ signal: "stop" as unknown as AbortSignal }),
      TypeError,
      `Cannot create task group as 'signal' must be an AbortSignal: current value is "stop"`,
    );
    assertThrows(
      () =>
        new TaskGroup({
          signal: new AbortController() as unknown as AbortSignal,
        }),
      TypeError,
      "current value is an AbortController",
    );
    // A huge value is described, not dumped.
    const error = assertThrows(
      () =>
        new TaskGroup({
          signal: Array.from({ length: 100_000 }) as unknown as AbortSignal,
        }),
      TypeError,
      "Cannot create task group as 'signal' must be an AbortSignal: current value is an array of 100000 items",
    );
    assert(error.message.length < 200, `${error.message.length} characters`);
  });
});

Deno.test("TaskGroup reports a failure nobody waits on as an unhandled rejection", async (t) => {
  const unhandled: unknown[] = [];
  let reported: (() => void) | undefined;
  const listener = (event: PromiseRejectionEvent) => {
    unhandled.push(event.reason);
    event.preventDefault(); // keep the test process alive to check it
    reported?.();
  };
  globalThis.addEventListener("unhandledrejection", listener);
  try {
    await t.step(
      "once a task failed and every task settled, with no wait()",
      async () => {
        const seen = new Promise<void>((resolve) => reported = resolve);
        const group = new TaskGroup();
        const failure = new Error("lost?");
        group.spawn(() => Promise.reject(failure));
        const sibling = group.spawn((signal) => delay(10_000, { signal }));
        await seen;
        assertEquals(unhandled.length, 1);
        const error = unhandled[0] as AggregateError;
        assertInstanceOf(error, AggregateError);
        assertEquals(error.errors, [failure]);
        // The sibling had settled (cancelled) before the report.
        assertEquals((await outcome(sibling)).status, "rejected");
        // wait() afterwards rejects with that same error; the group is done.
        assertStrictEquals(await assertRejects(() => group.wait()), error);
        assertThrows(() => group.spawn(() => 1), Error, "already settled");
        unhandled.length = 0;
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
      await delay(1);
      assertEquals(unhandled, []);
    });

    await t.step("not for an await using block that ends in time", async () => {
      const error = await assertRejects(async () => {
        await using group = new TaskGroup();
        group.spawn(() => Promise.reject(new Error("in the block")));
        await Promise.resolve(); // a short await in the body changes nothing
      }, AggregateError);
      assertEquals(error.errors.length, 1);
      await delay(1);
      assertEquals(unhandled, []);
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
        await delay(1);
        assertEquals(unhandled, []);
        await assertRejects(() => byParent.wait(), DOMException);
        await byHand.wait();
      },
    );
  } finally {
    globalThis.removeEventListener("unhandledrejection", listener);
  }
});

/**
 * The engine's garbage collector, reached without a command-line flag (the
 * test task has none): `--expose-gc` set at run time exposes `gc` in every
 * context created afterwards.
 */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Whether the object behind `ref` was collected, after a full collection. */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  // A WeakRef's target is kept until the current job ends: collect after a
  // macrotask.
  await new Promise((resolve) => setTimeout(resolve, 0));
  collector()();
  return ref.deref() === undefined;
}

Deno.test("TaskGroup is not kept alive by its parent signal once it settled", async (t) => {
  const parent = new AbortController(); // outlives every group below

  await t.step("a group that was waited on", async () => {
    let group: TaskGroup | undefined = new TaskGroup({
      signal: parent.signal,
    });
    group.spawn(() => delay(1));
    await group.wait();
    const ref = new WeakRef(group);
    group = undefined;
    assert(await collected(ref), "the group is still reachable");
  });

  await t.step("a failed group that nobody waited on", async () => {
    let reported!: () => void;
    const seen = new Promise<void>((resolve) => reported = resolve);
    const listener = (event: PromiseRejectionEvent) => {
      event.preventDefault();
      reported();
    };
    globalThis.addEventListener("unhandledrejection", listener);
    try {
      let group: TaskGroup | undefined = new TaskGroup({
        signal: parent.signal,
      });
      group.spawn(() => Promise.reject(new Error("nobody waits")));
      const ref = new WeakRef(group);
      group = undefined;
      await seen;
      assert(await collected(ref), "the group is still reachable");
    } finally {
      globalThis.removeEventListener("unhandledrejection", listener);
    }
  });
  assertEquals(parent.signal.aborted, false);
});

Deno.test("TaskGroup spawns and settles 100,000 tasks that listen to their signal", async (t) => {
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

  await t.step("100,000 tasks run to the end", async () => {
    const started = performance.now();
    const group = new TaskGroup();
    let done = 0;
    for (let i = 0; i < 100_000; i++) {
      group.spawn(async (signal) => {
        await delay(1, { signal });
        done++;
      });
    }
    await group.wait();
    const elapsed = performance.now() - started;
    assertEquals(done, 100_000);
    // About 0.5 s here (11 s once, beside a dozen busy processes); with one
    // listener per task on one signal, more than a minute.
    assert(elapsed < 30_000, `took ${elapsed.toFixed(0)} ms`);
  });

  await t.step("100,000 tasks cancelled by one failure", async () => {
    const started = performance.now();
    const group = new TaskGroup();
    const failure = new Error("the last one fails");
    for (let i = 0; i < 100_000; i++) {
      group.spawn((signal) =>
        i === 99_999
          ? delay(1).then(() => Promise.reject(failure))
          : delay(60_000, { signal })
      );
    }
    const error = await assertRejects(() => group.wait(), AggregateError);
    const elapsed = performance.now() - started;
    assertEquals(error.errors, [failure]);
    assert(elapsed < 30_000, `took ${elapsed.toFixed(0)} ms`);
  });
});
