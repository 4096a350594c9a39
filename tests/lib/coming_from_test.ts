// docs/library.md, "Coming from p-limit, async-mutex, p-queue or std/async",
// says what in the library does what a peer's call does. Where the two part
// ways on a failure, these hold the page to what the library does: std's
// pooledMap runs beside its counterpart (npm peers are imported in bench/
// only). The page said p-queue's onIdle() was a Promise.all, which rejects
// while calls still run, and left out how pooledMap stops at a failure.
import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import { pooledMap as stdPooledMap } from "@std/async/pool";
import { Semaphore, TaskGroup } from "../../mod.ts";
import { settle } from "./_helpers.ts";

/** A promise's state, read at any time, with its reason once rejected. */
function outcome(promise: Promise<unknown>) {
  const box = { state: "pending", reason: undefined as unknown };
  promise.then(
    () => box.state = "fulfilled",
    (reason) => Object.assign(box, { state: "rejected", reason }),
  );
  return box;
}

const pooledMap = stdPooledMap as <T, R>(
  n: number,
  items: Iterable<T>,
  fn: (item: T) => Promise<R>,
) => AsyncIterableIterator<R>;

/** Six items whose calls settle by hand: what started, and the gates. */
function jobs() {
  const gates = Array.from(
    { length: 6 },
    () => Promise.withResolvers<number>(),
  );
  const started: number[] = [];
  const fn = (item: number) => (started.push(item), gates[item]!.promise);
  return { items: [0, 1, 2, 3, 4, 5], gates, started, fn };
}

const failure = new Error("item 1 failed");

Deno.test("pooledMap(2, items, fn) and its TaskGroup form: a failure stops the items still queued, then an AggregateError", async () => {
  const std = jobs();
  const map = Array.fromAsync(pooledMap(2, std.items, std.fn));
  const mapped = outcome(map);
  const ours = jobs();
  const sem = new Semaphore(2);
  const group = TaskGroup.run((group) =>
    Promise.all(
      ours.items.map((item) =>
        group.spawn((signal) => sem.run(() => ours.fn(item), { signal }))
      ),
    )
  );
  const grouped = outcome(group);
  await settle();
  assertEquals([std.started, ours.started], [[0, 1], [0, 1]]);
  for (const { gates } of [std, ours]) gates[1]!.reject(failure);
  await settle();
  // The failed call's permit went on to item 2 before the group heard.
  assertEquals([std.started, ours.started], [[0, 1], [0, 1, 2]]);
  assertEquals([mapped.state, grouped.state], ["pending", "pending"]);
  for (const { gates } of [std, ours]) gates.forEach((g, i) => g.resolve(i));
  await Promise.allSettled([map, group]);
  for (const { state, reason } of [mapped, grouped]) {
    assertEquals(state, "rejected");
    assertInstanceOf(reason, AggregateError);
    assertEquals((reason as AggregateError).errors, [failure]);
  }
  assertEquals(ours.started, [0, 1, 2]);
  assertEquals([sem.available, sem.waiting], [2, 0]);
});

Deno.test("pooledMap's Promise.all form rejects at the failure and still runs every item", async () => {
  const { items, gates, started, fn } = jobs();
  const sem = new Semaphore(2);
  const all = outcome(
    Promise.all(items.map((item) => sem.run(() => fn(item)))),
  );
  gates[1]!.reject(failure);
  await settle();
  assertEquals([all.state, all.reason], ["rejected", failure]);
  gates.forEach((g, i) => g.resolve(i));
  await settle();
  assertEquals(started, items);
});

Deno.test("p-queue's onIdle() is Promise.allSettled over what run returned: idle once every call settled", async () => {
  const { items, gates, fn } = jobs();
  const sem = new Semaphore(2);
  const runs = items.map((item) => sem.run(() => fn(item)));
  const idle = () => sem.available === sem.permits && sem.waiting === 0;
  const all = outcome(Promise.all(runs));
  const settled = outcome(Promise.allSettled(runs));
  gates[0]!.reject(failure);
  await settle();
  assertEquals([all.state, settled.state, idle()], [
    "rejected",
    "pending",
    false,
  ]);
  for (const [i, gate] of gates.entries()) {
    assert(settled.state === "pending", `settled before call ${i}`);
    gate.resolve(i);
    await settle();
  }
  assertEquals([settled.state, idle()], ["fulfilled", true]);
});
