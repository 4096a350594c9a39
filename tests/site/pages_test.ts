/**
 * What the site's pages are made of: a lesson read into prose and code
 * (nothing lost, nothing invented), the Markdown of the guide (everything
 * escaped, only safe links), and the highlighter; and the exercises as the
 * site sees them: exercises/_catalog.ts, each with the lesson whose header
 * lists it, its state from the progress file, the command that checks it
 * and the brief of its file. (One module: a test module costs ~0.08 CPU-s to
 * start in the suite, whatever it holds.)
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { ROOT } from "../../course/deno.ts";
import { testFolder } from "../_checkout.ts";
import { listLessons } from "../../course/header.ts";
import { highlight } from "../../site/highlight.ts";
import { readSteps } from "../../site/literate.ts";
import { inline, markdown } from "../../site/markdown.ts";
import { parseEvent } from "../../site/runs.ts";
import { EXERCISES } from "../../exercises/_catalog.ts";
import { type Io, main } from "../../exercises/_cli.ts";
import {
  brief,
  checkCommand,
  type Exercise,
  loadExercises,
} from "../../site/course.ts";

const words = (text: string) => text.split(/\s+/).filter(Boolean).join(" ");

Deno.test("readSteps() gives back every lesson whole: each code line once, each comment as prose", async () => {
  for (const info of await listLessons()) {
    const source = await Deno.readTextFile(`${ROOT}/lessons/${info.file}`);
    const steps = readSteps(source);
    const body = source.split("\n").slice(
      source.split("\n").indexOf(" */") + 1,
    );
    const isComment = (line: string) =>
      /^\s*(\/\/(?!\s*deno-lint-ignore)|\/\*\*?|\*\/|\* |\*$)/.test(line);
    // The code lines of the steps are the file's lines that are not
    // comments, in order.
    const code = steps.flatMap((s) => s.code.split("\n")).filter((l) =>
      l.trim()
    );
    const expected = body.filter((l) => l.trim() && !isComment(l));
    assertEquals(code, expected, info.file);
    // The prose is the comments' words, in order.
    const comments = body.filter(isComment).map((l) =>
      l.replace(/^\s*(\/\/ ?|\/\*\*? ?|\* ?)/, "").replace(/\s*\*\/\s*$/, "")
    );
    assertEquals(
      words(steps.flatMap((s) => s.prose).join(" ")),
      words(comments.join(" ")),
      info.file,
    );
  }
});

Deno.test("readSteps() cuts steps at comments, and knows what is not prose", () => {
  const steps = readSteps(
    [
      "/**",
      " * @title A title",
      " * @title:es Un título",
      " * @section 1 — Sección",
      " * @guide docs/es/01-x.md",
      " * @difficulty beginner",
      " * @tags a, b",
      " * @run deno run lessons/01_x.ts",
      " */",
      'import { x } from "./x.ts";',
      "",
      "// First, the setup.",
      "// It has two lines.",
      "const a = 1; // a trailing comment is code",
      "",
      "/** A doc comment. */",
      "export const b = `",
      "// this line is text in a template",
      "`;",
      "// deno-lint-ignore no-explicit-any",
      "let c: any;",
      "/**",
      " * A doc comment of two lines,",
      " * the last one closing it. */",
      "let d;",
    ].join("\n"),
  );
  assertEquals(steps, [
    { prose: [], code: 'import { x } from "./x.ts";' },
    {
      prose: ["First, the setup. It has two lines."],
      code: "const a = 1; // a trailing comment is code",
    },
    {
      prose: ["A doc comment."],
      code: [
        "export const b = `",
        "// this line is text in a template",
        "`;",
        "// deno-lint-ignore no-explicit-any",
        "let c: any;",
      ].join("\n"),
    },
    {
      prose: ["A doc comment of two lines, the last one closing it."],
      code: "let d;",
    },
  ]);
});

Deno.test("markdown() escapes every text and keeps only safe links", () => {
  const html = markdown([
    "# Título <b>",
    "",
    "Un párrafo con `<code>`, **negrita**, *cursiva* y <script>alert(1)</script>.",
    "",
    "[web](https://deno.land) [js](javascript:void) [rel](other.md) [anchor](#x)",
    "",
    "- uno",
    "- dos con `código`",
    "",
    "1. primero",
    "2. segundo",
    "",
    "| Python | TypeScript |",
    "| --- | --- |",
    "| `asyncio.gather` | `Promise.all` |",
    "",
    "```ts",
    'const x = "<&>";',
    "```",
  ].join("\n"));
  assertStringIncludes(html, '<h1 id="título-b">Título &lt;b&gt;</h1>');
  assertStringIncludes(html, "<code>&lt;code&gt;</code>");
  assertStringIncludes(html, "<strong>negrita</strong>");
  assertStringIncludes(html, "<em>cursiva</em>");
  assertStringIncludes(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
  assert(!html.includes("<script"), html);
  assertStringIncludes(
    html,
    '<a href="https://deno.land" rel="noopener noreferrer">web</a>',
  );
  assert(!html.includes("javascript:"), "no javascript: link");
  assertStringIncludes(html, " js ");
  assertStringIncludes(html, " rel ");
  assertStringIncludes(html, '<a href="#x">anchor</a>');
  assertStringIncludes(
    html,
    "<ul><li>uno</li><li>dos con <code>código</code></li></ul>",
  );
  assertStringIncludes(html, "<ol><li>primero</li><li>segundo</li></ol>");
  assertStringIncludes(html, "<th>Python</th><th>TypeScript</th>");
  assertStringIncludes(html, "<td><code>asyncio.gather</code></td>");
  assertStringIncludes(
    html,
    '<pre><code class="language-ts">const x = &quot;&lt;&amp;&gt;&quot;;</code></pre>',
  );
});

Deno.test("markdown() maps links the site knows, through the map it is given", () => {
  const link = (href: string) =>
    href === "03-x.md" ? "/es/lessons/03_gather" : undefined;
  assertEquals(
    inline("[la lección](03-x.md) y [otra](04-y.md)", link),
    '<a href="/es/lessons/03_gather">la lección</a> y otra',
  );
  // A quote in an address cannot end the attribute.
  assertEquals(
    inline('[x](https://a.example/"onclick=alert(1))'),
    '<a href="https://a.example/&quot;onclick=alert(1" rel="noopener noreferrer">x</a>)',
  );
});

Deno.test("markdown() makes a link of code, and drops HTML comments without echoing them", () => {
  const link = (href: string) =>
    href === "../../lessons/03_gather.ts" ? "/es/lessons/03_gather" : undefined;
  assertEquals(
    inline(
      "El código está en [`lessons/03_gather.ts`](../../lessons/03_gather.ts).",
      link,
    ),
    'El código está en <a href="/es/lessons/03_gather"><code>lessons/03_gather.ts</code></a>.',
  );
  // Code and words together in a link's text; code in a refused link stays code.
  assertEquals(
    inline(
      "[la `<b>` de *aquí*](../../lessons/03_gather.ts) y [`x`](y.md)",
      link,
    ),
    '<a href="/es/lessons/03_gather">la <code>&lt;b&gt;</code> de <em>aquí</em></a> y <code>x</code>',
  );
  // Code is never an address (the link stays its text), and brackets inside code do not end a link.
  assertEquals(
    inline("[a](`https://x.example`)"),
    "a",
  );
  assertEquals(
    inline("[`a]`](https://x.example)"),
    '<a href="https://x.example" rel="noopener noreferrer"><code>a]</code></a>',
  );
  // The placeholders code waits in cannot be forged from the text.
  assertEquals(inline("\uE0000\uE001 `c`"), "0 <code>c</code>");

  const html = markdown([
    "Antes.",
    "",
    "<!-- salida: 03_gather.ts -->",
    "",
    "<!-- dos",
    "líneas <script> -->",
    "Un párrafo <!-- oculto --> visible y `<!-- en código -->`.",
  ].join("\n"));
  assertEquals(
    html,
    "<p>Antes.</p>\n<p>Un párrafo  visible y <code>&lt;!-- en código --&gt;</code>.</p>",
  );
  // A comment never closed is text, escaped.
  assertEquals(markdown("<!-- abierto"), "<p>&lt;!-- abierto</p>");
});

Deno.test("markdown() finds bold and italic around a link, over the whole line", () => {
  const link = (href: string) => href.startsWith("#") ? href : undefined;
  // docs/es/04's and 06's headings in bold showed their ** as text.
  assertEquals(
    inline("**Un solo hilo, y aun así hay [carreras](#carreras).**", link),
    '<strong>Un solo hilo, y aun así hay <a href="#carreras">carreras</a>.</strong>',
  );
  assertEquals(
    inline("*see [it](#x)* and **[`GIL`](#gil)**", link),
    '<em>see <a href="#x">it</a></em> and <strong><a href="#gil"><code>GIL</code></a></strong>',
  );
  // The placeholders links wait in cannot be forged from the text either.
  assertEquals(inline("\uE0020\uE003 [a](#a)", link), '0 <a href="#a">a</a>');
});

Deno.test("highlight() marks keywords, strings, numbers and comments, and escapes the rest", () => {
  assertEquals(
    highlight('const s = "<a>"; // 1 < 2\nawait f(42);'),
    '<span class="tok-keyword">const</span> s = <span class="tok-string">&quot;&lt;a&gt;&quot;</span>; ' +
      '<span class="tok-comment">// 1 &lt; 2</span>\n<span class="tok-keyword">await</span> f(<span class="tok-number">42</span>);',
  );
});

Deno.test("parseEvent() reads --events lines and nothing else", () => {
  assertEquals(parseEvent('{"event":"start","task":"A","at":1.5}'), {
    event: "start",
    task: "A",
    at: 1.5,
  });
  assertEquals(
    parseEvent('{"event":"end","task":"A","at":2,"outcome":"rejected"}'),
    { event: "end", task: "A", at: 2, outcome: "rejected" },
  );
  assertEquals(parseEvent('{"event":"begin","unit":20}'), {
    event: "begin",
    unit: 20,
  });
  assertEquals(parseEvent('{"event":"print","text":"Start"}'), {
    event: "print",
    text: "Start",
  });
  for (
    const line of [
      "Lesson failed: Error: boom",
      "Warning: --unit 1 is below 5",
      '{"event":"start","task":"A"}',
      '{"event":"start","task":7,"at":1}',
      '{"event":"end","task":"A","at":2,"outcome":"maybe"}',
      '{"event":"start","task":"A","at":1e999}',
      '{"event":"other"}',
      '{"event":"print"}',
      '{"event":"stderr","text":5}',
      '{"event":',
      ' {"event":"begin","unit":20}',
    ]
  ) {
    assertEquals(parseEvent(line), undefined, line);
  }
});

const sha = async (text: string) =>
  Array.from(
    new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
    ),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");

Deno.test("loadExercises() lists the catalogue with each exercise's lesson and its state, as deno task exercise records it", async () => {
  const root = await testFolder("site-exercises");
  await Deno.mkdir(`${root}/exercises`);
  const [first, second, third] = EXERCISES;
  const file = (exercise: typeof first) =>
    `${root}/exercises/${exercise!.slug}.ts`;
  await Deno.writeTextFile(file(first), "passed as it is");
  await Deno.writeTextFile(file(second), "failed as it is");
  await Deno.writeTextFile(file(third), "changed since it passed");
  await Deno.writeTextFile(
    `${root}/exercises/.progress.json`,
    JSON.stringify({
      results: {
        [first!.id]: { hash: await sha("passed as it is"), passed: true },
        [second!.id]: { hash: await sha("failed as it is"), passed: false },
        [third!.id]: { hash: await sha("before"), passed: true },
      },
    }),
  );
  const lessons = await listLessons();
  const exercises = await loadExercises(root, lessons);
  assertEquals(exercises.map((e) => e.id), EXERCISES.map((e) => e.id));
  assertEquals(exercises.map((e) => e.state).slice(0, 4), [
    "done",
    "failing",
    "todo",
    "todo",
  ]);
  for (const exercise of exercises) {
    const lesson = lessons.find((l) => l.id === exercise.lesson)!;
    assertEquals(lesson.exercises.includes(exercise.id), true, exercise.id);
    assertEquals(exercise.section, lesson.section);
  }
  assertEquals(exercises[0]!.file, `exercises/${first!.slug}.ts`);
  assertEquals(exercises[0]!.title, first!.title);
  // No progress file: everything is to do.
  await Deno.remove(`${root}/exercises/.progress.json`);
  const fresh = await loadExercises(root, lessons);
  assertEquals(new Set(fresh.map((e) => e.state)), new Set(["todo"]));
  await Deno.remove(root, { recursive: true });
});

Deno.test("checkCommand() runs deno task exercise on one exercise, in the page's language", () => {
  const exercise = { id: "04b" } as Exercise;
  assertEquals(checkCommand(exercise, "es"), {
    display: "deno task exercise 04b --lang es",
    args: ["task", "--quiet", "exercise", "04b", "--lang", "es", "--site"],
  });
});

Deno.test("The site's Check gives no terminal advice: the checker it runs says no command to type, in either language", async () => {
  for (const lang of ["en", "es"] as const) {
    for (const passed of [false, true]) {
      let out = "";
      const problems = passed ? [] : [{ en: "Wrong", es: "Mal" }];
      const saved = { results: {}, hints: {} };
      const io: Io = {
        write: (text) => void (out += text),
        load: () => Promise.resolve(structuredClone(saved)),
        update: (change) => (change(saved), io.load()),
        file: () => new URL(import.meta.url),
        check: () => Promise.resolve({ id: "03b", passed, problems }),
        async *watch() {},
        color: false,
        width: 80,
        clear: () => {},
      };
      // The arguments after `deno task --quiet exercise`, as the site runs it.
      const { args } = checkCommand({ id: "03b" } as Exercise, lang);
      assertEquals(await main(args.slice(3), io), passed ? 0 : 1);
      assertStringIncludes(out, `${passed ? "✓" : "✗"} 03b`); // the verdict
      assertEquals(out.match(/deno task|--watch|--hint/g), null, out);
    }
  }
});

Deno.test("brief() reads what an exercise's file asks, in each language", () => {
  const source = `/**
 * EN: Do the thing,
 * in two lines.
 *
 * ES: Haz la cosa,
 * en dos líneas.
 */
export function thing() {}`;
  assertEquals(brief(source), {
    en: "Do the thing, in two lines.",
    es: "Haz la cosa, en dos líneas.",
  });
  assertEquals(brief("export const x = 1;"), {});
});
