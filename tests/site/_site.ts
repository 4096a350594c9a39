/** Helpers of the site's tests: a site on a free port, and its event streams. */
import { type Site, startSite } from "../../site/server.ts";

/** A POST with no body. */
export const post: RequestInit = { method: "POST" };

/** Runs `body` against a site on a free port, then shuts it down. */
export async function withSite(
  options: Parameters<typeof startSite>[0],
  body: (site: Site, get: typeof fetch) => Promise<void>,
): Promise<void> {
  const site = await startSite({ port: 0, ...options });
  const get = (input: string | URL | Request, init?: RequestInit) =>
    fetch(new URL(String(input), site.url), init);
  try {
    await body(site, get);
  } finally {
    await site.shutdown();
  }
}

/** Reads server-sent events from `response` until `until` says stop. */
export async function events(
  response: Response,
  until: (name: string, data: Record<string, unknown>) => boolean = () => false,
): Promise<[string, Record<string, unknown>][]> {
  const seen: [string, Record<string, unknown>][] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream())
    .getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return seen;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: (.*)$/m.exec(block)![1]!;
        const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!);
        seen.push([name, data]);
        if (until(name, data)) return seen;
      }
    }
  } finally {
    await reader.cancel();
  }
}

/** The answer to a request sent by hand, with the Host header `host` and `headers`. */
export async function raw(
  port: number,
  request: string,
  host: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  using connection = await Deno.connect({ hostname: "127.0.0.1", port });
  const more = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  const head = `${request} HTTP/1.1\r\nHost: ${host}\r\n${
    more.join("")
  }Content-Length: 0\r\nConnection: close\r\n\r\n`;
  await connection.write(new TextEncoder().encode(head));
  const text = await new Response(connection.readable).text();
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)![1]), text };
}
