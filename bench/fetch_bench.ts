/**
 * 2,000 GETs of a small page from the local lesson server, at most 64 at a
 * time: fetchAll against p-limit around fetch, and against an unbounded
 * Promise.all of fetch. Every side reads each body as text. One more side
 * gives fetchAll an option (`headers: {}`), which makes it build a Request
 * for every URL: what sending a bare URL, when there is nothing else to
 * send, buys.
 *
 * Run: deno bench --allow-net=127.0.0.1 --v8-flags=--expose-gc bench/fetch_bench.ts
 *
 * @module
 */
import pLimit from "p-limit";
import { fetchAll } from "../lib/fetch.ts";
import { startServer } from "../lessons/_server.ts";

const REQUESTS = 2_000;
const CONCURRENCY = 64;

const server = startServer();
const urls = Array.from({ length: REQUESTS }, () => server.at("/"));
const options = { n: 30, warmup: 5 };
const group = "2,000 GETs, 64 at a time";

async function text(url: string): Promise<string> {
  const response = await fetch(url);
  return await response.text();
}

const sides: Record<string, () => Promise<unknown[]>> = {
  "fetchAll": () => fetchAll(urls, { concurrency: CONCURRENCY }),
  "fetchAll, a Request for every URL": () =>
    fetchAll(urls, { concurrency: CONCURRENCY, headers: {} }),
  "p-limit@7 + fetch": () => {
    const limit = pLimit(CONCURRENCY);
    return Promise.all(urls.map((url) => limit(() => text(url))));
  },
  "Promise.all(fetch), unbounded": () => Promise.all(urls.map(text)),
};

// Warm up the server, the connection pool and every side's code once before
// any timing, so that the first bench in the file pays no first-run cost.
for (const run of Object.values(sides)) await run();

// `gc` exists when the bench runs with --v8-flags=--expose-gc (the bench task
// does): a full collection before each timed iteration starts every side from
// the same heap, whichever side ran before it.
const gc = (globalThis as { gc?: () => void }).gc;

for (const [name, run] of Object.entries(sides)) {
  Deno.bench(
    name,
    { ...options, group, baseline: name === "fetchAll" },
    async (t) => {
      gc?.();
      t.start();
      const results = await run();
      t.end();
      if (results.length !== REQUESTS) throw new Error("missing results");
    },
  );
}

// Deno.bench has no "after all": stop the server when the process unloads,
// without holding the process open.
globalThis.addEventListener("unload", () => void server.shutdown());
