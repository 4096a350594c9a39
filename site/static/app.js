// The site's only script: Run, Stop and Check on lesson and exercise pages.
// A run is a POST whose answer is a stream of server-sent events (read with
// fetch: EventSource can neither POST nor tell a 429 from a network error).
// Leaving the page closes the stream, and the server then ends the run.

const WORDS = {
  en: {
    starting: "Starting…",
    running: (command) => `Running: ${command}`,
    stopping: "Stopping…",
    finished: (exit) =>
      exit.code === 0
        ? `Finished in ${seconds(exit.ms)} s.`
        : `Ended with exit code ${exit.code} after ${seconds(exit.ms)} s.`,
    stopped: (exit) =>
      `Stopped after ${seconds(exit.ms)} s: the process is gone.`,
    "time limit": (exit) =>
      `Stopped at the time limit, after ${seconds(exit.ms)} s.`,
    disconnected: () => "Disconnected.",
    starts: "starts",
    ends: "ends",
    rejected: "rejects",
    passed: "Passed: recorded as done.",
    notYet: "Not yet: read what the checker says above.",
    states: { done: "done", failing: "not passing yet" },
  },
  es: {
    starting: "Arrancando…",
    running: (command) => `Ejecutando: ${command}`,
    stopping: "Deteniendo…",
    finished: (exit) =>
      exit.code === 0
        ? `Terminó en ${seconds(exit.ms)} s.`
        : `Terminó con código de salida ${exit.code} tras ${
          seconds(exit.ms)
        } s.`,
    stopped: (exit) =>
      `Detenida tras ${seconds(exit.ms)} s: el proceso ya no existe.`,
    "time limit": (exit) =>
      `Detenida al llegar al tiempo límite, tras ${seconds(exit.ms)} s.`,
    disconnected: () => "Desconectada.",
    starts: "empieza",
    ends: "termina",
    rejected: "falla",
    passed: "Superado: queda como hecho.",
    notYet: "Aún no: lee arriba lo que dice el corrector.",
    states: { done: "hecho", failing: "aún no pasa" },
  },
};
const words = WORDS[document.documentElement.lang] ?? WORDS.en;

const seconds = (ms) => (ms / 1000).toFixed(1);

for (const panel of document.querySelectorAll("section.run")) setUp(panel);

function setUp(panel) {
  const [form, runButton, stopButton, status, output, timeline] = [
    ".run-form",
    ".run-button",
    ".stop-button",
    ".run-status",
    ".run-output",
    ".run-timeline",
  ].map((selector) => panel.querySelector(selector));
  form.hidden = false;
  let current;

  const setStatus = (state, text) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  const append = (kind, text) => {
    const line = document.createElement("div");
    line.className = kind;
    line.textContent = text;
    output.append(line);
    output.scrollTop = output.scrollHeight;
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
    setStatus("starting", words.starting);
    try {
      const query = unit === undefined
        ? ""
        : `?unit=${encodeURIComponent(unit)}`;
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
    setStatus("stopping", words.stopping);
    // Before the run has an id, the fetch is aborted; after, the stream
    // stays open: its last event says how the process ended.
    if (current.id === undefined) current.controller.abort();
    else await fetch(`/api/runs/${current.id}/stop`, { method: "POST" });
  });

  function handle(name, data) {
    switch (name) {
      case "run":
        current.id = data.id;
        setStatus("running", words.running(data.command));
        break;
      case "line":
      case "stderr":
        append(name, data.text);
        break;
      case "task": {
        const at = (data.at / current.unit).toFixed(2);
        const verb = data.event === "start"
          ? words.starts
          : data.outcome === "rejected"
          ? words.rejected
          : words.ends;
        append(`event event-${data.event}`, `${data.task} ${verb} · ${at}`);
        break;
      }
      case "timeline":
        // The server draws it with Timeline.toSVG(), which escapes every name.
        timeline.hidden = false;
        timeline.innerHTML = data.svg;
        break;
      case "exit":
        if (panel.dataset.kind === "check" && data.reason === "finished") {
          // The checker exits with 0 when the exercise passes, 1 when not;
          // the page's badge follows, as the progress file now says.
          const state = data.code === 0 ? "done" : "failing";
          setStatus(state, data.code === 0 ? words.passed : words.notYet);
          for (const badge of document.querySelectorAll("[data-state-of]")) {
            badge.className = `state state-${state}`;
            badge.textContent = words.states[state];
          }
          break;
        }
        setStatus(data.reason, (words[data.reason] ?? words.finished)(data));
        break;
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
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      // The server writes each event as these two lines, and only them.
      const [, name, data] = /^event: (.*)\ndata: (.*)$/.exec(block) ?? [];
      if (data) on(name, JSON.parse(data));
    }
  }
}
