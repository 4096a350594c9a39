// fetchWithRetry and fetchAll against the runner's local server
// (tests/runtimes/run.ts), on every runtime.
import assert, { deepStrictEqual as equal, rejects } from "node:assert/strict";
import { fetchAll, fetchWithRetry, HttpError } from "../../lib/fetch.ts";
import { origin, runtime } from "./_harness.ts";

const at = (path: string) => new URL(path, origin).href;
const quick = { backoff: () => 1 };
/** A fresh key for the server's per-key routes. */
const key = () => crypto.randomUUID();

export async function fetchWithRetryRetriesARetriableStatus(): Promise<void> {
  const response = await fetchWithRetry(at(`/flaky?key=${key()}&fail=2`), {
    retry: quick,
  });
  equal([response.status, await response.text()], [200, "ok after 2"]);
}

export async function fetchWithRetryRetriesAnAttemptThatTimesOut(): Promise<
  void
> {
  const seen: unknown[] = [];
  const response = await fetchWithRetry(at(`/slow?key=${key()}`), {
    // Only the first attempt is kept waiting; 300 ms is for a slow machine.
    timeout: 300,
    retry: { limit: 5, ...quick, onRetry: (event) => seen.push(event.error) },
  });
  equal([response.status, await response.text()], [200, "ok"]);
  equal((seen[0] as Error).name, "TimeoutError");
}

/** How often fetchWithRetry retries `url` (at most twice) before a TypeError. */
async function retriesOf(url: string): Promise<number> {
  let retries = 0;
  const retry = { limit: 2, ...quick, onRetry: () => retries++ };
  await rejects(fetchWithRetry(url, { retry }), TypeError);
  return retries;
}

export async function fetchWithRetryRetriesARefusedConnection(): Promise<
  void
> {
  // Each runtime words it its own way (Bun: "ECONNREFUSED: Unable to
  // connect"); Deno's names the URL, whose words tell nothing.
  const url = await (await fetch(at("/refused"))).text();
  const targets = [url, `${url}certificates/parsed`];
  // Node's names a host it could not look up (a label too long: no query).
  if (runtime === "node") targets.push(`http://redirect${"-".repeat(60)}x.q/`);
  for (const target of targets) {
    equal([target, await retriesOf(target)], [target, 2]);
  }
}

export async function fetchWithRetryDoesNotRetryWhatWouldFailAgain(): Promise<
  void
> {
  // A page only learns "Failed to fetch", as for a failure in transit.
  if (runtime === "browser") return;
  const ftp = "ftp://127.0.0.1/";
  const redirects = [
    at("/redirect"),
    at(`/redirect?to=${encodeURIComponent(ftp)}`),
  ];
  for (const url of [...redirects, ftp]) {
    equal([url, await retriesOf(url)], [url, 0]);
  }
}

export async function fetchWithRetryHonoursRetryAfter(): Promise<void> {
  const seen: number[] = [];
  const response = await fetchWithRetry(at(`/limited?key=${key()}`), {
    retry: { ...quick, onRetry: (event) => seen.push(event.delay) },
  });
  equal([response.status, seen], [200, [0]]);
  await response.body?.cancel();
}

export async function fetchWithRetryResolvesWithTheLastFailure(): Promise<
  void
> {
  const response = await fetchWithRetry(at(`/flaky?key=${key()}&fail=9`), {
    retry: { limit: 1, ...quick },
  });
  equal(response.status, 503);
  await response.body?.cancel();
}

export async function fetchWithRetryTakesARequestAsInitAsFetchDoes(): Promise<
  void
> {
  // A HEAD answer has no body: the method came from the Request's getters.
  const init = new Request(at("/elsewhere"), { method: "HEAD" });
  const response = await fetchWithRetry(at("/status?code=200"), init);
  equal([response.status, await response.text()], [200, ""]);
}

export async function fetchAllKeepsInputOrderAndCountsNon2xxAsFailures(): Promise<
  void
> {
  const urls = [at("/status?code=200"), at("/status?code=404")];
  let settled = 0;
  const results = await fetchAll(urls, {
    concurrency: 1,
    onProgress: (done) => (settled = done),
  });
  equal(results[0], { status: "fulfilled", value: "status 200" });
  const last = results[1];
  assert(last?.status === "rejected" && last.reason instanceof HttpError);
  equal([last.reason.status, settled], [404, 2]);
}
