// fetchAll: settled results in input order, a bounded pool, parse and
// progress, its signal; and the bodies fetchWithRetry and fetchAll discard.
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
} from "../../lib/fetch.ts";
import { spy } from "./_abort_spy.ts";
import { within } from "./_executor_helpers.ts";
import { unhandledRejections } from "./_helpers.ts";
import {
  deadline,
  quick,
  rejected,
  withRoutes,
  withServer,
} from "./_fetch_server.ts";

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
    await t.step("what fetchAll's parse read in part and let go", async () => {
      const results = await fetchAll([server.at("/file?bytes=100&ms=5000")], {
        parse: async (response) => {
          const reader = response.body!.getReader();
          await reader.read(); // the first of ten chunks
          reader.releaseLock();
          return "first chunk";
        },
      });
      assertEquals(results, [{ status: "fulfilled", value: "first chunk" }]);
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

Deno.test("fetchAll() refuses options the Request constructor refuses before sending anything", async () => {
  await withRoutes(() => new Response("sent"), async (at, hits) => {
    // A body on a GET: the same for every URL, so one trial Request says so.
    const error = await fetchAll([at("/a"), at("/b")], { body: "x" })
      .catch((e) => e);
    assertInstanceOf(error, TypeError);
    assertEquals(hits(), 0);
  });
});

Deno.test("fetchAll() keeps a parse result when the body it left is locked", async () => {
  await withRoutes(() => new Response("unread"), async (at) => {
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const results = await fetchAll([at("/")], {
      parse: (response) => {
        reader = response.body!.getReader(); // locked, never read
        return "parsed";
      },
    });
    assertEquals(results, [{ status: "fulfilled", value: "parsed" }]);
    await reader!.cancel();
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
    const slow = "/delay?ms=60000";
    // "/" answers in a few ms: 1 s leaves it room on a busy machine (250 ms
    // did at a load of 10).
    const retried: unknown[] = [];
    const results = await fetchAll([server.at(slow), server.at("/")], {
      timeout: 1_000,
      retry: {
        limit: 1,
        backoff: quick(),
        onRetry: ({ error }) => retried.push(error),
      },
    });
    const reason = rejected(results[0]).reason;
    assertInstanceOf(reason, DOMException);
    assertEquals(reason.name, "TimeoutError");
    assertEquals(results[1]!.status, "fulfilled");
    // Two attempts at the slow one, each given up: counted here, not as the
    // server's hits (two suites at once, load 35: the second request had
    // not reached the server when its time ran out, 1 hit).
    assertEquals(retried.map((e) => (e as DOMException).name), [
      "TimeoutError",
    ]);
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
      "an onProgress that throws rejects fetchAll at the end, with its first error",
      async () => {
        server.resetStats();
        const error = await assertRejects(() =>
          fetchAll([server.at("/"), server.at("/delay?ms=50")], {
            onProgress: (done) => {
              throw new Error(`bad callback ${done}`);
            },
          })
        );
        assertEquals((error as Error).message, "bad callback 1", "the first");
        assertEquals(server.hits(), 2);
        assertEquals(server.inFlight, 0);
      },
    );
    await t.step(
      "an async onProgress that never settles: an abort still rejects fetchAll",
      async () => {
        const controller = new AbortController();
        const all = fetchAll([server.at("/")], {
          signal: controller.signal,
          onProgress: () => {
            controller.abort(new Error("stop"));
            return new Promise<never>(() => {});
          },
        });
        const error = await assertRejects(() => within(all, 5000, "fetchAll"));
        assertEquals((error as Error).message, "stop");
      },
    );
    await t.step(
      "an async onProgress that rejects: the same, once it has",
      async () => {
        using unhandled = unhandledRejections();
        const error = await assertRejects(() =>
          fetchAll([server.at("/")], {
            onProgress: async (done) => {
              await Promise.resolve();
              throw new Error(`late callback ${done}`);
            },
          })
        );
        assertEquals((error as Error).message, "late callback 1");
        assertEquals(await unhandled.reported(), []);
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
  const controller = new AbortController();
  const reason = new Error("enough");
  const stopped = new Promise((stop) => controller.signal.onabort = stop);
  // Each request is answered once the signal has aborted, which happens as
  // the second reaches the server: both are in flight then.
  let arrived = 0;
  const handler = async () => {
    if (++arrived === 2) controller.abort(reason);
    await stopped;
    return new Response("too late");
  };
  await withRoutes(handler, async (at, hits) => {
    const urls = Array.from({ length: 8 }, (_, i) => at(`/${i}`));
    const options: FetchAllOptions = {
      concurrency: 2,
      signal: controller.signal,
    };
    const error = await assertRejects(() => fetchAll(urls, options));
    assertEquals(error, reason);
    assertEquals(hits(), 2);
  });
});

Deno.test("fetchWithRetry() and fetchAll() cancel the body of every request they never send", async (t) => {
  // As fetch() does when its signal aborts: a file's stream would stay open.
  const cancelled: number[] = [];
  const put = (url: string, i: number) =>
    new Request(url, {
      method: "PUT",
      body: new ReadableStream({ cancel: () => void cancelled.push(i) }),
      duplex: "half",
    } as RequestInit);
  await withRoutes(() => new Response("ok"), async (at) => {
    await t.step("fetchWithRetry() given an aborted signal", async () => {
      const signal = AbortSignal.abort();
      await assertRejects(() => fetchWithRetry(put(at("/"), 0), { signal }));
      assertEquals(cancelled.splice(0), [0]);
    });
    await t.step("fetchAll()'s requests waiting when it aborts", async () => {
      const controller = new AbortController();
      const parse = (response: Response) => {
        controller.abort(); // once the first has been answered
        return response.text();
      };
      const inputs = [at("/"), put(at("/"), 1), put(at("/"), 2)];
      const { signal } = controller;
      const options = { concurrency: 1, signal, parse };
      await assertRejects(() => fetchAll(inputs, options));
      assertEquals(cancelled.splice(0), [1, 2]);
    });
    await t.step(
      "fetchAll() refusing a Request whose body is spent (given twice)",
      async () => {
        const twice = put(at("/"), 4);
        const inputs = [put(at("/"), 3), twice, at("/"), twice];
        await assertRejects(() => fetchAll(inputs), TypeError);
        assertEquals(cancelled.splice(0).sort(), [3, 4]);
      },
    );
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
