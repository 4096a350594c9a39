/**
 * Asincronía: the building blocks of asynchronous TypeScript, the ones the
 * lessons teach. Each module is also published on its own subpath
 * (`jsr:@asincronia/asincronia/timeline`, …).
 *
 * @example Record two tasks on a timeline
 * ```ts
 * import { Timeline } from "@asincronia/asincronia";
 *
 * const timeline = new Timeline();
 * const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
 * await Promise.all([timeline.track("slow", () => wait(20)), timeline.track("fast", () => wait(10))]);
 * timeline.completionOrder(); // ["fast", "slow"]
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
