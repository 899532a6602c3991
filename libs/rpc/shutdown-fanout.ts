/**
 * Many calls, one shutdown signal. A server's calls each want to end when the process shuts down;
 * if each added its own 'abort' listener to the shared signal, 1,000 open Consume streams would
 * hang 1,000 listeners on it and Node would print MaxListenersExceededWarning ("possible
 * EventTarget memory leak") past 10, although every listener is removed when its call ends. So
 * the shared signal gets one listener, installed on first use, that runs the callbacks of the
 * calls open at that moment; a call's callback leaves the set when the call ends.
 */
const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `fn` once when `signal` aborts (at once if it already has); returns the function that
 * unregisters it (call it when the call ends). Callbacks run in registration order.
 */
export function onShutdown(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return () => undefined;
  }
  let set = callbacks.get(signal);
  if (!set) {
    const registered = new Set<() => void>();
    set = registered;
    callbacks.set(signal, registered);
    signal.addEventListener(
      'abort',
      () => {
        const pending = [...registered];
        registered.clear();
        for (const f of pending) f();
      },
      { once: true },
    );
  }
  const entry = (): void => fn();
  set.add(entry);
  const registered = set;
  return () => {
    registered.delete(entry);
  };
}
