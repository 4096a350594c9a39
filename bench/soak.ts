/**
 * A soak of the waiting primitives: millions of random operations over
 * Semaphore, Lock, Event, Queue, TaskGroup and asCompleted, each checked
 * against a small model of what it must do, with random aborts (on shared
 * signals and on signals of their own), closes and releases, while the heap
 * is sampled.
 *
 * Run: deno task soak [operations = 10^7] [seed = 1]
 * (deno run --v8-flags=--expose-gc bench/soak.ts …)
 *
 * It runs in rounds: a round takes one fresh primitive through a few
 * hundred operations, with a drain (every pending promise callback runs) at
 * random moments, then ends every wait left and compares each call's
 * outcome with the model's. The model decides synchronously, as the
 * primitives do: who gets which item or permit, who is refused and why. It
 * prints operations per second, and the heap after a full collection at
 * each 10^6 operations; the target is no mismatch and under 5 MiB of growth
 * from 10^6 to 10^7 operations.
 *
 * @module
 */
import { asCompleted } from "../lib/as_completed.ts";
import { Event } from "../lib/event.ts";
import { Lock } from "../lib/lock.ts";
import { Queue, QueueClosedError } from "../lib/queue.ts";
import { type Permit, Semaphore } from "../lib/semaphore.ts";
import { TaskGroup } from "../lib/task_group.ts";

/** What a call did, once its promise settled. */
interface Outcome {
  state: "pending" | "ok" | "err";
  value?: unknown;
}

/** A call: what it did, and what the model says it must do. */
interface Call {
  actual: Outcome;
  expected: Outcome;
  what: string;
}

/** A waiter of a model, and the signal it passed. */
interface Held {
  call: Call;
  c?: AbortController;
}

/** Thrown when a primitive does something its model does not. */
export class Mismatch extends Error {}

/** One soak run; {@linkcode soak} makes one and runs it. */
class Soak {
  ops = 0;
  #rand: () => number;
  #calls: Call[] = [];
  /** Counts what the primitives did: calls settled, fns started. */
  progress = 0;
  /** A few signals many callers share, replaced once aborted. */
  #shared: AbortController[] = [];

  constructor(seed: number) {
    let a = seed >>> 0; // mulberry32
    this.#rand = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  int(n: number): number {
    return Math.floor(this.#rand() * n);
  }

  chance(p: number): boolean {
    return this.#rand() < p;
  }

  /**
   * Lets every pending promise callback run. A macrotask would do it, but
   * a timer costs 2 ms here and a MessageChannel message can arrive before
   * the microtasks queued ahead of it have run; so: microtask turns, until
   * 32 in a row settle nothing more (no step of the primitives takes more
   * than a few).
   */
  async drain(): Promise<void> {
    for (let seen = -1; seen !== this.progress;) {
      seen = this.progress;
      for (let turn = 0; turn < 32; turn++) await undefined;
    }
  }

  /** No signal, a shared one, or one of its own (now and then aborted). */
  signal(): AbortController | undefined {
    const roll = this.#rand();
    if (roll < 0.4) return undefined;
    if (roll < 0.68) return new AbortController();
    if (roll < 0.7) {
      const aborted = new AbortController();
      aborted.abort(new Error("aborted before"));
      return aborted;
    }
    const i = this.int(3);
    if (this.#shared[i] === undefined || this.#shared[i]!.signal.aborted) {
      this.#shared[i] = new AbortController();
    }
    return this.#shared[i];
  }

  /** A controller to abort: a shared one or one a caller holds. */
  pick(held: (AbortController | undefined)[]): AbortController | undefined {
    const live = held.filter((c) => c !== undefined && !c.signal.aborted);
    if (this.chance(0.5) && this.#shared.length > 0) {
      return this.#shared[this.int(this.#shared.length)];
    }
    return live[this.int(live.length)];
  }

  /**
   * Aborts a controller (shared, or one of `held`) and returns a filter
   * for the model's waiters: it drops, refused with the reason, those that
   * held it.
   */
  abort(held: (AbortController | undefined)[]): (w: Held) => boolean {
    const c = this.pick(held);
    c?.abort(new Error("abort"));
    return (w) => {
      if (c === undefined || w.c !== c) return true;
      w.call.expected = err(c.signal.reason);
      return false;
    };
  }

  /** Follows `promise` against what the model expects of it. */
  follow(promise: Promise<unknown>, what: string): Call {
    const call: Call = {
      actual: { state: "pending" },
      expected: { state: "pending" },
      what,
    };
    promise.then(
      (
        value,
      ) => (this.progress++,
        Object.assign(call.actual, { state: "ok", value })),
      (
        value,
      ) => (this.progress++,
        Object.assign(call.actual, { state: "err", value })),
    );
    this.#calls.push(call);
    return call;
  }

  check(ok: boolean, what: string): void {
    if (!ok) throw new Mismatch(what);
  }

  /** After a drain: every call settled as the model says. */
  verify(): void {
    for (const { actual, expected, what } of this.#calls) {
      const same = actual.state === expected.state &&
        (expected.value === QueueClosedError
          ? actual.value instanceof QueueClosedError
          : Object.is(actual.value, expected.value));
      if (!same) {
        throw new Mismatch(
          `${what}: got ${actual.state} ${
            String(actual.value)
          }, expected ${expected.state} ${String(expected.value)}`,
        );
      }
    }
    this.#calls = [];
  }
}

const ok = (value?: unknown): Outcome => ({ state: "ok", value });
const err = (value: unknown): Outcome => ({ state: "err", value });

/**
 * Queue against an array of items, two lines of waiters, and the count of
 * items not yet done that join() waits on; maxsize 0 is a rendezvous.
 */
async function queueRound(s: Soak, n: number): Promise<void> {
  const maxsize = [0, 1, 2, 3, 8, Infinity][s.int(6)]!;
  const queue = new Queue<number>({ maxsize });
  const items: number[] = [];
  type Waiter = { call: Call; c?: AbortController; item: number };
  let getters: Waiter[] = [];
  let putters: Waiter[] = [];
  let joins: Waiter[] = [];
  let closed = false;
  let next = 0;
  let unfinished = 0;
  const held: (AbortController | undefined)[] = [];
  const done = () => {
    for (const w of joins) w.call.expected = ok();
    joins = [];
  };
  /** The first waiting putter's item goes in, or (maxsize 0) is taken. */
  const admit = (): number | undefined => {
    const putter = putters.shift();
    if (putter === undefined) return undefined;
    putter.call.expected = ok();
    unfinished++;
    if (maxsize === 0) return putter.item;
    items.push(putter.item);
    return undefined;
  };
  /** What a get that need not wait takes. */
  const take = (): number => {
    if (items.length === 0) return admit()!;
    const item = items.shift()!;
    admit();
    return item;
  };
  for (let i = 0; i < n; i++, s.ops++) {
    const roll = s.int(100);
    if (roll < 30) {
      const c = s.signal();
      const item = next++;
      const call = s.follow(queue.put(item, c && { signal: c.signal }), "put");
      if (c?.signal.aborted) call.expected = err(c.signal.reason);
      else if (closed) call.expected = err(QueueClosedError);
      else if (getters.length > 0) {
        getters.shift()!.call.expected = ok(item);
        call.expected = ok();
        unfinished++;
      } else if (items.length < maxsize) {
        items.push(item);
        call.expected = ok();
        unfinished++;
      } else putters.push({ call, c, item }), held.push(c);
    } else if (roll < 60) {
      const c = s.signal();
      const call = s.follow(queue.get(c && { signal: c.signal }), "get");
      if (c?.signal.aborted) call.expected = err(c.signal.reason);
      else if (items.length > 0 || putters.length > 0) {
        call.expected = ok(take());
      } else if (closed) call.expected = err(QueueClosedError);
      else getters.push({ call, c, item: -1 }), held.push(c);
    } else if (roll < 66) {
      let got: unknown;
      try {
        got = queue.tryPut(next);
      } catch (error) {
        got = error;
      }
      if (closed) s.check(got instanceof QueueClosedError, "tryPut closed");
      else if (getters.length > 0) {
        getters.shift()!.call.expected = ok(next);
        s.check(got === true, "tryPut to a getter");
        unfinished++;
      } else if (items.length < maxsize) {
        items.push(next);
        s.check(got === true, "tryPut with room");
        unfinished++;
      } else s.check(got === false, "tryPut full");
      next++;
    } else if (roll < 72) {
      let got: unknown;
      try {
        got = queue.tryGet()?.value;
      } catch (error) {
        got = error;
      }
      if (items.length > 0 || putters.length > 0) {
        s.check(got === take(), "tryGet item");
      } else if (closed) s.check(got instanceof QueueClosedError, "tryGet");
      else s.check(got === undefined, "tryGet empty");
    } else if (roll < 76) {
      let threw = false;
      try {
        queue.taskDone();
      } catch (error) {
        threw = error instanceof RangeError;
      }
      s.check(threw === (unfinished === 0), "taskDone");
      if (unfinished > 0 && --unfinished === 0) done();
    } else if (roll < 78) {
      const c = s.signal();
      const call = s.follow(queue.join(c && { signal: c.signal }), "join");
      if (c?.signal.aborted) call.expected = err(c.signal.reason);
      else if (unfinished === 0) call.expected = ok();
      else joins.push({ call, c, item: -1 }), held.push(c);
    } else if (roll < 90) {
      const keep = s.abort(held);
      getters = getters.filter(keep);
      putters = putters.filter(keep);
      joins = joins.filter(keep);
    } else if (roll < 92) {
      const immediate = s.int(2) === 0;
      const dropped = queue.close({ immediate });
      s.check(
        String(dropped) === String(immediate ? items : []),
        "close() dropped",
      );
      closed = true;
      for (const w of putters) w.call.expected = err(QueueClosedError);
      putters = [];
      if (immediate) {
        unfinished = Math.max(0, unfinished - items.length);
        items.length = 0;
        if (unfinished === 0) done();
      }
      if (items.length === 0) {
        for (const w of getters) w.call.expected = err(QueueClosedError);
        getters = [];
      }
    } else await s.drain();
    s.check(queue.size === items.length, "size");
    s.check(queue.waitingGetters === getters.length, "waitingGetters");
    s.check(queue.waitingPutters === putters.length, "waitingPutters");
  }
  queue.close({ immediate: true });
  for (const w of [...getters, ...putters]) {
    w.call.expected = err(QueueClosedError);
  }
  await s.drain();
  s.verify();
}

/** Event against a flag and a line of waiters. */
async function eventRound(s: Soak, n: number): Promise<void> {
  const event = new Event();
  let waiters: { call: Call; c?: AbortController }[] = [];
  let isSet = false;
  const held: (AbortController | undefined)[] = [];
  for (let i = 0; i < n; i++, s.ops++) {
    const roll = s.int(100);
    if (roll < 50) {
      const c = s.signal();
      const call = s.follow(event.wait(c && { signal: c.signal }), "wait");
      if (c?.signal.aborted) call.expected = err(c.signal.reason);
      else if (isSet) call.expected = ok();
      else waiters.push({ call, c }), held.push(c);
    } else if (roll < 60) {
      event.set();
      isSet = true;
      for (const w of waiters) w.call.expected = ok();
      waiters = [];
    } else if (roll < 70) {
      event.clear();
      isSet = false;
    } else if (roll < 90) {
      waiters = waiters.filter(s.abort(held));
    } else await s.drain();
    s.check(event.waiting === waiters.length, "waiting");
    s.check(event.isSet === isSet, "isSet");
  }
  event.set();
  for (const w of waiters) w.call.expected = ok();
  await s.drain();
  s.verify();
}

/**
 * Semaphore (or Lock: one permit) against a count, a line of waiters, and
 * the `run` callers granted a permit whose fn starts at the next drain.
 */
async function semaphoreRound(s: Soak, n: number, lock: boolean) {
  const permits = lock ? 1 : 1 + s.int(4);
  const sem = lock ? new Lock() : new Semaphore(permits);
  type Waiter = { call: Call; c?: AbortController; id: number; run: boolean };
  let available = permits;
  let waiters: Waiter[] = [];
  const starts: Waiter[] = []; // granted run() callers, fn not started
  const held: { permit?: Permit; call?: Call }[] = [];
  const started: number[] = [];
  const expectedStarts: number[] = [];
  const signals: (AbortController | undefined)[] = [];
  let next = 0;
  const grant = (w: Waiter) => {
    if (w.run) starts.push(w);
    else held.push({ call: w.call });
  };
  const release = () => {
    const w = waiters.shift();
    if (w === undefined) available++;
    else grant(w);
  };
  /** What the next drain does: starts (or refuses) the granted fns. */
  const startAll = () => {
    while (starts.length > 0) {
      const w = starts.shift()!;
      if (w.c?.signal.aborted) w.call.expected = err(w.c.signal.reason);
      else {
        expectedStarts.push(w.id);
        w.call.expected = w.id % 7 === 0 ? err(thrown) : ok(w.id);
      }
      release();
    }
  };
  const thrown = new Error("fn threw");
  for (let i = 0; i < n; i++, s.ops++) {
    const roll = s.int(100);
    const free = available > 0 && waiters.length === 0;
    if (roll < 25) {
      const c = s.signal();
      const id = next++;
      const fn = () => {
        s.progress++;
        started.push(id);
        if (id % 7 === 0) throw thrown;
        return id;
      };
      const call = s.follow(sem.run(fn, c && { signal: c.signal }), "run");
      const w = { call, c, id, run: true };
      if (c?.signal.aborted) call.expected = err(c.signal.reason);
      else if (free) available--, starts.push(w);
      else waiters.push(w), signals.push(c);
    } else if (roll < 45) {
      const c = s.signal();
      const call = s.follow(sem.acquire(c && { signal: c.signal }), "acquire");
      const w = { call, c, id: next++, run: false };
      if (c?.signal.aborted) call.expected = err(c.signal.reason);
      else if (free) available--, held.push({ call });
      else waiters.push(w), signals.push(c);
    } else if (roll < 52) {
      const permit = sem.tryAcquire();
      s.check((permit !== undefined) === free, "tryAcquire");
      if (permit !== undefined) available--, held.push({ permit });
    } else if (roll < 72) {
      // Release a permit whose promise has resolved (or release it twice).
      const k = held.findIndex((h) => h.permit !== undefined);
      if (k >= 0) {
        const { permit } = held.splice(k, 1)[0]!;
        permit!.release();
        if (s.chance(0.1)) permit!.release();
        release();
      }
    } else if (roll < 85) {
      waiters = waiters.filter(s.abort(signals));
    } else {
      await s.drain();
      startAll();
      for (const h of held) {
        if (h.permit !== undefined) continue;
        s.check(h.call!.actual.state === "ok", "acquire granted");
        h.permit = h.call!.actual.value as Permit;
        h.call!.expected = ok(h.permit);
      }
    }
    s.check(sem.available === available, `available ${sem.available}`);
    s.check(sem.waiting === waiters.length, "waiting");
    if (lock) s.check((sem as Lock).locked === (available === 0), "locked");
  }
  // End: release every permit until every caller has had its turn.
  while (waiters.length + starts.length + held.length > 0) {
    await s.drain();
    startAll();
    for (const h of held.splice(0)) {
      if (h.permit === undefined) {
        s.check(h.call!.actual.state === "ok", "acquire granted");
        h.permit = h.call!.actual.value as Permit;
        h.call!.expected = ok(h.permit);
      }
      h.permit.release();
      release();
    }
  }
  await s.drain();
  s.check(sem.available === permits && available === permits, "all back");
  s.check(
    started.length === expectedStarts.length &&
      started.every((id, k) => id === expectedStarts[k]),
    "fn start order",
  );
  s.verify();
}

/** asCompleted against the order in which its inputs settle. */
async function asCompletedRound(s: Soak, n: number): Promise<void> {
  const count = 1 + s.int(20);
  const inputs = Array.from(
    { length: count },
    (_, i) => s.chance(0.2) ? i : Promise.withResolvers<number>(),
  );
  const c = s.chance(0.5) ? new AbortController() : undefined;
  const iterator = asCompleted(
    inputs.map((d) => typeof d === "number" ? d : d.promise),
    c && { signal: c.signal },
  );
  const settling = inputs.flatMap((d, i) => typeof d === "number" ? [i] : []);
  const results: number[] = []; // indexes settled, not yet yielded
  let waiting: Call[] = [];
  let left = count;
  let done = false;
  /** Waiting next() calls were refused by an abort: done at the drain. */
  let refused = false;
  const end = "end"; // what an actual { done: true } becomes, below
  const atDrain = () => {
    if (refused) done = true;
    for (const i of settling.splice(0)) {
      if (done) break;
      left--;
      const w = waiting.shift();
      if (w === undefined) results.push(i);
      else w.expected = ok(i);
    }
    if (left === 0 && waiting.length > 0) {
      for (const w of waiting) w.expected = ok(end);
      waiting = [];
      done = true; // the refused next() calls ended the iteration
    }
  };
  const pending = inputs.map((d, i) => typeof d === "number" ? -1 : i)
    .filter((i) => i >= 0);
  const unwrap = (call: Call) => {
    // The model speaks of indexes; results are iterator results.
    const actual = call.actual;
    const value = actual.value as IteratorResult<{ index: number }>;
    if (actual.state === "ok" && !value.done) actual.value = value.value.index;
    else if (actual.state === "ok") actual.value = end;
  };
  const calls: Call[] = [];
  for (let i = 0; i < n && !done; i++, s.ops++) {
    const roll = s.int(100);
    if (roll < 35 && pending.length > 0) {
      const [k] = pending.splice(s.int(pending.length), 1);
      const d = inputs[k!] as PromiseWithResolvers<number>;
      if (s.chance(0.8)) d.resolve(k!);
      else d.reject(new Error("input"));
      settling.push(k!);
    } else if (roll < 75) {
      const call = s.follow(iterator.next(), "next");
      calls.push(call);
      if (c?.signal.aborted && !done) {
        call.expected = err(c.signal.reason);
        done = true;
      } else if (done) call.expected = ok(end);
      else if (results.length > 0) call.expected = ok(results.shift());
      else if (left === 0) call.expected = ok(end), done = true;
      else waiting.push(call);
    } else if (roll < 80 && c !== undefined && !c.signal.aborted) {
      c.abort(new Error("abort"));
      for (const w of waiting) w.expected = err(c.signal.reason);
      refused = waiting.length > 0;
      waiting = [];
    } else if (roll < 83) {
      const call = s.follow(iterator.return!(), "return");
      call.expected = ok(end);
      calls.push(call);
      for (const w of waiting) w.expected = ok(end);
      waiting = [];
      done = true;
    } else {
      await s.drain();
      atDrain();
    }
  }
  const last = s.follow(iterator.return!(), "return");
  last.expected = ok(end);
  calls.push(last);
  for (const w of waiting) w.expected = ok(end);
  for (const d of inputs) if (typeof d !== "number") d.resolve(-1);
  await s.drain();
  for (const call of calls) unwrap(call);
  s.verify();
}

/** TaskGroup: the first failure cancels the rest and is what wait() reports. */
async function taskGroupRound(s: Soak, n: number): Promise<void> {
  const group = new TaskGroup();
  const tasks: { settle?: PromiseWithResolvers<number>; call: Call }[] = [];
  let failure: Error | undefined;
  let aborted = false;
  for (let i = 0; i < n && failure === undefined; i++, s.ops++) {
    const roll = s.int(100);
    const live = tasks.filter((t) => t.call.expected.state === "pending");
    if (roll < 50 || live.length === 0) {
      const settle = Promise.withResolvers<number>();
      const id = tasks.length;
      const task = group.spawn((signal) => {
        signal.addEventListener("abort", () => settle.reject(signal.reason));
        return settle.promise;
      });
      const call = s.follow(task, "task");
      if (aborted) call.expected = err("stop"); // refused at once
      tasks.push({ settle, call });
      void id;
    } else if (roll < 85) {
      const t = live[s.int(live.length)]!;
      t.settle!.resolve(tasks.indexOf(t));
      t.call.expected = ok(tasks.indexOf(t));
    } else if (roll < 95) {
      const t = live[s.int(live.length)]!;
      failure = new Error("task failed");
      t.settle!.reject(failure);
      t.call.expected = err(failure);
    } else {
      group.abort("stop");
      aborted = true;
      for (const t of live) t.call.expected = err("stop");
    }
  }
  const waited = s.follow(group.wait(), "wait");
  for (const t of tasks) {
    if (t.call.expected.state !== "pending") continue;
    if (failure === undefined) {
      t.settle!.resolve(tasks.indexOf(t));
      t.call.expected = ok(tasks.indexOf(t));
    } else t.call.expected = { state: "err" }; // cancelled with the reason
  }
  await s.drain();
  await s.drain();
  for (const t of tasks) {
    // A cancelled task rejects with the group's reason, whatever it is.
    if (
      t.call.expected.state === "err" && t.call.expected.value === undefined
    ) {
      t.call.expected.value = t.call.actual.value;
    }
  }
  const error = waited.actual.value;
  if (failure === undefined) waited.expected = ok(undefined);
  else {
    s.check(
      error instanceof AggregateError && error.errors.length === 1 &&
        error.errors[0] === failure,
      "wait() reports the one failure",
    );
    waited.expected = err(error);
  }
  s.verify();
}

/**
 * Runs `total` operations from `seed`, sampling the heap every 10^6 when
 * `gc` is given. Throws a {@linkcode Mismatch} at the first difference with
 * the model.
 */
export async function soak(
  total: number,
  seed: number,
  gc?: () => void,
  report: (line: string) => void = () => {},
): Promise<{ ops: number; ms: number; heap: number[] }> {
  const s = new Soak(seed);
  const heap: number[] = [];
  const started = performance.now();
  let mark = 1_000_000;
  while (s.ops < total) {
    const kind = s.int(6);
    const n = 50 + s.int(300);
    if (kind === 0) await queueRound(s, n);
    else if (kind === 1) await eventRound(s, n);
    else if (kind === 2) await semaphoreRound(s, n, false);
    else if (kind === 3) await semaphoreRound(s, n, true);
    else if (kind === 4) await asCompletedRound(s, n);
    else await taskGroupRound(s, Math.min(n, 60));
    if (gc !== undefined && s.ops >= mark) {
      gc();
      heap.push(Deno.memoryUsage().heapUsed);
      const ms = performance.now() - started;
      report(
        `${(s.ops / 1e6).toFixed(1)}M ops, ${
          (s.ops / ms * 1000).toFixed(0)
        } ops/s, heap ${(heap.at(-1)! / 2 ** 20).toFixed(2)} MiB`,
      );
      mark += 1_000_000;
    }
  }
  return { ops: s.ops, ms: performance.now() - started, heap };
}

if (import.meta.main) {
  const total = Number(Deno.args[0] ?? 1e7);
  const seed = Number(Deno.args[1] ?? 1);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  const { ops, ms, heap } = await soak(total, seed, gc, console.log);
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
  console.log(
    `${ops} operations, seed ${seed}, no mismatch, ${
      (ops / ms * 1000).toFixed(0)
    } ops/s` + (heap.length < 2
      ? ""
      : `; heap ${mib(heap[0]!)} MiB at 10^6 operations, ${
        mib(heap.at(-1)!)
      } MiB at the end: ${mib(heap.at(-1)! - heap[0]!)} MiB growth`),
  );
}
