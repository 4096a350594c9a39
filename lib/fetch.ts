/**
 * `fetch` with the three things real code adds around it: a timeout, retries
 * that know which failures are worth retrying, and a bound on how many
 * requests run at once.
 *
 * {@linkcode fetchWithRetry} is a drop-in `fetch`: it resolves with the final
 * `Response`, whatever its status, after retrying network errors, timeouts
 * and the statuses that mean "try again later", waiting with exponential
 * backoff and full jitter, or as long as the server's `Retry-After` asks.
 * {@linkcode fetchAll} fetches many URLs with at most `concurrency` in flight
 * and returns one settled result per input, in input order.
 *
 * @example Fetch with a timeout and retries
 * ```ts ignore
 * import { fetchWithRetry } from "@asincronia/asincronia/fetch";
 *
 * const response = await fetchWithRetry("https://example.com/", {
 *   timeout: 5_000,
 *   retry: { limit: 3 },
 * });
 * console.log(response.status, await response.text());
 * ```
 *
 * @module
 */
import { Semaphore } from "./semaphore.ts";

/** What {@linkcode fetchWithRetry} and {@linkcode fetchAll} accept as a request. */
export type FetchInput = string | URL | Request;

/**
 * How long to wait between attempts when the server gives no `Retry-After`:
 * a random time between 0 and `min(max, base * 2 ** retry)` milliseconds
 * ("full jitter"), where `retry` counts from 0. The randomness keeps many
 * clients that failed together from coming back together.
 */
export interface BackoffOptions {
  /**
   * The ceiling of the first wait, in milliseconds; it doubles at each retry.
   *
   * @default {300}
   */
  base?: number;
  /**
   * The largest ceiling, in milliseconds.
   *
   * @default {10000}
   */
  max?: number;
}

/** Which failures {@linkcode fetchWithRetry} retries, how often, and how long it waits. */
export interface RetryOptions {
  /**
   * How many times to retry after the first attempt; `0` never retries.
   *
   * @default {2}
   */
  limit?: number;
  /**
   * The methods that may be retried. POST and PATCH are left out because
   * sending them twice may do the thing twice; add them when the server
   * makes them idempotent.
   *
   * @default {["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]}
   */
  methods?: readonly string[];
  /**
   * The response statuses that are retried. Any other status, including
   * every other 4xx, is returned at once.
   *
   * @default {[408, 413, 429, 500, 502, 503, 504]}
   */
  statusCodes?: readonly number[];
  /**
   * The longest wait a `Retry-After` header may impose, in milliseconds; a
   * longer one is cut down to this.
   *
   * @default {60000}
   */
  maxRetryAfter?: number;
  /**
   * The wait between attempts when no `Retry-After` applies: either the
   * bounds of the full-jitter exponential backoff, or a function from the
   * retry's index (0 for the first retry) to milliseconds.
   *
   * @default {{ base: 300, max: 10000 }}
   */
  backoff?: BackoffOptions | ((retry: number) => number);
  /**
   * Called when an attempt has failed and a retry is coming, before the
   * wait: for logging. What it throws is ignored.
   */
  onRetry?: (event: RetryEvent) => void;
}

/** What {@linkcode RetryOptions.onRetry} is told about a failed attempt. */
export interface RetryEvent {
  /** The index of the coming retry: 0 for the first. */
  readonly retry: number;
  /** How long the wait before it lasts, in milliseconds. */
  readonly delay: number;
  /** The status of the failed response (its body already cancelled), if one came. */
  readonly status?: number;
  /** The network error or `TimeoutError`, if no response came. */
  readonly error?: unknown;
}

/** The options of {@linkcode fetchWithRetry}: `fetch`'s own, plus `timeout` and `retry`. */
export interface FetchWithRetryInit extends RequestInit {
  /**
   * How long each attempt may wait for the response's headers, in
   * milliseconds. An attempt that runs out is aborted and counts as a
   * network error. The body is not covered: read it under `signal`.
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
   * How many requests may be in flight at once, from sending to the end of
   * `parse`. An integer of at least 1.
   *
   * @default {6}
   */
  concurrency?: number;
  /**
   * Turns a successful (2xx) response into the result. Runs while the
   * request still holds its place in the pool.
   *
   * @default {(response) => response.text()}
   */
  parse?: (response: Response) => T | Promise<T>;
  /**
   * Called each time a request settles, with how many have settled and how
   * many there are. If it throws, the requests go on, and `fetchAll` rejects
   * with the first such error once all have settled.
   */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The reason of a {@linkcode fetchAll} entry whose final response was not a
 * 2xx. Its body has already been cancelled.
 *
 * @example Tell HTTP failures apart
 * ```ts ignore
 * import { fetchAll, HttpError } from "@asincronia/asincronia/fetch";
 *
 * const [result] = await fetchAll(["https://example.com/missing"]);
 * if (result.status === "rejected" && result.reason instanceof HttpError) {
 *   console.log(result.reason.status, result.reason.url); // 404 "https://example.com/missing"
 * }
 * ```
 */
export class HttpError extends Error {
  /** The status of the final response. */
  readonly status: number;
  /** The status text of the final response. */
  readonly statusText: string;
  /** The URL that answered. */
  readonly url: string;

  /**
   * Creates the error of a final response that was not a 2xx.
   *
   * @param status The status of the final response.
   * @param url The URL that answered.
   * @param statusText The status text of the final response.
   */
  constructor(status: number, url: string, statusText = "") {
    super(
      `Request to ${url} failed with status ${status}${
        statusText ? ` ${statusText}` : ""
      }`,
    );
    this.name = "HttpError";
    this.status = status;
    this.statusText = statusText;
    this.url = url;
  }
}

/**
 * Fetches `input` like `fetch`, with a per-attempt `timeout` and retries.
 *
 * An attempt is retried when it fails with a network error or runs out of
 * time, or when its status is one of `retry.statusCodes` — but only for the
 * methods in `retry.methods` (by default not POST or PATCH, which may not be
 * safe to repeat), and at most `retry.limit` times. Before each retry it
 * waits as long as the response's `Retry-After` says (in seconds or as an
 * HTTP date, capped at `retry.maxRetryAfter`), or else an exponential backoff
 * with full jitter.
 *
 * It resolves with the final `Response` whatever its status, as `fetch`
 * does, and cancels the body of every response it discards, so nothing is
 * left open. Aborting `signal` stops everything at once — an attempt in
 * flight or the wait between two — and rejects with `signal.reason`. When
 * the attempts run out on errors, it rejects with the last error (a
 * `TypeError` for a network error, a `TimeoutError` `DOMException` for a
 * timeout).
 *
 * A request body is sent again on each retry; a `ReadableStream` body can be
 * sent only once, so such a request is never retried.
 *
 * @example Retry a flaky endpoint
 * ```ts ignore
 * import { fetchWithRetry } from "@asincronia/asincronia";
 *
 * const response = await fetchWithRetry("https://example.com/api", {
 *   timeout: 2_000,
 *   retry: { limit: 4, backoff: { base: 100, max: 2_000 } },
 * });
 * if (!response.ok) await response.body?.cancel();
 * ```
 *
 * @param input The URL or `Request` to fetch.
 * @param init `fetch`'s options, plus `timeout` and `retry`.
 * @returns The final response.
 * @throws {TypeError} If `input` is not an absolute URL or a `Request`.
 * @throws {RangeError} If `timeout` is negative or a retry option is out of range.
 */
export function fetchWithRetry(
  input: FetchInput,
  init: FetchWithRetryInit = {},
): Promise<Response> {
  try {
    checkInput(input, "input", "fetch");
    const { timeout, retry, ...rest } = init;
    return send(input, rest, makePlan(timeout, retry, "fetch"));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Fetches every input with at most `concurrency` requests in flight, and
 * resolves with one `PromiseSettledResult` per input, in input order, like
 * `Promise.allSettled`.
 *
 * Each request goes through {@linkcode fetchWithRetry} with the same options.
 * A final 2xx response is passed to `parse` (by default its text); any other
 * final status becomes a rejected entry whose reason is an
 * {@linkcode HttpError} holding the status and the URL, and its body is
 * cancelled. Requests start in input order, each as soon as a place in the
 * pool frees up.
 *
 * All inputs and options are checked before the first request is sent.
 * Aborting `signal` aborts the requests in flight and the ones still
 * waiting; once all have stopped, `fetchAll` rejects with `signal.reason`.
 *
 * @example Fetch ten pages, four at a time
 * ```ts ignore
 * import { fetchAll } from "@asincronia/asincronia";
 *
 * const urls = Array.from({ length: 10 }, (_, i) => `https://example.com/${i}`);
 * const results = await fetchAll(urls, {
 *   concurrency: 4,
 *   timeout: 5_000,
 *   onProgress: (done, total) => console.log(`${done}/${total}`),
 * });
 * for (const result of results) {
 *   if (result.status === "fulfilled") console.log(result.value.length);
 *   else console.error(result.reason);
 * }
 * ```
 *
 * @typeParam T What `parse` returns.
 * @param inputs The URLs or `Request`s to fetch.
 * @param options Every request's options, plus `concurrency`, `parse` and `onProgress`.
 * @returns One settled result per input, in input order.
 * @throws {TypeError} If an input is not an absolute URL or a `Request`, or `parse` or `onProgress` is not a function.
 * @throws {RangeError} If `concurrency` is not a positive integer, `timeout` is negative or a retry option is out of range.
 */
export async function fetchAll<T = string>(
  inputs: Iterable<FetchInput>,
  options: FetchAllOptions<T> = {},
): Promise<PromiseSettledResult<T>[]> {
  const {
    concurrency = 6,
    parse = text as (response: Response) => T | Promise<T>,
    onProgress,
    timeout,
    retry,
    ...init
  } = options;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(
      `Cannot fetch all as 'concurrency' must be a positive integer: current value is ${concurrency}`,
    );
  }
  for (const [name, value] of [["parse", parse], ["onProgress", onProgress]]) {
    if (value !== undefined && typeof value !== "function") {
      throw new TypeError(
        `Cannot fetch all as '${name}' must be a function: current value is ${
          String(value)
        }`,
      );
    }
  }
  const list = Array.from(inputs);
  for (let i = 0; i < list.length; i++) {
    checkInput(list[i], `inputs[${i}]`, "fetch all");
  }
  const plan = makePlan(timeout, retry, "fetch all");
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();

  const semaphore = new Semaphore(concurrency);
  const runOptions = { signal };
  const total = list.length;
  const results = new Array<PromiseSettledResult<T>>(total);
  let done = 0;
  let progressError: { error: unknown } | undefined;

  const one = async (input: FetchInput): Promise<T> => {
    const response = await send(input, init, plan);
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new HttpError(
        response.status,
        response.url || urlOf(input),
        response.statusText,
      );
    }
    try {
      return await parse(response);
    } catch (error) {
      if (!response.bodyUsed) await response.body?.cancel().catch(() => {});
      throw error;
    }
  };

  await Promise.all(list.map(async (input, index) => {
    try {
      const value = await semaphore.run(() => one(input), runOptions);
      results[index] = { status: "fulfilled", value };
    } catch (reason) {
      results[index] = { status: "rejected", reason };
    }
    done++;
    if (onProgress !== undefined) {
      try {
        onProgress(done, total);
      } catch (error) {
        progressError ??= { error };
      }
    }
  }));
  signal?.throwIfAborted();
  if (progressError !== undefined) throw progressError.error;
  return results;
}

const DEFAULT_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "PUT",
  "DELETE",
]);
const DEFAULT_STATUS_CODES: ReadonlySet<number> = new Set([
  408,
  413,
  429,
  500,
  502,
  503,
  504,
]);

interface Plan {
  limit: number;
  methods: ReadonlySet<string>;
  statusCodes: ReadonlySet<number>;
  maxRetryAfter: number;
  delay: (retry: number) => number;
  onRetry: ((event: RetryEvent) => void) | undefined;
  timeout: number | undefined;
}

function text(response: Response): Promise<string> {
  return response.text();
}

function urlOf(input: FetchInput): string {
  return typeof input === "string"
    ? input
    : input instanceof URL
    ? input.href
    : input.url;
}

function checkInput(input: unknown, name: string, what: string): void {
  if (input instanceof URL || input instanceof Request) return;
  if (typeof input === "string" && URL.canParse(input)) return;
  throw new TypeError(
    `Cannot ${what} as '${name}' must be an absolute URL or a Request: current value is ${
      typeof input === "string" ? JSON.stringify(input) : String(input)
    }`,
  );
}

function checkNumber(
  value: unknown,
  name: string,
  what: string,
  integer: boolean,
): number {
  const ok = typeof value === "number" &&
    (integer ? Number.isInteger(value) : !Number.isNaN(value)) && value >= 0;
  if (!ok) {
    throw new RangeError(
      `Cannot ${what} as '${name}' must be a non-negative ${
        integer ? "integer" : "number"
      }: current value is ${value}`,
    );
  }
  return value as number;
}

function makePlan(
  timeout: number | undefined,
  retry: number | RetryOptions | undefined,
  what: string,
): Plan {
  if (timeout !== undefined) checkNumber(timeout, "timeout", what, false);
  const options: RetryOptions = typeof retry === "number"
    ? { limit: retry }
    : retry ?? {};
  const limit = checkNumber(
    options.limit ?? 2,
    "retry.limit",
    what,
    true,
  );
  const maxRetryAfter = checkNumber(
    options.maxRetryAfter ?? 60_000,
    "retry.maxRetryAfter",
    what,
    false,
  );
  const backoff = options.backoff ?? {};
  let delay: (retry: number) => number;
  if (typeof backoff === "function") {
    delay = backoff;
  } else {
    const base = checkNumber(
      backoff.base ?? 300,
      "retry.backoff.base",
      what,
      false,
    );
    const max = checkNumber(
      backoff.max ?? 10_000,
      "retry.backoff.max",
      what,
      false,
    );
    delay = (n) => Math.random() * Math.min(max, base * 2 ** n);
  }
  return {
    limit,
    methods: options.methods === undefined
      ? DEFAULT_METHODS
      : new Set(options.methods.map((m) => m.toUpperCase())),
    statusCodes: options.statusCodes === undefined
      ? DEFAULT_STATUS_CODES
      : new Set(options.statusCodes),
    maxRetryAfter,
    delay,
    onRetry: options.onRetry,
    timeout: timeout === Infinity ? undefined : timeout,
  };
}

async function send(
  input: FetchInput,
  init: RequestInit,
  plan: Plan,
): Promise<Response> {
  const signal = init.signal ??
    (input instanceof Request ? input.signal : undefined);
  const method = (init.method ??
    (input instanceof Request ? input.method : "GET")).toUpperCase();
  const streamed = init.body instanceof ReadableStream;
  const limit = plan.methods.has(method) && !streamed ? plan.limit : 0;
  // fetch(url) is measurably cheaper than fetch(url, {}): pass no init when
  // there is nothing in it.
  let bare = true;
  for (const _ in init) {
    bare = false;
    break;
  }
  for (let retry = 0;; retry++) {
    signal?.throwIfAborted();
    const last = retry >= limit;
    // A Request's body can be read once: send a copy while more attempts may follow.
    const request = !last && input instanceof Request && input.body !== null
      ? input.clone()
      : input;
    let response: Response;
    try {
      response = await (plan.timeout !== undefined
        ? attempt(request, init, signal, plan.timeout)
        : bare
        ? fetch(request)
        : fetch(request, init));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (last || !retriable(error)) throw error;
      const delay = plan.delay(retry);
      notify(plan, { retry, delay, error });
      await wait(delay, signal);
      continue;
    }
    if (last || !plan.statusCodes.has(response.status)) return response;
    const after = retryAfter(response.headers.get("retry-after"));
    await response.body?.cancel().catch(() => {});
    const delay = after === undefined
      ? plan.delay(retry)
      : Math.min(after, plan.maxRetryAfter);
    notify(plan, { retry, delay, status: response.status });
    await wait(delay, signal);
  }
}

function notify(plan: Plan, event: RetryEvent): void {
  try {
    plan.onRetry?.(event);
  } catch {
    // A logging hook must not change what is retried.
  }
}

function retriable(error: unknown): boolean {
  return error instanceof TypeError ||
    (error instanceof DOMException && error.name === "TimeoutError");
}

async function attempt(
  input: FetchInput,
  init: RequestInit,
  signal: AbortSignal | undefined,
  timeout: number,
): Promise<Response> {
  const timer = new AbortController();
  const id = setTimeout(() => {
    timer.abort(
      new DOMException(
        `Request timed out after ${timeout} ms`,
        "TimeoutError",
      ),
    );
  }, timeout);
  try {
    return await fetch(input, {
      ...init,
      signal: signal === undefined
        ? timer.signal
        : AbortSignal.any([signal, timer.signal]),
    });
  } catch (error) {
    if (timer.signal.aborted && !signal?.aborted) throw timer.signal.reason;
    throw error;
  } finally {
    clearTimeout(id);
  }
}

// Retry-After is either a number of seconds or an HTTP date.
function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const id = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    function abort() {
      clearTimeout(id);
      reject(signal!.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}
