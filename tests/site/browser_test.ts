/**
 * The site's script in a real browser: headless Chromium, driven over the
 * DevTools protocol, runs, stops and checks as a visitor would, on a copy
 * of the checkout whose path holds `#` and `%`. What the server sends
 * (pages, links, the stream of a run) is server_test.ts's and runs_test.ts's;
 * this test looks at what the page does with it. The screenshot of lesson 3
 * goes to .tools/test-output/site-screenshots/ (ignored by git;
 * docs/img/site.png is a copy). Without Chromium this test fails and says
 * how to install it; it is never skipped.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { ROOT } from "../../course/deno.ts";
import { loadCourse } from "../../site/course.ts";
import { startSite } from "../../site/server.ts";
import { Chromium } from "./_chromium.ts";
import { copyCheckout } from "../_checkout.ts";
import { shipped } from "../_exercises.ts";
import { findExercise } from "../../exercises/_catalog.ts";

const SHOTS = `${ROOT}/.tools/test-output/site-screenshots`;
/**
 * How long a step waits for a run or a check the page started (a real
 * `deno` process) before it fails. Not a speed test: a check takes under a
 * second alone, and one took over 15 s under load 26 (a suite, four agents).
 */
const SETTLED = 120_000;

Deno.test("The site in headless Chromium: Run on lesson 3, Stop on lesson 4, a refused run, Check on 03a from a path with # and %", async (t) => {
  await Deno.mkdir(SHOTS, { recursive: true });
  const progress = `${ROOT}/exercises/.progress.json`;
  const before = await Deno.readTextFile(progress).catch(() => undefined);
  // Both start at once. Check records its result in the progress file of
  // the copy, not in the learner's.
  let copy = "";
  const [started, launched] = await Promise.allSettled([
    copyCheckout("check#out%41").then(async (root) => {
      // 03a as shipped, whatever the learner has done with theirs: it fails.
      const stub = await shipped(findExercise("03a")!);
      await Deno.copyFile(stub, `${root}/exercises/03a_overlap.ts`);
      return loadCourse(copy = root);
    }).then((course) => startSite({ port: 0, course, maxRuns: 1 })),
    Chromium.launch(),
  ]);
  if (started.status === "rejected" || launched.status === "rejected") {
    if (started.status === "fulfilled") await started.value.shutdown();
    if (launched.status === "fulfilled") await launched.value.close();
    throw started.status === "rejected"
      ? started.reason
      : (launched as PromiseRejectedResult).reason;
  }
  const site = started.value;
  const browser = launched.value;
  try {
    // The size of the README's screenshot.
    const page = await browser.newPage(1024, 720);
    const url = site.url.replace(/\/$/, "");
    const texts = (selector: string) =>
      page.evaluate<string[]>(
        `[...document.querySelectorAll(${
          JSON.stringify(selector)
        })].map((e) => e.textContent)`,
      );
    const status = "document.querySelector('.run-status').dataset.state";

    await t.step(
      "lesson 3: Run shows its lines and tasks in order and draws a bar per task",
      async () => {
        await page.goto(`${url}/en/lessons/03_gather`);
        // A small unit keeps the test quick; 40 ms is eight times the lesson's minimum.
        await page.evaluate(
          "document.querySelector('input[name=unit]').value = '40'",
        );
        await page.click(".run-button");
        await page.waitFor(`${status} === 'finished'`, SETTLED);
        // The lines and the tasks' events as they came, as `--events`
        // writes them in a terminal.
        const log = (await texts(".run-output > div")).map((line) =>
          line.replace(/ · .*/, "")
        );
        const from = log.indexOf("C ends");
        assertEquals(log.slice(from, from + 5), [
          "C ends",
          "Task C completed after 3 seconds",
          "Task D started",
          "D starts",
          "Task D is running while main goes on",
        ]);
        const bars = await page.evaluate<string[]>(
          "[...document.querySelectorAll('.run-timeline svg rect.tl-bar')].map((e) => e.dataset.task)",
        );
        assertEquals(bars.toSorted(), ["A", "B", "C", "D", "main"]);
        await page.evaluate(
          "scrollTo(0, document.querySelector('section.run').offsetTop - 12)",
        );
        await page.screenshot(`${SHOTS}/lesson-03-run.png`);
      },
    );

    await t.step(
      "lesson 4 in Spanish: Stop ends the run and greys its running bars, noted in Spanish",
      async () => {
        await page.goto(`${url}/es/lessons/04_semaphore`);
        // At a unit of a second the lesson takes six: Stop comes before.
        await page.click(".run-button");
        // Both tasks that hold a permit have started: each says so.
        await page.waitFor(
          "document.querySelectorAll('.run-output .line').length >= 2",
        );
        const [run] = site.runs.list();
        await page.click(".stop-button");
        assertEquals((await run!.exited).reason, "stopped");
        await page.waitFor(`${status} === 'stopped'`);
        // The chart greys every running bar at once.
        await page.waitFor(
          "document.querySelector('.run-timeline rect.tl-stopped') !== null",
        );
        // No bar is left amber and "running": those that ran at Stop (two,
        // or more when a busy machine let the first two end before it came)
        // say they stopped; a task that had ended says how long it took.
        const bars = await page.evaluate<string[]>(
          "[...document.querySelectorAll('.run-timeline rect.tl-bar')].map((r) => r.dataset.outcome)",
        );
        const notes = await texts(".run-timeline .tl-note");
        assert(bars.includes("stopped"));
        assertEquals(
          bars.map((outcome, i) =>
            outcome === "stopped"
              ? notes[i]
              : `${outcome} ${/^\d+,\d+s$/.test(notes[i]!)}`
          ),
          bars.map((outcome) =>
            outcome === "stopped" ? "parada" : "fulfilled true"
          ),
        );
        // Its times have a decimal comma, as the checker's Spanish writes
        // them: its task lines, its status, the chart's ticks.
        const times = [
          ".run-output .event",
          ".run-status",
          ".run-timeline text",
        ];
        const shown = (await Promise.all(times.map(texts))).flat().join("\n");
        assertMatch(shown, /\d,\d/);
        assertEquals(shown.match(/\d\.\d/g), null, shown);
      },
    );

    await t.step(
      "a run refused (one at a time here) says why, with no empty box",
      async () => {
        const held = new AbortController();
        const busy = await fetch(
          `${url}/api/lessons/04_semaphore/run?unit=1000`,
          { method: "POST", signal: held.signal },
        );
        try {
          await page.goto(`${url}/en/lessons/03_gather`);
          await page.click(".run-button");
          await page.waitFor(`${status} === 'error'`);
          assertEquals(
            await page.evaluate<[string, boolean]>(
              "[document.querySelector('.run-status').textContent, document.querySelector('.run-output').hidden]",
            ),
            [
              "Too many runs at once: at most 1. Stop one or wait for it to end.",
              true,
            ],
          );
        } finally {
          const [run] = site.runs.list();
          held.abort();
          await busy.body?.cancel().catch(() => {});
          await run?.exited;
        }
      },
    );

    await t.step(
      "exercise 03a in Spanish: Check runs deno task exercise in the copy, shows the verdict, and the state follows",
      async () => {
        await page.goto(`${url}/es/exercises/03a`);
        // Saved after the page loaded: the check reads it, and so does the
        // page's listing once the check is over.
        const edit = "// saved after the page loaded\n";
        const file = `${copy}/exercises/03a_overlap.ts`;
        await Deno.writeTextFile(file, edit, { append: true });
        await page.click(".run-button");
        const state = await page.waitFor<string>(
          `['done', 'failing'].includes(${status}) && ${status}`,
          SETTLED,
        );
        // The stub fails: the verdict's line says so, and the badge and the
        // copy's progress agree with it.
        assertEquals(state, "failing");
        const verdict = (await texts(".run-output .line")).find((line) =>
          /^[✓✗] /.test(line)
        );
        assertEquals(verdict, "✗ 03a · Solapa tres esperas");
        // The status points down to what the checker says, whose verdict and
        // first problem stay in view at the top of its box.
        assertStringIncludes((await texts(".run-status")).join(""), "abajo");
        assertEquals(
          await page.evaluate<[boolean, number]>(
            "[document.querySelector('.run-status').getBoundingClientRect().bottom <= document.querySelector('.run-output').getBoundingClientRect().top, document.querySelector('.run-output').scrollTop]",
          ),
          [true, 0],
        );
        await page.waitFor(
          `document.querySelector('pre.code').textContent.includes(${
            JSON.stringify(edit.trim())
          })`,
        );
        assertEquals(
          await page.evaluate<string>(
            "document.querySelector('[data-state-of]').className",
          ),
          `state state-${state}`,
        );
        const index = await (await fetch(`${url}/en/`)).text();
        assertStringIncludes(
          index,
          `<span class="state state-${state}" data-state-of="03a">`,
        );
      },
    );

    await t.step(
      "exercise 03b, its file missing when the page loaded: once it is back, Check brings its listing in",
      async () => {
        const file = `${copy}/exercises/03b_background.ts`;
        await Deno.remove(file);
        await page.goto(`${url}/en/exercises/03b`);
        assertEquals(await texts("section.source pre.code"), []);
        await Deno.copyFile(await shipped(findExercise("03b")!), file);
        await page.click(".run-button");
        const source = (await Deno.readTextFile(file)).trim();
        await page.waitFor(
          `document.querySelector('section.source pre.code')?.textContent.trim() === ${
            JSON.stringify(source)
          }`,
          SETTLED,
        );
        // Where the page puts a listing: before the links to the neighbours.
        assertEquals(
          await page.evaluate<string>(
            "document.querySelector('section.source').nextElementSibling.className",
          ),
          "pager",
        );
      },
    );

    await t.step(
      "a check whose page cannot be fetched again afterwards (the site stopped meanwhile) says so, and leaves no rejection unhandled",
      async () => {
        await page.goto(`${url}/en/exercises/03b`);
        // The page's own requests but its POSTs fail, as with the site gone;
        // a rejection nobody handles is noted where waitFor sees it.
        await page.evaluate(`(() => {
          const real = fetch;
          addEventListener("unhandledrejection", (e) => {
            document.body.dataset.unhandled = String(e.reason);
          });
          window.fetch = (input, init) => init?.method === "POST"
            ? real(input, init)
            : Promise.reject(new TypeError("Failed to fetch"));
        })()`);
        await page.click(".run-button");
        const said = "document.querySelector('.run-status').textContent";
        const [text, unhandled] = await page.waitFor<[string, string]>(
          `${status} === 'failing' && (/reload/.test(${said}) || document.body.dataset.unhandled) && [${said}, document.body.dataset.unhandled ?? '']`,
          SETTLED,
        );
        assertEquals(unhandled, "");
        assertEquals(
          text,
          "Not yet: read what the checker says below. (The badge and the listing did not refresh: reload the page.)",
        );
      },
    );
  } finally {
    await browser.close();
    await site.shutdown();
    await Deno.remove(copy, { recursive: true });
  }
  assert(
    await Deno.readTextFile(progress).catch(() => undefined) === before,
    "the checkout's own exercises/.progress.json is unchanged",
  );
});
