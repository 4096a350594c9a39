// TaskGroup given promises that misbehave: each task still leaves the group
// once, so waiting on it settles when every task has, and not before.
import { assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { TaskGroup } from "../../lib/task_group.ts";
import { delay } from "./_helpers.ts";

Deno.test("TaskGroup: a promise whose own then calls back twice settles its task once", async (t) => {
  const twice = <T>(value: T): Promise<T> => {
    const promise = Promise.resolve(value);
    const then = (ok: (value: T) => void) => (ok(value), ok(value));
    return Object.assign(promise, { then }) as Promise<T>;
  };
  const slow = (order: string[]) => () =>
    delay(1).then(() => void order.push("slow"));
  await t.step("a task's", async () => {
    const order: string[] = [];
    const group = new TaskGroup();
    group.spawn(slow(order));
    group.spawn(() => twice(1));
    await group.wait().then(() => order.push("group"));
    assertEquals(order, ["slow", "group"]);
  });
  await t.step("the body's", async () => {
    const order: string[] = [];
    await TaskGroup.run((group) => {
      group.spawn(slow(order));
      return twice("body");
    }).then(() => order.push("run"));
    assertEquals(order, ["slow", "run"]);
  });
});

Deno.test("TaskGroup.spawn(): a task's promise whose getter throws on a second read is a failed task", async () => {
  let reads = 0;
  const get = () => {
    if (reads++ > 0) throw new RangeError("read twice");
    return Promise;
  };
  const promise = Object.defineProperty(Promise.resolve(1), "constructor", {
    get,
  });
  const group = new TaskGroup();
  // The group must still settle: the task counted as running must leave.
  const task = group.spawn(() => promise);
  await assertRejects(() => task, RangeError, "read twice");
  const error = await assertRejects(() => group.wait(), AggregateError);
  assertInstanceOf(error.errors[0], RangeError);
});
