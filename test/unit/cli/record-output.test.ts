/** How consume prints a record: kcat-style format strings, JSON with encodings, bytes in and out. */
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '../../../libs/client/index.js';
import { decodeBytes, jsonBytes, textBytes } from '../../../cli/bytes.js';
import { byteLines } from '../../../cli/lines.js';
import { formatRenderer, recordJson, textRenderer } from '../../../cli/record-output.js';

const record = (over: Partial<ConsumedMessage> = {}): ConsumedMessage => ({
  topic: 'orders',
  partition: 2,
  offset: 41,
  timestampMs: 1_700_000_000_000,
  key: Buffer.from('k1'),
  value: Buffer.from('hello'),
  headers: [
    { key: 'a', value: Buffer.from('1') },
    { key: 'b', value: Buffer.from('x') },
  ],
  leaderEpoch: 0,
  ...over,
});

const raw = { key: 'raw', value: 'raw' } as const;
const joined = (pieces: (string | Buffer)[]): Buffer => Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

describe('format strings', () => {
  it('expand every kcat directive and escape, and add nothing at the end', () => {
    const render = formatRenderer('%t/%p@%o %T %k=%s %K/%S [%h] 100%%\\t|\\n', raw);
    expect(joined(render(record())).toString()).toBe('orders/2@41 1700000000000 k1=hello 2/5 [a=1,b=x] 100%\t|\n');
    expect(joined(render(record({ key: null, value: null, headers: [] }))).toString()).toBe(
      'orders/2@41 1700000000000 = -1/-1 [] 100%\t|\n',
    );
    expect(joined(formatRenderer('%s', raw)(record()))).toEqual(Buffer.from('hello'));
  });

  it('print keys and values in their byte formats, raw bytes as they are', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x0a]);
    expect(joined(formatRenderer('%s', raw)(record({ value: bytes })))).toEqual(bytes);
    expect(joined(formatRenderer('%k:%s', { key: 'hex', value: 'base64' })(record({ value: bytes }))).toString()).toBe('6b31:AP8K');
  });

  it('refuse unknown directives, unknown escapes, a lone % and a template without a directive', () => {
    expect(() => formatRenderer('%x', raw)).toThrow(/unknown directive %x/);
    expect(() => formatRenderer('\\q%s', raw)).toThrow(/unknown escape \\q/);
    expect(() => formatRenderer('%s%', raw)).toThrow(/lone "%"/);
    expect(() => formatRenderer('json', raw)).toThrow(/has no %-directive/);
  });

  it('text output: the value, or KEY<SEP>VALUE, a newline after each', () => {
    expect(joined(textRenderer(raw, false, '\t')(record())).toString()).toBe('hello\n');
    expect(joined(textRenderer(raw, true, ':')(record({ key: null }))).toString()).toBe(':hello\n');
  });
});

describe('records as JSON', () => {
  it('text when valid UTF-8, else base64, and each field says which', () => {
    const json = recordJson(
      record({
        value: Buffer.from([0xff, 0xfe]),
        headers: [
          { key: 'bin', value: Buffer.from([0x80]) },
          { key: 't', value: Buffer.from('é') },
        ],
      }),
      raw,
    );
    expect(json).toEqual({
      topic: 'orders',
      partition: 2,
      offset: 41,
      timestamp: 1_700_000_000_000,
      key: 'k1',
      keyEncoding: 'utf8',
      value: '//4=',
      valueEncoding: 'base64',
      headers: { bin: 'gA==', t: 'é' },
      headerEncodings: { bin: 'base64' },
    });
    expect(recordJson(record({ key: null }), { key: 'hex', value: 'hex' })).toMatchObject({
      key: null,
      keyEncoding: 'hex',
      value: '68656c6c6f',
      valueEncoding: 'hex',
    });
  });

  it('property: any bytes survive JSON in every format', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('raw', 'utf8', 'base64', 'hex' as const), (array, format) => {
        const bytes = Buffer.from(array);
        const j = jsonBytes(bytes, format);
        expect(decodeBytes(j.text, j.encoding)).toEqual(bytes);
        if (format !== 'utf8' && format !== 'raw') expect(decodeBytes(textBytes(bytes, format) as string, format)).toEqual(bytes);
      }),
    );
  });
});

describe('input lines as bytes', () => {
  it('split at \\n across chunks, drop a \\r before it, keep every other byte, and need no final newline', async () => {
    const input = new PassThrough();
    const lines: Buffer[] = [];
    const reading = (async () => {
      for await (const line of byteLines(input)) lines.push(line);
    })();
    input.write(Buffer.from([0x61, 0x00, 0xff]));
    input.write(Buffer.from([0x0d, 0x0a, 0x0a, 0x62]));
    input.end(Buffer.from([0x0d, 0x63]));
    await reading;
    expect(lines).toEqual([Buffer.from([0x61, 0x00, 0xff]), Buffer.alloc(0), Buffer.from([0x62, 0x0d, 0x63])]);
  });
});
