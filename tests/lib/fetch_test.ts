import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "@std/assert";
import {
  fetchAll,
  type FetchAllOptions,
  fetchWithRetry,
  HttpError,
  type RetryEvent,
} from "../../lib/fetch.ts";
import { deadline as untypedDeadline } from "@std/async/deadline";
import { delay as untypedDelay } from "@std/async/delay";
import { type LessonServer, startServer } from "../../lessons/_server.ts";
import { fetchLesson } from "../../lessons/08_fetch.ts";
import { MAX_TIMEOUT } from "../../lib/_util.ts";
import { spy } from "./_abort_spy.ts";

// Every test runs against its own local server, and shuts it down, so that
// the hit counts and the peak concurrency it reports belong to that test.
async function withServer(fn: (server: LessonServer) => Promise<void>) {
  await using server = startServer();
  await fn(server);
}

// @std/assert comes untyped from npm, so `assert` does not narrow: this does.
function rejected<T>(
  result: PromiseSettledResult<T> | undefined,
): PromiseRejectedResult {
  assertEquals(result?.status, "rejected");
  return result as PromiseRejectedResult;
}

const deadline = untypedDeadline as <T>(
  p: Promise<T>,
  ms: number,
) => Promise<T>;

const delay = untypedDelay as (ms: number) => Promise<void>;

// Waits that tests want short and exact: no jitter.
const quick = (ms = 5) => () => ms;

Deno.test("fetchWithRetry() resolves with a non-retried response as fetch does", async () => {
  await withServer(async (server) => {
    const response = await fetchWithRetry(server.at("/"));
    assertEquals(response.status, 200);
    assert((await response.text()).includes("Hola"));
    assertEquals(server.hits("/"), 1);
  });
});

Deno.test("fetchWithRetry() retries every default retriable status", async (t) => {
  await withServer(async (server) => {
    for (const status of [408, 413, 429, 500, 502, 503, 504]) {
      await t.step(`status ${status}`, async () => {
        const path = `/flaky?key=s${status}&fail=1&status=${status}`;
        const response = await fetchWithRetry(server.at(path), {
          retry: { backoff: quick() },
        });
        assertEquals(response.status, 200);
        assertEquals(await response.text(), "success after 1 failures");
        assertEquals(server.hits(path), 2);
      });
    }
  });
});

Deno.test("fetchWithRetry() never retries any other 4xx", async (t) => {
  await withServer(async (server) => {
    for (const status of [400, 401, 403, 404, 409, 422]) {
      await t.step(`status ${status}`, async () => {
        const path = `/flaky?key=n${status}&fail=1&status=${status}`;
        const response = await fetchWithRetry(server.at(path), {
          retry: { backoff: quick() },
        });
        assertEquals(response.status, status);
        assertEquals(await response.text(), "failure 1");
        assertEquals(server.hits(path), 1);
      });
    }
  });
});

Deno.test("fetchWithRetry() retries twice by default and resolves with the last failure", async () => {
  await withServer(async (server) => {
    const path = "/flaky?key=a&fail=10";
    const response = await fetchWithRetry(server.at(path), {
      retry: { backoff: quick() },
    });
    assertEquals(response.status, 503);
    assertEquals(await response.text(), "failure 3");
    assertEquals(server.hits(path), 3);
  });
});

Deno.test("fetchWithRetry() takes retry as a number of retries", async (t) => {
  await withServer(async (server) => {
    await t.step("retry: 0 sends once", async () => {
      const path = "/flaky?key=zero&fail=10";
      const response = await fetchWithRetry(server.at(path), { retry: 0 });
      assertEquals(response.status, 503);
      await response.body?.cancel();
      assertEquals(server.hits(path), 1);
    });
    await t.step("retry: 4 sends up to five times", async () => {
      const path = "/flaky?key=four&fail=4";
      const response = await fetchWithRetry(server.at(path), {
        retry: { limit: 4, backoff: quick() },
      });
      assertEquals(await response.text(), "success after 4 failures");
      assertEquals(server.hits(path), 5);
    });
  });
});

Deno.test("fetchWithRetry() retries only the allowed methods", async (t) => {
  await withServer(async (server) => {
    for (const method of ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]) {
      await t.step(`${method} is retried by default`, async () => {
        const path = `/flaky?key=m${method}&fail=1`;
        const response = await fetchWithRetry(server.at(path), {
          method,
          retry: { backoff: quick() },
        });
        assertEquals(response.status, 200);
        await response.body?.cancel();
        assertEquals(server.hits(path), 2);
      });
    }
    for (const method of ["POST", "PATCH"]) {
      await t.step(`${method} is not retried by default`, async () => {
        const path = `/flaky?key=m${method}&fail=1`;
        const response = await fetchWithRetry(server.at(path), {
          method,
          body: "x",
          retry: { backoff: quick() },
        });
        assertEquals(response.status, 503);
        await response.body?.cancel();
        assertEquals(server.hits(path), 1);
      });
      await t.step(`${method} is retried when asked`, async () => {
        const path = `/flaky?key=asked${method}&fail=1`;
        const response = await fetchWithRetry(server.at(path), {
          method,
          body: "x",
          retry: { methods: [method.toLowerCase()], backoff: quick() },
        });
        assertEquals(response.status, 200);
        await response.body?.cancel();
        assertEquals(server.hits(path), 2);
      });
    }
    await t.step("a POST Request is resent with its body", async () => {
      const path = "/flaky?key=request&fail=1";
      const request = new Request(server.at(path), {
        method: "POST",
        body: "payload",
      });
      const response = await fetchWithRetry(request, {
        retry: { methods: ["POST"], backoff: quick() },
      });
      assertEquals(response.status, 200);
      await response.body?.cancel();
      assertEquals(server.hits(path), 2);
    });
  });
});

Deno.test("fetchWithRetry() retries only the given statusCodes", async () => {
  await withServer(async (server) => {
    const teapot = "/flaky?key=t&fail=1&status=418";
    const response = await fetchWithRetry(server.at(teapot), {
      retry: { statusCodes: [418], backoff: quick() },
    });
    assertEquals(response.status, 200);
    await response.body?.cancel();
    assertEquals(server.hits(teapot), 2);

    const busy = "/flaky?key=b&fail=1&status=503";
    const refused = await fetchWithRetry(server.at(busy), {
      retry: { statusCodes: [418], backoff: quick() },
    });
    assertEquals(refused.status, 503);
    await refused.body?.cancel();
    assertEquals(server.hits(busy), 1);
  });
});

Deno.test("fetchWithRetry() retries network errors", async (t) => {
  // A port that nobody listens on any more: every connection is refused.
  const gone = startServer();
  const url = gone.at("/");
  await gone.shutdown();

  await t.step("GET is retried, then rejects with the TypeError", async () => {
    const retries: number[] = [];
    const error = await assertRejects(
      () =>
        fetchWithRetry(url, {
          retry: { backoff: (n) => (retries.push(n), 1) },
        }),
      TypeError,
    );
    assert(!error.message.startsWith("Cannot fetch"), error.message);
    assertEquals(retries, [0, 1]);
  });
  await t.step("POST is not retried", async () => {
    const retries: number[] = [];
    await assertRejects(
      () =>
        fetchWithRetry(url, {
          method: "POST",
          retry: { backoff: (n) => (retries.push(n), 1) },
        }),
      TypeError,
    );
    assertEquals(retries, []);
  });
});

Deno.test("fetchWithRetry() tells onRetry about each failed attempt", async () => {
  await withServer(async (server) => {
    const events: RetryEvent[] = [];
    const response = await fetchWithRetry(
      server.at("/flaky?key=events&fail=2&status=502"),
      {
        retry: {
          backoff: (n) => 10 + n,
          onRetry: (event) => {
            events.push(event);
            throw new Error("ignored");
          },
        },
      },
    );
    assertEquals(await response.text(), "success after 2 failures");
    assertEquals(events, [
      { retry: 0, delay: 10, status: 502 },
      { retry: 1, delay: 11, status: 502 },
    ]);
    const gone = startServer();
    const url = gone.at("/");
    await gone.shutdown();
    const errors: unknown[] = [];
    await assertRejects(() =>
      fetchWithRetry(url, {
        retry: {
          limit: 1,
          backoff: quick(),
          onRetry: (e) => errors.push(e.error),
        },
      })
    );
    assertEquals(errors.length, 1);
    assertInstanceOf(errors[0], TypeError);
  });
});

Deno.test("fetchWithRetry() backs off exponentially with full jitter", async (t) => {
  const random = Math.random;
  try {
    await withServer(async (server) => {
      await t.step("the ceiling doubles from base up to max", async () => {
        // The largest draw waits the full ceiling: 40 + 80 + 100 ms.
        Math.random = () => 0.999;
        const path = "/flaky?key=jitter&fail=3";
        const start = performance.now();
        const response = await fetchWithRetry(server.at(path), {
          retry: { limit: 3, backoff: { base: 40, max: 100 } },
        });
        const elapsed = performance.now() - start;
        await response.body?.cancel();
        assertEquals(server.hits(path), 4);
        assert(elapsed >= 215, `waited only ${elapsed} ms`);
        assert(elapsed < 3000, `waited ${elapsed} ms`);
      });
      await t.step("a zero draw does not wait for the ceiling", async () => {
        Math.random = () => 0;
        const path = "/flaky?key=nojitter&fail=2";
        const start = performance.now();
        const response = await fetchWithRetry(server.at(path), {
          retry: { backoff: { base: 5_000, max: 5_000 } },
        });
        await response.body?.cancel();
        assertEquals(server.hits(path), 3);
        assert(performance.now() - start < 4_000);
      });
    });
  } finally {
    Math.random = random;
  }
});

Deno.test("fetchWithRetry() honours Retry-After", async (t) => {
  await withServer(async (server) => {
    await t.step("in seconds", async () => {
      const path = "/limited?key=s&after=1";
      const start = performance.now();
      const response = await fetchWithRetry(server.at(path), {
        retry: { backoff: quick(0) },
      });
      const elapsed = performance.now() - start;
      assertEquals(await response.text(), "allowed after 1 refusals");
      assertEquals(server.hits(path), 2);
      assert(elapsed >= 990, `retried after ${elapsed} ms`);
      assert(elapsed < 5_000, `retried after ${elapsed} ms`);
    });
    await t.step("as an HTTP date", async () => {
      // The date has a resolution of one second: 2 s ahead is more than 1 s.
      const path = "/limited?key=d&after=2&date=1";
      const start = performance.now();
      const response = await fetchWithRetry(server.at(path), {
        retry: { backoff: quick(0) },
      });
      const elapsed = performance.now() - start;
      assertEquals(response.status, 200);
      await response.body?.cancel();
      assertEquals(server.hits(path), 2);
      assert(elapsed >= 900, `retried after ${elapsed} ms`);
      assert(elapsed < 6_000, `retried after ${elapsed} ms`);
    });
    await t.step("capped at maxRetryAfter", async () => {
      const path = "/limited?key=c&after=60";
      const start = performance.now();
      const response = await fetchWithRetry(server.at(path), {
        retry: { maxRetryAfter: 50, backoff: quick(0) },
      });
      const elapsed = performance.now() - start;
      assertEquals(response.status, 200);
      await response.body?.cancel();
      assertEquals(server.hits(path), 2);
      assert(elapsed >= 45, `retried after ${elapsed} ms`);
      assert(elapsed < 5_000, `retried after ${elapsed} ms`);
    });
  });
});

Deno.test("fetchWithRetry() times out each attempt", async (t) => {
  await withServer(async (server) => {
    await t.step(
      "rejects with a TimeoutError when no retry is left",
      async () => {
        const path = "/delay?ms=10000";
        const start = performance.now();
        const error = await assertRejects(
          () => fetchWithRetry(server.at(path), { timeout: 50, retry: 0 }),
          DOMException,
        );
        assertEquals(error.name, "TimeoutError");
        assert(performance.now() - start < 5_000);
        assertEquals(server.hits(path), 1);
      },
    );
    await t.step("retries an attempt that timed out", async () => {
      const path = "/delay?ms=10000";
      server.resetStats();
      const error = await assertRejects(
        () =>
          fetchWithRetry(server.at(path), {
            timeout: 50,
            retry: { limit: 2, backoff: quick() },
          }),
        DOMException,
      );
      assertEquals(error.name, "TimeoutError");
      assertEquals(server.hits(path), 3);
    });
    await t.step("lets a fast enough answer through", async () => {
      const response = await fetchWithRetry(server.at("/delay?ms=10"), {
        timeout: 5_000,
      });
      assertEquals(await response.text(), "waited 10 ms");
    });
  });
});

Deno.test("fetchWithRetry() stops at once when its signal aborts", async (t) => {
  await withServer(async (server) => {
    await t.step("during the backoff wait", async () => {
      const controller = new AbortController();
      const reason = new Error("stop");
      const path = "/flaky?key=abort&fail=10";
      const start = performance.now();
      const promise = fetchWithRetry(server.at(path), {
        signal: controller.signal,
        retry: {
          backoff: () => {
            // Abort once the wait has begun; the wait is far longer than the test.
            setTimeout(() => controller.abort(reason), 0);
            return 60_000;
          },
        },
      });
      const error = await assertRejects(() => promise);
      assertEquals(error, reason);
      assert(performance.now() - start < 5_000);
      assertEquals(server.hits(path), 1);
    });
    await t.step("during Retry-After", async () => {
      const controller = new AbortController();
      const path = "/limited?key=abort&after=60";
      const promise = fetchWithRetry(server.at(path), {
        signal: controller.signal,
        retry: { backoff: quick(0) },
      });
      const start = performance.now();
      setTimeout(() => controller.abort(), 100);
      const error = await assertRejects(() => promise, DOMException);
      assertEquals(error.name, "AbortError");
      assert(performance.now() - start < 5_000);
      assertEquals(server.hits(path), 1);
    });
    await t.step("during a request", async () => {
      const path = "/delay?ms=10000";
      const error = await assertRejects(
        () =>
          fetchWithRetry(server.at(path), {
            signal: AbortSignal.timeout(50),
            timeout: 5_000,
          }),
        DOMException,
      );
      assertEquals(error.name, "TimeoutError");
      assertEquals(server.hits(path), 1);
    });
    await t.step("before anything is sent", async () => {
      server.resetStats();
      const reason = new Error("already");
      await assertRejects(
        () =>
          fetchWithRetry(server.at("/"), { signal: AbortSignal.abort(reason) }),
        Error,
        "already",
      );
      assertEquals(server.hits(), 0);
    });
  });
});

Deno.test("fetchWithRetry() rejects bad input before sending anything", async (t) => {
  await withServer(async (server) => {
    await t.step("an invalid URL", async () => {
      await assertRejects(
        () => fetchWithRetry("not a url"),
        TypeError,
        `Cannot fetch as 'input' must be an absolute URL or a Request: current value is "not a url"`,
      );
    });
    await t.step("a negative timeout", async () => {
      await assertRejects(
        () => fetchWithRetry(server.at("/"), { timeout: -1 }),
        RangeError,
        "Cannot fetch as 'timeout' must be a non-negative number: current value is -1",
      );
    });
    await t.step("a bad retry limit", async () => {
      await assertRejects(
        () => fetchWithRetry(server.at("/"), { retry: 1.5 }),
        RangeError,
        "Cannot fetch as 'retry.limit' must be a non-negative integer: current value is 1.5",
      );
      await assertRejects(
        () => fetchWithRetry(server.at("/"), { retry: { maxRetryAfter: -5 } }),
        RangeError,
        "'retry.maxRetryAfter'",
      );
    });
    assertEquals(server.hits(), 0);
  });
});

Deno.test("fetchWithRetry() and fetchAll() cancel every body they discard", async (t) => {
  // Each failure below streams a body for ten seconds. The server stays busy
  // until the client cancels it, so idle() only resolves in time if every
  // discarded body was cancelled.
  await withServer(async (server) => {
    await t.step("retried statuses", async () => {
      const response = await fetchWithRetry(
        server.at("/flaky?key=s&fail=2&stream=1000"),
        { retry: { backoff: quick() } },
      );
      assertEquals(await response.text(), "success after 2 failures");
      await deadline(server.idle(), 3_000);
    });
    await t.step("a Retry-After refusal", async () => {
      const response = await fetchWithRetry(
        server.at("/limited?key=r&after=0&stream=1000"),
      );
      assertEquals(response.status, 200);
      await response.body?.cancel();
      await deadline(server.idle(), 3_000);
    });
    await t.step("fetchAll's non-2xx entries", async () => {
      const results = await fetchAll(
        [server.at("/flaky?key=all&fail=5&stream=1000&status=404")],
      );
      assertInstanceOf(rejected(results[0]).reason, HttpError);
      await deadline(server.idle(), 3_000);
    });
    await t.step("fetchAll's parse failures", async () => {
      const results = await fetchAll([server.at("/file?bytes=100&ms=5000")], {
        parse: () => Promise.reject(new Error("no thanks")),
      });
      assertEquals(rejected(results[0]).reason.message, "no thanks");
      await deadline(server.idle(), 3_000);
    });
  });
});

Deno.test("HttpError holds the status, the status text and the URL", () => {
  const error = new HttpError(404, "http://127.0.0.1/x", "Not Found");
  assertInstanceOf(error, Error);
  assertEquals(error.name, "HttpError");
  assertEquals(error.status, 404);
  assertEquals(error.statusText, "Not Found");
  assertEquals(error.url, "http://127.0.0.1/x");
  assertEquals(
    error.message,
    "Request to http://127.0.0.1/x failed with status 404 Not Found",
  );
});

Deno.test("fetchAll() returns settled results in input order", async () => {
  await withServer(async (server) => {
    // The first input answers last: the order of results is the inputs'.
    const paths = [
      "/delay?ms=150",
      "/delay?ms=10",
      "/status?code=404",
      "/",
      "/delay?ms=60",
    ];
    const results = await fetchAll(paths.map((p) => server.at(p)));
    assertEquals(results.length, 5);
    assertEquals(results[0], { status: "fulfilled", value: "waited 150 ms" });
    assertEquals(results[1], { status: "fulfilled", value: "waited 10 ms" });
    const failed = rejected(results[2]);
    assertInstanceOf(failed.reason, HttpError);
    assertEquals(failed.reason.status, 404);
    assertEquals(failed.reason.url, server.at("/status?code=404"));
    assert(results[3]!.status === "fulfilled");
    assertEquals(results[4], { status: "fulfilled", value: "waited 60 ms" });
  });
});

Deno.test("fetchAll() keeps at most `concurrency` requests in flight", async (t) => {
  await withServer(async (server) => {
    await t.step("concurrency: 3", async () => {
      server.resetStats();
      const urls = Array.from(
        { length: 10 },
        (_, i) => server.at(`/delay?ms=200&i=${i}`),
      );
      const results = await fetchAll(urls, { concurrency: 3 });
      assert(results.every((r) => r.status === "fulfilled"));
      assertEquals(server.hits(), 10);
      assertEquals(server.peak, 3);
    });
    await t.step("requests start in input order", async () => {
      server.resetStats();
      const paths = [3, 1, 4, 1, 5].map((n, i) => `/delay?ms=${n * 10}&o=${i}`);
      await fetchAll(paths.map((p) => server.at(p)), { concurrency: 1 });
      assertEquals(server.requests, paths);
      assertEquals(server.peak, 1);
    });
    await t.step("the default is 6", async () => {
      server.resetStats();
      const urls = Array.from(
        { length: 14 },
        (_, i) => server.at(`/delay?ms=200&j=${i}`),
      );
      await fetchAll(urls);
      assertEquals(server.peak, 6);
    });
    await t.step("a slow body keeps its place until parsed", async () => {
      server.resetStats();
      const urls = Array.from(
        { length: 4 },
        (_, i) => server.at(`/file?bytes=400&ms=100&chunks=4&k=${i}`),
      );
      const results = await fetchAll(urls, {
        concurrency: 2,
        parse: async (r) => (await r.bytes()).length,
      });
      assertEquals(
        results.map((r) => r.status === "fulfilled" && r.value),
        [400, 400, 400, 400],
      );
      assertEquals(server.peak, 2);
    });
  });
});

Deno.test("fetchAll() retries like fetchWithRetry", async () => {
  await withServer(async (server) => {
    const flaky = "/flaky?key=all&fail=1";
    const broken = "/flaky?key=broken&fail=10";
    const results = await fetchAll([server.at(flaky), server.at(broken)], {
      retry: { limit: 1, backoff: quick() },
    });
    assertEquals(results[0], {
      status: "fulfilled",
      value: "success after 1 failures",
    });
    const failed = rejected(results[1]);
    assertInstanceOf(failed.reason, HttpError);
    assertEquals(failed.reason.status, 503);
    assertEquals(server.hits(flaky), 2);
    assertEquals(server.hits(broken), 2);
  });
});

Deno.test("fetchAll() applies the timeout to each request", async () => {
  await withServer(async (server) => {
    const slow = "/delay?ms=10000";
    const results = await fetchAll([server.at(slow), server.at("/")], {
      timeout: 50,
      retry: { limit: 1, backoff: quick() },
    });
    const reason = rejected(results[0]).reason;
    assertInstanceOf(reason, DOMException);
    assertEquals(reason.name, "TimeoutError");
    assertEquals(results[1]!.status, "fulfilled");
    assertEquals(server.hits(slow), 2);
  });
});

Deno.test("fetchAll() parses with `parse` and reports progress", async (t) => {
  await withServer(async (server) => {
    await t.step("parse turns a response into the result", async () => {
      const results = await fetchAll([server.at("/file?bytes=64&ms=1")], {
        parse: async (response) => ({
          type: response.headers.get("content-type"),
          size: (await response.bytes()).length,
        }),
      });
      assertEquals(results, [{
        status: "fulfilled",
        value: { type: "application/octet-stream", size: 64 },
      }]);
    });
    await t.step("a parse failure is a rejected entry", async () => {
      // The body is never read; fetchAll cancels it (the sanitizers check).
      const results = await fetchAll([server.at("/"), server.at("/")], {
        parse: () => {
          throw new SyntaxError("bad page");
        },
      });
      assertEquals(results.map((r) => r.status), ["rejected", "rejected"]);
      const first = results[0] as PromiseRejectedResult;
      assertInstanceOf(first.reason, SyntaxError);
    });
    await t.step(
      "an onProgress that throws rejects fetchAll at the end",
      async () => {
        server.resetStats();
        const error = await assertRejects(() =>
          fetchAll([server.at("/"), server.at("/delay?ms=50")], {
            onProgress: () => {
              throw new Error("bad callback");
            },
          })
        );
        assertEquals((error as Error).message, "bad callback");
        assertEquals(server.hits(), 2);
        assertEquals(server.inFlight, 0);
      },
    );
    await t.step("onProgress counts settled requests", async () => {
      const calls: [number, number][] = [];
      const urls = [
        server.at("/"),
        server.at("/status?code=500"),
        server.at("/"),
      ];
      await fetchAll(urls, {
        retry: 0,
        onProgress: (done, total) => calls.push([done, total]),
      });
      assertEquals(calls, [[1, 3], [2, 3], [3, 3]]);
    });
  });
});

Deno.test("fetchAll() rejects with the signal's reason once every request stopped", async () => {
  await withServer(async (server) => {
    const controller = new AbortController();
    const reason = new Error("enough");
    const urls = Array.from(
      { length: 8 },
      (_, i) => server.at(`/delay?ms=10000&i=${i}`),
    );
    const options: FetchAllOptions = {
      concurrency: 2,
      signal: controller.signal,
    };
    const promise = fetchAll(urls, options);
    setTimeout(() => controller.abort(reason), 100);
    const start = performance.now();
    const error = await assertRejects(() => promise);
    assertEquals(error, reason);
    assert(performance.now() - start < 5_000);
    assertEquals(server.hits(), 2);
  });
});

Deno.test("fetchAll() rejects bad input before sending anything", async (t) => {
  await withServer(async (server) => {
    const urls = [server.at("/"), server.at("/")];
    for (const concurrency of [0, -1, 1.5, NaN]) {
      await t.step(`concurrency ${concurrency}`, async () => {
        await assertRejects(
          () => fetchAll(urls, { concurrency }),
          RangeError,
          `Cannot fetch all as 'concurrency' must be a positive integer: current value is ${concurrency}`,
        );
      });
    }
    for (
      const [concurrency, shown] of [[2 ** 53, "9007199254740992"], [
        1e300,
        "1e+300",
      ]] as const
    ) {
      await t.step(
        `concurrency ${shown}: past Number.MAX_SAFE_INTEGER`,
        async () => {
          await assertRejects(
            () => fetchAll(urls, { concurrency }),
            RangeError,
            `Cannot fetch all as 'concurrency' must be at most Number.MAX_SAFE_INTEGER (9007199254740991): current value is ${shown}`,
          );
        },
      );
    }
    await t.step("an invalid URL among valid ones", async () => {
      await assertRejects(
        () => fetchAll([...urls, "/relative"]),
        TypeError,
        `Cannot fetch all as 'inputs[2]' must be an absolute URL or a Request: current value is "/relative"`,
      );
    });
    await t.step("a parse that is not a function", async () => {
      await assertRejects(
        () => fetchAll(urls, { parse: "json" as unknown as () => string }),
        TypeError,
        `Cannot fetch all as 'parse' must be a function: current value is "json"`,
      );
    });
    await t.step("a negative timeout", async () => {
      await assertRejects(
        () => fetchAll(urls, { timeout: -10 }),
        RangeError,
        "Cannot fetch all as 'timeout' must be a non-negative number: current value is -10",
      );
    });
    assertEquals(server.hits(), 0);
  });
});

// A server of the test's own, for what the lesson server cannot say: a
// redirect loop, any Retry-After. It counts the requests it answered.
async function withRoutes(
  handler: (request: Request) => Response | Promise<Response>,
  fn: (at: (path: string) => string, hits: () => number) => Promise<void>,
) {
  let hits = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => (hits++, handler(request)),
  );
  try {
    await fn(
      (path) => `http://127.0.0.1:${server.addr.port}${path}`,
      () => hits,
    );
  } finally {
    await server.shutdown();
  }
}

/** Records the delay of every setTimeout while `fn` runs. */
async function recordTimers(fn: () => Promise<void>): Promise<number[]> {
  const delays: number[] = [];
  const original = globalThis.setTimeout;
  globalThis.setTimeout = ((callback: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return original(callback, ms);
  }) as typeof setTimeout;
  try {
    await fn();
  } finally {
    globalThis.setTimeout = original;
  }
  return delays;
}

Deno.test("fetchWithRetry() builds the request once: bad input fails at once, unsent", async (t) => {
  await withServer(async (server) => {
    const url = server.at("/");
    const cases: [string, () => Promise<Response>, string][] = [
      [
        "an invalid header name",
        () => fetchWithRetry(url, { headers: { "a b": "1" }, retry }),
        "Invalid header name",
      ],
      [
        "a body on a GET",
        () => fetchWithRetry(url, { method: "GET", body: "x", retry }),
        "cannot have body",
      ],
      [
        "an invalid method",
        () => fetchWithRetry(url, { method: "GE T", retry }),
        "Method is not valid",
      ],
      [
        "a Request whose body was used",
        async () => {
          const request = new Request(url, { method: "PUT", body: "x" });
          await request.text();
          return fetchWithRetry(request, { retry });
        },
        "unusable",
      ],
    ];
    const backoffs: number[] = [];
    const retry = { backoff: (n: number) => (backoffs.push(n), 1) };
    for (const [name, call, message] of cases) {
      await t.step(name, async () => {
        await assertRejects(call, TypeError, message);
        assertEquals(backoffs, []);
      });
    }
    assertEquals(server.hits(), 0);
  });
});

Deno.test("fetchWithRetry() never retries what would fail again", async (t) => {
  await withRoutes(
    (request) =>
      new URL(request.url).pathname === "/loop"
        ? new Response(null, { status: 302, headers: { location: "/loop" } })
        : new Response(null, {
          status: 302,
          headers: { location: "ftp://x/" },
        }),
    async (at, hits) => {
      const backoffs: number[] = [];
      const retry = { backoff: (n: number) => (backoffs.push(n), 1) };
      await t.step("a redirect loop: 1 request and 20 redirects", async () => {
        await assertRejects(
          () => fetchWithRetry(at("/loop"), { retry }),
          TypeError,
          "Maximum number of redirects",
        );
        assertEquals(hits(), 21);
      });
      await t.step("a redirect to a non-HTTP URL", async () => {
        await assertRejects(
          () => fetchWithRetry(at("/ftp"), { retry }),
          TypeError,
          "non HTTP",
        );
        assertEquals(hits(), 22);
      });
      await t.step("a blocked port", async () => {
        await assertRejects(
          () => fetchWithRetry("http://127.0.0.1:1/", { retry }),
          TypeError,
          "blocked",
        );
      });
      assertEquals(backoffs, []);
    },
  );
});

// A self-signed certificate for 127.0.0.1 (test only; valid until 2125),
// which the client refuses: a TLS server it can never trust.
const SELF_SIGNED = {
  cert: `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIUMaVqo240d/+D0oMma7E7+81wQwEwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzE5NDMyN1oYDzIxMjYxMTAz
MTk0MzI3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASxCj2yrSiyQtz42ZmbPRGCasoUCNl/7iuraYQcXwnjoEPsBOR1+jY9
284lqaPgKNNb1v0JfiL7udGpPOlkzyL6o1MwUTAdBgNVHQ4EFgQUZPGoaQLXi5KX
WwzibIQUzYQomW8wHwYDVR0jBBgwFoAUZPGoaQLXi5KXWwzibIQUzYQomW8wDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA5l1H7NaUUz+5KKVZkqvJ
aXRYqNy+hbScXPQja9F4oAYCIAba7zTm3unsGtOWXAVh6HGoh/MhfT3Z3h09/534
xlsC
-----END CERTIFICATE-----`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgr+mIBcsBtyZQoW5N
OYKcErB+Ntxd1YukBvrSMnOdILihRANCAASxCj2yrSiyQtz42ZmbPRGCasoUCNl/
7iuraYQcXwnjoEPsBOR1+jY9284lqaPgKNNb1v0JfiL7udGpPOlkzyL6
-----END PRIVATE KEY-----`,
};

Deno.test("fetchWithRetry() never retries a certificate it refused", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, ...SELF_SIGNED },
    () => new Response("never trusted"),
  );
  try {
    const backoffs: number[] = [];
    const error = await assertRejects(
      () =>
        fetchWithRetry(`https://127.0.0.1:${server.addr.port}/`, {
          retry: { backoff: (n) => (backoffs.push(n), 1) },
        }),
      TypeError,
    );
    assert(String(error.cause).includes("certificate"), String(error.cause));
    assertEquals(backoffs, []);
  } finally {
    await server.shutdown();
  }
});

/**
 * A raw TCP server that reads each request and answers with `answer` (or
 * hangs up without a word when it is empty), counting the connections.
 */
async function withRawServer(
  answer: string,
  fn: (url: string, connections: () => number) => Promise<void>,
) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const accepting = (async () => {
    for await (const connection of listener) {
      connections++;
      await connection.read(new Uint8Array(4096));
      if (answer !== "") {
        await connection.write(new TextEncoder().encode(answer)).catch(
          () => {},
        );
      }
      connection.close();
    }
  })();
  try {
    await fn(`http://127.0.0.1:${listener.addr.port}/`, () => connections);
  } finally {
    listener.close();
    await accepting;
  }
}

Deno.test("fetchWithRetry() never retries an answer the client refuses to read", async (t) => {
  // The server did answer, and would answer the same way again.
  const heads: [string, string][] = [
    ["a head of 1 MiB", `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(1 << 20)}\r\n`],
    [
      "20,000 header lines",
      "HTTP/1.1 200 OK\r\n" + "x-h: 1\r\n".repeat(20_000),
    ],
    ["a malformed status line", "HTTP/9.9 200 OK\r\n"],
    ["a malformed header", "HTTP/1.1 200 OK\r\nno colon here\r\n"],
  ];
  for (const [name, head] of heads) {
    await t.step(name, async () => {
      await withRawServer(
        `${head}content-length: 2\r\n\r\nok`,
        async (url, connections) => {
          const backoffs: number[] = [];
          await assertRejects(
            () =>
              fetchWithRetry(url, {
                retry: { backoff: (n) => (backoffs.push(n), 1) },
              }),
            TypeError,
          );
          assertEquals([connections(), backoffs], [1, []]);
        },
      );
    });
  }
});

Deno.test("fetchWithRetry() retries a connection that breaks before the answer", async () => {
  // A raw TCP server that reads the request and hangs up without a word.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const accepting = (async () => {
    for await (const connection of listener) {
      connections++;
      await connection.read(new Uint8Array(4096));
      connection.close();
    }
  })();
  try {
    const errors: unknown[] = [];
    const error = await assertRejects(
      () =>
        fetchWithRetry(`http://127.0.0.1:${listener.addr.port}/`, {
          retry: { backoff: quick(1), onRetry: (e) => errors.push(e.error) },
        }),
      TypeError,
    );
    assertEquals(error.message, "fetch failed");
    assertEquals(errors.length, 2);
    assert(connections >= 3, `${connections} connections`);
  } finally {
    listener.close();
    await accepting;
  }
});

// The first request of each key is refused with `Retry-After: <v>`; the next
// one succeeds.
function refuseOnce(): (request: Request) => Response {
  const seen = new Set<string>();
  return (request) => {
    const query = new URL(request.url).searchParams;
    const key = query.get("k") ?? "";
    if (seen.has(key)) return new Response("ok");
    seen.add(key);
    return new Response("busy", {
      status: 503,
      headers: { "retry-after": query.get("v") ?? "" },
    });
  };
}

Deno.test("fetchWithRetry() takes Retry-After only as delay-seconds or an HTTP date", async (t) => {
  await withRoutes(refuseOnce(), async (at) => {
    let key = 0;
    // What onRetry is told, and which retries backed off, for one value.
    const retryAfter = async (value: string, maxRetryAfter = 60_000) => {
      const backoffs: number[] = [];
      const events: RetryEvent[] = [];
      const controller = new AbortController();
      const url = at(`/?k=${key++}&v=${encodeURIComponent(value)}`);
      await fetchWithRetry(url, {
        signal: controller.signal,
        retry: {
          maxRetryAfter,
          backoff: (n) => (backoffs.push(n), 7),
          onRetry: (event) => {
            events.push(event);
            // What it would wait is all we need: stop before the wait.
            if (event.delay > 1_000) controller.abort();
          },
        },
      }).then(
        (response) => response.body?.cancel(),
        (error) => assertEquals(error.name, "AbortError"),
      );
      assertEquals(events.length, 1);
      return { delay: events[0]!.delay, backoffs };
    };
    for (const value of ["-1", "-5", "1.5", "1e3", "+3", "0x10", "soon", ""]) {
      await t.step(
        `${JSON.stringify(value)} is invalid: back off`,
        async () => {
          assertEquals(await retryAfter(value), { delay: 7, backoffs: [0] });
        },
      );
    }
    await t.step("delay-seconds, however large", async () => {
      assertEquals(await retryAfter("0"), { delay: 0, backoffs: [] });
      assertEquals(await retryAfter("3000000", Infinity), {
        delay: 3e9,
        backoffs: [],
      });
    });
    await t.step("the three forms of an HTTP date", async () => {
      for (
        const past of [
          "Sun, 06 Nov 1994 08:49:37 GMT",
          "Sunday, 06-Nov-94 08:49:37 GMT",
          "Sun Nov  6 08:49:37 1994",
        ]
      ) {
        assertEquals(await retryAfter(past), { delay: 0, backoffs: [] });
      }
      const hour = new Date(Date.now() + 3_600_000);
      const asctime = hour.toUTCString().replace(
        /^(\w+), (\d+) (\w+) (\d+) (\S+) GMT$/,
        (_, day, date, month, year, time) =>
          `${day} ${month} ${date.padStart(2, " ")} ${time} ${year}`,
      );
      for (const future of [hour.toUTCString(), asctime]) {
        const { delay, backoffs } = await retryAfter(future, Infinity);
        assert(delay > 3_597_000 && delay <= 3_600_000, `${future}: ${delay}`);
        assertEquals(backoffs, []);
      }
    });
    await t.step("a date that does not exist is invalid", async () => {
      assertEquals(await retryAfter("Thu, 31 Feb 1994 08:49:37 GMT"), {
        delay: 7,
        backoffs: [0],
      });
    });
  });
});

Deno.test("fetchWithRetry() keeps durations past 2^31 ms", async (t) => {
  await withServer(async (server) => {
    await t.step(
      "a timeout of 30 days lets a 100 ms answer through",
      async () => {
        const delays = await recordTimers(async () => {
          const response = await fetchWithRetry(server.at("/delay?ms=100"), {
            timeout: 30 * 24 * 3_600_000,
            retry: 0,
          });
          assertEquals(await response.text(), "waited 100 ms");
        });
        // The timer was armed for the longest setTimeout allows, not wrapped.
        assert(delays.includes(MAX_TIMEOUT), String(delays));
        assert(delays.every((ms) => ms <= MAX_TIMEOUT), String(delays));
      },
    );
    await t.step("a Retry-After of 3,000,000 s is waited", async () => {
      const path = "/limited?key=long&after=3000000";
      const controller = new AbortController();
      const told = Promise.withResolvers<RetryEvent>();
      let promise: Promise<Response> | undefined;
      const delays = await recordTimers(async () => {
        promise = fetchWithRetry(server.at(path), {
          signal: controller.signal,
          retry: { maxRetryAfter: Infinity, onRetry: told.resolve },
        });
        assertEquals((await told.promise).delay, 3e9);
      });
      // Nothing may happen for a long while: give a wrapped timer the time
      // to fire (it would after about 1 ms), then stop waiting.
      await delay(200);
      assertEquals(server.hits(path), 1);
      controller.abort(new Error("enough"));
      await assertRejects(() => promise!, Error, "enough");
      assert(delays.includes(MAX_TIMEOUT), String(delays));
      assert(delays.every((ms) => ms <= MAX_TIMEOUT), String(delays));
    });
  });
});

Deno.test("fetchAll() cancels every body that parse leaves unread", async () => {
  await withServer(async (server) => {
    // Each body takes five seconds to arrive: the server is idle within
    // three only if every one was cancelled.
    const urls = Array.from(
      { length: 6 },
      (_, i) => server.at(`/file?bytes=1000&ms=5000&chunks=10&u=${i}`),
    );
    const results = await fetchAll(urls, {
      concurrency: 3,
      parse: (response) => response.status,
    });
    assertEquals(results.map((r) => r.status === "fulfilled" && r.value), [
      200,
      200,
      200,
      200,
      200,
      200,
    ]);
    await deadline(server.idle(), 3_000);
  });
});

Deno.test("fetchWithRetry() and fetchAll() check every option before sending", async (t) => {
  await withServer(async (server) => {
    const url = server.at("/");
    type Init = Parameters<typeof fetchWithRetry>[1];
    const bad = (init: unknown) => init as Init;
    const cases: [string, unknown, ErrorConstructor, string][] = [
      ["init", 42, TypeError, "'init' must be an object: current value is 42"],
      [
        "timeout",
        { timeout: "5" },
        TypeError,
        `'timeout' must be a non-negative number: current value is "5"`,
      ],
      [
        "timeout",
        { timeout: NaN },
        RangeError,
        "'timeout' must be a non-negative number: current value is NaN",
      ],
      [
        "retry",
        { retry: "3" },
        TypeError,
        `'retry' must be a number of retries or an object: current value is "3"`,
      ],
      [
        "retry",
        { retry: [3] },
        TypeError,
        "'retry' must be a number of retries or an object: current value is an array of 1 item",
      ],
      [
        "retry",
        { retry: -1 },
        RangeError,
        "'retry.limit' must be a non-negative integer: current value is -1",
      ],
      [
        "retry.limit",
        { retry: { limit: "2" } },
        TypeError,
        `'retry.limit' must be a non-negative integer: current value is "2"`,
      ],
      [
        "retry.limit",
        { retry: { limit: Infinity } },
        RangeError,
        "'retry.limit' must be a non-negative integer: current value is Infinity",
      ],
      [
        "retry.onRetry",
        { retry: { onRetry: 42 } },
        TypeError,
        "'retry.onRetry' must be a function: current value is 42",
      ],
      [
        "retry.statusCodes",
        { retry: { statusCodes: "500" } },
        TypeError,
        `'retry.statusCodes' must be an array of statuses: current value is "500"`,
      ],
      [
        "retry.statusCodes",
        { retry: { statusCodes: [500, "503"] } },
        TypeError,
        `'retry.statusCodes[1]' must be an integer from 100 to 599: current value is "503"`,
      ],
      [
        "retry.statusCodes",
        { retry: { statusCodes: [500, 99] } },
        RangeError,
        "'retry.statusCodes[1]' must be an integer from 100 to 599: current value is 99",
      ],
      [
        "retry.methods",
        { retry: { methods: "GET" } },
        TypeError,
        `'retry.methods' must be an array of method names: current value is "GET"`,
      ],
      [
        "retry.methods",
        { retry: { methods: ["GET", 1] } },
        TypeError,
        "'retry.methods[1]' must be a method name: current value is 1",
      ],
      [
        "retry.maxRetryAfter",
        { retry: { maxRetryAfter: "1" } },
        TypeError,
        `'retry.maxRetryAfter' must be a non-negative number: current value is "1"`,
      ],
      [
        "retry.backoff",
        { retry: { backoff: 100 } },
        TypeError,
        "'retry.backoff' must be an object or a function: current value is 100",
      ],
      [
        "retry.backoff.base",
        { retry: { backoff: { base: -1 } } },
        RangeError,
        "'retry.backoff.base' must be a finite non-negative number: current value is -1",
      ],
      [
        "retry.backoff.base",
        { retry: { backoff: { base: Infinity } } },
        RangeError,
        "'retry.backoff.base' must be a finite non-negative number: current value is Infinity",
      ],
      [
        "retry.backoff.max",
        { retry: { backoff: { max: "9" } } },
        TypeError,
        `'retry.backoff.max' must be a non-negative number: current value is "9"`,
      ],
      [
        "signal",
        { signal: {} },
        TypeError,
        "'signal' must be an AbortSignal: current value is an empty object",
      ],
      [
        "signal",
        { signal: { aborted: false } },
        TypeError,
        "'signal' must be an AbortSignal: current value is an object { aborted }",
      ],
    ];
    for (const [name, init, type, message] of cases) {
      await t.step(
        `fetchWithRetry: ${name} ${describeCase(init)}`,
        async () => {
          await assertRejects(
            () => fetchWithRetry(url, bad(init)),
            type,
            `Cannot fetch as ${message}`,
          );
        },
      );
      if (name === "init") continue;
      await t.step(`fetchAll: ${name} ${describeCase(init)}`, async () => {
        await assertRejects(
          () => fetchAll([url], bad(init) as FetchAllOptions),
          type,
          `Cannot fetch all as ${message}`,
        );
      });
    }
    const all = (inputs: unknown, options?: unknown) => () =>
      fetchAll(inputs as string[], options as FetchAllOptions);
    await t.step("fetchAll: inputs that are not an iterable", async () => {
      for (
        const [inputs, shown] of [
          [42, "42"],
          [null, "null"],
          [url, `"${url}"`],
          [new String(url), "a String"],
          [{}, "an empty object"],
        ]
      ) {
        await assertRejects(
          all(inputs),
          TypeError,
          `Cannot fetch all as 'inputs' must be an iterable of URLs or Requests: current value is ${shown}`,
        );
      }
    });
    await t.step("fetchAll: options that are not an object", async () => {
      await assertRejects(
        all([url], 42),
        TypeError,
        "Cannot fetch all as 'options' must be an object: current value is 42",
      );
    });
    await t.step("fetchAll: concurrency, onProgress", async () => {
      await assertRejects(
        all([url], { concurrency: "2" }),
        TypeError,
        `'concurrency' must be a number: current value is "2"`,
      );
      await assertRejects(
        all([url], { onProgress: 1 }),
        TypeError,
        "'onProgress' must be a function: current value is 1",
      );
    });
    await t.step(
      "fetchAll: headers the Request constructor refuses",
      async () => {
        await assertRejects(
          all([url, url], { headers: { "a b": "1" } }),
          TypeError,
          "Invalid header name",
        );
        await assertRejects(
          all([url], { method: "HEAD", body: "x" }),
          TypeError,
          "cannot have body",
        );
      },
    );
    assertEquals(server.hits(), 0);
  });
});

function describeCase(init: unknown): string {
  return JSON.stringify(
    init,
    (_, v) => typeof v === "number" && !Number.isFinite(v) ? String(v) : v,
  ) ?? String(init);
}

Deno.test("fetchWithRetry() accepts a backoff function only while it returns a wait", async () => {
  await withServer(async (server) => {
    for (
      const [value, type] of [[-1, RangeError], [NaN, RangeError], [
        Infinity,
        RangeError,
      ], ["5", TypeError]] as const
    ) {
      const path = `/flaky?key=fn${String(value)}&fail=1`;
      await assertRejects(
        () =>
          fetchWithRetry(server.at(path), {
            retry: { backoff: () => value as number },
          }),
        type,
        `Cannot fetch as 'retry.backoff' must return a finite non-negative number: current value is ${
          typeof value === "string" ? `"${value}"` : value
        }`,
      );
      assertEquals(server.hits(path), 1);
    }
  });
});

Deno.test("fetchWithRetry() tells onRetry about a timed out attempt", async () => {
  await withServer(async (server) => {
    const events: RetryEvent[] = [];
    await assertRejects(
      () =>
        fetchWithRetry(server.at("/delay?ms=10000"), {
          timeout: 30,
          retry: {
            limit: 1,
            backoff: quick(1),
            onRetry: (e) => events.push(e),
          },
        }),
      DOMException,
    );
    assertEquals(events.length, 1);
    const [event] = events;
    assertEquals(event!.status, undefined);
    assertInstanceOf(event!.error, DOMException);
    assertEquals((event!.error as DOMException).name, "TimeoutError");
  });
});

Deno.test("lesson 08 prints why each attempt failed, a status or an error", async () => {
  await using server = startServer();
  // The lesson's flaky route answers after ten seconds here: every attempt
  // of the retry times out.
  const slow: LessonServer = Object.create(server, {
    at: {
      value: (path: string) =>
        server.at(path.startsWith("/flaky") ? "/delay?ms=10000" : path),
    },
  });
  const lines: string[] = [];
  const error = await assertRejects(
    () => fetchLesson({ unit: 20, log: (l) => lines.push(l), server: slow }),
    DOMException,
  );
  assertEquals(error.name, "TimeoutError");
  assertEquals(lines.slice(-3), [
    "Attempt 1 failed with TimeoutError, retrying",
    "Attempt 2 failed with TimeoutError, retrying",
    "Attempt 3 failed with TimeoutError, retrying",
  ]);
});

Deno.test("fetchWithRetry() and fetchAll() add one listener to a shared signal", async (t) => {
  await withServer(async (server) => {
    await t.step("fetchAll of many inputs, each retried", async () => {
      const signal = new AbortController().signal;
      const seen = spy(signal);
      const urls = Array.from(
        { length: 40 },
        (_, i) => server.at(`/flaky?key=shared${i}&fail=1`),
      );
      const results = await fetchAll(urls, {
        signal,
        concurrency: 8,
        timeout: 5_000,
        retry: { backoff: quick(20) },
      });
      assert(results.every((r) => r.status === "fulfilled"));
      assertEquals(server.hits(), 80);
      assertEquals([seen.listeners, seen.attached], [1, 0]);
    });
    await t.step("many fetchWithRetry calls, each retried", async () => {
      server.resetStats();
      const signal = new AbortController().signal;
      const seen = spy(signal);
      const responses = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) =>
            fetchWithRetry(server.at(`/flaky?key=many${i}&fail=1`), {
              signal,
              retry: { backoff: quick(20) },
            }),
        ),
      );
      for (const response of responses) await response.body?.cancel();
      assertEquals(server.hits(), 40);
      assertEquals([seen.listeners, seen.attached], [1, 0]);
    });
  });
});

Deno.test("fetchWithRetry()'s signal also aborts the reading of the body", async (t) => {
  await withServer(async (server) => {
    for (const timeout of [undefined, 5_000]) {
      await t.step(`timeout ${timeout}`, async () => {
        const controller = new AbortController();
        const response = await fetchWithRetry(
          server.at(`/file?bytes=1000&ms=5000&chunks=10&t=${timeout}`),
          { signal: controller.signal, timeout },
        );
        controller.abort(new Error("stop reading"));
        await assertRejects(() => response.text(), Error, "stop reading");
        await deadline(server.idle(), 3_000);
      });
    }
  });
});
