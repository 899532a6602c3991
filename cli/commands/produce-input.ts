/**
 * How `samsa produce` turns one input line into a record. Text lines are the value (or
 * KEY<SEP>VALUE), read as bytes and decoded with --key-format/--value-format; JSON lines are the
 * objects `samsa consume -o json` prints (with their keyEncoding/valueEncoding/headerEncodings), so
 * the two pipe into each other without losing a byte. A line that cannot be a record is an
 * InputError naming the line, so the user can find and fix it.
 */
import type { Bytes, ProducerMessage } from '../../libs/client/index.js';
import { JSON_ENCODINGS, decodeBytes, type ByteFormat } from '../bytes.js';

export class InputError extends Error {
  constructor(lineNo: number, problem: string) {
    super(`line ${lineNo}: ${problem}`);
    this.name = 'InputError';
  }
}

export type LineFormat =
  | { kind: 'text'; keySeparator?: string; keyFormat?: ByteFormat; valueFormat?: ByteFormat }
  | { kind: 'json'; keyFormat?: ByteFormat; valueFormat?: ByteFormat };

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

function decoded(text: string | Buffer, format: ByteFormat, what: string, lineNo: number): Buffer {
  try {
    return decodeBytes(text, format);
  } catch (err) {
    throw new InputError(lineNo, `${what} ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * One line as a record. `headers` (from --header) are added to every record; a JSON line's own
 * headers win over them. JSON `topic`, `partition` and `offset` are ignored: records are placed by
 * key (or by --partition), so copying a topic into one with another partition count works.
 */
export function lineToMessage(
  line: string | Buffer,
  lineNo: number,
  format: LineFormat,
  headers: Readonly<Record<string, string>>,
): ProducerMessage {
  const base: Record<string, Bytes> = { ...headers };
  const keyFormat = format.keyFormat ?? 'raw';
  const valueFormat = format.valueFormat ?? 'raw';
  if (format.kind === 'text') {
    const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
    const withHeaders = (m: ProducerMessage): ProducerMessage => (Object.keys(base).length > 0 ? { ...m, headers: base } : m);
    if (format.keySeparator === undefined) return withHeaders({ value: decoded(bytes, valueFormat, 'the value', lineNo) });
    const at = bytes.indexOf(format.keySeparator);
    if (at < 0) throw new InputError(lineNo, `no key separator "${format.keySeparator}"`);
    return withHeaders({
      key: decoded(bytes.subarray(0, at), keyFormat, 'the key', lineNo),
      value: decoded(bytes.subarray(at + Buffer.byteLength(format.keySeparator)), valueFormat, 'the value', lineNo),
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof line === 'string' ? line : line.toString('utf8'));
  } catch (err) {
    throw new InputError(
      lineNo,
      `not JSON (${err instanceof Error ? err.message : String(err)}); each line must be one object like {"key":"k","value":"v","headers":{"h":"x"}}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputError(lineNo, 'must be a JSON object with at least "value"');
  const o = parsed as Record<string, unknown>;
  if (!('value' in o)) throw new InputError(lineNo, 'has no "value" (use null for a tombstone)');
  const field = (name: 'key' | 'value', fallback: ByteFormat): Bytes | null => {
    const v = stringOrNull(o[name], name, lineNo);
    const encoding = encodingField(o[`${name}Encoding`], `${name}Encoding`, lineNo);
    if (v === null) return null;
    // Text stays a string (the SDK encodes it as UTF-8); base64 and hex become the bytes they stand for.
    const as = encoding ?? fallback;
    return as === 'raw' || as === 'utf8' ? v : decoded(v, as, `"${name}"`, lineNo);
  };
  const message: ProducerMessage = { value: field('value', valueFormat) };
  if ('key' in o) message.key = field('key', keyFormat);
  if (o.headers !== undefined && o.headers !== null) {
    if (typeof o.headers !== 'object' || Array.isArray(o.headers)) throw new InputError(lineNo, '"headers" must be an object of strings');
    const encodings = o.headerEncodings ?? {};
    if (typeof encodings !== 'object' || encodings === null || Array.isArray(encodings))
      throw new InputError(lineNo, '"headerEncodings" must be an object');
    for (const [k, v] of Object.entries(o.headers as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new InputError(lineNo, `header "${k}" must be a string`);
      const encoding = Object.hasOwn(encodings, k)
        ? encodingField((encodings as Record<string, unknown>)[k], `headerEncodings["${k}"]`, lineNo)
        : undefined;
      base[k] = encoding === undefined || encoding === 'utf8' ? v : decoded(v, encoding, `header "${k}"`, lineNo);
    }
  }
  if (Object.keys(base).length > 0) message.headers = base;
  if (o.timestamp !== undefined && o.timestamp !== null) {
    if (typeof o.timestamp !== 'number' || !Number.isSafeInteger(o.timestamp) || o.timestamp < 0)
      throw new InputError(lineNo, '"timestamp" must be ms since the epoch (a non-negative integer)');
    message.timestampMs = o.timestamp;
  }
  return message;
}

function stringOrNull(v: unknown, field: string, lineNo: number): string | null {
  if (v === undefined || v === null || typeof v === 'string') return v ?? null;
  throw new InputError(lineNo, `"${field}" must be a string or null`);
}

function encodingField(v: unknown, field: string, lineNo: number): 'utf8' | 'base64' | 'hex' | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && (JSON_ENCODINGS as readonly string[]).includes(v)) return v as 'utf8' | 'base64' | 'hex';
  throw new InputError(lineNo, `"${field}" must be one of ${JSON_ENCODINGS.join(', ')}`);
}
