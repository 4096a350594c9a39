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
import { type LessonServer, startServer } from "../../lessons/_server.ts";

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
        "Cannot fetch all as 'parse' must be a function: current value is json",
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
