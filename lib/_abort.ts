/**
 * One "abort" listener per signal for all of lib/; not part of the public API.
 *
 * Deno's `EventTarget` scans a signal's listeners on every add and remove:
 * N callers with a listener each on one signal cost O(N²) (80,000 waiters
 * took 30 s). So lib/ registers a watcher here: the first adds the one
 * listener, the others are O(1) `Set` insertions and deletions, and on
 * abort the watchers are told in the order they came (one that left
 * meanwhile is not told). The listener leaves with the last watcher: on a
 * signal from `AbortSignal.timeout()` it would keep the process alive.
 *
 * @module
 */

/** Something to tell when a signal aborts: lib/'s own code, which never throws. */
export interface AbortWatcher {
  /** Called once, when the signal aborts, after the watcher was removed. */
  aborted(signal: AbortSignal): void;
}

/**
 * A signal's one listener, and its watchers in the order they came: the
 * first in a field, the rest in a Set. Most signals have one watcher: with
 * a Set for every signal, 10⁴ `Semaphore.run` calls with a signal each cost
 * 1.7–2.2× the 78abbaf Semaphore's CPU time instead of 1.2–1.3×.
 */
class Watchers {
  first: AbortWatcher | undefined;
  rest: Set<AbortWatcher> | undefined;

  /** How many watchers are left (tests/lib/_abort_spy.ts reads it too). */
  get size(): number {
    return (this.first === undefined ? 0 : 1) + (this.rest?.size ?? 0);
  }

  /** Removes `watcher`: whether that left none (false if it was not here). */
  delete(watcher: AbortWatcher): boolean {
    if (this.first === watcher) this.first = undefined;
    else if (!this.rest?.delete(watcher)) return false;
    return this.size === 0;
  }

  handleEvent(event: Event): void {
    const signal = event.target as AbortSignal;
    if (!signal.aborted) return; // an "abort" dispatched by hand: not one
    signal.removeEventListener("abort", this);
    const first = this.first;
    this.first = undefined;
    if (first !== undefined) first.aborted(signal);
    // Each leaves before it is told: one unwatched meanwhile is not told.
    for (const watcher of this.rest ?? []) {
      this.rest!.delete(watcher);
      watcher.aborted(signal);
    }
    Slot.set(signal, undefined);
  }
}

/** A class whose constructor returns its argument: the base of Slot. */
class Stamp {
  constructor(target: object) {
    return target;
  }
}

/**
 * Where a signal's Watchers are found: a private field that `new Slot(signal)`
 * stamps on the signal itself (any object takes one, a frozen one too),
 * invisible from outside; not a WeakMap: 10⁴ `Semaphore.run` calls with a
 * signal each cost 1.05× the 78abbaf Semaphore's time this way, 1.35× with a
 * WeakMap, whose entries the collector must treat apart.
 */
class Slot extends Stamp {
  #watchers: Watchers | undefined;

  static get(signal: AbortSignal): Watchers | undefined {
    return #watchers in signal ? signal.#watchers : undefined;
  }

  static set(signal: AbortSignal, watchers: Watchers | undefined): void {
    if (#watchers in signal) signal.#watchers = watchers;
    else new Slot(signal).#watchers = watchers;
  }
}

/**
 * Tells `watcher` (one registration per object) when `signal` aborts. The
 * caller checks `signal.aborted` first: an aborted signal never fires again.
 */
export function watch(signal: AbortSignal, watcher: AbortWatcher): void {
  const watchers = Slot.get(signal);
  if (watchers !== undefined) {
    (watchers.rest ??= new Set()).add(watcher);
    return;
  }
  const created = new Watchers();
  created.first = watcher;
  // An options object, though `once` is off: Deno adds a listener given none
  // more slowly (10^4 runs, a signal each, ÷ 5df4acd: 1.04-1.11x without,
  // 0.95-1.01x with; bench/lib_ab.ts). It throws for a signal that takes no
  // listener (Deno: one made non-extensible first): then nothing is stamped.
  signal.addEventListener("abort", created, { once: false });
  Slot.set(signal, created);
}

/** Stops telling `watcher` about `signal`; does nothing if it was not told to. */
export function unwatch(signal: AbortSignal, watcher: AbortWatcher): void {
  const watchers = Slot.get(signal);
  if (watchers?.delete(watcher)) {
    Slot.set(signal, undefined);
    signal.removeEventListener("abort", watchers);
  }
}
