import { assertEquals, assertGreaterOrEqual, assertThrows } from "@std/assert";
import { coroutines } from "../lessons/02_coroutines.ts";
import { begin } from "../course/lesson.ts";

const UNIT = 30;

Deno.test("Lesson 02: calling an async function runs it up to its first await", async () => {
  const { lines } = await coroutines({ unit: UNIT, log: () => {} });
  // "Hello!" comes from inside say_hello(), before the call even returned;
  // a Python coroutine would have printed nothing yet.
  const returned = lines.indexOf(
    "say_hello() returned; its promise is pending",
  );
  assertEquals(lines.slice(returned - 1, returned + 2), [
    "Hello!",
    "say_hello() returned; its promise is pending",
    "Goodbye!",
  ]);
  // The lazy version prints nothing until it is called.
  const lazy = lines.indexOf(
    "nothing has run yet: later() has not been called",
  );
  assertEquals(lines.slice(lazy - 1), [
    "Goodbye!",
    "nothing has run yet: later() has not been called",
    "Hello!",
    "Goodbye!",
  ]);
});

Deno.test("Lesson 02: say_hello waits one unit between its lines", async () => {
  const { timeline } = await coroutines({ unit: UNIT, log: () => {} });
  for (const name of ["awaited", "eager", "lazy"]) {
    const span = timeline.span(name)!;
    // "eager" starts its timer before the timeline sees it (that is the
    // point of the lesson), so on a busy machine its span can come out a
    // few milliseconds short of the unit; without the wait it would be 0.
    assertGreaterOrEqual(span.end! - span.start, 0.8 * UNIT, name);
  }
});

Deno.test("begin() rejects a unit that is not a positive number", () => {
  assertThrows(() => begin({ unit: 0 }), RangeError, "current value is 0");
  assertThrows(() => begin({ unit: -5 }), RangeError, "current value is -5");
  assertThrows(() => begin({ unit: NaN }), RangeError, "current value is NaN");
  assertThrows(
    // deno-lint-ignore no-explicit-any
    () => begin({ unit: "5" as any }),
    TypeError,
    'current value is "5"',
  );
});
