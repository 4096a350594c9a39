// The site's Host and Origin check (ownHost, site/server.ts). A browser
// leaves the port out of both when it is the scheme's default: the site on
// port 80 (`deno task site --port 80`) must take `Host: 127.0.0.1`.
import { assert } from "@std/assert";
import { ownHost } from "../../site/server.ts";

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
