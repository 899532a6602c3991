/**
 * How `samsa consume` prints one record: as a JSON object (-o json; one per line), as text (the
 * value, or KEY<SEP>VALUE), or through a kcat-style format string (--format).
 *
 * Format strings, as kcat's -f:
 *   %k key   %s value   %t topic   %p partition   %o offset   %T timestamp (ms since the epoch)
 *   %h headers as name=value pairs separated by commas   %K key length   %S value length
 *   (-1 for a null key or value)   %% a percent sign
 *   \n newline   \t tab   \r carriage return   \0 NUL   \\ backslash
 * Nothing is added at the end: put \n in the format to end each record with a newline.
 */
import type { ConsumedMessage } from '../libs/client/index.js';
import { jsonBytes, textBytes, type ByteFormat, type JsonEncoding } from './bytes.js';
import { s, type JsonSchema } from './schema.js';

export interface RecordJson {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  keyEncoding: JsonEncoding;
  value: string | null;
  valueEncoding: JsonEncoding;
  headers: Record<string, string>;
  headerEncodings: Record<string, JsonEncoding>;
}

const ENCODING = s.string('how the string stands for the bytes: utf8 (text), base64 or hex', ['utf8', 'base64', 'hex']);

export const RECORD_SCHEMA: JsonSchema = s.object({
  topic: s.string(),
  partition: s.integer(),
  offset: s.integer(),
  timestamp: s.integer('ms since the epoch'),
  key: s.nullable(s.string('null: no key')),
  keyEncoding: ENCODING,
  value: s.nullable(s.string('null: a tombstone')),
  valueEncoding: ENCODING,
  headers: s.map(s.string(), 'header name -> value (the last one wins when a name repeats)'),
  headerEncodings: s.map(ENCODING, 'the encoding of each header value that is not utf8 (base64 when not valid UTF-8)'),
});

export interface ByteFormats {
  key: ByteFormat;
  value: ByteFormat;
}

export function recordJson(m: ConsumedMessage, formats: ByteFormats): RecordJson {
  const key = m.key ? jsonBytes(m.key, formats.key) : undefined;
  const value = m.value ? jsonBytes(m.value, formats.value) : undefined;
  const headers: Record<string, string> = {};
  const headerEncodings: Record<string, JsonEncoding> = {};
  for (const h of m.headers) {
    const v = jsonBytes(h.value, 'raw');
    headers[h.key] = v.text;
    if (v.encoding !== 'utf8') headerEncodings[h.key] = v.encoding;
    else delete headerEncodings[h.key];
  }
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    timestamp: m.timestampMs,
    key: key?.text ?? null,
    keyEncoding: key?.encoding ?? (formats.key === 'base64' || formats.key === 'hex' ? formats.key : 'utf8'),
    value: value?.text ?? null,
    valueEncoding: value?.encoding ?? (formats.value === 'base64' || formats.value === 'hex' ? formats.value : 'utf8'),
    headers,
    headerEncodings,
  };
}

/** One record as output pieces (strings and raw bytes), written one after the other. */
export type RecordRenderer = (m: ConsumedMessage) => (string | Buffer)[];

/** Text mode: the value, or KEY<SEP>VALUE with printKey; a newline after each record. */
export function textRenderer(formats: ByteFormats, printKey: boolean, separator: string): RecordRenderer {
  const bytes = (b: Buffer | null, f: ByteFormat): string | Buffer => (b ? textBytes(b, f) : '');
  return printKey
    ? (m) => [bytes(m.key, formats.key), separator, bytes(m.value, formats.value), '\n']
    : (m) => [bytes(m.value, formats.value), '\n'];
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\' };

/** Compiles a kcat-style format string; throws an Error naming the first bad directive. */
export function formatRenderer(format: string, formats: ByteFormats): RecordRenderer {
  type Part = string | ((m: ConsumedMessage) => string | Buffer);
  const parts: Part[] = [];
  let literal = '';
  const directives: Readonly<Record<string, (m: ConsumedMessage) => string | Buffer>> = {
    k: (m) => (m.key ? textBytes(m.key, formats.key) : ''),
    s: (m) => (m.value ? textBytes(m.value, formats.value) : ''),
    t: (m) => m.topic,
    p: (m) => String(m.partition),
    o: (m) => String(m.offset),
    T: (m) => String(m.timestampMs),
    K: (m) => String(m.key ? m.key.length : -1),
    S: (m) => String(m.value ? m.value.length : -1),
    h: (m) => {
      if (m.headers.length === 0) return '';
      const pieces: Buffer[] = [];
      m.headers.forEach((h, i) => pieces.push(Buffer.from(`${i > 0 ? ',' : ''}${h.key}=`), Buffer.from(textBytes(h.value, formats.value))));
      return Buffer.concat(pieces);
    },
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    const next = format[i + 1];
    if (c === '%' || c === '\\') {
      if (next === undefined) throw new Error(`ends with a lone "${c}"`);
      i++;
      if (c === '%' && next === '%') literal += '%';
      else if (c === '%') {
        const d = directives[next];
        if (!d) throw new Error(`unknown directive %${next} (known: %k %s %t %p %o %T %h %K %S %%)`);
        if (literal) parts.push(literal);
        literal = '';
        parts.push(d);
      } else {
        const e = ESCAPES[next];
        if (e === undefined) throw new Error(`unknown escape \\${next} (known: \\n \\t \\r \\0 \\\\)`);
        literal += e;
      }
    } else literal += c;
  }
  if (literal) parts.push(literal);
  // A template without a directive prints the same text for every record: a mistake, such as
  // `--format xml` meant as an output format.
  if (parts.every((p) => typeof p === 'string'))
    throw new Error(`"${format}" has no %-directive (use -o json|yaml for structured output, or a template like '%k %s\\n')`);
  return (m) => parts.map((p) => (typeof p === 'string' ? p : p(m)));
}
