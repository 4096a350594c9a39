// The site's only script: Run, Stop and Check on lesson and exercise pages.
// A run is a POST whose answer is a stream of server-sent events (read with
// fetch: EventSource can neither POST nor tell a 429 from a network error).
// Leaving the page closes the stream, and the server then ends the run.

const WORDS = {
  starting: ["Starting…", "Arrancando…"],
  running: ["Running: {command}", "Ejecutando: {command}"],
  stopping: ["Stopping…", "Deteniendo…"],
  finished: ["Finished in {s} s.", "Terminó en {s} s."],
  failed: [
    "Ended with exit code {code} after {s} s.",
    "Terminó con código de salida {code} tras {s} s.",
  ],
  stopped: [
    "Stopped after {s} s: the process is gone.",
    "Detenida tras {s} s: el proceso ya no existe.",
  ],
  "time limit": [
    "Stopped at the time limit, after {s} s.",
    "Detenida al llegar al tiempo límite, tras {s} s.",
  ],
  start: ["starts", "empieza"],
  end: ["ends", "termina"],
  rejected: ["rejects", "falla"],
  passed: ["Passed: recorded as done.", "Superado: queda como hecho."],
  notYet: [
    "Not yet: read what the checker says below.",
    "Aún no: lee abajo lo que dice el corrector.",
  ],
  stale: [
    "(The badge and the listing did not refresh: reload the page.)",
    "(La marca y el listado no se actualizaron: recarga la página.)",
  ],
};
const es = document.documentElement.lang === "es" ? 1 : 0;
/** A message of WORDS in the page's language; `{name}` stands for `values.name`. */
const say = (key, values = {}) =>
  WORDS[key][es].replace(/\{(\w+)\}/g, (_, name) => values[name]);
/** Spanish writes a decimal comma, as the checker's Spanish does (its num()). */
const decimal = (text) => es ? text.replace(/(\d)\.(\d)/g, "$1,$2") : text;
/** The words of a timeline's notes (and tips), as the page says them. */
const TL = es
  ? { running: "activa", rejected: "falló", stopped: "parada" }
  : {};
const NOTES = /\b(?:running|rejected|stopped)(?=<)/g; // each ends a note or tip

for (const panel of document.querySelectorAll("section.run")) setUp(panel);

function setUp(panel) {
  const [form, runButton, stopButton, status, output, timeline] =
    ".run-form .run-button .stop-button .run-status .run-output .run-timeline"
      .split(" ").map((selector) => panel.querySelector(selector));
  form.hidden = false;
  let current;

  const setStatus = (state, text) =>
    void ([status.dataset.state, status.textContent] = [state, text]);
  const append = (kind, text) => {
    const line = document.createElement("div");
    line.className = kind;
    line.textContent = text;
    output.append(line);
    // A lesson's box follows its last line; a check's keeps its verdict.
    if (panel.dataset.kind !== "check") output.scrollTop = output.scrollHeight;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (current) return;
    const unit = form.elements.namedItem("unit")?.value;
    current = { unit: Number(unit ?? 1000), controller: new AbortController() };
    output.replaceChildren();
    timeline.replaceChildren();
    output.hidden = timeline.hidden = true;
    runButton.disabled = true;
    stopButton.disabled = false;
    setStatus("starting", say("starting"));
    try {
      const query = unit ? `?unit=${encodeURIComponent(unit)}` : "";
      const response = await fetch(panel.dataset.action + query, {
        method: "POST",
        signal: current.controller.signal,
      });
      // A refused run (too many at once, a bad unit) says why, and no more.
      if (!response.ok) {
        return setStatus("error", (await response.text()).trim());
      }
      output.hidden = false;
      await readEvents(response.body, handle);
    } catch (error) {
      if (error.name !== "AbortError") setStatus("error", String(error));
    } finally {
      current = undefined;
      runButton.disabled = false;
      stopButton.disabled = true;
    }
  });

  stopButton.addEventListener("click", async () => {
    if (!current) return;
    stopButton.disabled = true;
    setStatus("stopping", say("stopping"));
    // Before the run has an id, the fetch is aborted; after, the stream
    // stays open: its last event says how the process ended.
    if (current.id === undefined) current.controller.abort();
    else await fetch(`/api/runs/${current.id}/stop`, { method: "POST" });
  });

  function handle(name, data) {
    switch (name) {
      case "run":
        current.id = data.id;
        setStatus("running", say("running", data));
        break;
      case "line":
      case "stderr":
        append(name, data.text);
        break;
      case "task": {
        const at = decimal((data.at / current.unit).toFixed(2));
        const verb = say(data.outcome === "rejected" ? "rejected" : data.event);
        append(`event event-${data.event}`, `${data.task} ${verb} · ${at}`);
        break;
      }
      case "timeline":
        // The server draws it with Timeline.toSVG(), which escapes every name;
        // a note's last word is English (`2.1s rejected`, `running`).
        timeline.hidden = false;
        timeline.innerHTML = data.svg.replace(/>[^<]+</g, decimal)
          .replace(NOTES, (w) => TL[w] ?? w);
        break;
      case "exit": {
        if (panel.dataset.kind === "check" && data.reason === "finished") {
          // The checker exits with 0 when the exercise passes, 1 when not.
          const state = data.code === 0 ? "done" : "failing";
          const verdict = say(data.code === 0 ? "passed" : "notYet");
          setStatus(state, verdict);
          // The badge and the listing of the file follow, from the page as
          // the server now makes it: the file just checked, its progress. A
          // listing the page lacked (no file then) goes before the pager.
          fetch(location.href).then((page) => page.text()).then((html) => {
            const now = new DOMParser().parseFromString(html, "text/html");
            for (const part of ["[data-state-of]", "section.source"]) {
              const [old, fresh] = [document, now].map((d) =>
                d.querySelector(part)
              );
              if (old) fresh ? old.replaceWith(fresh) : old.remove();
              else if (fresh) document.querySelector(".pager").before(fresh);
            }
          }).catch(() => setStatus(state, `${verdict} ${say("stale")}`));
          break;
        }
        const end = data.reason === "finished" && data.code !== 0
          ? "failed"
          : data.reason;
        const s = decimal((data.ms / 1000).toFixed(1));
        setStatus(data.reason, say(end, { ...data, s }));
        break;
      }
    }
  }
}

/** Calls `on(name, data)` for each server-sent event of `body` (see runs.ts). */
async function readEvents(body, on) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const blocks = buffer.split("\n\n");
    buffer = blocks.pop();
    for (const block of blocks) {
      // The server writes each event as these two lines, and only them.
      const [, name, data] = /^event: (.*)\ndata: (.*)$/.exec(block) ?? [];
      if (data) on(name, JSON.parse(data));
    }
  }
}
