// The Host and Origin check of the site and the course's other servers (course/http.ts). A browser
// leaves the port out of both when it is the scheme's default: the site on
// port 80 (`deno task site --port 80`) must take `Host: 127.0.0.1`.
import { assert, assertEquals } from "@std/assert";
import { startServer } from "../../lessons/_server.ts";
import { ownHost, serve } from "../../course/http.ts";
import { raw } from "./_site.ts";

Deno.test("The site on port 80 takes Host and Origin without ':80', as browsers send them, and still refuses other hosts", () => {
  for (
    const host of ["127.0.0.1", "localhost", "127.0.0.1:80", "localhost:80"]
  ) {
    assert(ownHost(host, 80), host);
  }
  for (const origin of ["http://127.0.0.1", "http://localhost:80"]) {
    assert(ownHost(origin, 80, "http://"), origin);
  }
  const others = ["evil.example", "evil.example:80", "127.0.0.1:8000", ""];
  for (const host of [...others, "127.0.0.1.", "http://127.0.0.1", null]) {
    assert(!ownHost(host, 80), `${host}`);
  }
  for (const origin of ["http://evil.example", "https://127.0.0.1"]) {
    assert(!ownHost(origin, 80, "http://"), origin);
  }
});

Deno.test("On any other port, the site takes Host and Origin only with that port", () => {
  assert(ownHost("127.0.0.1:8000", 8000) && ownHost("localhost:8000", 8000));
  assert(ownHost("http://localhost:8000", 8000, "http://"));
  for (
    const host of ["127.0.0.1", "localhost", "127.0.0.1:80", "127.0.0.1:8001"]
  ) {
    assert(!ownHost(host, 8000), host);
  }
  assert(!ownHost("http://127.0.0.1", 8000, "http://"));
});

// The lesson server (lessons 8 and 10) and the exercises' (08a, 08b) listen
// on 127.0.0.1 while they run, as the site does: a page the learner visits
// meanwhile must not reach them, by a name of its own pointed at 127.0.0.1
// (DNS rebinding: its Host) or from its own origin (its Origin, or the
// Sec-Fetch-Site a browser adds). This machine's programs (fetch sends
// neither) and the learner's own browser, at the address, still get in.
Deno.test("The lesson server and the exercises' server answer only requests addressed to them, from no page elsewhere", async () => {
  await using lesson = startServer();
  await using exercise = serve(() => new Response("ok"));
  for (const url of [lesson.url.href, exercise.url("/")]) {
    const port = Number(new URL(url).port);
    const at = `127.0.0.1:${port}`;
    const refused: [string, Record<string, string>][] = [
      ["evil.example", {}],
      [`evil.example:${port}`, { "sec-fetch-site": "same-origin" }],
      [at, { origin: "http://evil.example" }],
      [at, { origin: "null" }],
      [at, { "sec-fetch-site": "cross-site" }],
      [at, { "sec-fetch-site": "same-site" }],
    ];
    for (const [host, headers] of refused) {
      const { status } = await raw(port, "GET /", host, headers);
      assertEquals(status, 403, `${url} ${host} ${JSON.stringify(headers)}`);
    }
    // The address typed in the learner's own browser: no page sent it.
    const typed = { "sec-fetch-site": "none" };
    assertEquals((await raw(port, "GET /", at)).status, 200, url);
    assertEquals(
      (await raw(port, "GET /", `localhost:${port}`, typed)).status,
      200,
    );
    const response = await fetch(url);
    await response.body?.cancel();
    assertEquals(response.status, 200, url);
  }
});
