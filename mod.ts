/**
 * Async building blocks for Deno, Node ≥ 24, Bun and browsers: the
 * primitives that Python's asyncio and trio have and JavaScript lacks
 * (Semaphore, Lock, Event, Queue, TaskGroup, asCompleted), a pool of Workers
 * for blocking work (Executor), `fetch` with timeouts and retries, and a
 * Timeline that shows what ran when. It has no dependencies, every export is
 * typed, and every wait can be cancelled with an `AbortSignal`.
 *
 * ```sh
 * deno add jsr:@asincronia/asincronia
 * ```
 *
 * ```ts
 * import { Semaphore, TaskGroup } from "@asincronia/asincronia";
 * import { Queue } from "@asincronia/asincronia/queue"; // or one module at a time
 * ```
 *
 * Each primitive has its own page (see the modules) with its options and its
 * guarantees: fairness, what an abort does, what it costs. The library comes
 * from a course on asynchronous TypeScript: the repository's
 * [README.md](README.md) has the lessons, and
 * [docs/library.md](docs/library.md) the whole reference with benchmarks.
 *
 * Bad input is refused at the call, the same way everywhere: a wrong type is a
 * `TypeError`, a value out of range a `RangeError`, the message names the
 * parameter and shows the value, and a method that returns a promise rejects
 * (it never throws; `spawn` excepted), leaving nothing behind.
 *
 * ## Permissions
 *
 * - Semaphore, Lock, Event, Queue, TaskGroup, asCompleted, Timeline: none.
 * - fetchWithRetry, fetchAll: `--allow-net` for each host you fetch.
 * - Executor: `--allow-read` for your task module and the local files it
 *   imports; nothing for its own worker file, which comes from JSR with the
 *   package. Workers get the permissions of the process.
 *
 * Node and Bun need no flag. In a browser, the Executor needs shared memory:
 * a cross-origin isolated page. On Node and Bun, `AbortSignal.timeout()` does
 * not keep the process alive: a program whose only pending work is a wait on
 * such a signal exits before it fires (but Bun waits for a top-level `await`,
 * and Node then exits with code 13).
 *
 * The examples below run as they are on Deno; the fetch example serves on
 * 127.0.0.1 with `Deno.serve`, so it needs `--allow-net=127.0.0.1`.
 *
 * @example Semaphore: at most two at once, in FIFO order
 * ```ts
 * import { Semaphore } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const sem = new Semaphore(2);
 * let running = 0;
 * let most = 0;
 * const job = (n: number) =>
 *   sem.run(async () => {
 *     most = Math.max(most, ++running);
 *     await new Promise((resolve) => setTimeout(resolve, 10));
 *     running--;
 *     return n * 10;
 *   });
 * assertEquals(await Promise.all([1, 2, 3, 4].map(job)), [10, 20, 30, 40]);
 * assertEquals(most, 2);
 * ```
 *
 * @example Lock: a read-modify-write that spans an `await`
 * ```ts
 * import { Lock } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const lock = new Lock();
 * let balance = 100;
 * async function withdraw(amount: number) {
 *   using _held = await lock.acquire(); // released when the block ends, however it ends
 *   const current = balance;
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   balance = current - amount;
 * }
 * await Promise.all([withdraw(30), withdraw(50)]);
 * assertEquals(balance, 20); // without the lock: 50 or 70
 * ```
 *
 * @example TaskGroup: the first failure cancels the siblings
 * ```ts
 * import { TaskGroup } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const forever = (signal: AbortSignal) => // runs until it is cancelled
 *   new Promise((_, reject) => signal.onabort = () => reject(signal.reason));
 * const error = await TaskGroup.run((group) => {
 *   group.spawn(forever, { name: "slow" });
 *   group.spawn(() => Promise.reject(new Error("boom")), { name: "fails" });
 * }).then(() => undefined, (reason: AggregateError) => reason);
 * // run waited for both (the slow one cancelled), then rejected with the failures.
 * assertEquals(error?.errors.map((e: Error) => e.message), ["boom"]);
 * assertEquals(error?.message, '1 task in the group failed: "fails"');
 * ```
 *
 * @example Event: many tasks wait until one sets it
 * ```ts
 * import { Event } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const ready = new Event();
 * const log: string[] = [];
 * const waiters = ["a", "b"].map(async (name) => {
 *   await ready.wait(); // also takes { signal }
 *   log.push(name);
 * });
 * log.push("set");
 * ready.set();
 * await Promise.all(waiters);
 * assertEquals(log, ["set", "a", "b"]);
 * ```
 *
 * @example Queue: back-pressure, FIFO, `for await` until closed
 * ```ts
 * import { Queue } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const jobs = new Queue<number>({ maxsize: 2 }); // put() waits while two are queued
 * const done: number[] = [];
 * const worker = (async () => {
 *   for await (const job of jobs) done.push(job * 10); // ends once closed and empty
 * })();
 * for (const job of [1, 2, 3, 4]) await jobs.put(job);
 * jobs.close();
 * await worker;
 * assertEquals(done, [10, 20, 30, 40]);
 * ```
 *
 * @example asCompleted: results in the order they settle
 * ```ts
 * import { asCompleted } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const after = (ms: number, value: string) =>
 *   new Promise<string>((resolve) => setTimeout(() => resolve(value), ms));
 * const fast = after(10, "fast");
 * const slow = fast.then(() => after(10, "slow")); // ends 10 ms after fast
 *
 * const order: string[] = [];
 * const signal = AbortSignal.timeout(1_000); // optional: a deadline
 * for await (const result of asCompleted([slow, fast, Promise.reject(3)], { signal })) {
 *   order.push(result.status === "fulfilled" ? `${result.index}:${result.value}` : "failed");
 * }
 * assertEquals(order, ["failed", "1:fast", "0:slow"]); // a failure does not end the loop
 * ```
 *
 * @example Executor: CPU-bound functions on a pool of Workers
 * ```ts
 * import { Executor, WorkerError } from "@asincronia/asincronia";
 * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // The task module: usually a file, new URL("./tasks.ts", import.meta.url),
 * // typed with typeof import("./tasks.ts"). Inline here, so that this runs.
 * const url = "data:text/javascript;base64," + btoa(
 *   "export const fib = (n) => n < 2 ? n : fib(n - 1) + fib(n - 2);" +
 *   "export const crash = () => new Promise(() => setTimeout(() => { throw new Error('crash'); }));",
 * );
 * type Tasks = { fib(n: number): number; crash(): Promise<never> };
 *
 * await using executor = new Executor();
 * const tasks = executor.bind<Tasks>(url);
 * assertEquals(await Promise.all([tasks.fib(25), tasks.fib(26)]), [75025, 121393]);
 * // A worker that dies fails its own call only, and is replaced.
 * assert(await tasks.crash().catch((e) => e) instanceof WorkerError);
 * assertEquals(await tasks.fib(10), 55);
 * ```
 *
 * @example fetchWithRetry and fetchAll: timeouts, retries, bounded concurrency
 * ```ts
 * import { fetchAll, fetchWithRetry } from "@asincronia/asincronia";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // A local server, busy at the first request.
 * let requests = 0;
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (request) =>
 *     ++requests === 1
 *       ? new Response(null, { status: 503 })
 *       : new Response(new URL(request.url).pathname),
 * );
 * const base = `http://127.0.0.1:${server.addr.port}`;
 *
 * const response = await fetchWithRetry(`${base}/a`, {
 *   timeout: 5_000,
 *   retry: { limit: 3, backoff: { base: 10 } },
 * });
 * assertEquals(await response.text(), "/a"); // after one retry
 *
 * const pages = await fetchAll([`${base}/b`, `${base}/c`], { concurrency: 2 });
 * assertEquals(pages, [
 *   { status: "fulfilled", value: "/b" },
 *   { status: "fulfilled", value: "/c" },
 * ]);
 * ```
 *
 * @example Timeline: what ran when
 * ```ts
 * import { Timeline } from "@asincronia/asincronia";
 * import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const timeline = new Timeline();
 * const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
 * const fast = timeline.track("fast", () => wait(10));
 * const slow = timeline.track("slow", () => fast.then(() => wait(10)));
 * await Promise.all([fast, slow]);
 * assertEquals(timeline.completionOrder(), ["fast", "slow"]);
 * assertEquals(timeline.maxConcurrency(), 2);
 * const chart = timeline.render({ color: false }); // toSVG() draws the same as SVG
 * assert(chart.startsWith("fast ")); // a bar per task, then an axis
 * ```
 *
 * @module
 */
export * from "./lib/as_completed.ts";
export * from "./lib/event.ts";
export * from "./lib/executor.ts";
export * from "./lib/fetch.ts";
export * from "./lib/lock.ts";
export * from "./lib/queue.ts";
export * from "./lib/semaphore.ts";
export * from "./lib/task_group.ts";
export * from "./lib/timeline.ts";
