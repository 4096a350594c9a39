// TaskGroup and TaskGroup.run() under a parent signal: its abort cancels
// the tasks and surfaces as itself, nested groups pass it on, and a settled
// group is not kept alive by it.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
} from "@std/assert";
import { Semaphore } from "../../lib/semaphore.ts";
import { TaskGroup } from "../../lib/task_group.ts";
import {
  aborted,
  collected,
  delay,
  forever,
  outcome,
  unhandledRejections,
} from "./_helpers.ts";
import { spy } from "./_abort_spy.ts";

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

Deno.test("TaskGroup.run(): the parent's cancellation surfaces as itself", async (t) => {
  await t.step(
    "tasks and body see it; run rejects with the reason itself [cancellation, 07]",
    async () => {
      const parent = new AbortController();
      const reason = new Error("test");
      let seen = 0;
      const running = TaskGroup.run(async (group) => {
        for (let i = 0; i < 5; i++) {
          group.spawn(async (signal) => {
            try {
              await delay(10_000, { signal });
            } catch (error) {
              seen++;
              throw error;
            }
          });
        }
        try {
          await delay(10_000, { signal: group.signal });
        } catch (error) {
          seen += 10;
          throw error;
        }
      }, { signal: parent.signal });
      await delay(5);
      parent.abort(reason);
      assertStrictEquals(await assertRejects(() => running), reason);
      assertEquals(seen, 15);
    },
  );

  await t.step("a group with no tasks [17]", async () => {
    const parent = new AbortController();
    const reason = new Error("stop");
    let bodySawIt = false;
    const running = TaskGroup.run(async (group) => {
      await aborted(group.signal);
      bodySawIt = true;
      group.signal.throwIfAborted();
    }, { signal: parent.signal });
    parent.abort(reason);
    assertStrictEquals(await assertRejects(() => running), reason);
    assert(bodySawIt);
  });

  await t.step(
    "after the body returned, while tasks run [22]",
    async () => {
      const parent = new AbortController();
      const reason = new Error("stop");
      const running = TaskGroup.run((group) => {
        group.spawn((signal) => delay(10_000, { signal }));
        group.spawn((signal) => delay(20_000, { signal }));
        return "the value is dropped";
      }, { signal: parent.signal });
      await delay(5);
      parent.abort(reason);
      assertStrictEquals(await assertRejects(() => running), reason);
    },
  );

  await t.step("a DOMException reason stays itself", async () => {
    const running = TaskGroup.run(
      (group) => forever(group.signal),
      { signal: AbortSignal.timeout(5) },
    );
    const error = await assertRejects(() => running, DOMException);
    assertEquals(error.name, "TimeoutError");
  });

  await t.step("an aborted parent: the body is not called", async () => {
    const reason = new Error("too late");
    let called = false;
    const error = await assertRejects(() =>
      TaskGroup.run(() => {
        called = true;
      }, { signal: AbortSignal.abort(reason) })
    );
    assertStrictEquals(error, reason);
    assertEquals(called, false);
  });

  await t.step(
    "once run settled, the group no longer watches the parent",
    async () => {
      const parent = new AbortController();
      const seen = spy(parent.signal);
      let group: TaskGroup | undefined;
      await TaskGroup.run((g) => {
        group = g;
        g.spawn(() => delay(1));
      }, { signal: parent.signal });
      assertEquals([seen.listeners, seen.watchers], [1, 0]);
      parent.abort();
      assertEquals(group!.signal.aborted, false);
    },
  );
});

Deno.test("TaskGroup.run() nests: pass the outer group's signal to the inner run", async (t) => {
  await t.step(
    "an outer task fails first: the inner group is cancelled, not failed [13]",
    async () => {
      const outerCrash = new RangeError("outer");
      let inner: Promise<void> | undefined;
      const error = await assertRejects(
        () =>
          TaskGroup.run(async (outer) => {
            outer.spawn(async () => {
              await delay(5);
              throw outerCrash;
            });
            inner = TaskGroup.run((group) => {
              group.spawn(async (signal) => {
                await delay(10_000, { signal });
                throw new RangeError("inner, never");
              });
            }, { signal: outer.signal });
            await inner;
          }),
        AggregateError,
      );
      assertEquals(error.errors, [outerCrash]);
      // The inner run rejected with the outer group's cancellation, itself.
      const reason = (await outcome(inner!) as PromiseRejectedResult).reason;
      assertEquals(reason.name, "AbortError");
      assertStrictEquals(reason.cause, outerCrash);
    },
  );

  await t.step(
    "an inner task fails first: the outer group fails with the inner AggregateError [14]",
    async () => {
      const innerCrash = new RangeError("inner");
      let outerTask: Promise<void> | undefined;
      const error = await assertRejects(
        () =>
          TaskGroup.run(async (outer) => {
            outerTask = outer.spawn((signal) => delay(10_000, { signal }));
            await TaskGroup.run((group) => {
              group.spawn(async () => {
                await delay(5);
                throw innerCrash;
              });
            }, { signal: outer.signal });
          }),
        AggregateError,
      );
      assertEquals(error.errors.length, 1);
      assertInstanceOf(error.errors[0], AggregateError);
      assertEquals((error.errors[0] as AggregateError).errors, [innerCrash]);
      assertEquals((await outcome(outerTask!)).status, "rejected");
    },
  );

  await t.step(
    "the parent aborts; inner tasks fail while cancelling [11, 12]",
    async () => {
      const parent = new AbortController();
      const crashes = [new RangeError("0"), new RangeError("1")];
      const running = TaskGroup.run(async (outer) => {
        outer.spawn((signal) => delay(10_000, { signal }));
        await TaskGroup.run(async (group) => {
          for (const crash of crashes) {
            group.spawn(async (signal) => {
              await aborted(signal);
              throw crash;
            });
          }
          await forever(group.signal);
        }, { signal: outer.signal });
      }, { signal: parent.signal });
      await delay(1);
      parent.abort();
      const error = await assertRejects(() => running, AggregateError);
      assertEquals(error.errors.length, 1);
      assertEquals((error.errors[0] as AggregateError).errors, crashes);
    },
  );

  await t.step(
    "a failure caught in the outer body goes no further [cancellation_does_not_leak_out_of_tg]",
    async () => {
      const parent = new AbortController();
      const value = await TaskGroup.run(async (outer) => {
        const inner = await TaskGroup.run((group) => {
          group.spawn(() => Promise.reject(new RangeError("inner")));
        }, { signal: outer.signal }).catch((error) => error.errors.length);
        // The inner failure aborted neither the outer group nor the parent.
        assertEquals([outer.signal.aborted, parent.signal.aborted], [
          false,
          false,
        ]);
        await delay(1, { signal: outer.signal });
        return inner;
      }, { signal: parent.signal });
      assertEquals(value, 1);
    },
  );
});

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
    using unhandled = unhandledRejections();
    let group: TaskGroup | undefined = new TaskGroup({
      signal: parent.signal,
    });
    group.spawn(() => Promise.reject(new Error("nobody waits")));
    const ref = new WeakRef(group);
    group = undefined;
    assertEquals((await unhandled.reported(1)).length, 1);
    assert(await collected(ref), "the group is still reachable");
  });
  assertEquals(parent.signal.aborted, false);
});

Deno.test("a permit released by the parent's abort skips the waiter on that signal and goes to the next", async () => {
  // The group watches the parent before the waiter does; its abort runs the
  // caller's listener, which releases the permit before the abort reaches
  // the waiter. Its signal has aborted: it is refused, once, and the permit
  // goes to the caller behind it.
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const parent = new AbortController();
  const group = new TaskGroup({ signal: parent.signal });
  group.signal.addEventListener("abort", () => held.release());
  const waiter = sem.acquire({ signal: parent.signal });
  const behind = sem.acquire();
  parent.abort();
  await assertRejects(() => waiter);
  await assertRejects(() => group.wait());
  (await behind).release();
  assertEquals([sem.available, sem.waiting], [1, 0]);
});
