/**
 * `fetch` with what real code adds around it: a timeout, retries of what is
 * worth retrying ({@linkcode fetchWithRetry}, a drop-in `fetch`), and a
 * bound on how many requests run at once ({@linkcode fetchAll}). The
 * examples serve on 127.0.0.1: they need `--allow-net=127.0.0.1`.
 *
 * @module
 */
import { unwatch, watch } from "./_abort.ts";
import {
  count,
  duration,
  fn,
  list,
  number,
  options as checkOptions,
  refuse,
  signal as checkSignal,
} from "./_check.ts";
import { setLongTimeout } from "./_timer.ts";
import { Semaphore } from "./semaphore.ts";

/** What {@linkcode fetchWithRetry} and {@linkcode fetchAll} accept as a request. */
export type FetchInput = string | URL | Request;

/**
 * The wait when the server gives no valid `Retry-After`: a random time from
 * 0 to `min(max, base * 2 ** retry)` ms ("full jitter", `retry` from 0), so
 * that clients that failed together do not come back together.
 */
export interface BackoffOptions {
  /**
   * The ceiling of the first wait, in ms (finite, ≥ 0), doubled at each retry.
   *
   * @default {300}
   */
  base?: number;
  /**
   * The largest ceiling, in ms (≥ 0; `Infinity` for none).
   *
   * @default {10000}
   */
  max?: number;
}

/** Which failures {@linkcode fetchWithRetry} retries, how often, and how long it waits. */
export interface RetryOptions {
  /**
   * How many times to retry after the first attempt: an integer ≥ 0.
   *
   * @default {2}
   */
  limit?: number;
  /**
   * The methods that may be retried, in any case. POST and PATCH are left
   * out: sending them twice may do the thing twice.
   *
   * @default {["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]}
   */
  methods?: Iterable<string>;
  /**
   * The statuses retried (integers from 100 to 599); others return at once.
   *
   * @default {[408, 413, 429, 500, 502, 503, 504]}
   */
  statusCodes?: Iterable<number>;
  /**
   * The longest wait a `Retry-After` may impose, in ms (`Infinity` for any).
   *
   * @default {60000}
   */
  maxRetryAfter?: number;
  /**
   * The wait when no valid `Retry-After` applies: the bounds of the backoff,
   * or a function from the retry's index (0 first) to a finite ms ≥ 0.
   *
   * @default {{ base: 300, max: 10000 }}
   */
  backoff?: BackoffOptions | ((retry: number) => number);
  /** Told why an attempt failed, before the wait for the retry; what it throws (or rejects with) is ignored. */
  onRetry?: (event: RetryEvent) => void;
}

/** An attempt retried because of its response's status. */
export interface RetryStatusEvent {
  /** The index of the coming retry: 0 for the first. */
  readonly retry: number;
  /** How long the wait before it lasts, in ms. */
  readonly delay: number;
  /** The status of the failed response (its body already cancelled). */
  readonly status: number;
  /** Absent: a response came. */
  readonly error?: undefined;
}

/** An attempt retried because no response came. */
export interface RetryErrorEvent
  extends Omit<RetryStatusEvent, "status" | "error"> {
  /** Absent: no response came. */
  readonly status?: undefined;
  /** The network error (a `TypeError`), or a `TimeoutError` `DOMException`. */
  readonly error: unknown;
}

/** What `onRetry` is told: the `status` that came, or the `error`. */
export type RetryEvent = RetryStatusEvent | RetryErrorEvent;

/** The options of {@linkcode fetchWithRetry}: `fetch`'s own, plus `timeout` and `retry`. */
export interface FetchWithRetryInit extends RequestInit {
  /**
   * How long each attempt may wait for the response's headers, in ms (≥ 0,
   * `Infinity` for none); one that runs out is a failure in transit. The
   * body is not covered: read it under `signal`.
   *
   * @default {undefined (no timeout)}
   */
  timeout?: number;
  /**
   * A number of retries, or the full {@linkcode RetryOptions}.
   *
   * @default {2}
   */
  retry?: number | RetryOptions;
}

/** The options of {@linkcode fetchAll}: every request's options, plus the pool's. */
export interface FetchAllOptions<T = string> extends FetchWithRetryInit {
  /**
   * How many requests may be in flight at once, from sending to `parse`'s end.
   *
   * @default {6}
   */
  concurrency?: number;
  /**
   * Turns a 2xx response into the result, while the request holds its place
   * in the pool; a body it leaves unread is then cancelled.
   *
   * @default {(response) => response.text()}
   */
  parse?: (response: Response) => T | Promise<T>;
  /**
   * Told how many requests have settled, of how many, at each settlement.
   * If it throws (or an async one rejects), the requests go on and
   * `fetchAll` rejects with the first such error once all have settled.
   */
  onProgress?: (done: number, total: number) => void;
}

/** The reason of a {@linkcode fetchAll} entry whose final response was not a 2xx. */
export class HttpError extends Error {
  /** The status of the final response. */
  readonly status: number;
  /** The status text of the final response. */
  readonly statusText: string;
  /** The URL that answered. */
  readonly url: string;

  /** Creates the error of a final response that was not a 2xx. */
  constructor(status: number, url: string, statusText = "") {
    const text = statusText ? ` ${statusText}` : "";
    super(`Request to ${url} failed with status ${status}${text}`);
    this.name = "HttpError";
    this.status = status;
    this.statusText = statusText;
    this.url = url;
  }
}

/**
 * Fetches `input` like `fetch`, with a per-attempt `timeout` and retries.
 *
 * - **Checked first.** Options are checked and the request built (a
 *   `TypeError` if `Request` refuses `init`) before anything is sent.
 * - **What is retried.** A failure in transit (no connection, one that
 *   broke before the response, a `timeout` that ran out) or a status in
 *   `retry.statusCodes`; for `retry.methods` only, at most `retry.limit`
 *   times, never with a `ReadableStream` as `init.body` (a `Request`'s body
 *   is resent from a copy, which holds it in memory till the last attempt).
 *   Not what would fail the same way again: a redirect loop, an unsupported
 *   URL, a blocked port, a missing permission, a refused certificate, an
 *   oversized or malformed head.
 * - **The wait.** As `Retry-After` says (delay-seconds or an HTTP date,
 *   capped at `retry.maxRetryAfter`), else the backoff. Waits and timeouts
 *   past 2³¹ ms are kept whole.
 * - **The result.** The final `Response` whatever its status; every body it
 *   discards is cancelled. When the attempts run out on errors, the last
 *   error (a `TypeError`, or a `TimeoutError` `DOMException`).
 * - **Cancellation.** Aborting `signal` stops the attempt, the wait and the
 *   reading of the final body, and rejects with `signal.reason`. A signal
 *   shared by many calls carries one listener.
 *
 * @example Retry a flaky endpoint, as long as it asks
 * ```ts
 * import { fetchWithRetry } from "@asincronia/asincronia/fetch";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * let requests = 0; // twice "503, come back in 0 s", then the answer
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   ++requests <= 2
 *     ? new Response(null, { status: 503, headers: { "retry-after": "0" } })
 *     : Response.json({ ok: true }));
 * const failed: (number | undefined)[] = [];
 * const response = await fetchWithRetry(`http://127.0.0.1:${server.addr.port}/api`, {
 *   timeout: 30_000,
 *   retry: { limit: 4, onRetry: (event) => failed.push(event.status) },
 * });
 * assertEquals([await response.json(), failed], [{ ok: true }, [503, 503]]);
 * ```
 *
 * @param input An absolute URL or a `Request`.
 * @returns The final response; a `backoff` function that returns anything
 * but a finite number ≥ 0 rejects it with a `RangeError`.
 */
export async function fetchWithRetry(
  input: FetchInput,
  init?: FetchWithRetryInit,
): Promise<Response> {
  const checked = checkInput(input, "fetch", "input");
  const plan = makePlan(checkOptions(init, "fetch", "init"), "fetch");
  return await send(prepare(checked, plan), plan);
}

/**
 * Fetches every input through {@linkcode fetchWithRetry}, at most `concurrency`
 * at once, starting in input order; resolves with one `PromiseSettledResult`
 * per input, in input order. A final 2xx response goes to `parse`; any other
 * is a rejected entry, an {@linkcode HttpError}. Every input and option is
 * checked before the first request. Aborting `signal` aborts the requests in
 * flight and settles the waiting ones unsent; then `fetchAll` rejects with
 * `signal.reason`. The signal carries one listener however many inputs.
 *
 * @example Fetch ten pages, four at a time
 * ```ts
 * import { fetchAll, HttpError } from "@asincronia/asincronia/fetch";
 * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, ({ url }) => {
 *   const page = new URL(url).pathname.slice(1);
 *   return new Response(`page ${page}`, { status: page === "9" ? 404 : 200 });
 * });
 * const urls = Array.from({ length: 10 }, (_, i) => `http://127.0.0.1:${server.addr.port}/${i}`);
 * let settled = 0;
 * const results = await fetchAll(urls, { concurrency: 4, onProgress: (done) => settled = done });
 * assertEquals(results[8], { status: "fulfilled", value: "page 8" }); // input order
 * const last = results[9];
 * assert(last?.status === "rejected" && last.reason instanceof HttpError);
 * assertEquals([last.reason.status, last.reason.url, settled], [404, urls[9], 10]);
 * ```
 *
 * @param inputs An iterable (not a string) of absolute URLs or `Request`s.
 */
export async function fetchAll<T = string>(
  inputs: Iterable<FetchInput>,
  options?: FetchAllOptions<T>,
): Promise<PromiseSettledResult<T>[]> {
  const action = "fetch all";
  list(inputs, action, "inputs", "URLs or Requests");
  const given = checkOptions(options, action);
  const {
    concurrency = 6,
    parse = (response: Response) => response.text() as Promise<T>,
    onProgress,
  } = given;
  count(concurrency, action, "concurrency");
  fn(parse, action, "parse");
  if (onProgress !== undefined) fn(onProgress, action, "onProgress");
  const plan = makePlan(given, action);
  const { signal } = plan;
  const checked = Array.from(
    inputs,
    (input, i) => checkInput(input, action, `inputs[${i}]`),
  );
  // A Request holds ~2 kB: a URL gets its own at its turn (one trial checks
  // the options now); a given one is built on at once, its body moving in.
  const url = checked.find((input) => !(input instanceof Request));
  if (url !== undefined && !plan.bare) new Request(url, plan.init);
  const prepared: (Prepared | undefined)[] = [];
  for (const it of checked) {
    try {
      prepared.push(it instanceof Request ? prepare(it, plan) : undefined);
    } catch (error) { // a body used, or a Request given twice: none is sent
      await Promise.all(prepared.map((done) => cancel(done?.target)));
      throw error;
    }
  }

  const one = async (index: number): Promise<T> => {
    // Aborted before its turn (or the call): send() settles it unsent.
    const request = prepared[index] ?? prepare(checked[index]!, plan);
    prepared[index] = undefined;
    const response = await send(request, plan);
    if (!response.ok) {
      await cancel(response);
      const { status, statusText } = response;
      throw new HttpError(status, response.url || request.url, statusText);
    }
    try {
      return await parse(response);
    } finally {
      // Whatever parse left unread would hold its connection open, read in
      // part too (`bodyUsed` then, but not locked once its reader let go).
      await cancel(response);
    }
  };
  const pool = new Semaphore(concurrency);
  let done = 0;
  let progressError: { error: unknown } | undefined;
  const hooks: Promise<void>[] = [];
  const progress = async () => {
    try {
      await onProgress?.(++done, checked.length);
    } catch (error) {
      progressError ??= { error };
    }
  };
  const results = await Promise.allSettled(
    checked.map((_, index) =>
      pool.run(() => one(index)).finally(() => void hooks.push(progress()))
    ),
  );
  signal?.throwIfAborted(); // an async hook that never settles holds no abort
  await Promise.all(hooks);
  if (progressError !== undefined) throw progressError.error;
  return results;
}

/**
 * A `fetch` `TypeError`'s messages for "it failed in transit": Deno 2 and
 * Node ("fetch failed"), Chromium, Firefox, Safari; Deno 1 said "error
 * sending request …". Another (a redirect loop) would fail again.
 */
const IN_TRANSIT =
  /^(?:fetch failed|Failed to fetch|NetworkError when attempting to fetch resource\.|Load failed)$|^error sending/;

/**
 * Bun's `TypeError` says what broke in its `code` ("ECONNREFUSED: Unable to
 * connect…"); other codes (TooManyRedirects, a certificate's) would recur.
 */
const IN_TRANSIT_CODES: ReadonlySet<unknown> = new Set(
  "ECONNREFUSED ECONNRESET ETIMEDOUT EPIPE ENOTFOUND EAI_AGAIN".split(" "),
);

/**
 * Its cause (less the URL or host it names) when the answer would be the same
 * again: a head too large or malformed (Deno: "message head is too large",
 * "invalid HTTP version parsed"; Node: HeadersOverflowError, HTTPParserError),
 * a refused certificate; on Node a redirect loop, another scheme, a bad port.
 */
const ANSWERED =
  /message head is too large|parsed|URI too long|HeadersOverflow|HTTPParser|certificate|redirect|scheme|bad port/i;

/** The checked options of a call, the same for each of its requests. */
type Plan = ReturnType<typeof makePlan>;
/** A request ready to send, and how often it may be. */
type Prepared = ReturnType<typeof prepare>;

/** Cancels the body, unless a reader locked it (read whole, or parse holds it). */
async function cancel(of?: Response | Request | string): Promise<void> {
  const body = typeof of === "object" ? of.body : undefined;
  if (body?.locked === false) await body.cancel().catch(() => {});
}

function checkInput(input: unknown, action: string, name: string): FetchInput {
  if (
    input instanceof URL || input instanceof Request ||
    typeof input === "string" && URL.canParse(input)
  ) return input;
  return refuse(TypeError, action, name, "an absolute URL or a Request", input);
}

/** A list option as a set, each item checked by `item`. */
function setOf<T>(
  value: Iterable<unknown>,
  action: string,
  name: string,
  of: string,
  item: (value: unknown, name: string) => T,
): Set<T> {
  const items = list(value, action, name, of);
  return new Set(Array.from(items, (v, i) => item(v, `${name}[${i}]`)));
}

const isStatus = (n: number) => Number.isInteger(n) && n >= 100 && n <= 599;

/** The options of our own, which fetch never sees. */
const OURS = /^(timeout|retry|signal|concurrency|parse|onProgress)$/;

/**
 * Checks `timeout`, `retry` and `signal` into a plan; the rest (`init`)
 * goes to fetch, and a URL with an empty `init` is sent `bare`, as it is.
 * A `null` signal drops a given Request's own, as in fetch. As fetch does,
 * it reads inherited members too (enumerable ones: a Request's getters, which
 * a spread skips), so a Request given as init lends its method and body.
 */
function makePlan(options: FetchAllOptions<unknown>, action: string) {
  const { timeout = Infinity, retry, signal } = options;
  const init: RequestInit & Record<string, unknown> = {};
  for (const key in options) {
    if (!OURS.test(key)) init[key] = options[key as keyof typeof options];
  }
  const given: RetryOptions = typeof retry === "number"
    ? { limit: count(retry, action, "retry", { min: 0 }) }
    : checkOptions(retry, action, "retry", "a number or an object");
  const { backoff = {}, onRetry } = given;
  const methods = given.methods ?? ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"];
  const codes = given.statusCodes ?? [408, 413, 429, 500, 502, 503, 504];
  let delay: (retry: number) => number;
  if (typeof backoff === "function") {
    delay = (n) => duration(backoff(n), action, `retry.backoff(${n})`);
  } else {
    const bounds = checkOptions(backoff, action, "retry.backoff");
    const { base = 300, max = 1e4 } = bounds;
    duration(base, action, "retry.backoff.base");
    duration(max, action, "retry.backoff.max", true);
    delay = (n) => Math.random() * Math.min(max, base * 2 ** n);
  }
  if (onRetry !== undefined) fn(onRetry, action, "retry.onRetry");
  const method = (value: unknown, name: string) =>
    typeof value === "string"
      ? value.toUpperCase()
      : refuse(TypeError, action, name, "a method name", value);
  const status = (value: unknown, name: string) =>
    number(value, action, name, "an integer from 100 to 599", isStatus);
  const maxRetryAfter = given.maxRetryAfter ?? 60_000;
  return {
    init,
    bare: Object.keys(init).length === 0,
    signal: signal === null ? null : checkSignal(signal, action),
    limit: count(given.limit ?? 2, action, "retry.limit", { min: 0 }),
    methods: setOf(methods, action, "retry.methods", "method names", method),
    statusCodes: setOf(codes, action, "retry.statusCodes", "statuses", status),
    maxRetryAfter: duration(maxRetryAfter, action, "retry.maxRetryAfter", true),
    backoff: delay,
    onRetry,
    timeout: duration(timeout, action, "timeout", true),
  };
}

/**
 * Builds the request before the first attempt: whatever `Request` refuses
 * (a bad header or method, a body on a GET) fails with nothing sent. A bare
 * URL is sent as its href alone: with a Request for every URL, fetchAll of
 * 2,000 GETs took 1.1× as long (bench/README.md). The caller's signal goes
 * to each attempt, not into the Request.
 */
function prepare(input: FetchInput, plan: Plan) {
  const { init, signal } = plan;
  if (plan.bare && !(input instanceof Request)) {
    const url = typeof input === "string" ? input : input.href;
    const limit = plan.methods.has("GET") ? plan.limit : 0;
    return { target: url, url, signal: signal ?? undefined, limit };
  }
  const options = signal === null ? { ...init, signal } : init;
  const request = new Request(input, options);
  const retried = plan.methods.has(request.method.toUpperCase()) &&
    !(init.body instanceof ReadableStream); // a stream can be sent once
  const own = input instanceof Request && signal !== null;
  return {
    target: request,
    url: request.url,
    signal: signal ?? (own ? input.signal : undefined),
    limit: retried ? plan.limit : 0,
  };
}

async function send(prepared: Prepared, plan: Plan): Promise<Response> {
  const { target, signal, limit } = prepared;
  for (let retry = 0;; retry++) {
    if (signal?.aborted) {
      // What was never sent is cancelled, as fetch() does on an abort.
      if (typeof target !== "string") await cancel(target);
      throw signal.reason;
    }
    const last = retry >= limit;
    let event: RetryEvent;
    try {
      // A body can be read once: send a copy while more attempts may follow.
      const copy = !last && typeof target !== "string" && target.body !== null;
      const sent = copy ? target.clone() : target;
      const response = await attempt(sent, signal, plan);
      const { status } = response;
      if (last || !plan.statusCodes.has(status)) return response;
      const after = retryAfter(response.headers.get("retry-after"));
      await cancel(response);
      const delay = after === undefined
        ? plan.backoff(retry)
        : Math.min(after, plan.maxRetryAfter);
      event = { retry, delay, status };
    } catch (error) {
      if (signal?.aborted) continue; // to the check above
      if (last || !inTransit(error)) throw error;
      event = { retry, delay: plan.backoff(retry), error };
    }
    try {
      Promise.resolve(plan.onRetry?.(event)).catch(() => {}); // async too
    } catch {
      // A logging hook must not change what is retried.
    }
    await wait(event.delay, signal);
  }
}

/** A failure worth another attempt: in transit, or our own timeout. */
function inTransit(error: unknown): boolean {
  if (error instanceof TypeError) {
    const { message, cause } = error;
    if (IN_TRANSIT_CODES.has((error as { code?: unknown }).code)) return true;
    if (!IN_TRANSIT.test(message)) return false;
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : "";
    return !ANSWERED.test(why.replace(/\w+:\/\/\S*|getaddrinfo \S+ \S+/g, ""));
  }
  return error instanceof DOMException && error.name === "TimeoutError";
}

/**
 * One attempt; a timeout aborts it through a controller of our own, joined
 * to the caller's signal by `AbortSignal.any` (no listener on a shared
 * signal, and it still aborts the body after the headers came).
 */
async function attempt(
  request: Request | string,
  signal: AbortSignal | undefined,
  { timeout }: Plan,
): Promise<Response> {
  if (timeout === Infinity) return fetch(request, signal && { signal });
  const timer = new AbortController();
  const clock = setLongTimeout(() => {
    const message = `Request timed out after ${timeout} ms`;
    timer.abort(new DOMException(message, "TimeoutError"));
  }, timeout);
  try {
    return await fetch(request, {
      signal: signal ? AbortSignal.any([signal, timer.signal]) : timer.signal,
    });
  } catch (error) {
    if (timer.signal.aborted && !signal?.aborted) throw timer.signal.reason;
    throw error;
  } finally {
    clock.clear();
  }
}

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const MONTH = "(?<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "(?<hour>\\d\\d):(?<minute>\\d\\d):(?<second>\\d\\d)";
/** The three forms of an HTTP-date (RFC 9110, section 5.6.7). */
const HTTP_DATES = [
  // Sun, 06 Nov 1994 08:49:37 GMT
  `^${DAY}, (?<day>\\d\\d) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`,
  // Sunday, 06-Nov-94 08:49:37 GMT
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (?<day>\\d\\d)-${MONTH}-(?<yy>\\d\\d) ${TIME} GMT$`,
  // Sun Nov  6 08:49:37 1994
  `^${DAY} ${MONTH} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`,
].map((pattern) => new RegExp(pattern));

/**
 * How long a `Retry-After` asks to wait, in ms; `undefined` when absent or
 * not valid. (`Date.parse` is too lenient: it reads "-1" and "1.5" as dates.)
 */
function retryAfter(text: string | null): number | undefined {
  if (text === null) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = HTTP_DATES.map((pattern) => pattern.exec(text)?.groups)
    .find((groups) => groups !== undefined);
  if (parts === undefined) return undefined;
  let year = Number(parts.year);
  if (parts.yy !== undefined) {
    // A two-digit year more than 50 years ahead is in the century before.
    const now = new Date().getUTCFullYear();
    year = now - (now % 100) + Number(parts.yy);
    if (year > now + 50) year -= 100;
  }
  const [day, hour, minute, second] = ["day", "hour", "minute", "second"]
    .map((key) => Number(parts[key])) as [number, number, number, number];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const month = MONTHS.indexOf(parts.month!) / 3;
  // Math.min: a leap second.
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(59, second));
  // Date.UTC rolls "31 Feb" over into March: refuse it instead.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return Math.max(0, ms - Date.now());
}

/** Waits `ms` (any length), or until `signal` aborts. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return void setLongTimeout(resolve, ms);
    if (signal.aborted) return resolve();
    // _abort.ts: one listener, however many requests back off on `signal`.
    const end = () => (clock.clear(), unwatch(signal, watcher), resolve());
    const watcher = { aborted: end };
    watch(signal, watcher); // first: one that takes no listener throws here
    const clock = setLongTimeout(end, ms);
  });
}
