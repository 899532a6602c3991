/**
 * How `samsa produce` turns one input line into a record. Text lines are the value (or
 * KEY<SEP>VALUE); JSON lines are the objects `samsa consume --format json` prints, so the two pipe
 * into each other. A line that cannot be a record is an InputError naming the line, so the user can
 * find and fix it.
 */
import type { ProducerMessage } from '../../libs/client/index.js';

export class InputError extends Error {
  constructor(lineNo: number, problem: string) {
    super(`line ${lineNo}: ${problem}`);
    this.name = 'InputError';
  }
}

export type LineFormat = { kind: 'text'; keySeparator?: string } | { kind: 'json' };

/**
 * Parses `--header KEY=VALUE` flags (repeatable); a header without '=' or with an empty key is
 * refused. The result is tagged so that a header named "error" is a header, not a failure.
 */
export function parseHeaderFlags(flags: readonly string[]): { ok: true; headers: Record<string, string> } | { ok: false; error: string } {
  const headers: Record<string, string> = {};
  for (const f of flags) {
    const at = f.indexOf('=');
    if (at <= 0) return { ok: false, error: `--header must be KEY=VALUE with a non-empty KEY, got "${f}"` };
    headers[f.slice(0, at)] = f.slice(at + 1);
  }
  return { ok: true, headers };
}

/**
 * One line as a record. `headers` (from --header) are added to every record; a JSON line's own
 * headers win over them. JSON `partition` and `offset` are ignored: records are placed by key (or
 * by --partition), so copying a topic into one with another partition count works.
 */
export function lineToMessage(line: string, lineNo: number, format: LineFormat, headers: Readonly<Record<string, string>>): ProducerMessage {
  const base: Record<string, string> = { ...headers };
  if (format.kind === 'text') {
    const withHeaders = (m: ProducerMessage): ProducerMessage => (Object.keys(base).length > 0 ? { ...m, headers: base } : m);
    if (format.keySeparator === undefined) return withHeaders({ value: line });
    const at = line.indexOf(format.keySeparator);
    if (at < 0) throw new InputError(lineNo, `no key separator "${format.keySeparator}"`);
    return withHeaders({ key: line.slice(0, at), value: line.slice(at + format.keySeparator.length) });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new InputError(lineNo, `not JSON (${err instanceof Error ? err.message : String(err)}); each line must be one object like {"key":"k","value":"v","headers":{"h":"x"}}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InputError(lineNo, 'must be a JSON object with at least "value"');
  const o = parsed as Record<string, unknown>;
  if (!('value' in o)) throw new InputError(lineNo, 'has no "value" (use null for a tombstone)');
  const message: ProducerMessage = { value: stringOrNull(o.value, 'value', lineNo) };
  if ('key' in o) message.key = stringOrNull(o.key, 'key', lineNo);
  if (o.headers !== undefined && o.headers !== null) {
    if (typeof o.headers !== 'object' || Array.isArray(o.headers)) throw new InputError(lineNo, '"headers" must be an object of strings');
    for (const [k, v] of Object.entries(o.headers as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new InputError(lineNo, `header "${k}" must be a string`);
      base[k] = v;
    }
  }
  if (Object.keys(base).length > 0) message.headers = base;
  if (o.timestamp !== undefined && o.timestamp !== null) {
    if (typeof o.timestamp !== 'number' || !Number.isSafeInteger(o.timestamp) || o.timestamp < 0) throw new InputError(lineNo, '"timestamp" must be ms since the epoch (a non-negative integer)');
    message.timestampMs = o.timestamp;
  }
  return message;
}

function stringOrNull(v: unknown, field: string, lineNo: number): string | null {
  if (v === null || typeof v === 'string') return v;
  throw new InputError(lineNo, `"${field}" must be a string or null`);
}
