// PriorityQueue against a model: a list kept in the order its items must
// leave (smallest first, equal ones in the order they came in). Random puts,
// gets (the try forms and the waiting ones), closes and drains, over seeds
// that vary maxsize (0, small, none), how many priorities there are (1 to
// 10^9), whether the comparator says NaN or ±0 for equal items, and how
// often it throws. After every call, the queue holds what the model holds;
// a call that throws leaves both as they were. It found close({ immediate:
// true }) losing the items it had dropped when the comparator threw.
import { assert, assertEquals, assertGreater } from "@std/assert";
import { PriorityQueue, QueueClosedError } from "../../lib/queue.ts";
import { random, settle } from "./_helpers.ts";

type Item = { p: number; id: number }; // `id` tells equal items apart
type Outcome = { state: "waiting" | "resolved" | "rejected"; value?: unknown };

const boom = new Error("cannot compare");

function watch(promise: Promise<unknown>): Outcome {
  const outcome: Outcome = { state: "waiting" };
  promise.then(
    (value) => Object.assign(outcome, { state: "resolved", value }),
    (value) => Object.assign(outcome, { state: "rejected", value }),
  );
  return outcome;
}

/**
 * What one seed did: the calls that threw, and the most items held. A deep
 * run has no maxsize and neither closes nor drains until it shrinks.
 */
async function run(seed: number, ops: number, deep = false) {
  const rand = random(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const priorities = pick(deep ? [3, 10, 100] : [1, 2, 3, 10, 100, 1e9]);
  const maxsize = deep ? Infinity : pick([Infinity, Infinity, 0, 1, 4, 64]);
  const nanTies = rand() < 0.5;
  const throwRate = pick([0.02, 0.1, 0.3]);
  // Ops of growing, mixing, shrinking, in turn.
  const phase = deep ? ops / 3 : pick([50, 300, 3000]);
  let armed = false; // whether the comparator may throw in this call
  let throws = 0;
  const compare = (a: Item, b: Item): number => {
    if (armed && rand() < throwRate) {
      throws++;
      throw boom;
    }
    if (a.p === b.p) return nanTies ? NaN : pick([0, -0]);
    const d = a.p - b.p;
    return pick([d, Math.sign(d), d * Infinity]);
  };
  const done = { threw: 0, closesThrew: 0, mostHeld: 0 };

  let queue = new PriorityQueue<Item>(compare, { maxsize });
  let held: Item[] = []; // the model, in the order the items must leave
  let putters: { item: Item; out: Outcome }[] = [];
  let getters: Outcome[] = [];
  let closed = false;
  const enter = (item: Item) => {
    let at = held.length;
    while (at > 0 && held[at - 1]!.p > item.p) at--;
    held.splice(at, 0, item);
  };
  // After a take there is room: the first waiting putter's item enters,
  // unless pushing it threw (`threw` times): that putter is rejected with
  // the comparator's error, and the next one tried.
  const admitted = (threw: number) => {
    for (let i = 0; i < threw; i++) {
      assertEquals(putters.shift()?.out, { state: "rejected", value: boom });
    }
    const next = putters.shift();
    if (next) {
      assertEquals(next.out.state, "resolved");
      enter(next.item);
    }
    assert(putters.every((p) => p.out.state === "waiting"));
  };
  const take = (item: Item | undefined, threw: number) => {
    if (held.length === 0) admitted(0); // a rendezvous: the putter's item
    assert(item === held.shift(), `took ${JSON.stringify(item)}`);
    if (maxsize > 0) admitted(threw);
  };

  for (let op = 0; op < ops; op++) {
    done.mostHeld = Math.max(done.mostHeld, held.length);
    if (closed && held.length === 0) {
      queue = new PriorityQueue<Item>(compare, { maxsize });
      closed = false;
    }
    const growing = Math.floor(op / phase) % 3;
    const dice = deep && growing < 2 ? 0.02 + rand() * 0.98 : rand();
    const kind = dice < 0.01 ? "close" : dice < 0.012 ? "drain" : dice <
        [0.7, 0.45, 0.2][growing]!
      ? "put"
      : "get";
    const tried = rand() < 0.5;
    armed = kind !== "drain" && rand() < 0.5;
    const before = throws;
    if (kind === "put") {
      const item = { p: Math.floor(rand() * priorities), id: op };
      let out: Outcome;
      if (tried) {
        try {
          out = { state: "resolved", value: queue.tryPut(item) };
        } catch (error) {
          out = { state: "rejected", value: error };
        }
      } else out = watch(queue.put(item));
      await settle();
      if (closed) {
        assert(
          out.value instanceof QueueClosedError,
          "a put on a closed queue",
        );
      } else if (held.length === 0 && getters.length > 0) {
        assertEquals(out, {
          state: "resolved",
          value: tried ? true : undefined,
        });
        assertEquals(getters.shift(), { state: "resolved", value: item });
      } else if (held.length < maxsize && throws > before) {
        assertEquals(out, { state: "rejected", value: boom });
        done.threw++;
      } else if (held.length < maxsize) {
        assertEquals(out, {
          state: "resolved",
          value: tried ? true : undefined,
        });
        enter(item);
      } else if (tried) assertEquals(out, { state: "resolved", value: false });
      else putters.push({ item, out });
      assert(throws - before <= 1);
    } else if (kind === "get") {
      let out: Outcome;
      if (tried) {
        try {
          out = { state: "resolved", value: queue.tryGet()?.value };
        } catch (error) {
          out = { state: "rejected", value: error };
        }
      } else out = watch(queue.get());
      await settle();
      if (out.state === "rejected" && out.value === boom) {
        assert(held.length >= 2, "a take that compared nothing threw");
        assert(putters.every((p) => p.out.state === "waiting"));
        done.threw++;
      } else if (held.length > 0 || putters.length > 0) {
        assertEquals(out.state, "resolved");
        take(out.value as Item, throws - before);
      } else if (closed) {
        assert(out.value instanceof QueueClosedError, "a get on empty, closed");
      } else if (tried) {
        assert(out.state === "resolved" && out.value === undefined);
      } else {
        assertEquals(out.state, "waiting");
        getters.push(out);
      }
    } else if (kind === "close") {
      const immediate = rand() < 0.7;
      let dropped: Item[] | undefined;
      try {
        dropped = queue.close({ immediate });
      } catch (error) {
        assert(error === boom && throws > before);
        done.closesThrew++;
      }
      await settle();
      if (dropped) {
        assertEquals(dropped, immediate ? held : []);
        if (immediate) held = [];
        closed = true;
        for (const { out } of putters) {
          assert(out.value instanceof QueueClosedError, "a putter at close");
        }
        putters = [];
        if (held.length === 0) {
          for (const out of getters) {
            assert(out.value instanceof QueueClosedError, "a getter at close");
          }
          getters = [];
        }
      }
      assertEquals(queue.closed, closed);
      assert(putters.every((p) => p.out.state === "waiting"));
    } else {
      while (held.length > 0) {
        const item = queue.tryGet()?.value;
        await settle();
        take(item, 0);
      }
    }
    assertEquals(queue.size, held.length, `after op ${op} (${kind})`);
  }
  return done;
}

Deno.test("PriorityQueue against a model: every item leaves in order, and a call whose comparator throws changes nothing", async () => {
  let threw = 0, closesThrew = 0, mostHeld = 0;
  // 42 seeds of 2000 operations, and 2 deep ones of 9000: 102,000 in all.
  const seeds = [...Array(42).keys(), 1000, 1001];
  for (const seed of seeds) {
    const done = seed < 1000
      ? await run(seed, 2000)
      : await run(seed, 9000, true);
    threw += done.threw;
    closesThrew += done.closesThrew;
    mostHeld = Math.max(mostHeld, done.mostHeld);
  }
  // The calls that threw were many, some of them closes, some deep.
  assertGreater(threw, 1000);
  assertGreater(closesThrew, 10);
  assertGreater(mostHeld, 1000);
});
