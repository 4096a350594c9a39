// A bare Worker for the bench's reference points: answers each number with
// the number plus one.
(globalThis as unknown as Worker).onmessage = (event: MessageEvent) => {
  (globalThis as unknown as Worker).postMessage(event.data + 1);
};
