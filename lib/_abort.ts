/**
 * One "abort" listener per distinct signal, for the whole library.
 *
 * Deno's `EventTarget` scans a signal's listeners on every
 * `addEventListener` and `removeEventListener`, so N callers that each add a
 * listener to one shared signal cost O(N²): 80,000 waiters on one signal
 * took 30 s. Instead, every part of lib/ that waits on a caller's signal
 * registers a watcher here. The first watcher of a signal adds the one
 * listener; every watcher after it is an O(1) `Set` insertion, and leaving is
 * an O(1) deletion. When the signal aborts, the watchers are told in the
 * order they came.
 *
 * The listener leaves the signal with its last watcher. A listener on a
 * signal from `AbortSignal.timeout()` keeps the process alive until the
 * timer fires (Deno 2.9 does, checked), so a listener left behind
 * would hold a finished program open for the whole timeout.
 *
 * @module
 */

/** Something to tell when a signal aborts. */
export interface AbortWatcher {
  /**
   * Called once, when the watched signal aborts; `signal.reason` says why.
   * The watcher has already been removed.
   */
  aborted(signal: AbortSignal): void;
}

/** A signal's watchers, in the order they came; also its one listener. */
class Watchers extends Set<AbortWatcher> {
  handleEvent(event: Event): void {
    const signal = event.target as AbortSignal;
    registry.delete(signal);
    for (const watcher of this) {
      this.delete(watcher);
      try {
        watcher.aborted(signal);
      } catch (error) {
        // One watcher's failure must not keep the others waiting forever.
        reportError(error);
      }
    }
  }
}

const registry = new WeakMap<AbortSignal, Watchers>();

/**
 * Tells `watcher` when `signal` aborts. The caller checks `signal.aborted`
 * first: an already aborted signal never fires again.
 *
 * @param signal A signal that has not aborted.
 * @param watcher Who to tell; one registration per object.
 */
export function watch(signal: AbortSignal, watcher: AbortWatcher): void {
  let watchers = registry.get(signal);
  if (watchers === undefined) {
    watchers = new Watchers();
    registry.set(signal, watchers);
    signal.addEventListener("abort", watchers, { once: true });
  }
  watchers.add(watcher);
}

/**
 * Stops telling `watcher` about `signal`; does nothing if it was not
 * watching (or the signal already aborted).
 *
 * @param signal The signal given to {@linkcode watch}.
 * @param watcher The watcher given to {@linkcode watch}.
 */
export function unwatch(signal: AbortSignal, watcher: AbortWatcher): void {
  const watchers = registry.get(signal);
  if (watchers === undefined || !watchers.delete(watcher)) return;
  if (watchers.size === 0) {
    registry.delete(signal);
    signal.removeEventListener("abort", watchers);
  }
}
