/**
 * @title HTTP requests: fetch, a timeout and retries
 * @title:es Peticiones HTTP: fetch, un tiempo de espera y reintentos
 * @difficulty beginner
 * @tags fetch, http, timeout, retry, AbortSignal
 * @run deno run --allow-net=127.0.0.1 lessons/08_fetch.ts --timeline
 * @resource {https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API} MDN: Fetch API
 * @resource {https://docs.deno.com/examples/fetch_timeout/} Deno by Example: fetch with a timeout
 * @resource {https://docs.aiohttp.org/en/stable/client_quickstart.html} Python: aiohttp client
 * @section 8 — Herramientas externas para asincronía
 * @guide docs/es/08-herramientas-externas.md
 * @exercises 08a, 08b
 *
 * Python needs aiohttp to make an HTTP request without blocking; Deno has
 * `fetch` built in. The lesson fetches a page from a local server, then shows
 * what real code adds: a request that gives up after a timeout, and one that
 * retries a failing server until it answers.
 *
 * Output:
 *
 * ```text
 * <!doctype html>
 * <html lang="es">
 * <head><title>Asincronía</title></head>
 * <body><h1>Hola desde el servidor local</h1></body>
 * </html>
 * Gave up after 1 second: TimeoutError
 * Attempt 1 failed with 503, retrying
 * Attempt 2 failed with 503, retrying
 * Attempt 3 answered 200: success after 2 failures
 * ```
 */
import { fetchWithRetry } from "../lib/fetch.ts";
import {
  defineLesson,
  type Lesson,
  type LessonOptions,
} from "../course/lesson.ts";
import { type LessonServer, startServer } from "./_server.ts";

/** Options of lesson 08; tests pass their own server to count its hits. */
export interface FetchLessonOptions extends LessonOptions {
  /** The server to fetch from. @default {a fresh one, shut down at the end} */
  server?: LessonServer;
}

export async function fetchLesson(
  { unit, print, timeline }: Lesson,
  options: FetchLessonOptions,
) {
  // These machines reach no other host, so the "example.com" of the notes is
  // a server of our own on 127.0.0.1 (see _server.ts).
  await using own = options.server ? undefined : startServer();
  const server = (options.server ?? own)!;

  // fetch_url from the notes, with two of their slips mended. They open a
  // ClientSession per request, where aiohttp asks for one session shared by
  // all requests (each session has its own pool of connections); fetch
  // needs no session and pools connections for the whole process. (The
  // closest to a ClientSession is Deno.createHttpClient(): its own pool,
  // proxy and certificates, passed as `fetch(url, { client })`.) And they
  // never look at the status, so an error page would pass for the page: we
  // check `response.ok`. Reading the body to the end releases the
  // connection, as leaving aiohttp's `async with` blocks does; a body we do
  // not read, we cancel.
  async function fetchUrl(url: string): Promise<string> {
    const response = await fetch(url);
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`${url} answered ${response.status}`);
    }
    return await response.text();
  }

  // The notes' example returns the page and drops it: nothing is printed.
  // We print what we fetched.
  const page = await timeline.track("fetch_url", fetchUrl(server.at("/")));
  for (const line of page.trim().split("\n")) print(line);

  // A timeout. The server takes 3 seconds; we wait 1. AbortSignal.timeout()
  // aborts the request, which rejects with a TimeoutError. In Python this is
  // aiohttp.ClientTimeout, or asyncio.timeout() around the request.
  // fetchWithRetry's `timeout` option, below, does the same for each attempt.
  try {
    await timeline.track(
      "timeout",
      () =>
        fetch(server.at(`/delay?ms=${3 * unit}`), {
          signal: AbortSignal.timeout(unit),
        }),
    );
  } catch (error) {
    const name = error instanceof Error ? error.name : String(error);
    print(`Gave up after 1 second: ${name}`);
  }

  // A retry. This route fails twice with 503 Service Unavailable, then
  // answers. fetchWithRetry (our library) retries statuses that mean "try
  // again later", waiting a random and growing time by default; here each
  // wait is half a second, which --unit scales like the rest. Each attempt
  // may take 5 seconds; one that runs out is retried too.
  let attempt = 1;
  const response = await timeline.track(
    "retry",
    fetchWithRetry(server.at("/flaky?key=lesson&fail=2"), {
      timeout: 5 * unit,
      retry: {
        limit: 3,
        backoff: () => unit / 2,
        onRetry: ({ status, error }) =>
          print(
            `Attempt ${attempt++} failed with ${
              status ?? (error as Error).name
            }, retrying`,
          ),
      },
    }),
  );
  print(
    `Attempt ${attempt} answered ${response.status}: ${await response.text()}`,
  );
}

/** How `deno run` runs this lesson. */
export const command = defineLesson(import.meta, fetchLesson, {
  // Below this, an attempt's 5-second timeout is shorter than a request to
  // a busy local server may take, and the retry runs out of attempts.
  minUnit: 20,
});
