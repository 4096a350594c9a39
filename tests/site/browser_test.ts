/**
 * The site in a real browser: headless Chromium, driven over the DevTools
 * protocol, clicks through the pages as a visitor would. Screenshots go to
 * .tools/test-output/site-screenshots/ (ignored by git). Without Chromium this test
 * fails and says how to install it; it is never skipped.
 */
import { assert, assertEquals } from "@std/assert";
import { ROOT } from "../../course/deno.ts";
import { loadCourse } from "../../site/course.ts";
import { startSite } from "../../site/server.ts";
import { Chromium } from "./_chromium.ts";
import { copyCheckout } from "./_checkout.ts";

const SHOTS = `${ROOT}/.tools/test-output/site-screenshots`;

Deno.test("The site in headless Chromium: both languages, Run on lesson 3, Stop on lesson 4, Check on 03a, no JavaScript", async (t) => {
  await Deno.mkdir(SHOTS, { recursive: true });
  // Both start at once. Check records its result in the progress file of
  // a copy of the checkout, not in the learner's.
  const [started, launched] = await Promise.allSettled([
    copyCheckout("browser").then(loadCourse).then((course) =>
      startSite({ port: 0, course, maxRuns: 1 })
    ),
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
    // The size of the README's screenshot (docs/img/site.png is a copy).
    const page = await browser.newPage(1024, 720);
    const url = site.url.replace(/\/$/, "");
    const lang = () => page.evaluate<string>("document.documentElement.lang");

    await t.step(
      "the index, in English, then Spanish, then English",
      async () => {
        await page.goto(`${url}/`);
        assertEquals(await lang(), "en");
        const sections = await page.evaluate<number>(
          "document.querySelectorAll('section.section').length",
        );
        assertEquals(sections, 10);
        await page.screenshot(`${SHOTS}/index.png`);
        await page.clickAndLoad("a.lang-switch");
        assertEquals(await lang(), "es");
        assertEquals(
          await page.evaluate<string>(
            "document.querySelector('header nav a').textContent",
          ),
          "El curso",
        );
        await page.clickAndLoad("a.lang-switch");
        assertEquals(await lang(), "en");
        assertEquals(
          await page.evaluate<string>("location.pathname"),
          "/en/",
        );
      },
    );

    await t.step(
      "lesson 3: Run prints B, A, C in order and draws a bar per task",
      async () => {
        await page.clickAndLoad('a[href="/en/lessons/03_gather"]');
        assertEquals(
          await page.evaluate<string>(
            "document.querySelector('h1').textContent",
          ),
          "Running tasks concurrently: gather and create_task",
        );
        // A small unit keeps the test quick; 40 ms is eight times the lesson's minimum.
        await page.evaluate(
          "document.querySelector('input[name=unit]').value = '40'",
        );
        await page.click(".run-button");
        await page.waitFor(
          "document.querySelector('.run-status').dataset.state === 'finished'",
          15_000,
        );
        const lines = await page.evaluate<string[]>(
          "[...document.querySelectorAll('.run-output .line')].map((e) => e.textContent)",
        );
        const at = (name: string) =>
          lines.indexOf(
            `Task ${name} completed after ${
              { A: 2, B: 1, C: 3 }[name]
            } seconds`,
          );
        assert(at("B") >= 0, lines.join("\n"));
        assert(at("B") < at("A") && at("A") < at("C"), lines.join("\n"));
        const bars = await page.evaluate<string[]>(
          "[...document.querySelectorAll('.run-timeline svg rect.tl-bar')].map((e) => e.dataset.task)",
        );
        assertEquals(bars.toSorted(), ["A", "B", "C", "D", "main"]);
        // The lines and the tasks' events in the order they happened, as
        // `--events` writes them in a terminal.
        const log = await page.evaluate<string[]>(
          "[...document.querySelectorAll('.run-output > div')].map((e) => e.textContent.replace(/ · .*/, ''))",
        );
        const from = log.indexOf("C ends");
        assertEquals(log.slice(from, from + 5), [
          "C ends",
          "Task C completed after 3 seconds",
          "Task D started",
          "D starts",
          "Task D is running while main goes on",
        ]);
        await page.evaluate(
          "scrollTo(0, document.querySelector('section.run').offsetTop - 12)",
        );
        await page.screenshot(`${SHOTS}/lesson-03-run.png`);
      },
    );

    await t.step("lesson 4: Stop mid-run ends the subprocess", async () => {
      await page.goto(`${url}/en/lessons/04_semaphore`);
      // At a unit of a second the lesson takes six: Stop comes long before.
      await page.evaluate(
        "document.querySelector('input[name=unit]').value = '1000'",
      );
      await page.click(".run-button");
      await page.waitFor("document.querySelector('.run-output .line')");
      const runs = site.runs.list();
      assertEquals(runs.length, 1);
      const run = runs[0]!;
      await page.click(".stop-button");
      const exit = await run.exited;
      assertEquals([exit.reason, exit.code], ["stopped", 143]);
      assert(exit.ms < 6_000, `it ran ${exit.ms} ms`);
      assertEquals(site.runs.list(), []);
      await page.waitFor(
        "document.querySelector('.run-status').dataset.state === 'stopped'",
      );
      const lines = await page.evaluate<string[]>(
        "[...document.querySelectorAll('.run-output .line')].map((e) => e.textContent)",
      );
      // The whole run prints ten lines; stopped early, it printed fewer.
      assert(lines.length < 10, lines.join("\n"));
      // No bar is left amber and "running": the chart says they stopped.
      await page.waitFor(
        "document.querySelectorAll('.run-timeline rect.tl-stopped').length === 2",
      );
      assertEquals(
        await page.evaluate<number>(
          "document.querySelectorAll('.run-timeline rect.tl-running').length",
        ),
        0,
      );
    });

    await t.step(
      "a run refused (one at a time here) says why, with no empty box",
      async () => {
        const held = new AbortController();
        const busy = await fetch(
          `${url}/api/lessons/04_semaphore/run?unit=1000`,
          {
            method: "POST",
            signal: held.signal,
          },
        );
        try {
          await page.goto(`${url}/en/lessons/03_gather`);
          await page.click(".run-button");
          await page.waitFor(
            "document.querySelector('.run-status').dataset.state === 'error'",
          );
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
      "exercise 03a: Check shows the checker's verdict and the state follows",
      async () => {
        await page.goto(`${url}/en/exercises/03a`);
        await page.click(".run-button");
        const state = await page.waitFor<string>(
          "['done', 'failing'].includes(document.querySelector('.run-status').dataset.state) && document.querySelector('.run-status').dataset.state",
          15_000,
        );
        const first = await page.evaluate<string>(
          "[...document.querySelectorAll('.run-output .line')].map((e) => e.textContent).find((t) => /^[✓✗] /.test(t))",
        );
        assertEquals(first.slice(0, 1), state === "done" ? "✓" : "✗");
        // A pass ends in " — passed" (a learner who solved 03a gets one).
        assertEquals(
          first.slice(1).replace(/ — passed$/, ""),
          " 03a · Overlap three waits",
        );
        assertEquals(
          await page.evaluate<string>(
            "document.querySelector('[data-state-of]').className",
          ),
          `state state-${state}`,
        );
      },
    );

    await t.step(
      "with JavaScript off, the pages and the switch work and Run says it needs JavaScript",
      async () => {
        await page.send("Emulation.setScriptExecutionDisabled", {
          value: true,
        });
        try {
          await page.goto(`${url}/es/lessons/04_lock`);
          assertEquals(await lang(), "es");
          assert(
            await page.evaluate<boolean>(
              "document.querySelector('.run-form').hidden && !!document.querySelector('noscript p')",
            ),
            "the form stays hidden and the note shows",
          );
          const steps = await page.evaluate<number>(
            "document.querySelectorAll('.step .prose p').length",
          );
          assert(steps > 3, `${steps} paragraphs of prose`);
          await page.clickAndLoad("a.lang-switch");
          assertEquals(
            await page.evaluate<string>("location.pathname"),
            "/en/lessons/04_lock",
          );
          await page.screenshot(`${SHOTS}/no-javascript.png`);
        } finally {
          await page.send("Emulation.setScriptExecutionDisabled", {
            value: false,
          });
        }
      },
    );
  } finally {
    await browser.close();
    await site.shutdown();
  }
});
