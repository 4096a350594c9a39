// A short run of the soak in bench/soak.ts (`deno task soak` runs 10^7
// operations): random operations over Semaphore, Lock, Event, Queue,
// TaskGroup and asCompleted, with aborts and closes, each call checked
// against a model of what it must do. It throws at the first mismatch.
import { assert } from "@std/assert";
import { soak } from "../../bench/soak.ts";

Deno.test("a short soak (5·10^4 random operations, seed 7) matches the model", async () => {
  const { ops } = await soak(50_000, 7);
  assert(ops >= 50_000);
});
