// TaskGroup.run(), the scoped form, plus task names and the `tasks` listing.
//
// Many cases carry the intent of a test of CPython's
// Lib/test/test_asyncio/test_taskgroups.py (named in brackets), rewritten
// for promises and AbortSignal: where asyncio cancels the task around
// `async with`, the body here sees `group.signal` abort.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { TaskGroup } from "../../lib/task_group.ts";
import { aborted, delay } from "./_helpers.ts";
import { spy } from "./_abort_spy.ts";

// As in task_group_test.ts: the first call into the npm package's timers
// runs pending microtasks synchronously; make it before any test.
await delay(0);

/** Rejects with the signal's reason once it aborts: a task that only waits. */
function forever(signal: AbortSignal): Promise<never> {
  return aborted(signal).then(() => Promise.reject(signal.reason));
}

/** Settles a promise into a value we can compare, without throwing. */
function outcome<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return Promise.allSettled([promise]).then(([result]) => result!);
}

class MyError extends Error {
  override name = "MyError";
}

Deno.test("TaskGroup.run() returns the body's value once every task has settled", async (t) => {
  await t.step("the body's value and the tasks' results [01]", async () => {
    let a: Promise<number> | undefined;
    let b: Promise<number> | undefined;
    const value = await TaskGroup.run((group) => {
      a = group.spawn(async (signal) => {
        await delay(5, { signal });
        return 42;
      });
      b = group.spawn(async (signal) => {
        await delay(10, { signal });
        return 11;
      });
      return "body";
    });
    assertEquals(value, "body");
    assertEquals([await a, await b], [42, 11]);
  });

  await t.step("a task spawned after an await in the body [02]", async () => {
    const events: string[] = [];
    const value = await TaskGroup.run(async (group) => {
      group.spawn(async () => {
        await delay(5);
        events.push("first");
      });
      await delay(10, { signal: group.signal });
      group.spawn(async () => {
        await delay(10);
        events.push("second");
      });
      return 7;
    });
    events.push("run settled");
    assertEquals(value, 7);
    assertEquals(events, ["first", "second", "run settled"]);
  });

  await t.step(
    "tasks spawned by a task after the body returned are waited for [24]",
    async () => {
      const events: string[] = [];
      await TaskGroup.run((group) => {
        group.spawn(async () => {
          await delay(5);
          group.spawn(async () => {
            await delay(5);
            events.push("grandchild 1");
          });
          group.spawn(async () => {
            await delay(10);
            events.push("grandchild 2");
          });
          events.push("root done");
        });
        events.push("body done");
      });
      events.push("run settled");
      assertEquals(events, [
        "body done",
        "root done",
        "grandchild 1",
        "grandchild 2",
        "run settled",
      ]);
    },
  );

  await t.step("a body that spawns nothing, sync or async", async () => {
    assertEquals(await TaskGroup.run(() => 1), 1);
    assertEquals(
      await TaskGroup.run(async () => {
        await delay(1);
        return 2;
      }),
      2,
    );
    // A thenable is awaited, as `await` would.
    assertEquals(await TaskGroup.run(() => Promise.resolve(3)), 3);
  });

  await t.step("the body is called at once, with the group", async () => {
    let seen: TaskGroup | undefined;
    const running = TaskGroup.run((group) => {
      seen = group;
    });
    assertInstanceOf(seen, TaskGroup);
    await running;
  });
});

Deno.test("TaskGroup.run(): an error in the body cancels the tasks and joins the AggregateError", async (t) => {
  await t.step("thrown before any await [10]", async () => {
    const failure = new MyError("body");
    let a: Promise<void> | undefined;
    let b: Promise<void> | undefined;
    const started = performance.now();
    const error = await assertRejects(
      () =>
        TaskGroup.run((group) => {
          a = group.spawn((signal) => delay(10_000, { signal }));
          b = group.spawn((signal) => delay(20_000, { signal }));
          throw failure;
        }),
      AggregateError,
    );
    assert(performance.now() - started < 5_000, "the tasks ran on");
    assertEquals(error.errors, [failure]);
    assertStrictEquals(error.errors[0], failure);
    assertEquals(error.message, "The body of the task group failed");
    // Both tasks were cancelled with an AbortError whose cause is the error.
    for (const task of [a!, b!]) {
      const reason = (await outcome(task) as PromiseRejectedResult).reason;
      assertInstanceOf(reason, DOMException);
      assertEquals(reason.name, "AbortError");
      assertEquals(reason.message, "The body of the task group failed");
      assertStrictEquals((reason as { cause?: unknown }).cause, failure);
    }
  });

  await t.step("thrown after an await [09]", async () => {
    const failure = new MyError("body");
    const cancelled: string[] = [];
    const error = await assertRejects(
      () =>
        TaskGroup.run(async (group) => {
          for (const name of ["a", "b"]) {
            group.spawn(async (signal) => {
              await aborted(signal);
              cancelled.push(name);
              throw signal.reason;
            });
          }
          await delay(5, { signal: group.signal });
          throw failure;
        }),
      AggregateError,
    );
    assertEquals(error.errors, [failure]);
    assertEquals(cancelled, ["a", "b"]);
  });

  await t.step(
    "a task's failure, then the body's cleanup error, in that order [19]",
    async () => {
      const crash = new RangeError("crash");
      const cleanup = new MyError("cleanup");
      const error = await assertRejects(
        () =>
          TaskGroup.run(async (group) => {
            group.spawn(async () => {
              await delay(5);
              throw crash;
            }, { name: "crash" });
            try {
              await delay(10_000, { signal: group.signal });
            } finally {
              // An error while the body unwinds replaces the cancellation.
              // deno-lint-ignore no-unsafe-finally
              throw cleanup;
            }
          }),
        AggregateError,
      );
      assertEquals(error.errors, [crash, cleanup]);
      assertEquals(
        error.message,
        'The body and 1 task in the group failed: "crash", the body',
      );
    },
  );

  await t.step(
    "the body's error, then a task's error while cancelling, in that order",
    async () => {
      const failure = new MyError("body");
      const cleanup = new RangeError("cleanup");
      const error = await assertRejects(
        () =>
          TaskGroup.run((group) => {
            group.spawn(async (signal) => {
              await aborted(signal);
              throw cleanup;
            });
            throw failure;
          }),
        AggregateError,
      );
      assertEquals(error.errors, [failure, cleanup]);
      assertEquals(
        error.message,
        'The body and 1 task in the group failed: the body, "task 1"',
      );
    },
  );

  await t.step("a rejected promise from the body counts too", async () => {
    const failure = new MyError("async");
    const error = await assertRejects(
      () => TaskGroup.run(() => Promise.reject(failure)),
      AggregateError,
    );
    assertEquals(error.errors, [failure]);
  });

  await t.step("the errors are the originals, untouched", async () => {
    const failure = new MyError("body");
    const crash = new RangeError("crash");
    const before = [failure, crash].map((e) => Reflect.ownKeys(e));
    const error = await assertRejects(
      () =>
        TaskGroup.run(async (group) => {
          group.spawn(() => Promise.reject(crash), { name: "named" });
          await Promise.resolve();
          throw failure;
        }),
      AggregateError,
    );
    assertStrictEquals(error.errors[0], crash);
    assertStrictEquals(error.errors[1], failure);
    assertEquals([failure, crash].map((e) => Reflect.ownKeys(e)), before);
    assertEquals([failure.message, crash.message], ["body", "crash"]);
  });
});

Deno.test("TaskGroup.run(): a failure passed on by whoever awaited it is counted once", async (t) => {
  await t.step("the body awaits the tasks with Promise.all", async () => {
    const failure = new MyError("B broke");
    let slow: Promise<string> | undefined;
    const error = await assertRejects(
      () =>
        TaskGroup.run((group) => {
          slow = group.spawn(async (signal) => {
            await delay(10_000, { signal });
            return "a";
          });
          const broken = group.spawn(async () => {
            await delay(5);
            throw failure;
          }, { name: "B" });
          // Rejects with B's own error, which the group already holds.
          return Promise.all([slow, broken]);
        }),
      AggregateError,
    );
    assertEquals(error.errors, [failure]);
    assertEquals(error.message, '1 task in the group failed: "B"');
    assertEquals((await outcome(slow!)).status, "rejected");
  });

  await t.step("a task awaits a sibling that failed", async () => {
    const group = new TaskGroup();
    const failure = new MyError("input broke");
    const input = group.spawn(async () => {
      await delay(5);
      throw failure;
    });
    group.spawn(async () => `${await input} and more`);
    const error = await assertRejects(() => group.wait(), AggregateError);
    assertEquals(error.errors, [failure]);
  });

  await t.step("a thrown primitive counts each time", async () => {
    const group = new TaskGroup();
    group.spawn(() => Promise.reject("same"));
    group.spawn(() => Promise.reject("same"));
    const error = await assertRejects(() => group.wait(), AggregateError);
    assertEquals(error.errors, ["same", "same"]);
  });
});

Deno.test("TaskGroup.run(): a failed task cancels its siblings and the body [04, cancel_children_on_child_error]", async () => {
  let after = 0;
  let bodySawIt = false;
  let longSawIt = false;
  const crashes = [new RangeError("1"), new RangeError("2")];
  const error = await assertRejects(
    () =>
      TaskGroup.run(async (group) => {
        for (const crash of crashes) {
          group.spawn(async () => {
            await delay(5);
            throw crash;
          });
        }
        group.spawn(async (signal) => {
          try {
            await delay(10_000, { signal });
          } catch (error) {
            longSawIt = true;
            throw error;
          }
          after++;
        });
        try {
          await delay(10_000, { signal: group.signal });
        } catch (error) {
          bodySawIt = true;
          throw error;
        }
        after += 10;
      }),
    AggregateError,
  );
  // Both crashes are failures (the second happened after the abort but is
  // not a cancellation); the cancelled task and the body are not.
  assertEquals(error.errors, crashes);
  assertEquals([after, bodySawIt, longSawIt], [0, true, true]);
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

Deno.test("TaskGroup.run(): errors thrown while cancelling are collected", async (t) => {
  await t.step("by the tasks, after the parent aborted [08]", async () => {
    const parent = new AbortController();
    const errors = [new RangeError("0"), new RangeError("1")];
    const running = TaskGroup.run(async (group) => {
      for (const error of errors) {
        group.spawn(async (signal) => {
          await aborted(signal);
          throw error;
        });
      }
      await forever(group.signal);
    }, { signal: parent.signal });
    await delay(1);
    parent.abort(new Error("parent"));
    const error = await assertRejects(() => running, AggregateError);
    // A real failure wins over the parent's reason, as in asyncio.
    assertEquals(error.errors, errors);
  });

  await t.step(
    "by the body, which swaps the cancellation for its own error [18]",
    async () => {
      const parent = new AbortController();
      const own = new MyError("own");
      const running = TaskGroup.run(async (group) => {
        try {
          await forever(group.signal);
        } catch {
          throw own;
        }
      }, { signal: parent.signal });
      parent.abort();
      const error = await assertRejects(() => running, AggregateError);
      assertEquals(error.errors, [own]);
    },
  );

  await t.step(
    "by a task that ignores its signal and fails while the body cleans up [15]",
    async () => {
      const parent = new AbortController();
      const crash = new RangeError("crash");
      const running = TaskGroup.run(async (group) => {
        group.spawn(async () => {
          await delay(10);
          throw crash;
        });
        try {
          await forever(group.signal);
        } catch (error) {
          await delay(20);
          throw error;
        }
      }, { signal: parent.signal });
      await delay(1);
      parent.abort();
      const error = await assertRejects(() => running, AggregateError);
      assertEquals(error.errors, [crash]);
    },
  );
});

Deno.test("TaskGroup.run(): a task that catches its cancellation and returns", async () => {
  const failure = new MyError("fails");
  let stopped: Promise<string> | undefined;
  const error = await assertRejects(
    () =>
      TaskGroup.run((group) => {
        stopped = group.spawn(async (signal) => {
          try {
            await delay(10_000, { signal });
            return "finished";
          } catch {
            return "stopped cleanly";
          }
        });
        group.spawn(async () => {
          await delay(5);
          throw failure;
        });
      }),
    AggregateError,
  );
  assertEquals(error.errors, [failure]);
  assertEquals(await stopped, "stopped cleanly");
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

Deno.test("TaskGroup.run(): spawning during and after the body", async (t) => {
  await t.step(
    "the body's timer spawns after the body returned, while a task runs",
    async () => {
      const events: string[] = [];
      const lateDone = Promise.withResolvers<void>();
      await TaskGroup.run((group) => {
        // Runs until the late task is done, so the group is still open.
        group.spawn(async () => {
          await lateDone.promise;
          events.push("long");
        });
        setTimeout(() => {
          events.push("late spawned");
          group.spawn(async () => {
            await delay(5);
            events.push("late");
            lateDone.resolve();
          });
        }, 1);
        events.push("body returned");
      });
      events.push("run settled");
      assertEquals(events, [
        "body returned",
        "late spawned",
        "late",
        "long",
        "run settled",
      ]);
    },
  );

  await t.step(
    "spawn on a finished group throws and starts nothing [finished, coro_closed_when_tg_closed]",
    async () => {
      let group: TaskGroup | undefined;
      await TaskGroup.run((g) => {
        group = g;
      });
      let called = false;
      assertThrows(
        () =>
          group!.spawn(() => {
            called = true;
          }),
        Error,
        "Cannot spawn task as the task group has already settled",
      );
      assertEquals(called, false);
      // Also after a failure.
      await TaskGroup.run((g) => {
        group = g;
        throw new MyError("x");
      }).catch(() => {});
      assertThrows(() => group!.spawn(() => 1), Error, "already settled");
    },
  );

  await t.step(
    "spawn after a failure starts nothing [no_create_task_after_failure]",
    async () => {
      let late: Promise<number> | undefined;
      let called = false;
      const error = await assertRejects(
        () =>
          TaskGroup.run((group) => {
            group.spawn(async () => {
              await delay(1);
              throw new RangeError("first");
            });
            group.spawn(async (signal) => {
              await aborted(signal);
              // asyncio raises RuntimeError here; we return a rejected
              // promise, like fetch() given an aborted signal.
              late = group.spawn(() => {
                called = true;
                return 1;
              });
            });
          }),
        AggregateError,
      );
      assertEquals(error.errors.length, 1);
      assertEquals(called, false);
      const reason = (await outcome(late!) as PromiseRejectedResult).reason;
      assertEquals(reason.name, "AbortError");
    },
  );

  await t.step(
    "a task that spawns a failing sibling is cancelled at its next await [cancels_task_if_created_during_creation]",
    async () => {
      const failure = new MyError("third task failed");
      let ran = false;
      const error = await assertRejects(
        () =>
          TaskGroup.run((group) => {
            group.spawn(async (signal) => {
              group.spawn(() => {
                throw failure;
              });
              await assertRejects(() => delay(10_000, { signal }));
              ran = true;
            });
          }),
        AggregateError,
      );
      assert(ran);
      assertEquals(error.errors, [failure]);
    },
  );

  await t.step(
    "tasks that keep spawning until one fails [25, the hydra]",
    async () => {
      let heads = 0;
      const failure = new RangeError("hercules");
      const error = await assertRejects(
        () =>
          TaskGroup.run((group) => {
            const hydra = async (signal: AbortSignal): Promise<void> => {
              heads++;
              await delay(1, { signal });
              group.spawn(hydra);
              group.spawn(hydra);
            };
            group.spawn(hydra);
            group.spawn(async (signal) => {
              while (heads < 10) await delay(1, { signal });
              throw failure;
            });
          }),
        AggregateError,
      );
      assertEquals(error.errors, [failure]);
      assert(heads >= 10, `${heads} heads`);
    },
  );

  await t.step(
    "tasks run in the async context of the code that spawned them [task_context]",
    async () => {
      const context = new AsyncLocalStorage<string>();
      const seen = await context.run(
        "outer",
        () =>
          TaskGroup.run(async (group) => {
            const a = group.spawn(async () => {
              await delay(1);
              return context.getStore();
            });
            const b = context.run(
              "inner",
              () => group.spawn(() => context.getStore()),
            );
            return [await a, await b];
          }),
      );
      assertEquals(seen, ["outer", "inner"]);
    },
  );
});

Deno.test("TaskGroup.run() with abort() in the body", async (t) => {
  await t.step("a body that returns after abort(): its value", async () => {
    let task: Promise<void> | undefined;
    const value = await TaskGroup.run((group) => {
      task = group.spawn((signal) => delay(10_000, { signal }));
      group.abort();
      return "done early";
    });
    assertEquals(value, "done early");
    assertEquals((await outcome(task!)).status, "rejected");
  });

  await t.step(
    "a body stopped by abort(): run rejects with the body's error",
    async () => {
      const reason = new Error("enough");
      const error = await assertRejects(() =>
        TaskGroup.run(async (group) => {
          group.spawn((signal) => delay(10_000, { signal }));
          setTimeout(() => group.abort(reason), 1);
          await delay(10_000, { signal: group.signal });
        })
      );
      assertStrictEquals(error, reason);
    },
  );
});

Deno.test("TaskGroup.run(): wait() in the body rejects instead of waiting for itself", async () => {
  let early: Promise<void> | undefined;
  let later: Promise<void> | undefined;
  await TaskGroup.run(async (group) => {
    group.spawn(async () => {
      await delay(5);
      // The body has returned: this is run's own wait.
      later = group.wait();
    });
    early = group.wait();
    await assertRejects(
      () => early!,
      Error,
      "Cannot wait for the task group inside the body of TaskGroup.run()",
    );
  });
  await later;
});

Deno.test("TaskGroup.run() rejects bad input and starts nothing", async (t) => {
  await t.step("a body that is not a function", async () => {
    for (
      const [value, shown] of [
        [42, "42"],
        [undefined, "undefined"],
        [Promise.resolve(1), "a Promise"],
        [Array.from({ length: 100_000 }), "an array of 100000 items"],
      ] as const
    ) {
      await assertRejects(
        () => TaskGroup.run(value as unknown as () => void),
        TypeError,
        `Cannot run task group as 'body' must be a function: current value is ${shown}`,
      );
    }
  });

  await t.step("a signal that is not an AbortSignal", async () => {
    let called = false;
    await assertRejects(
      () =>
        TaskGroup.run(() => {
          called = true;
        }, { signal: { aborted: true } as unknown as AbortSignal }),
      TypeError,
      "Cannot run task group as 'signal' must be an AbortSignal: current value is an object { aborted }",
    );
    assertEquals(called, false);
  });
});

Deno.test("TaskGroup.run() reads its options once and builds the class it was called on", async (t) => {
  await t.step("a signal getter is read once", async () => {
    let reads = 0;
    const options = {
      get signal() {
        reads++;
        // A second read would see something that is not a signal.
        return reads === 1 ? undefined : ("not a signal" as never);
      },
    };
    assertEquals(await TaskGroup.run(() => 1, options), 1);
    assertEquals(reads, 1);
  });
  await t.step("a subclass's run gives its body a subclass", async () => {
    class NamedGroup extends TaskGroup {}
    const group = await NamedGroup.run((g) => g);
    assertInstanceOf(group, NamedGroup);
  });
  await t.step("called unbound, it builds a TaskGroup", async () => {
    const { run } = TaskGroup;
    const group = await run((g) => g);
    assertInstanceOf(group, TaskGroup);
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

  await t.step("a name that is not a string is refused", async () => {
    const group = new TaskGroup();
    let called = false;
    const fn = () => {
      called = true;
    };
    assertThrows(
      () => group.spawn(fn, { name: 42 as unknown as string }),
      TypeError,
      "Cannot spawn task as 'name' must be a string: current value is 42",
    );
    assertThrows(
      () => group.spawn(fn, "download" as unknown as { name: string }),
      TypeError,
      `Cannot spawn task as 'options' must be an object: current value is "download"`,
    );
    assertThrows(
      () => group.spawn(fn, null as unknown as { name: string }),
      TypeError,
      "current value is null",
    );
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
    assert(fresh!.age >= 0 && fresh!.age < 1_000, `age ${fresh!.age}`);
    await delay(30);
    group.spawn(() => stop.promise, { name: "young" });
    const [old, young] = group.tasks;
    assert(old!.age >= 25 && old!.age < 5_000, `old age ${old!.age}`);
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
