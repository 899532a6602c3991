/**
 * samsa produce's line parsing: text and JSON lines, --header flags, and the errors that name the
 * line. JSON lines as `samsa consume --format json` prints them must be accepted unchanged.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError, lineToMessage, parseHeaderFlags } from '../../../cli/commands/produce-input.js';

describe('produce input lines', () => {
  it('text: the line is the value; with a separator, KEY<SEP>VALUE split at the first separator', () => {
    expect(lineToMessage('hello', 1, { kind: 'text' }, {})).toEqual({ value: 'hello' });
    expect(lineToMessage('k:v:w', 1, { kind: 'text', keySeparator: ':' }, {})).toEqual({ key: 'k', value: 'v:w' });
    expect(() => lineToMessage('no-sep', 7, { kind: 'text', keySeparator: ':' }, {})).toThrow(new InputError(7, 'no key separator ":"'));
  });

  it('--header flags go on every record; a JSON line\'s own headers win', () => {
    expect(parseHeaderFlags(['a=1', 'b=x=y', 'empty='])).toEqual({ ok: true, headers: { a: '1', b: 'x=y', empty: '' } });
    expect(parseHeaderFlags(['=v'])).toMatchObject({ ok: false, error: expect.stringContaining('--header must be KEY=VALUE') });
    expect(parseHeaderFlags(['novalue'])).toMatchObject({ ok: false, error: expect.stringContaining('"novalue"') });
    // A header may be called "error" like any other.
    expect(parseHeaderFlags(['error=disk full'])).toEqual({ ok: true, headers: { error: 'disk full' } });
    expect(lineToMessage('v', 1, { kind: 'text' }, { src: 'cli' })).toEqual({ value: 'v', headers: { src: 'cli' } });
    expect(lineToMessage('{"value":"v","headers":{"src":"line","t":"1"}}', 1, { kind: 'json' }, { src: 'cli', c: 'x' })).toEqual({
      value: 'v',
      headers: { src: 'line', c: 'x', t: '1' },
    });
  });

  it('json: accepts what consume --format json prints (partition and offset ignored)', () => {
    const printed = JSON.stringify({ partition: 3, offset: 42, timestamp: 1700000000000, key: 'k', value: 'v', headers: { h: 'x' } });
    expect(lineToMessage(printed, 1, { kind: 'json' }, {})).toEqual({ key: 'k', value: 'v', headers: { h: 'x' }, timestampMs: 1700000000000 });
    expect(lineToMessage('{"key":null,"value":null}', 1, { kind: 'json' }, {})).toEqual({ key: null, value: null });
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
        fc.dictionary(fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'), fc.string()),
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
