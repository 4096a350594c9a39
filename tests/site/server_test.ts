/**
 * The site's server without a browser: routes, what it refuses (404, 400,
 * 403, 405), the command a run gets, and a checkout at an odd path; and
 * `deno task site` itself, below (one module: a test module costs ~0.08
 * CPU-s to start in the suite, whatever it holds). Runs themselves are in
 * runs_test.ts; what a page does with a check, in browser_test.ts.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { listLessons } from "../../course/header.ts";
import { loadCourse } from "../../site/course.ts";
import { lessonRun } from "../../site/server.ts";
import { copyCheckout } from "../_checkout.ts";
import { shipped } from "../_exercises.ts";
import { findExercise } from "../../exercises/_catalog.ts";
import { events, post, raw, withSite } from "./_site.ts";
import { denoExecutable, ROOT } from "../../course/deno.ts";

Deno.test("The site serves the index in both languages and a page per lesson", async () => {
  await withSite({}, async (site, get) => {
    const root = await get("/", { redirect: "manual" });
    assertEquals([root.status, root.headers.get("location")], [303, "/en/"]);
    await root.body?.cancel();
    const spanish = await get("/", {
      redirect: "manual",
      headers: { "accept-language": "es-ES,es;q=0.9,en;q=0.5" },
    });
    assertEquals(spanish.headers.get("location"), "/es/");
    await spanish.body?.cancel();

    const lessons = await listLessons();
    for (const lang of ["en", "es"]) {
      const index = await get(`/${lang}/`);
      assertEquals(index.status, 200);
      assertMatch(index.headers.get("content-type")!, /^text\/html/);
      const html = await index.text();
      assertStringIncludes(html, `<html lang="${lang}">`);
      // The switch to the other language, on every page.
      const other = lang === "en" ? "es" : "en";
      assertStringIncludes(html, `class="lang-switch" href="/${other}/"`);
      for (const lesson of lessons) {
        const id = lesson.file.replace(/\.ts$/, "");
        assertStringIncludes(html, `href="/${lang}/lessons/${id}"`);
      }
    }
    assertEquals(site.course.lessons.length, lessons.length);

    const page = await get("/en/lessons/03_gather");
    const html = await page.text();
    assertEquals(page.status, 200);
    assertStringIncludes(
      html,
      "<h1>Running tasks concurrently: gather and create_task</h1>",
    );
    assertStringIncludes(
      html,
      'class="lang-switch" href="/es/lessons/03_gather"',
    );
    assert(!html.includes('class="summary" lang='), "marks nothing English");
    assert(!html.includes('href="#guia"'), "the English page has no guide");
    // The prose of a comment, beside the code under it.
    assertStringIncludes(
      html,
      '<p>A task waits <code>seconds</code>, then says so.</p></div><pre class="code"><code>',
    );
    // The expected output, from the header.
    assertStringIncludes(
      html,
      "Task B completed after 1 seconds\nTask A completed",
    );
    // Run is there for scripts, hidden without them, and the command is not.
    assertStringIncludes(html, '<form class="run-form" hidden>');
    assertStringIncludes(html, "<noscript>");
    assertStringIncludes(
      html,
      "<code>deno run lessons/03_gather.ts --timeline</code>",
    );

    const js = await get("/static/app.js");
    assertMatch(js.headers.get("content-type")!, /^text\/javascript/);
    assertStringIncludes(await js.text(), "readEvents");
  });
});

Deno.test("A Spanish lesson page shows the guide below the English lesson, with no raw Markdown or HTML comment", async () => {
  await withSite({}, async (site, get) => {
    const paths = [
      ...site.course.lessons.map((l) => `/es/lessons/${l.id}`),
      "/es/glosario",
    ];
    const pages = new Map<string, string>();
    for (const path of paths) {
      const response = await get(path);
      assertEquals(response.status, 200, path);
      const html = await response.text();
      assert(!html.includes("&lt;!--"), `${path} echoes an HTML comment`);
      assert(!html.includes("]("), `${path} shows a Markdown link`);
      pages.set(path, html);
    }
    const es = pages.get("/es/lessons/03_gather")!;
    // The link of code that used to stay raw is a link now.
    assertStringIncludes(
      es,
      '<a href="/es/lessons/03_gather"><code>lessons/03_gather.ts</code></a>',
    );
    // The lesson's English summary is marked as English, with a pointer
    // to the guide below.
    assertMatch(es, /<p class="summary" lang="en">/);
    assertStringIncludes(
      es,
      '<p class="note"><a href="#guia">El código y sus comentarios están en inglés',
    );
    assertStringIncludes(es, 'id="guia"');
    // Without JavaScript, each page names what it cannot do: run a lesson
    // or check a file.
    assertStringIncludes(es, "<noscript><p>Ejecutar la lección aquí");
    const exercise = await (await get("/es/exercises/05b")).text();
    assertStringIncludes(exercise, "<noscript><p>Comprobar tu fichero aquí");
  });
});

Deno.test("The site answers 404 for anything it does not list, and never reads a path from the request", async () => {
  await withSite({}, async (_site, get) => {
    for (
      const path of [
        "/en/lessons/99_nope",
        "/en/lessons/_lesson",
        "/en/lessons/03_gather.ts",
        "/en/lessons/..%2F..%2Fdeno.json",
        "/en/lessons/%2e%2e/deno.json",
        "/static/..%2Fserver.ts",
        "/static/server.ts",
        "/en/exercises/01z",
        "/en/glosario",
        "/fr/",
        "/deno.json",
        "/en/lessons/03_gather/extra",
      ]
    ) {
      const response = await get(path);
      assertEquals(response.status, 404, path);
      await response.body?.cancel();
    }
    for (
      const path of [
        "/api/lessons/99_nope/run?unit=20",
        "/api/lessons/..%2F03_gather/run?unit=20",
        "/api/exercises/nope/check",
        "/api/runs/not-a-run/stop",
        "/api/anything",
      ]
    ) {
      const response = await get(path, post);
      assertEquals(response.status, 404, path);
      await response.body?.cancel();
    }
  });
});

Deno.test("A lesson's or an exercise's file gone or unreadable after the site started: its page still comes, without that file, and nothing is logged", async () => {
  const root = await copyCheckout("files-gone");
  const course = await loadCourse(root);
  // A file deleted (a branch switched), and one the site cannot read: as
  // root any file reads, so a folder stands in its place.
  await Deno.remove(`${root}/lessons/03_gather.ts`);
  await Deno.remove(`${root}/exercises/03a_overlap.ts`);
  await Deno.mkdir(`${root}/exercises/03a_overlap.ts`);
  const logged: unknown[][] = [];
  const { error } = console;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    await withSite({ course }, async (_site, get) => {
      for (const path of ["/en/lessons/03_gather", "/es/exercises/03a"]) {
        const page = await get(path);
        assertEquals(page.status, 200, path);
        assert(!(await page.text()).includes('<pre class="code">'), path);
      }
    });
  } finally {
    console.error = error;
    await Deno.remove(root, { recursive: true });
  }
  assertEquals(logged, []);
});

Deno.test("The site refuses other methods, other hosts and other origins", async () => {
  await withSite({}, async (site, get) => {
    const cases: [string, RequestInit, number][] = [
      ["/api/lessons/03_gather/run?unit=20", {}, 405],
      ["/en/", { method: "POST" }, 405],
      ["/en/", { method: "DELETE" }, 405],
      [
        "/api/lessons/03_gather/run?unit=20",
        { method: "POST", headers: { origin: "http://evil.example" } },
        403,
      ],
      [
        "/api/lessons/03_gather/run?unit=20",
        { method: "POST", headers: { "sec-fetch-site": "cross-site" } },
        403,
      ],
    ];
    for (const [path, init, status] of cases) {
      const response = await get(path, init);
      assertEquals(response.status, status, `${path} ${JSON.stringify(init)}`);
      await response.body?.cancel();
    }
    // fetch() sends the URL's host whatever it is told: speak HTTP by hand
    // for what a page elsewhere, with a name pointed at 127.0.0.1, would send.
    for (const host of ["evil.example", `attacker.test:${site.port}`]) {
      for (
        const request of ["GET /en/", "POST /api/lessons/03_gather/run?unit=20"]
      ) {
        assertEquals((await raw(site.port, request, host)).status, 403, host);
      }
    }
    assertEquals(
      (await raw(site.port, "GET /en/", `localhost:${site.port}`)).status,
      200,
    );
    assertEquals(site.runs.list(), [], "nothing ran");
  });
});

Deno.test("A Host header that URL parsing refuses gets 403, and nothing is logged", async () => {
  const logged: unknown[][] = [];
  const { error } = console;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    await withSite({}, async (site) => {
      for (const host of [`127.0.0.1:${site.port}.`, "127.0.0.1:99999"]) {
        const { status, text } = await raw(site.port, "GET /en/", host);
        assertEquals(status, 403, host);
        assert(!text.includes("Error"), text);
      }
    });
  } finally {
    console.error = error;
  }
  assertEquals(logged, []);
});

Deno.test("The site runs a lesson only with a unit in the command line's range (1 to 10000), and a whole one", async () => {
  await withSite({}, async (site, get) => {
    for (
      const unit of [
        "",
        "0",
        "-5",
        "5.5",
        "1e3",
        "abc",
        "10001",
        "99999999",
        "20;rm",
        "20 --allow-all",
        "20%20--allow-all",
      ]
    ) {
      const response = await get(
        `/api/lessons/03_gather/run?unit=${unit}`,
        post,
      );
      assertEquals(response.status, 400, `unit=${unit}`);
      assertStringIncludes(await response.text(), "from 1 to 10000.");
    }
    assertEquals(site.runs.list(), [], "nothing ran");
    // Below the lesson's smallest unit it runs, and says what the command
    // line says there.
    const seen = await events(
      await get("/api/lessons/03_gather/run?unit=1", post),
    );
    assertEquals(
      seen.find(([name]) => name === "stderr")![1].text,
      "Warning: --unit 1 is below 20, the smallest this lesson is written for: lines may differ from its Output.",
    );
    const page = await (await get("/en/lessons/10_downloads")).text();
    assertStringIncludes(
      page,
      'name="unit" min="1" max="10000" step="1" value="1000"',
    );
  });
});

Deno.test("A run has exactly the permissions of its lesson's @run line", async () => {
  const course = await loadCourse();
  const lessons = await listLessons();
  assertEquals(course.lessons.map((l) => l.file), lessons.map((l) => l.file));
  for (const lesson of lessons) {
    const spec = lessonRun(
      course.lesson(lesson.file.replace(/\.ts$/, ""))!,
      250,
    );
    // What the page shows: the @run line without --timeline, plus the unit.
    assertEquals(
      spec.display,
      `${lesson.run.replace(/ --timeline$/, "")} --unit 250`,
      lesson.file,
    );
    // What runs: the same permission flags, no prompt, and nothing more.
    const allow = lesson.run.split(" ").filter((a) => a.startsWith("--allow"));
    assertEquals(spec.args, [
      "run",
      "--no-prompt",
      ...allow,
      `lessons/${lesson.file}`,
      "--unit",
      "250",
      "--events",
    ]);
  }
});

Deno.test("From a checkout whose path holds # and %, the site serves the course and its exercises, each check in its own request's language", async () => {
  // browser_test.ts checks 03a there, with deno task exercise. 03a as
  // shipped, whatever the learner has done with theirs: it fails.
  const root = await copyCheckout("odd#path%41");
  const stub = await shipped(findExercise("03a")!);
  await Deno.copyFile(stub, `${root}/exercises/03a_overlap.ts`);
  const course = await loadCourse(root);
  assertEquals(course.lessons.length, (await listLessons()).length);
  await withSite({ course }, async (site, get) => {
    const index = await (await get("/en/")).text();
    assertStringIncludes(
      index,
      '<span class="state state-todo" data-state-of="03a">',
    );
    const page = await (await get("/es/exercises/03a")).text();
    assertStringIncludes(page, "<h1>Ejercicio 03a: Solapa tres esperas</h1>");
    assertStringIncludes(page, "<summary>Pista 1 de ");
    assertStringIncludes(
      page,
      'data-action="/api/exercises/03a/check?lang=es"',
    );
    assertStringIncludes(page, '<a href="/es/lessons/03_gather">');
    // The exercise page leads to the next exercise, and shows its file.
    assertStringIncludes(page, '<a rel="next" href="/es/exercises/03b">');
    assertStringIncludes(page, "<h2>exercises/03a_overlap.ts</h2>");
    // Each check speaks its page's language, whatever the one before, or
    // the terminal's remembered --lang, asked for.
    const origin = { ...post, headers: { origin: site.url.slice(0, -1) } };
    for (const lang of ["es", "en", "es"] as const) {
      const check = await get(`/api/exercises/03a/check?lang=${lang}`, origin);
      const lines = (await events(check)).map(([, data]) => data.text);
      const title = lang === "es"
        ? "Solapa tres esperas"
        : "Overlap three waits";
      assert(lines.includes(`✗ 03a · ${title}`), lines.join("\n"));
    }
    for (const bad of ["/api/exercises/99z/check", "/api/exercises/03a/run"]) {
      const refused = await get(bad, post);
      assertEquals(refused.status, 404, bad);
      await refused.body?.cancel();
    }
  });
  await Deno.remove(root, { recursive: true });
});

// `deno task site` as a learner runs it: with the task's own permissions
// (read from deno.json), it prints its address, serves the course there, and
// Ctrl-C ends it; bad flags get one line.

/** The `site` task's permission flags, with this deno's path for --allow-run. */
async function taskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const task: string = config.tasks.site;
  const flags = task.split(" ").filter((word) => word.startsWith("--allow-"));
  assert(
    !/--allow-all|-A\b|--allow-env|--allow-write|--allow-sys/.test(task),
    task,
  );
  assertEquals(flags.map((f) => f.split("=")[0]), [
    "--allow-read",
    "--allow-net",
    "--allow-run",
  ]);
  // What it reads, and no more: the lessons' sources, its own static files,
  // the Spanish guide, the exercises (lib/ loads as imports, unasked).
  assertEquals(flags[0], "--allow-read=lessons,site,docs/es,exercises");
  assertEquals(flags[1], "--allow-net=127.0.0.1");
  // --allow-run names the deno binary itself, as the task computes it.
  return flags.map((flag) =>
    flag.startsWith("--allow-run=") ? `--allow-run=${Deno.execPath()}` : flag
  );
}

for (const stopWith of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`deno task site prints its address on 127.0.0.1, serves the course, and stops its runs on ${stopWith}`, () =>
    siteStops(stopWith));
}

async function siteStops(stopWith: Deno.Signal): Promise<void> {
  const child = new Deno.Command(denoExecutable(), {
    args: ["run", ...await taskFlags(), "site/main.ts", "--port", "0"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let first = "";
  while (!first.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    first += value;
  }
  const line = first.split("\n")[0]!;
  assertMatch(
    line,
    /^Asincronía: http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C stops it\)$/,
  );
  const url = /http:\S+/.exec(line)![0];
  const index = await fetch(`${url}en/`);
  assertEquals(index.status, 200);
  const html = await index.text();
  assertMatch(html, /<h1>Asincronía<\/h1>/);
  // The task's read permission covers the exercises' catalogue too.
  assertMatch(html, /href="\/en\/exercises\/03a"/);
  // A run, with the task's permissions: it can start a lesson's deno.
  const run = await fetch(`${url}api/lessons/02_coroutines/run?unit=20`, {
    method: "POST",
  });
  const events = await run.text();
  assertMatch(events, /event: exit\ndata: \{"reason":"finished","code":0/);
  // Ctrl-C, or a SIGTERM from a service manager, during a run: the run is
  // stopped (its lesson's processes with it) before the site exits.
  const signal = stopWith;
  const long = await fetch(`${url}api/lessons/03_gather/run?unit=1000`, {
    method: "POST",
  });
  const stream = long.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = (await stream.read()).value ?? "";
  child.kill(signal);
  for (let r = await stream.read(); !r.done; r = await stream.read()) {
    seen += r.value;
  }
  assertMatch(seen, /event: exit\ndata: \{"reason":"stopped"/, signal);
  assertEquals((await child.status).code, 0);
  await reader.cancel();
  assertEquals(await stderr, "");
}

/** `deno run --no-prompt` of site/main.ts with `flags`, then `args`: its exit code and output. */
async function runSite(flags: string[], ...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(denoExecutable(), {
    args: ["run", "--no-prompt", ...flags, "site/main.ts", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test("deno task site refuses a bad flag in one line", async () => {
  const { code, stdout, stderr } = await runSite(
    await taskFlags(),
    "--port",
    "http",
  );
  assertEquals(code, 2);
  assertEquals(stdout, "");
  assertEquals(
    stderr,
    'Flag --port must be a whole number from 0 to 65535: current value is "http"; run with --help to see the flags\n',
  );
});

Deno.test("deno task site that cannot start says why in one line, whatever stops it (here a file it may not read)", async () => {
  // As root any port binds, so the test takes the other way: a site run
  // without read access to docs/ fails as a low port does for a user
  // (PermissionDenied), once the course is read.
  const flags = (await taskFlags()).map((flag) =>
    flag.replace(/^(--allow-read=.*),docs[^,]*/, "$1")
  );
  const { code, stdout, stderr } = await runSite(flags, "--port", "0");
  assertEquals(code, 1);
  assertEquals(stdout, "");
  assertMatch(
    stderr,
    /^Cannot start the site: NotCapable: Requires read access to "[^"\n]*docs[^\n]*\n$/,
  );
});

Deno.test("deno task site on a port in use says so in one line, and the port it suggests exists", async () => {
  // 65535, the last port: the one after it does not exist. A check's own
  // server may hold it for a moment (exercises/_run.ts draws 61000 up).
  let held: Deno.Listener | undefined;
  for (let tries = 0; !held; tries++) {
    try {
      held = Deno.listen({ hostname: "127.0.0.1", port: 65535 });
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse) || tries > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    const out = await runSite(await taskFlags(), "--port", "65535");
    assertEquals(out, {
      code: 1,
      stdout: "",
      stderr: "Port 65535 is in use: try --port 65534, or --port 0\n",
    });
  } finally {
    held.close();
  }
});
