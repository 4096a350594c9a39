// TaskGroup.run(), the scoped form: its body, its value, and its errors.
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
import { aborted, delay, forever, outcome } from "./_helpers.ts";

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
    const error = await assertRejects(
      () =>
        TaskGroup.run((group) => {
          a = group.spawn((signal) => delay(10_000, { signal }));
          b = group.spawn((signal) => delay(20_000, { signal }));
          throw failure;
        }),
      AggregateError,
    );
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

Deno.test("TaskGroup.run() reads its options once, and runs unbound or borrowed", async (t) => {
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
  await t.step(
    "called unbound or from another class, it builds a TaskGroup",
    async () => {
      const { run } = TaskGroup;
      assertInstanceOf(await run((g) => g), TaskGroup);
      class Borrowed {
        static run = TaskGroup.run;
      }
      assertInstanceOf(await Borrowed.run((g) => g), TaskGroup);
    },
  );
});
