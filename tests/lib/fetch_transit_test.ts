// fetchWithRetry retries only failures in transit: not what the Request
// constructor refuses, not what would fail again (a redirect loop, a
// certificate, an answer it refuses to read); it takes Retry-After only in
// its valid forms, and keeps waits and timeouts past 2^31 ms whole.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { fetchWithRetry, type RetryEvent } from "../../lib/fetch.ts";
import { delay } from "./_helpers.ts";
import {
  quick,
  withRawServer,
  withRoutes,
  withServer,
} from "./_fetch_server.ts";

/** The longest delay setTimeout honours. */
const MAX_TIMEOUT = 2 ** 31 - 1;

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
  // The server reads the request and hangs up without a word.
  await withRawServer("", async (url, connections) => {
    const errors: unknown[] = [];
    const error = await assertRejects(
      () =>
        fetchWithRetry(url, {
          retry: { backoff: quick(1), onRetry: (e) => errors.push(e.error) },
        }),
      TypeError,
    );
    assertEquals(error.message, "fetch failed");
    assertEquals(errors.length, 2);
    assert(connections() >= 3, `${connections()} connections`);
  });
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
    await t.step(
      "a date or a time that does not exist is invalid",
      async () => {
        for (
          const invalid of [
            "Thu, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
          ]
        ) {
          assertEquals(await retryAfter(invalid), { delay: 7, backoffs: [0] });
        }
      },
    );
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
