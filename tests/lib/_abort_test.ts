import { assertEquals, assertStrictEquals } from "@std/assert";
import { type AbortWatcher, unwatch, watch } from "../../lib/_abort.ts";
import { spy } from "./_abort_spy.ts";

Deno.test("watch() adds one listener per signal and tells watchers in order", () => {
  const controller = new AbortController();
  const seen = spy(controller.signal);
  const told: number[] = [];
  const watchers: AbortWatcher[] = Array.from({ length: 5 }, (_, i) => ({
    aborted(signal: AbortSignal) {
      assertStrictEquals(signal, controller.signal);
      told.push(i);
    },
  }));
  for (const w of watchers) watch(controller.signal, w);
  unwatch(controller.signal, watchers[2]!);
  unwatch(controller.signal, watchers[2]!); // twice does nothing
  assertEquals(seen.listeners, 1);
  controller.abort();
  assertEquals(told, [0, 1, 3, 4]);
});

Deno.test("unwatch() takes the listener off the signal with its last watcher", () => {
  const controller = new AbortController();
  const seen = spy(controller.signal);
  const first: AbortWatcher = { aborted() {} };
  const second: AbortWatcher = { aborted() {} };
  watch(controller.signal, first);
  watch(controller.signal, second);
  unwatch(controller.signal, first);
  assertEquals(seen.attached, 1);
  unwatch(controller.signal, second);
  assertEquals([seen.attached, seen.watchers], [0, 0]);
  // A watcher that comes later brings a listener of its own, and is told.
  let told = 0;
  watch(controller.signal, { aborted: () => told++ });
  assertEquals([seen.attached, seen.listeners], [1, 1]);
  controller.abort();
  assertEquals([told, seen.attached], [1, 0]);
});

Deno.test("a watcher unwatched while the abort is told is not told", () => {
  // A watcher's code may settle another caller on the same signal (a task
  // group's abort runs user code that releases a permit a waiter gets);
  // that waiter leaves, and must not then be told of the abort.
  const controller = new AbortController();
  const { signal } = controller;
  const told: string[] = [];
  const later: AbortWatcher = { aborted: () => told.push("later") };
  watch(signal, {
    aborted: () => (told.push("first"), unwatch(signal, later)),
  });
  watch(signal, later);
  watch(signal, { aborted: () => told.push("last") });
  controller.abort();
  assertEquals(told, ["first", "last"]);
});

Deno.test("watching leaves no property a program can see on the signal", () => {
  const { signal } = new AbortController();
  signal.addEventListener("abort", () => {}); // Deno's own bookkeeping
  const keys = Reflect.ownKeys(signal);
  const watcher: AbortWatcher = { aborted() {} };
  watch(signal, watcher);
  assertEquals(Reflect.ownKeys(signal), keys);
  unwatch(signal, watcher);
  assertEquals(Reflect.ownKeys(signal), keys);
});

Deno.test("watch() tells every watcher even if one throws", () => {
  const controller = new AbortController();
  const told: string[] = [];
  const reported: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    reported.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    watch(controller.signal, {
      aborted() {
        throw new Error("boom");
      },
    });
    watch(controller.signal, { aborted: () => told.push("second") });
    controller.abort();
  } finally {
    globalThis.removeEventListener("error", onError);
  }
  assertEquals(told, ["second"]);
  assertEquals((reported[0] as Error).message, "boom");
});

Deno.test("watch() adds one listener for 200,000 watchers of one signal, and tells each once", () => {
  // One listener each made this O(N²): Deno scans a signal's listeners on
  // every add (80,000 waiters took 30 s). The watchers join a Set instead.
  const controller = new AbortController();
  const seen = spy(controller.signal);
  const n = 200_000;
  let told = 0;
  const watchers = Array.from({ length: n }, () => ({
    aborted: () => told++,
  }));
  for (const w of watchers) watch(controller.signal, w);
  for (let i = 0; i < n; i += 2) unwatch(controller.signal, watchers[i]!);
  assertEquals([seen.listeners, seen.watchers], [1, n / 2]);
  controller.abort();
  assertEquals([told, seen.attached, seen.watchers], [n / 2, 0, 0]);
});
