/**
 * `fetch` with the three things real code adds around it: a timeout, retries
 * that know which failures are worth retrying, and a bound on how many
 * requests run at once.
 *
 * {@linkcode fetchWithRetry} is a drop-in `fetch`: it resolves with the final
 * `Response`, whatever its status, after retrying the failures that happened
 * in transit (the connection failed, the attempt timed out) and the statuses
 * that mean "try again later", waiting with exponential backoff and full
 * jitter, or as long as the server's `Retry-After` asks. Bad input (a bad
 * header, a body on a GET, a bad option) and failures that would only repeat
 * (a redirect loop) are never retried: they reject at once.
 * {@linkcode fetchAll} fetches many URLs with at most `concurrency` in flight
 * and returns one settled result per input, in input order.
 *
 * The examples serve on 127.0.0.1 so that they run anywhere: they need
 * `--allow-net=127.0.0.1`, and a real program `--allow-net` for the hosts it
 * fetches.
 *
 * @example Fetch with a timeout and retries
 * ```ts
 * import { fetchWithRetry } from "@asincronia/asincronia/fetch";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // A local server that is busy once, then answers.
 * let requests = 0;
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => ++requests === 1 ? new Response(null, { status: 503 }) : new Response("hello"),
 * );
 *
 * const response = await fetchWithRetry(`http://127.0.0.1:${server.addr.port}/`, {
 *   timeout: 5_000,
 *   retry: { limit: 3, backoff: { base: 10 } },
 * });
 * assertEquals(await response.text(), "hello");
 * assertEquals(requests, 2); // the 503 was retried
 * ```
 *
 * @module
 */
import { unwatch, watch } from "./_abort.ts";
import {
  checkCount,
  checkOptions,
  checkSignal,
  describe,
  isListLike,
  setLongTimeout,
} from "./_util.ts";

/** What {@linkcode fetchWithRetry} and {@linkcode fetchAll} accept as a request. */
export type FetchInput = string | URL | Request;

/**
 * How long to wait between attempts when the server gives no valid
 * `Retry-After`: a random time between 0 and `min(max, base * 2 ** retry)`
 * milliseconds ("full jitter"), where `retry` counts from 0. The randomness
 * keeps many clients that failed together from coming back together.
 */
export interface BackoffOptions {
  /**
   * The ceiling of the first wait, in milliseconds; it doubles at each
   * retry. A finite number ≥ 0.
   *
   * @default {300}
   */
  base?: number;
  /**
   * The largest ceiling, in milliseconds. A number ≥ 0; `Infinity` lets the
   * ceiling double without end.
   *
   * @default {10000}
   */
  max?: number;
}

/** Which failures {@linkcode fetchWithRetry} retries, how often, and how long it waits. */
export interface RetryOptions {
  /**
   * How many times to retry after the first attempt; `0` never retries. An
   * integer ≥ 0.
   *
   * @default {2}
   */
  limit?: number;
  /**
   * The methods that may be retried, in any case. POST and PATCH are left
   * out because sending them twice may do the thing twice; add them when
   * the server makes them idempotent.
   *
   * @default {["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]}
   */
  methods?: readonly string[];
  /**
   * The response statuses that are retried (integers from 100 to 599). Any
   * other status, including every other 4xx, is returned at once.
   *
   * @default {[408, 413, 429, 500, 502, 503, 504]}
   */
  statusCodes?: readonly number[];
  /**
   * The longest wait a `Retry-After` header may impose, in milliseconds; a
   * longer one is cut down to this. A number ≥ 0; `Infinity` honours any
   * `Retry-After`, however long.
   *
   * @default {60000}
   */
  maxRetryAfter?: number;
  /**
   * The wait between attempts when no valid `Retry-After` applies: either
   * the bounds of the full-jitter exponential backoff, or a function from the
   * retry's index (0 for the first retry) to a finite number of
   * milliseconds ≥ 0.
   *
   * @default {{ base: 300, max: 10000 }}
   */
  backoff?: BackoffOptions | ((retry: number) => number);
  /**
   * Called when an attempt has failed and a retry is coming, before the
   * wait, with why it failed: for logging. What it throws is ignored.
   */
  onRetry?: (event: RetryEvent) => void;
}

/** An attempt that {@linkcode fetchWithRetry} retries because of the response's status. */
export interface RetryStatusEvent {
  /** The index of the coming retry: 0 for the first. */
  readonly retry: number;
  /** How long the wait before it lasts, in milliseconds. */
  readonly delay: number;
  /** The status of the failed response (its body already cancelled). */
  readonly status: number;
  /** Absent: a response came. */
  readonly error?: undefined;
}

/** An attempt that {@linkcode fetchWithRetry} retries because no response came. */
export interface RetryErrorEvent {
  /** The index of the coming retry: 0 for the first. */
  readonly retry: number;
  /** How long the wait before it lasts, in milliseconds. */
  readonly delay: number;
  /** Absent: no response came. */
  readonly status?: undefined;
  /**
   * Why no response came: the network error (a `TypeError`), or a
   * `TimeoutError` `DOMException` when the attempt ran out of `timeout`.
   */
  readonly error: unknown;
}

/**
 * What {@linkcode RetryOptions.onRetry} is told about a failed attempt:
 * either the `status` of the response that came, or the `error` when none
 * came. Test `status !== undefined` to tell them apart.
 */
export type RetryEvent = RetryStatusEvent | RetryErrorEvent;

/** The options of {@linkcode fetchWithRetry}: `fetch`'s own, plus `timeout` and `retry`. */
export interface FetchWithRetryInit extends RequestInit {
  /**
   * How long each attempt may wait for the response's headers, in
   * milliseconds: a number ≥ 0 (`Infinity` for none). Durations past 2³¹ ms
   * are kept whole. An attempt that runs out is aborted and counts as a
   * failure in transit. The body is not covered: read it under `signal`.
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
   * request still holds its place in the pool. Read the body here: once
   * `parse` settles, a body it did not read is cancelled.
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
 * ```ts
 * import { fetchAll, HttpError } from "@asincronia/asincronia/fetch";
 * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response("no such page", { status: 404 }),
 * );
 * const url = `http://127.0.0.1:${server.addr.port}/missing`;
 *
 * const [result] = await fetchAll([url]);
 * const reason = result?.status === "rejected" ? result.reason : undefined;
 * assert(reason instanceof HttpError);
 * assertEquals([reason.status, reason.url], [404, url]);
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
 * The request is built once, before the first attempt, with the `Request`
 * constructor: a bad header, a bad method or a body on a GET rejects at
 * once, and nothing is sent. Every option is checked the same way.
 *
 * An attempt is retried when it failed in transit — the connection could
 * not be made or broke before the response came, or the attempt ran out of
 * `timeout` — or when its status is one of `retry.statusCodes`; but only for
 * the methods in `retry.methods` (by default not POST or PATCH, which may not
 * be safe to repeat), and at most `retry.limit` times. Any other error is
 * not retried: a redirect loop, a redirect to an unsupported URL, a blocked
 * port or a missing permission would fail the same way again. Before each
 * retry it waits as long as the response's `Retry-After` says (delay-seconds,
 * a non-negative integer, or an HTTP date; capped at `retry.maxRetryAfter`),
 * or else, when there is none or it is not valid, an exponential backoff
 * with full jitter. Waits and timeouts past 2³¹ ms are kept whole.
 *
 * It resolves with the final `Response` whatever its status, as `fetch`
 * does, and cancels the body of every response it discards, so nothing is
 * left open. Aborting `signal` stops everything at once — an attempt in
 * flight or the wait between two — and rejects with `signal.reason`; it
 * also aborts the reading of the final response's body. Many calls may share
 * one signal: waiting on it costs one listener in all. When the attempts run
 * out on errors, it rejects with the last error (a `TypeError` for a network
 * error, a `TimeoutError` `DOMException` for a timeout).
 *
 * A request body is sent again on each retry; a `ReadableStream` body can be
 * sent only once, so such a request is never retried.
 *
 * @example Retry a flaky endpoint, as long as it asks
 * ```ts
 * import { fetchWithRetry } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // Twice "503, come back in 0 s", then the answer.
 * let requests = 0;
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () =>
 *     ++requests <= 2
 *       ? new Response(null, { status: 503, headers: { "retry-after": "0" } })
 *       : Response.json({ ok: true }),
 * );
 *
 * const failed: (number | undefined)[] = [];
 * const response = await fetchWithRetry(`http://127.0.0.1:${server.addr.port}/api`, {
 *   timeout: 2_000,
 *   retry: { limit: 4, onRetry: (event) => failed.push(event.status) },
 * });
 * assertEquals(await response.json(), { ok: true });
 * assertEquals(failed, [503, 503]);
 * ```
 *
 * @param input The URL or `Request` to fetch.
 * @param init `fetch`'s options, plus `timeout` and `retry`.
 * @returns The final response.
 * @throws {TypeError} If `input` is not an absolute URL or a `Request`, an
 * option has the wrong type, or the `Request` constructor refuses `init`.
 * @throws {RangeError} If `timeout` is negative or a retry option is out of
 * range; if a `backoff` function returns something other than a finite
 * number ≥ 0 (when it is called).
 */
export function fetchWithRetry(
  input: FetchInput,
  init: FetchWithRetryInit = {},
): Promise<Response> {
  try {
    const checked = checkInput(input, "input", "fetch");
    const { timeout, retry, signal, ...rest } = optionsOf(
      init,
      "init",
      "fetch",
    );
    const plan = makePlan(timeout, retry, "fetch");
    const stop = checkedSignal(signal, "fetch");
    const request = prepare(
      checked,
      rest,
      isEmpty(rest),
      stop,
      signal === null,
    );
    return send(request, plan);
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
 * A final 2xx response is passed to `parse` (by default its text); once
 * `parse` settles, a body it did not read is cancelled, so no connection is
 * left open. Any other final status becomes a rejected entry whose reason is
 * an {@linkcode HttpError} holding the status and the URL, and its body is
 * cancelled. Requests start in input order, each as soon as a place in the
 * pool frees up.
 *
 * Every input and option is checked before the first request is sent.
 * Aborting `signal` aborts the requests in flight and the ones still
 * waiting (which settle as rejected with `signal.reason`, without being
 * sent); once all have stopped, `fetchAll` rejects with `signal.reason`.
 * However many inputs share the signal, fetchAll adds at most one listener
 * to it.
 *
 * @example Fetch ten pages, four at a time
 * ```ts
 * import { fetchAll } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (request) => new Response(`page ${new URL(request.url).pathname.slice(1)}`),
 * );
 * const base = `http://127.0.0.1:${server.addr.port}`;
 * const urls = Array.from({ length: 10 }, (_, i) => `${base}/${i}`);
 *
 * let settled = 0;
 * const results = await fetchAll(urls, {
 *   concurrency: 4,
 *   timeout: 5_000,
 *   onProgress: (done) => settled = done,
 * });
 * assertEquals(results[9], { status: "fulfilled", value: "page 9" }); // input order
 * assertEquals(settled, 10);
 * ```
 *
 * @typeParam T What `parse` returns.
 * @param inputs The URLs or `Request`s to fetch: an iterable, not a string.
 * @param options Every request's options, plus `concurrency`, `parse` and `onProgress`.
 * @returns One settled result per input, in input order.
 * @throws {TypeError} If `inputs` is not an iterable, an input is not an
 * absolute URL or a `Request`, an option has the wrong type (`parse` or
 * `onProgress` not a function, …), or the `Request` constructor refuses the
 * options.
 * @throws {RangeError} If `concurrency` is not an integer from 1 to
 * `Number.MAX_SAFE_INTEGER`, `timeout`
 * is negative or a retry option is out of range.
 */
export async function fetchAll<T = string>(
  inputs: Iterable<FetchInput>,
  options: FetchAllOptions<T> = {},
): Promise<PromiseSettledResult<T>[]> {
  const what = "fetch all";
  if (!isListLike(inputs)) {
    throw new TypeError(
      `Cannot ${what} as 'inputs' must be an iterable of URLs or Requests: current value is ${
        describe(inputs)
      }`,
    );
  }
  const {
    concurrency = 6,
    parse = text as (response: Response) => T | Promise<T>,
    onProgress,
    timeout,
    retry,
    signal: given,
    ...rest
  } = optionsOf(options, "options", what);
  const refused = checkCount(concurrency, "concurrency", what);
  if (refused !== undefined) throw refused;
  checkFunction(parse, "parse", what);
  if (onProgress !== undefined) checkFunction(onProgress, "onProgress", what);
  const plan = makePlan(timeout, retry, what);
  const signal = checkedSignal(given, what);
  const bare = isEmpty(rest);
  const checked = Array.from(
    inputs,
    (input, i) => checkInput(input, `inputs[${i}]`, what),
  );
  // URLs get their Request at their turn: one weighs about 2 kB, and as the
  // options are the same for all, one trial Request checks them for every
  // URL before anything is sent. A given Request is built on at once (its
  // body moves into ours, as fetch would do), once every input passed.
  const url = checked.find((input) => !(input instanceof Request));
  if (!bare && url !== undefined) new Request(url, rest);
  const prepared = checked.map((input) =>
    input instanceof Request
      ? prepare(input, rest, bare, signal, given === null)
      : input
  );
  signal?.throwIfAborted();

  const total = prepared.length;
  const results = new Array<PromiseSettledResult<T>>(total);
  let next = 0;
  let done = 0;
  let progressError: { error: unknown } | undefined;

  const one = async (item: Prepared | string | URL): Promise<T> => {
    const request = item instanceof Prepared
      ? item
      : prepare(item, rest, bare, signal, false);
    const response = await send(request, plan);
    if (!response.ok) {
      await cancel(response);
      throw new HttpError(
        response.status,
        response.url || request.url,
        response.statusText,
      );
    }
    try {
      return await parse(response);
    } finally {
      // Whatever parse left unread would hold its connection open.
      if (!response.bodyUsed) await cancel(response);
    }
  };

  // `concurrency` workers take the inputs in order; each starts the next
  // input as soon as its last one settled. Nothing waits on the signal
  // here: the requests in flight are aborted by it, and an input whose
  // turn comes after the abort settles at once with its reason.
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      try {
        if (signal?.aborted) throw signal.reason;
        const value = await one(prepared[index]!);
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
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = Math.min(concurrency, total); i > 0; i--) workers.push(worker());
  await Promise.all(workers);
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

/**
 * The messages of a `TypeError` from `fetch` that mean "it failed in
 * transit": Deno 2 and Node ("fetch failed", the cause says what broke),
 * Chromium, Firefox and Safari. Deno 1 said "error sending request for url
 * …". A certificate the client refused is not retried either. Every other
 * `TypeError` from Deno's fetch ("Fetch failed: Maximum
 * number of redirects (20) reached", "Fetch failed: Requests to port 1 are
 * blocked", "Url scheme 'ftp' not supported", an invalid redirect URL…)
 * would fail the same way again, and is not retried.
 */
const IN_TRANSIT: ReadonlySet<string> = new Set([
  "fetch failed",
  "Failed to fetch",
  "NetworkError when attempting to fetch resource.",
  "Load failed",
]);

interface Plan {
  limit: number;
  methods: ReadonlySet<string>;
  statusCodes: ReadonlySet<number>;
  maxRetryAfter: number;
  backoff: (retry: number) => number;
  custom: boolean;
  onRetry: ((event: RetryEvent) => void) | undefined;
  timeout: number | undefined;
  what: string;
}

/** A request ready to send, built once before the first attempt. */
class Prepared {
  constructor(
    /** What each attempt passes to fetch: a URL's href, or our Request. */
    readonly target: string | Request,
    /** The URL, for HttpError. */
    readonly url: string,
    /** The method, upper-cased, to match `retry.methods`. */
    readonly method: string,
    /** Whether each attempt but the last must send a copy of the body. */
    readonly body: boolean,
    /** Whether the body is a stream the caller gave: it can be sent once. */
    readonly streamed: boolean,
    /** The caller's signal, or the given Request's. */
    readonly signal: AbortSignal | undefined,
  ) {}
}

function text(response: Response): Promise<string> {
  return response.text();
}

async function cancel(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Locked by a reader that parse still holds, or already errored.
  }
}

function isEmpty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

function optionsOf<O extends object>(value: O, name: string, what: string): O {
  const bad = checkOptions(value, what, name);
  if (bad !== undefined) throw bad;
  return value;
}

function checkFunction(value: unknown, name: string, what: string): void {
  if (typeof value !== "function") {
    throw new TypeError(
      `Cannot ${what} as '${name}' must be a function: current value is ${
        describe(value)
      }`,
    );
  }
}

function checkedSignal(
  signal: AbortSignal | null | undefined,
  what: string,
): AbortSignal | undefined {
  // fetch takes null for "no signal"; so do we.
  if (signal === null) return undefined;
  const error = checkSignal(signal, what);
  if (error !== undefined) throw error;
  return signal;
}

function checkInput(
  input: unknown,
  name: string,
  what: string,
): string | URL | Request {
  if (input instanceof URL || input instanceof Request) return input;
  if (typeof input === "string" && URL.canParse(input)) return input;
  throw new TypeError(
    `Cannot ${what} as '${name}' must be an absolute URL or a Request: current value is ${
      describe(input)
    }`,
  );
}

/**
 * Checks a number option: a `TypeError` for another type, a `RangeError`
 * when it breaks `ok`.
 */
function checkNumber(
  value: unknown,
  name: string,
  what: string,
  rule: string,
  ok: (n: number) => boolean,
): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${what} as '${name}' must be ${rule}: current value is ${
        describe(value)
      }`,
    );
  }
  if (!ok(value)) {
    throw new RangeError(
      `Cannot ${what} as '${name}' must be ${rule}: current value is ${
        describe(value)
      }`,
    );
  }
  return value;
}

const NON_NEGATIVE = "a non-negative number";
const NON_NEGATIVE_INTEGER = "a non-negative integer";
const nonNegative = (n: number) => n >= 0;
const nonNegativeInteger = (n: number) => Number.isInteger(n) && n >= 0;
const finiteNonNegative = (n: number) => Number.isFinite(n) && n >= 0;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function makePlan(timeout: unknown, retry: unknown, what: string): Plan {
  if (timeout !== undefined) {
    checkNumber(timeout, "timeout", what, NON_NEGATIVE, nonNegative);
  }
  let options: RetryOptions;
  if (retry === undefined) {
    options = {};
  } else if (typeof retry === "number") {
    options = { limit: retry };
  } else if (isRecord(retry)) {
    options = retry as RetryOptions;
  } else {
    throw new TypeError(
      `Cannot ${what} as 'retry' must be a number of retries or an object: current value is ${
        describe(retry)
      }`,
    );
  }
  const limit = checkNumber(
    options.limit ?? 2,
    "retry.limit",
    what,
    NON_NEGATIVE_INTEGER,
    nonNegativeInteger,
  );
  const maxRetryAfter = checkNumber(
    options.maxRetryAfter ?? 60_000,
    "retry.maxRetryAfter",
    what,
    NON_NEGATIVE,
    nonNegative,
  );
  const { backoff = {}, methods, statusCodes, onRetry } = options;
  let delay: (retry: number) => number;
  let custom = false;
  if (typeof backoff === "function") {
    delay = backoff;
    custom = true;
  } else if (isRecord(backoff)) {
    const base = checkNumber(
      backoff.base ?? 300,
      "retry.backoff.base",
      what,
      "a finite non-negative number",
      finiteNonNegative,
    );
    const max = checkNumber(
      backoff.max ?? 10_000,
      "retry.backoff.max",
      what,
      NON_NEGATIVE,
      nonNegative,
    );
    delay = (n) => Math.random() * Math.min(max, base * 2 ** n);
  } else {
    throw new TypeError(
      `Cannot ${what} as 'retry.backoff' must be an object or a function: current value is ${
        describe(backoff)
      }`,
    );
  }
  if (onRetry !== undefined) checkFunction(onRetry, "retry.onRetry", what);
  return {
    limit,
    methods: methods === undefined
      ? DEFAULT_METHODS
      : new Set(checkMethods(methods, what)),
    statusCodes: statusCodes === undefined
      ? DEFAULT_STATUS_CODES
      : new Set(checkStatusCodes(statusCodes, what)),
    maxRetryAfter,
    backoff: delay,
    custom,
    onRetry,
    timeout: timeout === Infinity ? undefined : timeout as number | undefined,
    what,
  };
}

function checkMethods(methods: unknown, what: string): string[] {
  if (!Array.isArray(methods)) {
    throw new TypeError(
      `Cannot ${what} as 'retry.methods' must be an array of method names: current value is ${
        describe(methods)
      }`,
    );
  }
  return methods.map((method, i) => {
    if (typeof method !== "string") {
      throw new TypeError(
        `Cannot ${what} as 'retry.methods[${i}]' must be a method name: current value is ${
          describe(method)
        }`,
      );
    }
    return method.toUpperCase();
  });
}

function checkStatusCodes(codes: unknown, what: string): number[] {
  if (!Array.isArray(codes)) {
    throw new TypeError(
      `Cannot ${what} as 'retry.statusCodes' must be an array of statuses: current value is ${
        describe(codes)
      }`,
    );
  }
  return codes.map((code, i) =>
    checkNumber(
      code,
      `retry.statusCodes[${i}]`,
      what,
      "an integer from 100 to 599",
      (n) => Number.isInteger(n) && n >= 100 && n <= 599,
    )
  );
}

/**
 * Builds the request once, before the first attempt, so that whatever the
 * `Request` constructor refuses (a bad header or method, a body on a GET, a
 * used body) fails at once, with nothing sent. A URL with nothing else to
 * send stays a string: `fetch(url)` is the cheapest call there is.
 */
function prepare(
  input: string | URL | Request,
  init: RequestInit,
  bare: boolean,
  signal: AbortSignal | undefined,
  noSignal: boolean,
): Prepared {
  if (bare && !(input instanceof Request)) {
    const url = typeof input === "string" ? input : input.href;
    return new Prepared(url, url, "GET", false, false, signal);
  }
  // The caller's signal is passed to each attempt, not kept in the
  // Request; `signal: null` drops a given Request's own signal, as in fetch.
  const request = new Request(
    input,
    noSignal ? { ...init, signal: null } : init,
  );
  return new Prepared(
    request,
    request.url,
    request.method.toUpperCase(),
    request.body !== null,
    init.body instanceof ReadableStream,
    signal ??
      (input instanceof Request && !noSignal ? input.signal : undefined),
  );
}

async function send(request: Prepared, plan: Plan): Promise<Response> {
  const { signal } = request;
  const limit = plan.methods.has(request.method) && !request.streamed
    ? plan.limit
    : 0;
  for (let retry = 0;; retry++) {
    signal?.throwIfAborted();
    const last = retry >= limit;
    let response: Response;
    try {
      response = await attempt(request, last, plan.timeout);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (last || !inTransit(error)) throw error;
      const delay = backoff(plan, retry);
      notify(plan, { retry, delay, error });
      await wait(delay, signal);
      continue;
    }
    if (last || !plan.statusCodes.has(response.status)) return response;
    const after = retryAfter(response.headers.get("retry-after"));
    await cancel(response);
    const delay = after === undefined
      ? backoff(plan, retry)
      : Math.min(after, plan.maxRetryAfter);
    notify(plan, { retry, delay, status: response.status });
    await wait(delay, signal);
  }
}

function backoff(plan: Plan, retry: number): number {
  const delay = plan.backoff(retry);
  if (plan.custom && !(typeof delay === "number" && finiteNonNegative(delay))) {
    const error = typeof delay === "number" ? RangeError : TypeError;
    throw new error(
      `Cannot ${plan.what} as 'retry.backoff' must return a finite non-negative number: current value is ${
        describe(delay)
      }`,
    );
  }
  return delay;
}

function notify(plan: Plan, event: RetryEvent): void {
  try {
    plan.onRetry?.(event);
  } catch {
    // A logging hook must not change what is retried.
  }
}

/**
 * The cause of a network error when the server did answer, in a way it would
 * answer again, or the client refused it and would again: a head too large
 * or malformed (Deno: "message head is too large", "invalid HTTP version
 * parsed", …; Node: HeadersOverflowError, HTTPParserError), or a
 * certificate the client refused.
 */
const ANSWERED =
  /message head is too large|parsed|URI too long|HeadersOverflow|HTTPParser|certificate/i;

/** A failure worth another attempt: in transit, or our own timeout. */
function inTransit(error: unknown): boolean {
  if (error instanceof TypeError) {
    const { message, cause } = error;
    if (!IN_TRANSIT.has(message) && !message.startsWith("error sending")) {
      return false;
    }
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : "";
    return !ANSWERED.test(why);
  }
  return error instanceof DOMException && error.name === "TimeoutError";
}

/**
 * One attempt. Without a timeout, the caller's signal goes to fetch as it
 * is. With one, a controller of our own aborts the attempt when the time is
 * up, combined with the caller's signal by `AbortSignal.any` (which adds no
 * listener to it: a shared signal stays cheap, and it still aborts the
 * body after the headers came).
 */
function attempt(
  request: Prepared,
  last: boolean,
  timeout: number | undefined,
): Promise<Response> {
  // A body can be read once: send a copy while more attempts may follow.
  const target = !last && request.body
    ? (request.target as Request).clone()
    : request.target;
  const { signal } = request;
  if (timeout === undefined) {
    return signal === undefined ? fetch(target) : fetch(target, { signal });
  }
  return timed(target, signal, timeout);
}

async function timed(
  target: string | Request,
  signal: AbortSignal | undefined,
  timeout: number,
): Promise<Response> {
  const timer = new AbortController();
  const clock = setLongTimeout(() => {
    timer.abort(
      new DOMException(`Request timed out after ${timeout} ms`, "TimeoutError"),
    );
  }, timeout);
  try {
    return await fetch(target, {
      signal: signal === undefined
        ? timer.signal
        : AbortSignal.any([signal, timer.signal]),
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
 * The time an HTTP-date names, in ms since the epoch, or `undefined` when
 * the text is not one. `Date.parse` is far too lenient for this: it reads
 * "-1" and "1.5" as dates.
 */
function parseHttpDate(text: string): number | undefined {
  let parts: Record<string, string> | undefined;
  for (const pattern of HTTP_DATES) {
    parts = pattern.exec(text)?.groups;
    if (parts !== undefined) break;
  }
  if (parts === undefined) return undefined;
  let year = Number(parts.year);
  if (parts.yy !== undefined) {
    // A two-digit year that would be more than 50 years ahead is in the
    // century before (RFC 9110).
    const now = new Date().getUTCFullYear();
    year = now - (now % 100) + Number(parts.yy);
    if (year > now + 50) year -= 100;
  }
  const day = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(
    year,
    MONTHS.indexOf(parts.month!) / 3,
    day,
    hour,
    minute,
    Math.min(59, second), // a leap second
  );
  // Date.UTC rolls "31 Feb" over into March: refuse it instead.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/**
 * How long a `Retry-After` asks to wait, in ms, or `undefined` when it is
 * absent or not valid (the caller then backs off as usual).
 */
function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = parseHttpDate(value);
  return date === undefined ? undefined : Math.max(0, date - Date.now());
}

/** Waits `ms` (any length), or rejects with the reason when `signal` aborts. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) {
    return new Promise((resolve) => void setLongTimeout(resolve, ms));
  }
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    // One listener per distinct signal for the whole library (see _abort.ts):
    // many requests backing off on one signal stay cheap.
    const watcher = {
      aborted(): void {
        clock.clear();
        reject(signal.reason);
      },
    };
    const clock = setLongTimeout(() => {
      unwatch(signal, watcher);
      resolve();
    }, ms);
    watch(signal, watcher);
  });
}
