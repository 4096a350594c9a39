/**
 * Headless Chromium for the site's browser test, driven over the DevTools
 * protocol (CDP) on a WebSocket: no npm package, nothing downloaded.
 *
 * It runs Debian's `chromium` (/usr/bin/chromium; `.ci/run` installs it)
 * with the flags it needs as root on a machine with a closed network, and a
 * fresh profile folder under .tools/test-output/chromium-profile-XXXX, removed
 * at close.
 *
 * @module
 */
import { testFolder } from "../_checkout.ts";

/** Where Debian's package puts Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--hide-scrollbars",
  "--mute-audio",
  "--remote-debugging-address=127.0.0.1",
  "--remote-debugging-port=0",
];

type Json = Record<string, unknown>;

/** A browser that is running, and the one connection to it. */
export class Chromium {
  #child: Deno.ChildProcess;
  #socket: WebSocket;
  #profile: string;
  #next = 1;
  #pending = new Map<
    number,
    { resolve: (value: Json) => void; reject: (error: Error) => void }
  >();
  #listeners = new Set<
    (method: string, params: Json, session?: string) => void
  >();
  #closed: Promise<void>;
  #stderr: Promise<void>;

  private constructor(
    child: Deno.ChildProcess,
    socket: WebSocket,
    profile: string,
    stderr: Promise<void>,
  ) {
    this.#child = child;
    this.#socket = socket;
    this.#profile = profile;
    this.#stderr = stderr;
    this.#closed = new Promise((resolve) =>
      socket.addEventListener("close", () => resolve(), { once: true })
    );
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data as string) as Json;
      if (typeof message.id === "number") {
        const waiter = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        const error = message.error as { message?: string } | undefined;
        if (error) waiter?.reject(new Error(`CDP: ${error.message}`));
        else waiter?.resolve((message.result ?? {}) as Json);
      } else if (typeof message.method === "string") {
        for (const listener of this.#listeners) {
          listener(
            message.method,
            (message.params ?? {}) as Json,
            message.sessionId as string | undefined,
          );
        }
      }
    });
  }

  /**
   * Starts Chromium and connects to it. Throws an error that says what to
   * do when Chromium is not installed or did not start.
   */
  static async launch(): Promise<Chromium> {
    const profile = await testFolder("chromium-profile");
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(CHROMIUM, {
        args: [...FLAGS, `--user-data-dir=${profile}`, "about:blank"],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      if (
        error instanceof Deno.errors.PermissionDenied ||
        (error as Error).name === "NotCapable"
      ) {
        throw new Error(
          `This test may not start ${CHROMIUM}: run it with \`deno task ` +
            `test\`, whose --allow-run lists it.`,
        );
      }
      if (error instanceof Deno.errors.NotFound) {
        throw new Error(
          `Chromium is not installed at ${CHROMIUM}, and the site's browser ` +
            "test needs it. Install Debian's package (apt-get install " +
            "chromium), or run `bash .ci/run`, which installs it when missing.",
        );
      }
      throw error;
    }
    // Chromium says where its DevTools listen on standard error; the rest
    // of what it writes there is read and kept for the error message.
    const seen: string[] = [];
    const address = Promise.withResolvers<string>();
    const stderr = (async () => {
      let rest = "";
      for await (
        const chunk of child.stderr.pipeThrough(new TextDecoderStream())
      ) {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop()!;
        for (const line of lines) {
          if (seen.length < 40) seen.push(line);
          const match = /DevTools listening on (ws:\/\/\S+)/.exec(line);
          if (match) address.resolve(match[1]!);
        }
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const url = await Promise.race([
      address.promise,
      child.status.then((status) => {
        throw new Error(
          `Chromium exited with code ${status.code} before it opened its ` +
            `DevTools port:\n${seen.join("\n")}`,
        );
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Chromium did not open its DevTools port within 20 s:\n${
                  seen.join("\n")
                }`,
              ),
            ),
          20_000,
        );
      }),
    ]).catch(async (error) => {
      clearTimeout(timer);
      try {
        child.kill("SIGKILL");
      } catch {
        // It has exited.
      }
      await child.status;
      await stderr;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      throw error;
    });
    clearTimeout(timer);
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      socket.addEventListener("error", reject, { once: true });
    });
    return new Chromium(child, socket, profile, stderr);
  }

  /** Sends a command, to the browser or to the page `session`. */
  send(method: string, params: Json = {}, session?: string): Promise<Json> {
    const id = this.#next++;
    const message: Json = { id, method, params };
    if (session) message.sessionId = session;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify(message));
    });
  }

  /** Resolves with the params of the next event `method` of `session`. */
  once(method: string, session?: string): Promise<Json> {
    return new Promise((resolve) => {
      const listener = (name: string, params: Json, from?: string) => {
        if (name === method && from === session) {
          this.#listeners.delete(listener);
          resolve(params);
        }
      };
      this.#listeners.add(listener);
    });
  }

  /** Opens a tab of `width` × `height` pixels. */
  async newPage(width: number, height: number): Promise<Page> {
    const { targetId } = await this.send("Target.createTarget", {
      url: "about:blank",
    });
    const { sessionId } = await this.send("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    const page = new Page(this, sessionId as string);
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    await page.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    return page;
  }

  /** Closes the browser, waits for it to exit, and removes its profile. */
  async close(): Promise<void> {
    const exited = this.#child.status;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.send("Browser.close").catch(() => {}),
      new Promise((resolve) => timer = setTimeout(resolve, 5_000)),
    ]);
    clearTimeout(timer);
    this.#socket.close();
    await this.#closed;
    const late = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // It has exited.
      }
    }, 5_000);
    await exited;
    clearTimeout(late);
    await this.#stderr;
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}

/** A tab of the browser. */
export class Page {
  #browser: Chromium;
  #session: string;

  constructor(browser: Chromium, session: string) {
    this.#browser = browser;
    this.#session = session;
  }

  /** Sends a command to this tab. */
  send(method: string, params: Json = {}): Promise<Json> {
    return this.#browser.send(method, params, this.#session);
  }

  /** Loads `url` and waits for its load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.#browser.once("Page.loadEventFired", this.#session);
    await this.send("Page.navigate", { url });
    await loaded;
  }

  /** Clicks the element `selector`, then waits for the page it leads to. */
  async clickAndLoad(selector: string): Promise<void> {
    const loaded = this.#browser.once("Page.loadEventFired", this.#session);
    await this.click(selector);
    await loaded;
  }

  /** Clicks the element `selector` (it must exist). */
  async click(selector: string): Promise<void> {
    await this.evaluate(`(() => {
      const element = document.querySelector(${JSON.stringify(selector)});
      if (!element) throw new Error("no element " + ${
      JSON.stringify(selector)
    });
      element.click();
    })()`);
  }

  /** The value of `expression` in the page (awaited when a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    const details = answer.exceptionDetails as
      | { exception?: { description?: string }; text?: string }
      | undefined;
    if (details) {
      throw new Error(
        `In the page: ${details.exception?.description ?? details.text}`,
      );
    }
    return (answer.result as { value: T }).value;
  }

  /**
   * Resolves with the value of `expression` once it is truthy, checked on
   * every change of the document; rejects after `timeout` ms.
   */
  waitFor<T>(expression: string, timeout = 10_000): Promise<T> {
    return this.evaluate<T>(`new Promise((resolve, reject) => {
      const test = () => { try { return (${expression}); } catch { return undefined; } };
      const now = test();
      if (now) return resolve(now);
      const observer = new MutationObserver(() => {
        const value = test();
        if (value) { observer.disconnect(); clearTimeout(timer); resolve(value); }
      });
      const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error("Timed out after ${timeout} ms waiting for: " + ${
      JSON.stringify(expression)
    }));
      }, ${timeout});
      observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    })`);
  }

  /** Saves a PNG of the viewport to `path`. */
  async screenshot(path: string): Promise<void> {
    const { data } = await this.send("Page.captureScreenshot", {
      format: "png",
    });
    const bytes = Uint8Array.from(atob(data as string), (c) => c.charCodeAt(0));
    await Deno.writeFile(path, bytes);
  }
}
