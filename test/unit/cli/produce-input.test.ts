/**
 * samsa produce's line parsing: text and JSON lines, --header flags, and the errors that name the
 * line. JSON lines as `samsa consume --format json` prints them must be accepted unchanged.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError, lineToMessage, parseHeaderFlags } from '../../../cli/commands/produce-input.js';

describe('produce input lines', () => {
  it('text: the line is the value; with a separator, KEY<SEP>VALUE split at the first separator', () => {
    expect(lineToMessage('hello', 1, { kind: 'text' }, {})).toEqual({ value: Buffer.from('hello') });
    expect(lineToMessage('k:v:w', 1, { kind: 'text', keySeparator: ':' }, {})).toEqual({
      key: Buffer.from('k'),
      value: Buffer.from('v:w'),
    });
    expect(() => lineToMessage('no-sep', 7, { kind: 'text', keySeparator: ':' }, {})).toThrow(new InputError(7, 'no key separator ":"'));
  });

  it("--header flags go on every record; a JSON line's own headers win", () => {
    expect(parseHeaderFlags(['a=1', 'b=x=y', 'empty='])).toEqual({ ok: true, headers: { a: '1', b: 'x=y', empty: '' } });
    expect(parseHeaderFlags(['=v'])).toMatchObject({ ok: false, error: expect.stringContaining('--header must be KEY=VALUE') });
    expect(parseHeaderFlags(['novalue'])).toMatchObject({ ok: false, error: expect.stringContaining('"novalue"') });
    // A header may be called "error" like any other.
    expect(parseHeaderFlags(['error=disk full'])).toEqual({ ok: true, headers: { error: 'disk full' } });
    expect(lineToMessage('v', 1, { kind: 'text' }, { src: 'cli' })).toEqual({ value: Buffer.from('v'), headers: { src: 'cli' } });
    expect(lineToMessage('{"value":"v","headers":{"src":"line","t":"1"}}', 1, { kind: 'json' }, { src: 'cli', c: 'x' })).toEqual({
      value: 'v',
      headers: { src: 'line', c: 'x', t: '1' },
    });
  });

  it('json: accepts what consume --format json prints (partition and offset ignored)', () => {
    const printed = JSON.stringify({ partition: 3, offset: 42, timestamp: 1700000000000, key: 'k', value: 'v', headers: { h: 'x' } });
    expect(lineToMessage(printed, 1, { kind: 'json' }, {})).toEqual({
      key: 'k',
      value: 'v',
      headers: { h: 'x' },
      timestampMs: 1700000000000,
    });
    expect(lineToMessage('{"key":null,"value":null}', 1, { kind: 'json' }, {})).toEqual({ key: null, value: null });
  });

  it('text lines are bytes: raw keeps every byte, base64 and hex decode, bad encodings name the line', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 0x0a));
    expect(lineToMessage(all, 1, { kind: 'text' }, {}).value).toEqual(all);
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x0d]);
    expect(lineToMessage(bytes.toString('base64'), 1, { kind: 'text', valueFormat: 'base64' }, {}).value).toEqual(bytes);
    expect(
      lineToMessage(
        `6b:${bytes.toString('hex').toUpperCase()}`,
        1,
        { kind: 'text', keySeparator: ':', keyFormat: 'hex', valueFormat: 'hex' },
        {},
      ),
    ).toEqual({ key: Buffer.from('k'), value: bytes });
    expect(() => lineToMessage('not base64!', 3, { kind: 'text', valueFormat: 'base64' }, {})).toThrow(
      /^line 3: the value is not valid base64/,
    );
    expect(() => lineToMessage('abc', 4, { kind: 'text', valueFormat: 'hex' }, {})).toThrow(/^line 4: the value is not valid hex/);
  });

  it('json: keyEncoding/valueEncoding/headerEncodings as consume -o json prints them give back the bytes', () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe]);
    const line = JSON.stringify({
      key: 'k',
      keyEncoding: 'utf8',
      value: bytes.toString('base64'),
      valueEncoding: 'base64',
      headers: { bin: 'fffe', txt: 'x' },
      headerEncodings: { bin: 'hex' },
    });
    expect(lineToMessage(line, 1, { kind: 'json' }, {})).toEqual({
      key: 'k',
      value: bytes,
      headers: { bin: Buffer.from([0xff, 0xfe]), txt: 'x' },
    });
    // --value-format is the encoding of lines that do not say theirs.
    expect(lineToMessage('{"value":"AP8="}', 1, { kind: 'json', valueFormat: 'base64' }, {}).value).toEqual(Buffer.from([0x00, 0xff]));
    expect(() => lineToMessage('{"value":"x","valueEncoding":"rot13"}', 2, { kind: 'json' }, {})).toThrow(
      /^line 2: "valueEncoding" must be one of utf8, base64, hex/,
    );
    expect(() => lineToMessage('{"value":"x=","valueEncoding":"base64"}', 2, { kind: 'json' }, {})).toThrow(
      /^line 2: "value" is not valid base64/,
    );
  });

  it('json: a line that is not a record is refused with its number and what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['not json', /^line 5: not JSON/],
      ['[1,2]', /^line 5: must be a JSON object/],
      ['{"key":"k"}', /^line 5: has no "value"/],
      ['{"value":1}', /^line 5: "value" must be a string or null/],
      ['{"value":"v","key":{}}', /^line 5: "key" must be a string or null/],
      ['{"value":"v","headers":{"h":1}}', /^line 5: header "h" must be a string/],
      ['{"value":"v","headers":[]}', /^line 5: "headers" must be an object/],
      ['{"value":"v","timestamp":-1}', /^line 5: "timestamp" must be ms since the epoch/],
    ];
    for (const [line, message] of bad) expect(() => lineToMessage(line, 5, { kind: 'json' }, {}), line).toThrow(message);
  });

  it('property: any record printed as JSON reads back as the same key, value, headers and timestamp', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: null }),
        fc.option(fc.string(), { nil: null }),
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'),
          fc.string(),
        ),
        fc.nat(),
        (key, value, headers, timestamp) => {
          const m = lineToMessage(JSON.stringify({ key, value, headers, timestamp }), 1, { kind: 'json' }, {});
          expect(m.key).toBe(key);
          expect(m.value).toBe(value);
          expect(m.headers ?? {}).toEqual(headers);
          expect(m.timestampMs).toBe(timestamp);
        },
      ),
    );
  });
});
