/**
 * Keys, values and header values are bytes. How the CLI writes them out and reads them in:
 *
 *   raw     the bytes as they are (text output default; binary-safe except that a line ends at \n)
 *   utf8    as UTF-8 text; on output, bytes that are not valid UTF-8 print as U+FFFD
 *   base64  standard base64 (RFC 4648, with padding)
 *   hex     lowercase hexadecimal, two digits a byte (upper case accepted on input)
 *
 * JSON (and YAML) output never loses a byte: with raw or utf8 a field is UTF-8 text when the bytes
 * are valid UTF-8 and base64 otherwise, and the record says which in its `*Encoding` field.
 */
import { isUtf8 } from 'node:buffer';

export const BYTE_FORMATS = ['raw', 'utf8', 'base64', 'hex'] as const;
export type ByteFormat = (typeof BYTE_FORMATS)[number];

/** How a string in JSON stands for bytes. */
export type JsonEncoding = 'utf8' | 'base64' | 'hex';
export const JSON_ENCODINGS: readonly JsonEncoding[] = ['utf8', 'base64', 'hex'];

/** Bytes for text output: a Buffer (raw) or a string. */
export function textBytes(bytes: Buffer, format: ByteFormat): string | Buffer {
  switch (format) {
    case 'raw':
      return bytes;
    case 'utf8':
      return bytes.toString('utf8');
    case 'base64':
      return bytes.toString('base64');
    case 'hex':
      return bytes.toString('hex');
  }
}

/** Bytes for JSON: text when valid UTF-8 (raw, utf8) or as asked (base64, hex), with the encoding used. */
export function jsonBytes(bytes: Buffer, format: ByteFormat): { text: string; encoding: JsonEncoding } {
  if (format === 'base64' || format === 'hex') return { text: bytes.toString(format), encoding: format };
  return isUtf8(bytes) ? { text: bytes.toString('utf8'), encoding: 'utf8' } : { text: bytes.toString('base64'), encoding: 'base64' };
}

/** Text read from input as bytes in `encoding`; throws a plain Error naming what is wrong. */
export function decodeBytes(text: string | Buffer, encoding: ByteFormat): Buffer {
  const asText = (): string => (typeof text === 'string' ? text : text.toString('latin1'));
  switch (encoding) {
    case 'raw':
    case 'utf8':
      return typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    case 'base64': {
      const t = asText();
      if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) throw new Error('is not valid base64');
      return Buffer.from(t, 'base64');
    }
    case 'hex': {
      const t = asText();
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(t)) throw new Error('is not valid hex (two digits a byte)');
      return Buffer.from(t, 'hex');
    }
  }
}
