/**
 * Ways to take the hop that never calling `fn` inside `run` costs, with no
 * semaphore around them: the extra sides of `bench/semaphore_ab.ts --shapes`
 * in the uncontended `run(noop)` case (each with its own call sites). Each
 * calls `fn` a microtask after `run` and settles the returned promise with
 * fn's outcome, unless its name says otherwise. None gives a permit back, so
 * each is a lower bound for a semaphore written that way.
 *
 * @module
 */
import { Semaphore as Semaphore78 } from "./_semaphore_78abbaf.ts";
import type { Side } from "./_semaphore_cases.ts";

type Fn = () => unknown;
type Settle = (value: unknown) => void;
const DONE = Promise.resolve();
const then = Promise.prototype.then;

let resolved: Settle;
let rejected: Settle;
const grab = (resolve: Settle, reject: Settle) => {
  resolved = resolve;
  rejected = reject;
};

/** A promise settled by hand, `fn` called by `hop`, one reaction to its result. */
const byHand = (hop: (start: () => void) => unknown): Side => () => ({
  run(fn: Fn) {
    const promise = new Promise(grab);
    const resolve = resolved, reject = rejected;
    hop(() => then.call(fn(), resolve, reject));
    return promise;
  },
});

/** One hop for every `run` of a tick: a FIFO drained by one callback. */
const drained = (hop: (drain: () => void) => unknown): Side => () => {
  const fns: (Fn | undefined)[] = [];
  const settles: (Settle | undefined)[] = [];
  let n = 0;
  const drain = () => {
    for (let i = 0; i < n; i++) {
      then.call(fns[i]!(), settles[2 * i], settles[2 * i + 1]);
      fns[i] = settles[2 * i] = settles[2 * i + 1] = undefined;
    }
    n = 0;
  };
  return {
    run(fn: Fn) {
      const promise = new Promise(grab);
      fns[n] = fn;
      settles[2 * n] = resolved;
      settles[2 * n + 1] = rejected;
      if (n++ === 0) hop(drain);
      return promise;
    },
  };
};

export const shapes: Record<string, Side> = {
  "fn() alone: no hop and no semaphore": () => ({ run: (fn: Fn) => fn() }),
  "async: try/finally around `await fn()`": () => ({
    run: async (fn: Fn) => {
      await DONE;
      try {
        return await fn();
      } finally {
        // where a permit would be given back
      }
    },
  }),
  "async: try/catch around `await fn()`": () => ({
    run: async (fn: Fn) => {
      await DONE;
      let value;
      try {
        value = await fn();
      } catch (error) {
        throw error; // where a permit would be given back
      }
      return value;
    },
  }),
  "async: `await null` for the hop": () => ({
    run: async (fn: Fn) => {
      await null;
      return await fn();
    },
  }),
  "async: `return fn()` (4 hops)": () => ({
    run: async (fn: Fn) => {
      await DONE;
      return fn();
    },
  }),
  "DONE.then(fn) (4 hops)": () => ({ run: (fn: Fn) => DONE.then(fn) }),
  "new Promise + DONE.then(start)": byHand((start) => DONE.then(start)),
  "new Promise + queueMicrotask(start)": byHand(queueMicrotask),
  "Promise.withResolvers + DONE.then(start)": () => ({
    run(fn: Fn) {
      const { promise, resolve, reject } = Promise.withResolvers();
      DONE.then(() => then.call(fn(), resolve, reject));
      return promise;
    },
  }),
  "a tick's runs share one DONE.then": drained((drain) => DONE.then(drain)),
  "a tick's runs share one queueMicrotask": drained(queueMicrotask),
  "a thenable whose then calls fn (not a contract)": () => ({
    run: (fn: Fn) => ({
      then: (resolve: Settle, reject: Settle) =>
        then.call(fn(), resolve, reject),
    }),
  }),
  "78abbaf inside an async function": (permits) => {
    const semaphore = new Semaphore78(permits);
    return { run: async (fn: Fn) => await semaphore.run(fn) };
  },
};
