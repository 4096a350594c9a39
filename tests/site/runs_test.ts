/**
 * The run manager's pieces: the picture it redraws from a subprocess'
 * events, and the environment it gives the subprocess.
 */
import { assert, assertEquals } from "@std/assert";
import { LiveTimeline, RunManager } from "../../site/runs.ts";
import { ROOT } from "../../lessons/_cli.ts";

const bars = (svg: string) =>
  [...svg.matchAll(/data-task="([^"]*)" data-outcome="(\w+)"/g)].map((
    [, task, outcome],
  ) => `${task} ${outcome}`);

Deno.test("LiveTimeline draws the subprocess' tasks from its events, running ones to now", () => {
  const live = new LiveTimeline(10, "A run");
  assertEquals(live.draw(), undefined, "nothing before the first event");
  live.apply({ event: "begin", unit: 10 });
  live.apply({ event: "start", task: "A", at: 0 });
  live.apply({ event: "start", task: "B", at: 1 });
  live.apply({ event: "end", task: "B", at: 10, outcome: "rejected" });
  const svg = live.draw()!;
  assertEquals(bars(svg), ["A running", "B rejected"]);
  assert(svg.includes("<title>A run</title>"));
  // A still runs: each draw shows it again, longer.
  assert(live.draw() !== undefined);
  live.apply({ event: "end", task: "A", at: 30, outcome: "fulfilled" });
  assertEquals(bars(live.draw()!), ["A fulfilled", "B rejected"]);
  assertEquals(live.draw(), undefined, "unchanged and nothing running");
  assert(live.draw(true) !== undefined, "the last picture, on request");
});

Deno.test("LiveTimeline ignores events that do not make sense, and starts over at begin", () => {
  const live = new LiveTimeline(10, "t");
  live.apply({ event: "start", task: "A", at: 5 });
  live.apply({ event: "start", task: "A", at: 6 });
  live.apply({ event: "end", task: "nobody", at: 7, outcome: "fulfilled" });
  live.apply({ event: "end", task: "A", at: 3, outcome: "fulfilled" });
  assertEquals(bars(live.draw()!), ["A fulfilled"]);
  live.apply({ event: "begin", unit: 10 });
  live.apply({ event: "start", task: "B", at: 0 });
  assertEquals(bars(live.draw()!), ["B running"]);
});

Deno.test("A run's subprocess finds this deno first on its PATH, and no colour", async () => {
  const runs = new RunManager({ cwd: ROOT });
  const started = runs.start({
    display: "env",
    args: [
      "eval",
      "console.log(Deno.env.get('PATH')); console.log(Deno.env.get('NO_COLOR'))",
    ],
    unit: 1000,
    title: "env",
  })!;
  const text = await new Response(started.stream).text();
  const lines = [...text.matchAll(/"text":"([^"]*)"/g)].map((m) => m[1]);
  const dir = Deno.execPath().replace(/\/[^/]*$/, "");
  assert(lines[0]!.startsWith(`${dir}:`), lines[0]);
  assertEquals(lines[1], "1");
  assertEquals((await started.run.exited).reason, "finished");
});
