/**
 * Loads a handler given as a module and an export name (HandlerModule): what a worker thread does
 * once at start, and what the consumer's own thread does for a module handler without workers.
 */
import { SamsaError } from '../../errors/index.js';
import type { Handler, HandlerMode } from './run-options.js';

export async function loadHandler(url: string, exportName: string, mode: HandlerMode): Promise<Handler> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new SamsaError('INVALID_REQUEST', `cannot load the handler module ${url}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const fn = loaded[exportName];
  if (typeof fn !== 'function') {
    const exported = Object.keys(loaded).join(', ') || 'nothing';
    throw new SamsaError('INVALID_REQUEST', `the handler module ${url} has no function export "${exportName}" (it exports: ${exported})`);
  }
  return mode === 'message'
    ? { mode, fn: fn as Extract<Handler, { mode: 'message' }>['fn'] }
    : { mode, fn: fn as Extract<Handler, { mode: 'batch' }>['fn'] };
}
