/**
 * The site's runs: one ordered stream of a lesson's lines and tasks, what
 * Stop, a page that goes away and the time limit do to the run and all its
 * processes, how many may go on at once, and the pieces (the live timeline,
 * the line splitter, the subprocess' environment).
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { lines, ROOT, runDeno } from "../../course/deno.ts";
import { LiveTimeline, type RunExit, RunManager } from "../../site/runs.ts";
import { events, post, withSite } from "./_site.ts";

const bars = (svg: string) =>
  [...svg.matchAll(/data-task="([^"]*)" data-outcome="(\w+)"/g)].map((
    [, task, outcome],
  ) => `${task} ${outcome}`);

/** What the page shows of a run, one entry a line or a task's event. */
const shown = (seen: [string, Record<string, unknown>][]) =>
  seen.flatMap(([name, data]) =>
    name === "line"
      ? [data.text as string]
      : name === "task"
      ? [`${data.event} ${data.task}`]
      : []
  );

Deno.test("A run shows lesson 3's lines and tasks in the order they happened, then its chart and how it ended", async () => {
  await withSite({}, async (_site, get) => {
    const response = await get("/api/lessons/03_gather/run?unit=20", post);
    assertEquals(
      response.headers.get("content-type"),
      "text/event-stream; charset=utf-8",
    );
    const seen = await events(response);
    assertEquals(
      seen[0]![1].command,
      "deno run lessons/03_gather.ts --unit 20",
    );
    assertEquals(shown(seen), [
      "start main",
      "Start",
      "End",
      "end main",
      "start A",
      "start B",
      "start C",
      "end B",
      "Task B completed after 1 seconds",
      "end A",
      "Task A completed after 2 seconds",
      // What lesson 3 teaches: D's body runs at the call, before main's
      // next line.
      "end C",
      "Task C completed after 3 seconds",
      "Task D started",
      "start D",
      "Task D is running while main goes on",
      "end D",
      "Task D completed after 1 seconds",
    ]);
    const exit = seen.at(-1)![1] as unknown as RunExit;
    assertEquals([seen.at(-1)![0], exit.reason, exit.code], [
      "exit",
      "finished",
      0,
    ]);
    // Each picture sent differs from the one before: none is sent again.
    const pictures = seen.filter(([n]) => n === "timeline").map(([, d]) => d);
    assertEquals(pictures.filter((p, i) => p.svg === pictures[i - 1]?.svg), []);
    const svg = pictures.at(-1)!.svg as string;
    assertEquals(bars(svg), [
      "main fulfilled",
      "A fulfilled",
      "B fulfilled",
      "C fulfilled",
      "D fulfilled",
    ]);
  });
});

Deno.test("Stop ends a run: the stream says so, and the chart marks the running tasks stopped", async () => {
  await withSite({}, async (site, get) => {
    const response = await get("/api/lessons/04_semaphore/run?unit=1000", post);
    let stopped: Promise<Response> | undefined;
    let id = "";
    let started = 0;
    const seen = await events(response, (name, data) => {
      // Stop once both tasks that hold a permit have said they started
      // (after the first line only, task 2 may not have started yet); read
      // on to the end.
      if (name === "run") id = data.id as string;
      if (name === "line" && ++started === 2) {
        stopped = get(`/api/runs/${id}/stop`, post);
      }
      return false;
    });
    assertEquals((await stopped!).status, 204);
    const exit = seen.at(-1)![1] as unknown as RunExit;
    assertEquals([seen.at(-1)![0], exit.reason, exit.code], [
      "exit",
      "stopped",
      143,
    ]);
    assertEquals(site.runs.list(), []);
    const svg = seen.filter(([n]) => n === "timeline").at(-1)![1].svg as string;
    assertEquals(bars(svg), ["task 1 stopped", "task 2 stopped"]);
    assert(!/>running</.test(svg), "no bar is labelled running");
    // Stopped once, it is gone: a second Stop finds nothing.
    const again = await get(`/api/runs/${id}/stop`, post);
    assertEquals(again.status, 404);
    await again.body?.cancel();
  });
});

Deno.test("Stop ends every process the run started, not just the first", async () => {
  // The fixture lesson starts a deno that would wait 20 s, with `tag` on its
  // command line.
  const tag = `grandchild-${crypto.randomUUID()}`;
  const runs = new RunManager({ cwd: ROOT });
  const fixture = "tests/fixtures/lessons/99_grandchild.ts";
  const started = runs.start({
    display: "grandchild",
    args: ["run", "--allow-run", fixture, "--tag", tag, "--events"],
    unit: 1000,
    title: "grandchild",
  })!;
  let said = "";
  await events(new Response(started.stream), (name, data) => {
    if (name !== "line") return false;
    said ||= String(data.text);
    runs.stop(started.run.id);
    return false;
  });
  // Else nothing holds the tag, and the search below finds nothing left.
  assertEquals(said, `started ${tag}`, "the grandchild got no tag");
  assertEquals((await started.run.exited).reason, "stopped");
  // No process whose command line holds the tag is left (a zombie's is
  // empty), but for one that is ending: a fatal signal sets SIGKILL pending
  // on its threads, which a loaded machine may not run for a while (seen).
  // A deno of its own reads /proc, which this test may not.
  const { stdout: left } = await runDeno([
    "eval",
    `for (const { name } of Deno.readDirSync("/proc")) {
      if (!/^\\d+$/.test(name) || name === String(Deno.pid)) continue;
      const read = (file) => Deno.readTextFile(\`/proc/\${name}/\${file}\`).catch(() => "");
      if (!(await read("cmdline")).includes(Deno.args[0])) continue;
      const pending = /^SigPnd:\\s*(\\w+)/m.exec(await read("status"))?.[1] ?? "0";
      if ((BigInt("0x" + pending) & 0x100n) === 0n) console.log(name);
      Deno.kill(Number(name), "SIGKILL");
    }`,
    tag,
  ]);
  assertEquals(left, "", "Stop left the grandchild running");
});

Deno.test("A run ends when its page goes away, or at the time limit", async () => {
  await withSite({}, async (site, get) => {
    const controller = new AbortController();
    const response = await get("/api/lessons/04_semaphore/run?unit=1000", {
      method: "POST",
      signal: controller.signal,
    });
    await events(response, (name) => name === "line").catch(() => {});
    const [run] = site.runs.list();
    controller.abort();
    const gone = await run!.exited;
    assertEquals([gone.reason, gone.code], ["disconnected", 143]);
    assertEquals(site.runs.list(), []);
  });
  const runs = new RunManager({ cwd: ROOT, timeLimit: 300 });
  const { run, stream } = runs.start({
    display: "wait",
    args: ["eval", "setTimeout(() => {}, 20_000)"],
    unit: 1000,
    title: "wait",
  })!;
  const [exit] = await Promise.all([run.exited, new Response(stream).text()]);
  assertEquals([exit.reason, exit.code], ["time limit", 143]);
  assert(exit.ms >= 300, `${exit.ms} ms`);
});

Deno.test("At most maxRuns go on at once; the next is refused, saying why, until one ends", async () => {
  await withSite({ maxRuns: 1 }, async (site, get) => {
    const controller = new AbortController();
    const first = await get("/api/lessons/04_semaphore/run?unit=1000", {
      method: "POST",
      signal: controller.signal,
    });
    assertEquals(first.status, 200);
    const busy = await get("/api/lessons/03_gather/run?unit=20", post);
    assertEquals([busy.status, busy.headers.get("retry-after")], [429, "5"]);
    assertEquals(
      await busy.text(),
      "Too many runs at once: at most 1. Stop one or wait for it to end.\n",
    );
    const [run] = site.runs.list();
    controller.abort();
    await first.body!.cancel().catch(() => {});
    await run!.exited;
    const next = await get("/api/lessons/03_gather/run?unit=20", post);
    assertEquals(next.status, 200);
    const [again] = site.runs.list();
    await next.body!.cancel();
    await again!.exited;
  });
});

Deno.test("lines() splits a stream at each newline, a long line in linear time", async () => {
  const split = async (chunks: string[]) => {
    const found: string[] = [];
    const stream = ReadableStream.from(
      chunks.map((c) => new TextEncoder().encode(c)),
    );
    await lines(stream, (line) => found.push(line));
    return found;
  };
  assertEquals(await split(["a\nb", "c\r\n", "", "\nd"]), ["a", "bc", "", "d"]);
  assertEquals(await split(["é".slice(0, 1), "\n\n"]), ["é", ""]);
  // A line of 32 MiB in 64 KiB chunks against one pass over the same bytes
  // (the join a linear splitter needs): quadratic work is hundreds of
  // times that pass; linear work, a few.
  const chunk = "x".repeat(64 * 1024);
  const chunks = Array.from({ length: 512 }, () => chunk);
  let started = performance.now();
  const [line] = await split([...chunks, "\n"]);
  const splitting = performance.now() - started;
  started = performance.now();
  const once = new TextDecoder().decode(
    new TextEncoder().encode(chunks.join("")),
  );
  const pass = performance.now() - started;
  assertEquals(line!.length, once.length);
  assert(
    splitting < 30 * pass + 200,
    `${splitting} ms against ${pass} ms for one pass`,
  );
});

Deno.test("lines() keeps only the end of a line longer than its max: a program printing without end holds no more", async () => {
  const chunks = ["ab", "cdef", "gh", "ij\nkl", "mnop\n"];
  const found: string[] = [];
  const stream = ReadableStream.from(
    chunks.map((c) => new TextEncoder().encode(c)),
  );
  await lines(stream, (line) => found.push(line), 3);
  assertEquals(found, ["hij", "nop"]);
});

Deno.test("LiveTimeline draws the subprocess' tasks from its events, running ones to now", () => {
  const live = new LiveTimeline(10, "A run");
  assertEquals(live.draw(), undefined, "nothing before the first event");
  live.apply({ event: "begin", unit: 10 });
  live.apply({ event: "start", task: "A", at: 0 });
  live.apply({ event: "start", task: "B", at: 1 });
  live.apply({ event: "end", task: "B", at: 10, outcome: "rejected" });
  const svg = live.draw()!;
  assertEquals(bars(svg), ["A running", "B rejected"]);
  assertStringIncludes(svg, "<title>A run</title>");
  // A still runs: each draw shows it again, longer; stopped, it says so.
  assert(live.draw() !== undefined);
  assertEquals(bars(live.draw(true, true)!), ["A stopped", "B rejected"]);
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
  const seen = await events(new Response(started.stream));
  const [path, color] = seen.filter(([n]) => n === "line").map(([, d]) =>
    d.text as string
  );
  assert(path!.startsWith(`${Deno.execPath().replace(/\/[^/]*$/, "")}:`), path);
  assertEquals(color, "1");
  assertEquals((await started.run.exited).reason, "finished");
});
