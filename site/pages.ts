/**
 * The site's pages, in English or Spanish: the index, each lesson's and
 * exercise's, the glossary and "not found". All text from a file is escaped
 * (see markdown.ts); only Run and Check need a script.
 *
 * @module
 */
import { type Lang, sayIn } from "../course/i18n.ts";
import { MAX_UNIT, MIN_UNIT } from "../course/lesson.ts";
import { brief, type Course, type Exercise, type Lesson } from "./course.ts";
import { highlight } from "./highlight.ts";
import { readSteps } from "./literate.ts";
import {
  escape,
  inline,
  type LinkMap,
  markdown,
  webLinks,
} from "./markdown.ts";

/** The words of the pages, in English and Spanish; `{name}` stands for a value. */
const WORDS = {
  otherName: ["Español", "English"],
  course: ["The course", "El curso"],
  tagline: [
    "Asynchronous programming in TypeScript on Deno, section by section of Spanish notes on Python asyncio. Each lesson is a script: read it beside its explanation, run it here, and watch its tasks on a timeline.",
    "Programación asíncrona en TypeScript con Deno, sección por sección de unos apuntes en español sobre asyncio de Python. Cada lección es un script: léelo junto a su explicación, ejecútalo aquí y mira sus tareas en una línea de tiempo.",
  ],
  section: ["Section", "Sección"],
  exercises: ["Exercises", "Ejercicios"],
  exercise: ["Exercise", "Ejercicio"],
  noExercises: [
    "No exercises for this section yet.",
    "Esta sección aún no tiene ejercicios.",
  ],
  done: ["done", "hecho"],
  failing: ["not passing yet", "aún no pasa"],
  todo: ["to do", "pendiente"],
  progress: [
    "{done} of {all} exercises done.",
    "{done} de {all} ejercicios hechos.",
  ],
  run: ["Run", "Ejecutar"],
  check: ["Check", "Comprobar"],
  stop: ["Stop", "Detener"],
  unit: [
    "Unit: milliseconds per second of the notes",
    "Unidad: milisegundos por segundo de los apuntes",
  ],
  needsJsRun: [
    "Running the lesson here needs JavaScript; everything else on this page works without it.",
    "Ejecutar la lección aquí necesita JavaScript; el resto de la página funciona sin él.",
  ],
  needsJsCheck: [
    "Checking your file here needs JavaScript; everything else on this page works without it.",
    "Comprobar tu fichero aquí necesita JavaScript; el resto de la página funciona sin él.",
  ],
  command: ["In a terminal", "En una terminal"],
  expected: ["Expected output", "Salida esperada"],
  expectedNote: [
    "What the lesson prints at the default unit (a number written ~2.0 stands for a measured one).",
    "Lo que imprime la lección con la unidad por defecto (un número escrito ~2.0 representa uno medido).",
  ],
  steps: ["The code, step by step", "El código, paso a paso"],
  summaryNote: [
    "",
    "El código y sus comentarios están en inglés; la guía en español de esta lección está más abajo.",
  ],
  guide: ["Guide", "Guía"],
  noGuide: [
    "The Spanish guide has no page for this section yet.",
    "La guía en español aún no tiene página para esta sección.",
  ],
  resources: ["Further reading", "Para saber más"],
  notFound: ["Not found", "No encontrada"],
  notFoundText: [
    "There is no such page in this course.",
    "Este curso no tiene esa página.",
  ],
  home: ["Course", "Curso"],
  difficulty: ["difficulty", "dificultad"],
  glossary: ["Glossary", "Glosario"],
  runHelp: [
    "Run starts the lesson on this machine with exactly the permissions of its command, prints its lines as they come and draws its timeline as its tasks start and end. Stop ends it.",
    "Ejecutar arranca la lección en esta máquina con exactamente los permisos de su comando, muestra sus líneas según llegan y dibuja su línea de tiempo según sus tareas empiezan y terminan. Detener la termina.",
  ],
  checkHelp: [
    "Check runs the exercise's checker on your file, as `deno task exercise` does, shows what it says and records the result (and this language) in exercises/.progress.json.",
    "Comprobar ejecuta el corrector del ejercicio sobre tu fichero, como `deno task exercise`, muestra lo que dice y guarda el resultado (y este idioma) en exercises/.progress.json.",
  ],
  edit: ["Edit `{file}`, then check it.", "Edita `{file}` y compruébalo."],
  hints: ["Hints", "Pistas"],
  hint: ["Hint {k} of {m}", "Pista {k} de {m}"],
  previous: ["Previous", "Anterior"],
  next: ["Next", "Siguiente"],
} satisfies Record<string, [en: string, es: string]>;

/** The pages' words in each language. */
const T = { en: sayIn(WORDS, "en"), es: sayIn(WORDS, "es") };

/** The notes' levels of difficulty, in Spanish. */
const LEVELS: Record<string, string> = {
  beginner: "principiante",
  intermediate: "intermedio",
  advanced: "avanzado",
};

/** A page around the pieces of `body` (empty ones left out). */
function layout(
  course: Course,
  lang: Lang,
  path: string,
  title: string,
  body: (string | false | undefined)[],
  other?: string,
): string {
  const [t, to] = [T[lang], lang === "en" ? "es" : "en"];
  const glossary = lang === "es" && course.hasGlossary
    ? `\n<a href="/es/glosario">${escape(T.es("glossary"))}</a>`
    : "";
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Asincronía</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="/${lang}/">Asincronía</a>
<nav>
<a href="/${lang}/">${escape(t("course"))}</a>${glossary}
<a class="lang-switch" href="${
    escape(other ?? `/${to}${path}`)
  }" hreflang="${to}" lang="${to}">${escape(t("otherName"))}</a>
</nav>
</header>
<main>
${body.filter(Boolean).join("\n")}
</main>
</body>
</html>
`;
}

/** A link; `text` is escaped. */
function a(href: string, text: string, attributes = ""): string {
  return `<a${attributes} href="${escape(href)}">${escape(text)}</a>`;
}

function state(exercise: Exercise, lang: Lang): string {
  return `<span class="state state-${exercise.state}" data-state-of="${exercise.id}">${
    escape(T[lang](exercise.state))
  }</span>`;
}

/** Where a lesson's or an exercise's page is, and the name lists give it. */
function page(lang: Lang, item: Lesson | Exercise): [string, string] {
  return "run" in item
    ? [`/${lang}/lessons/${item.id}`, item.title[lang]]
    : [`/${lang}/exercises/${item.id}`, `${item.id} · ${item.title[lang]}`];
}

function exerciseList(exercises: Exercise[], lang: Lang): string {
  if (exercises.length === 0) {
    return `<p class="none">${escape(T[lang]("noExercises"))}</p>`;
  }
  const items = exercises.map((e) =>
    `<li>${a(...page(lang, e))} ${state(e, lang)}</li>`
  );
  return `<ul class="exercise-list">${items.join("")}</ul>`;
}

/** The way back: the course, the section, and the lesson if there is one. */
function crumbs(lang: Lang, section: number, lesson?: Lesson): string {
  const t = T[lang];
  return `<p class="crumbs">${a(`/${lang}/`, t("home"))} › ${
    a(`/${lang}/#s${section}`, `${t("section")} ${section}`)
  }${lesson ? ` › ${a(...page(lang, lesson))}` : ""}</p>`;
}

/** Links to the items before and after `item` in `items`. */
function pager<Item extends Lesson | Exercise>(
  lang: Lang,
  items: readonly Item[],
  item: Item,
): string {
  const index = items.indexOf(item);
  const side = (next: Item | undefined, word: string, rel: string) => {
    if (next === undefined) return "<span></span>";
    const [href, label] = page(lang, next);
    return a(href, `${word}: ${label}`, ` rel="${rel}"`);
  };
  return `<nav class="pager">${
    side(items[index - 1], T[lang]("previous"), "prev")
  }${side(items[index + 1], T[lang]("next"), "next")}</nav>`;
}

/** The index: the course section by section, with exercises and their state. */
export async function indexPage(course: Course, lang: Lang): Promise<string> {
  const t = T[lang];
  const exercises = await course.exercises();
  const sections = [...new Set(course.lessons.map((l) => l.section))];
  const done = exercises.filter((e) => e.state === "done").length;
  const body = sections.map((section) => {
    const lessons = course.lessons.filter((l) => l.section === section);
    // The notes' section title, without "(locks)".
    const title = lessons[0]!.sectionTitle.replace(/\s*\(.*\)$/, "");
    return `<section class="section" id="s${section}">
<h2><span class="number">${section}.</span> ${escape(title)}</h2>
<ul class="lesson-list">${
      lessons.map((l) =>
        `<li>${a(...page(lang, l))} <code>${escape(l.run)}</code></li>`
      ).join("")
    }</ul>
<h3>${escape(t("exercises"))}</h3>
${exerciseList(exercises.filter((e) => e.section === section), lang)}
</section>`;
  });
  return layout(course, lang, "/", t("course"), [
    "<h1>Asincronía</h1>",
    `<p class="tagline">${escape(t("tagline"))}</p>`,
    exercises.length > 0 &&
    `<p class="progress">${
      escape(t("progress", { done, all: exercises.length }))
    }</p>`,
    ...body,
  ]);
}

/** Where a link of the Spanish guide leads on the site, if anywhere. */
function guideLinks(course: Course): LinkMap {
  return (href) => {
    const web = webLinks(href);
    if (web !== undefined) return web;
    const [path, anchor] = href.split("#", 2) as [string, string | undefined];
    const hash = anchor ? `#${encodeURIComponent(anchor)}` : "";
    const name = path.split("/").pop() ?? "";
    if (name === "README.es.md") return `/es/${hash}`;
    if (name === "README.md") return `/en/${hash}`;
    if (name === "glosario.md") return `/es/glosario${hash}`;
    // A page of the guide: the first lesson it belongs to.
    const page = course.lessons.find((l) => l.guide.endsWith(`/${name}`));
    if (page) return `/es/lessons/${page.id}${hash || "#guia"}`;
    const lesson = course.lessons.find((l) => l.file === name);
    return lesson ? `/es/lessons/${lesson.id}${hash}` : undefined;
  };
}

/** The panel that runs a lesson (with its unit) or checks an exercise; it needs JS. */
function runPanel(
  lang: Lang,
  kind: "run" | "check",
  action: string,
  command: string,
): string {
  const say = (key: keyof typeof WORDS) => escape(T[lang](key));
  const [label, act, code] = [say("unit"), escape(action), escape(command)];
  const needs = say(kind === "run" ? "needsJsRun" : "needsJsCheck");
  const unit = kind === "run"
    ? `<label>${label} <input type="number" name="unit" min="${MIN_UNIT}" max="${MAX_UNIT}" step="1" value="1000" required></label>\n`
    : "";
  return `<section class="run" data-kind="${kind}" data-action="${act}">
<noscript><p>${needs}</p></noscript>
<p class="command"><span>${say("command")}:</span> <code>${code}</code></p>
<form class="run-form" hidden>
${unit}<button type="submit" class="run-button">${say(kind)}</button>
<button type="button" class="stop-button" disabled>${say("stop")}</button>
<span class="run-status" role="status"></span>
</form>
<pre class="run-output" aria-live="polite" hidden></pre>
<div class="run-timeline" hidden></div>
</section>`;
}

/** A section of a page with its heading, or nothing when `html` is empty. */
function section(name: string, title: string, html: string, id = ""): string {
  return html
    ? `<section class="${name}"${id && ` id="${id}"`}><h2>${
      escape(title)
    }</h2>\n${html}\n</section>`
    : "";
}

/** A lesson's page: its explanation beside its code, Run, its output. */
export async function lessonPage(course: Course, lesson: Lesson, lang: Lang) {
  const t = T[lang];
  const steps = readSteps(await course.read(`lessons/${lesson.file}`) ?? "");
  const exercises = await course.exercises();
  const guide = lang === "es" ? await course.read(lesson.guide) : undefined;
  const title = lesson.title[lang];
  const level = (lang === "es" && LEVELS[lesson.difficulty]) ||
    lesson.difficulty;
  const meta = [
    `${t("section")} ${lesson.section}: ${lesson.sectionTitle}`,
    `${t("difficulty")}: ${level}`,
  ].map(escape).join(" · ");
  const tags = lesson.tags.map((tag) =>
    `<span class="tag">${escape(tag)}</span>`
  );
  // The lesson's own prose is English, on the Spanish page too.
  const english = lang === "es" ? ' lang="en"' : "";
  const resources = lesson.resources.map((r) => {
    const href = webLinks(r.url);
    return `<li>${
      href
        ? a(href, r.text || r.url, ' rel="noopener noreferrer"')
        : escape(r.text)
    }</li>`;
  });
  const code = steps.map((step) =>
    `<div class="step"><div class="prose">${
      step.prose.map((p) => `<p>${inline(p)}</p>`).join("")
    }</div><pre class="code"><code>${highlight(step.code)}</code></pre></div>`
  );
  const body = [
    crumbs(lang, lesson.section),
    `<h1>${escape(title)}</h1>`,
    `<p class="meta">${meta} · ${tags.join(" ")}</p>`,
    ...lesson.summary.map((p) =>
      `<p class="summary"${english}>${inline(p)}</p>`
    ),
    t("summaryNote") &&
    `<p class="note"><a href="#guia">${escape(t("summaryNote"))}</a></p>`,
    `<p class="help">${inline(t("runHelp"))}</p>`,
    runPanel(lang, "run", `/api/lessons/${lesson.id}/run`, lesson.run),
    section(
      "expected",
      t("expected"),
      `<p class="note">${escape(t("expectedNote"))}</p>\n<pre>${
        escape(lesson.output.join("\n"))
      }</pre>`,
    ),
    lang === "es" && section(
      "guide",
      T.es("guide"),
      guide === undefined
        ? `<p class="none">${escape(T.es("noGuide"))}</p>`
        : markdown(guide, guideLinks(course), 1),
      "guia",
    ),
    section("steps", t("steps"), code.join("\n")),
    section(
      "exercises",
      t("exercises"),
      exerciseList(exercises.filter((e) => e.lesson === lesson.id), lang),
    ),
    section(
      "resources",
      t("resources"),
      resources.join("") && `<ul>${resources.join("")}</ul>`,
    ),
    pager(lang, course.lessons, lesson),
  ];
  return layout(course, lang, `/lessons/${lesson.id}`, title, body);
}

/** An exercise's page: what to build, its state, Check, hints, its file, the next one. */
export async function exercisePage(
  course: Course,
  exercise: Exercise,
  lang: Lang,
  exercises: readonly Exercise[],
): Promise<string> {
  const t = T[lang];
  const source = await course.read(exercise.file);
  const about = source === undefined ? undefined : brief(source)[lang];
  const title = `${t("exercise")} ${exercise.id}: ${exercise.title[lang]}`;
  const hints = exercise.hints.map((hint, k) =>
    `<details><summary>${
      escape(t("hint", { k: k + 1, m: exercise.hints.length }))
    }</summary><p>${inline(hint[lang])}</p></details>`
  );
  const body = [
    crumbs(lang, exercise.section, course.lesson(exercise.lesson ?? "")),
    `<h1>${escape(title)}</h1>`,
    `<p class="meta">${state(exercise, lang)}</p>`,
    about && `<p class="summary">${inline(about)}</p>`,
    `<p>${inline(t("edit", { file: exercise.file }))}</p>`,
    `<p class="help">${inline(t("checkHelp"))}</p>`,
    runPanel(
      lang,
      "check",
      `/api/exercises/${exercise.id}/check?lang=${lang}`,
      `deno task exercise ${exercise.id}`,
    ),
    section("hints", t("hints"), hints.join("\n")),
    source !== undefined && section(
      "source",
      exercise.file,
      `<pre class="code"><code>${highlight(source)}</code></pre>`,
    ),
    pager(lang, exercises, exercise),
  ];
  return layout(course, lang, `/exercises/${exercise.id}`, title, body);
}

/** The Spanish guide's glossary, from its Markdown. */
export function glossaryPage(course: Course, text: string): string {
  const body = [markdown(text, guideLinks(course))];
  return layout(course, "es", "/glosario", T.es("glossary"), body, "/en/");
}

/** The page for an address the site does not have. */
export function notFoundPage(course: Course, lang: Lang): string {
  const t = T[lang];
  return layout(course, lang, "/", t("notFound"), [
    `<h1>${escape(t("notFound"))}</h1>`,
    `<p>${escape(t("notFoundText"))}</p>`,
    `<p>${a(`/${lang}/`, t("course"))}</p>`,
  ]);
}
