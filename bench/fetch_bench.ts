/**
 * 2,000 GETs of a small page from the local lesson server, at most 64 at a
 * time: fetchAll against p-limit around fetch, and against an unbounded
 * Promise.all of fetch. Every side reads each body as text.
 *
 * Run: deno bench --allow-net=127.0.0.1 bench/fetch_bench.ts
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

Deno.bench("fetchAll", { ...options, group, baseline: true }, async () => {
  const results = await fetchAll(urls, { concurrency: CONCURRENCY });
  if (results.length !== REQUESTS) throw new Error("missing results");
});

Deno.bench("p-limit@7 + fetch", { ...options, group }, async () => {
  const limit = pLimit(CONCURRENCY);
  const results = await Promise.all(urls.map((url) => limit(() => text(url))));
  if (results.length !== REQUESTS) throw new Error("missing results");
});

Deno.bench("Promise.all(fetch), unbounded", { ...options, group }, async () => {
  const results = await Promise.all(urls.map(text));
  if (results.length !== REQUESTS) throw new Error("missing results");
});

// Deno.bench has no "after all": stop the server when the process unloads,
// without holding the process open.
globalThis.addEventListener("unload", () => void server.shutdown());
