// fetchWithRetry: which statuses, methods and errors it retries, how long it
// waits (backoff, Retry-After), its timeout, and its signal.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "@std/assert";
import {
  fetchAll,
  fetchWithRetry,
  type FetchWithRetryInit,
  type RetryEvent,
} from "../../lib/fetch.ts";
import { startServer } from "../../lessons/_server.ts";
import { quick, withRoutes, withServer } from "./_fetch_server.ts";
import { unhandledRejections } from "./_helpers.ts";

Deno.test("fetchWithRetry() resolves with a non-retried response as fetch does", async () => {
  await withServer(async (server) => {
    const response = await fetchWithRetry(server.at("/"));
    assertEquals(response.status, 200);
    assert((await response.text()).includes("Hola"));
    assertEquals(server.hits("/"), 1);
  });
});

Deno.test("fetchWithRetry() and fetchAll() read fetch's options as fetch() does: a Request given as init lends its method, headers and body", async () => {
  const seen: string[] = [];
  const echo = async (request: Request) => {
    const token = request.headers.get("x-token");
    seen.push(`${request.method} ${token} ${await request.text()}`);
    return new Response("ok");
  };
  await withRoutes(echo, async (at) => {
    // Its members are the Request's own getters, not properties of its own.
    const init = () =>
      new Request(at("/model"), {
        method: "PUT",
        headers: { "x-token": "t" },
        body: "data",
      });
    await (await fetch(at("/fetch"), init())).text();
    await (await fetchWithRetry(at("/retry"), init())).text();
    await fetchAll([at("/all")], init());
    assertEquals(seen, ["PUT t data", "PUT t data", "PUT t data"]);
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
    const once: [string, FetchWithRetryInit][] = [
      ["a URL alone, GET not allowed", {
        retry: { methods: ["PUT"], backoff: quick() },
      }],
      ["a ReadableStream body", {
        method: "PUT",
        body: ReadableStream.from([new TextEncoder().encode("payload")]),
        retry: { backoff: quick() },
      }],
    ];
    for (const [i, [what, init]] of once.entries()) {
      await t.step(`${what}: sent once`, async () => {
        const path = `/flaky?key=once${i}&fail=1`;
        const response = await fetchWithRetry(server.at(path), init);
        assertEquals(response.status, 503);
        await response.body?.cancel();
        assertEquals(server.hits(path), 1);
      });
    }
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

Deno.test("fetchWithRetry() ignores what an async onRetry rejects with, as what one throws", async () => {
  using unhandled = unhandledRejections();
  await withServer(async (server) => {
    const path = "/flaky?key=asyncHook&fail=1";
    const response = await fetchWithRetry(server.at(path), {
      retry: {
        backoff: quick(),
        onRetry: async () => {
          await Promise.resolve(); // a logger that writes, then fails
          throw new Error("a logger that failed");
        },
      },
    });
    assertEquals([response.status, server.hits(path)], [200, 2]);
    await response.body?.cancel();
    assertEquals(await unhandled.reported(), []);
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
        const delays: number[] = [];
        const start = performance.now();
        const response = await fetchWithRetry(server.at(path), {
          retry: {
            limit: 3,
            backoff: { base: 40, max: 100 },
            onRetry: (event) => delays.push(Math.round(event.delay)),
          },
        });
        const elapsed = performance.now() - start;
        await response.body?.cancel();
        assertEquals(server.hits(path), 4);
        assertEquals(delays, [40, 80, 100]);
        assert(elapsed >= 215, `waited only ${elapsed} ms`);
      });
      await t.step("a zero draw does not wait for the ceiling", async () => {
        Math.random = () => 0;
        const path = "/flaky?key=nojitter&fail=2";
        const delays: number[] = [];
        const response = await fetchWithRetry(server.at(path), {
          retry: {
            backoff: { base: 5_000, max: 5_000 },
            onRetry: (event) => delays.push(event.delay),
          },
        });
        await response.body?.cancel();
        assertEquals(server.hits(path), 3);
        assertEquals(delays, [0, 0]);
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
      const delays: number[] = [];
      const start = performance.now();
      const response = await fetchWithRetry(server.at(path), {
        retry: { backoff: quick(0), onRetry: (e) => delays.push(e.delay) },
      });
      const elapsed = performance.now() - start;
      assertEquals(await response.text(), "allowed after 1 refusals");
      assertEquals(server.hits(path), 2);
      assertEquals(delays, [1000]);
      assert(elapsed >= 990, `retried after ${elapsed} ms`);
    });
    await t.step("as an HTTP date", async () => {
      // The date has a resolution of one second: 2 s ahead is more than 1 s
      // after the server wrote it, less the time the answer took to be read
      // (at most from the request to onRetry, on the same clock).
      const path = "/limited?key=d&after=2&date=1";
      const delays: number[] = [];
      const sent = Date.now();
      let told = sent;
      const start = performance.now();
      const response = await fetchWithRetry(server.at(path), {
        retry: {
          backoff: quick(0),
          onRetry: (e) => (delays.push(e.delay), told = Date.now()),
        },
      });
      const elapsed = performance.now() - start;
      assertEquals(response.status, 200);
      await response.body?.cancel();
      assertEquals(server.hits(path), 2);
      assert(
        delays[0]! > 1_000 - (told - sent) && delays[0]! <= 2_000,
        `waited ${delays[0]}, told ${told - sent} ms after the request`,
      );
      assert(elapsed >= 900, `retried after ${elapsed} ms`);
    });
    await t.step("capped at maxRetryAfter", async () => {
      const path = "/limited?key=c&after=60";
      const delays: number[] = [];
      const start = performance.now();
      const response = await fetchWithRetry(server.at(path), {
        retry: {
          maxRetryAfter: 50,
          backoff: quick(0),
          onRetry: (e) => delays.push(e.delay),
        },
      });
      const elapsed = performance.now() - start;
      assertEquals(response.status, 200);
      await response.body?.cancel();
      assertEquals(server.hits(path), 2);
      assertEquals(delays, [50]);
      assert(elapsed >= 45, `retried after ${elapsed} ms`);
    });
  });
});

Deno.test("fetchWithRetry() times out each attempt", async (t) => {
  await withServer(async (server) => {
    await t.step(
      "rejects with a TimeoutError when no retry is left",
      async () => {
        // Attempts counted on the client: on a loaded machine one can time
        // out before its request reaches the server (seen in a full suite).
        const real = globalThis.fetch;
        let attempts = 0;
        globalThis.fetch = (...args) => (attempts++, real(...args));
        try {
          const error = await assertRejects(
            () =>
              fetchWithRetry(server.at("/delay?ms=10000"), {
                timeout: 50,
                retry: 0,
              }),
            DOMException,
          );
          assertEquals(error.name, "TimeoutError");
          assertEquals(attempts, 1);
        } finally {
          globalThis.fetch = real;
        }
      },
    );
    await t.step("retries an attempt that timed out", async () => {
      const path = "/delay?ms=10000";
      server.resetStats();
      // Counted by the client: on a loaded machine an attempt can time out
      // before its request reaches the server (seen, two suites at once).
      const retried: string[] = [];
      const error = await assertRejects(
        () =>
          fetchWithRetry(server.at(path), {
            timeout: 50,
            retry: {
              limit: 2,
              backoff: quick(),
              onRetry: (event) => retried.push(String(event.error)),
            },
          }),
        DOMException,
      );
      assertEquals(error.name, "TimeoutError");
      assertEquals(retried.length, 2);
      assert(retried.every((e) => e.startsWith("TimeoutError")), `${retried}`);
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
      assertEquals(server.hits(path), 1);
    });
    await t.step("during Retry-After", async () => {
      const controller = new AbortController();
      const path = "/limited?key=abort&after=60";
      const promise = fetchWithRetry(server.at(path), {
        signal: controller.signal,
        retry: { backoff: quick(0) },
      });
      setTimeout(() => controller.abort(), 100);
      const error = await assertRejects(() => promise, DOMException);
      assertEquals(error.name, "AbortError");
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
    // Deno: a signal made non-extensible before anyone listened takes no
    // listener; the wait rejected, but left its 60 s timer running.
    await t.step("with a signal that takes no listener: no wait", async () => {
      const signal = Object.preventExtensions(new AbortController().signal);
      const path = "/flaky?key=deaf&fail=10";
      const retry = { backoff: quick(60_000) };
      const error = await assertRejects(
        () => fetchWithRetry(server.at(path), { signal, retry }),
      );
      assertInstanceOf(error, TypeError);
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

Deno.test("fetchWithRetry() accepts a backoff function only while it returns a wait", async () => {
  await withServer(async (server) => {
    const returns = [[-1, RangeError], [NaN, RangeError], [
      Infinity,
      RangeError,
    ], ["5", TypeError]] as const;
    for (const [value, type] of returns) {
      const path = `/flaky?key=fn${String(value)}&fail=1`;
      const error = await assertRejects(
        () =>
          fetchWithRetry(server.at(path), {
            retry: { backoff: () => value as number },
          }),
        type,
      );
      // It names the call and what it returned.
      const shown = typeof value === "string" ? `"${value}"` : String(value);
      assert(error.message.includes("'retry.backoff(0)'"), error.message);
      assert(error.message.endsWith(shown), error.message);
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

Deno.test("fetchAll() given an aborted signal sends nothing and cancels the body of each Request, as fetch() does", async () => {
  await withServer(async (server) => {
    const cancelled: number[] = [];
    const put = (i: number) =>
      new Request(server.at("/"), {
        method: "PUT",
        body: new ReadableStream({ cancel: () => void cancelled.push(i) }),
        duplex: "half",
      } as RequestInit);
    const reason = new Error("already");
    const signal = AbortSignal.abort(reason);
    const inputs = [put(0), server.at("/"), put(2)];
    const error = await assertRejects(() => fetchAll(inputs, { signal }));
    assertEquals([error, cancelled, server.hits()], [reason, [0, 2], 0]);
  });
});
