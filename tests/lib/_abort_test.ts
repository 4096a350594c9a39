import { assertEquals } from "@std/assert";
import { type AbortWatcher, unwatch, watch } from "../../lib/_abort.ts";

/** Watchers that record their name when told. */
function recorders(names: string[], told: string[]): AbortWatcher[] {
  return names.map((name) => ({ aborted: () => told.push(name) }));
}

Deno.test("watch() keeps arrival order as the first watcher leaves and others join", () => {
  const controller = new AbortController();
  const told: string[] = [];
  const [a, b, c, d] = recorders(["a", "b", "c", "d"], told);
  watch(controller.signal, a!);
  watch(controller.signal, b!);
  unwatch(controller.signal, a!);
  watch(controller.signal, c!);
  watch(controller.signal, a!); // back, now after c
  watch(controller.signal, b!); // already there: still once, in its place
  watch(controller.signal, d!);
  unwatch(controller.signal, d!);
  controller.abort();
  assertEquals(told, ["b", "c", "a"]);
});

Deno.test("watch() tells a lone watcher once, and nothing after it left", () => {
  const told: string[] = [];
  const [a, b] = recorders(["a", "b"], told);
  const first = new AbortController();
  watch(first.signal, a!);
  watch(first.signal, a!);
  first.abort();
  const second = new AbortController();
  watch(second.signal, b!);
  unwatch(second.signal, b!);
  second.abort();
  assertEquals(told, ["a"]);
});
