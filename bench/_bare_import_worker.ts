// A bare Worker that, like an executor worker, imports the task module
// before it answers: the share of spawn-to-first-result that is module
// loading, whoever does it.
(globalThis as unknown as Worker).onmessage = async (event: MessageEvent) => {
  const tasks = await import("./_tasks.ts");
  (globalThis as unknown as Worker).postMessage(tasks.add(event.data, 1));
};
