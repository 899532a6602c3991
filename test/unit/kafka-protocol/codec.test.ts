/**
 * The Kafka wire codec: every message definition the gateway carries round-trips at every version
 * Kafka defines for it (fast-check values built from the definition itself), every strict prefix of
 * an encoded message is refused as KafkaProtocolError, and known byte layouts (headers, compact
 * strings, tagged fields) match what Kafka clients send.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KafkaProtocolError,
  MESSAGES,
  Reader,
  Writer,
  decodeMessage,
  decodeRequestBody,
  decodeResponse,
  defaultValue,
  encodeMessage,
  encodeRequest,
  encodeResponse,
  inRange,
  readRequestHeader,
  type FieldSpec,
  type MessageSpec,
} from '../../../libs/kafka-protocol/index.js';

type Value = unknown;

function primitive(type: string): fc.Arbitrary<Value> | undefined {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint32':
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'int64':
      return fc.oneof(fc.constant(-1), fc.maxSafeInteger());
    case 'float64':
      return fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0));
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 12 });
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
    default:
      return undefined;
  }
}

/** A value for `fields` at `version` and what it decodes to (absent fields take their defaults). */
function structArb(fields: readonly FieldSpec[], version: number, depth: number): fc.Arbitrary<{ value: Value; expected: Value }> {
  const parts: Record<string, fc.Arbitrary<{ value: Value; expected: Value }>> = {};
  for (const f of fields) {
    if (!inRange(version, f.versions)) {
      parts[f.name] = fc.constant({ value: undefined, expected: defaultValue(f) });
      continue;
    }
    const nullable = inRange(version, f.nullable);
    const element = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
    let one: fc.Arbitrary<{ value: Value; expected: Value }>;
    const prim = primitive(element);
    if (prim) one = prim.map((v) => ({ value: v, expected: v }));
    else if (depth > 3)
      one = fc.constant({ value: defaultValue({ ...f, type: element }), expected: defaultValue({ ...f, type: element }) });
    else one = structArb(f.fields ?? [], version, depth + 1);
    let arb: fc.Arbitrary<{ value: Value; expected: Value }> = f.type.startsWith('[]')
      ? fc.array(one, { maxLength: 3 }).map((xs) => ({ value: xs.map((x) => x.value), expected: xs.map((x) => x.expected) }))
      : one;
    if (nullable) arb = fc.oneof(arb, fc.constant({ value: null, expected: null }));
    parts[f.name] = arb;
  }
  return fc.record(parts).map((rec) => {
    const value: Record<string, Value> = {};
    const expected: Record<string, Value> = {};
    for (const [k, v] of Object.entries(rec)) {
      if (v.value !== undefined) value[k] = v.value;
      expected[k] = v.expected;
    }
    return { value, expected };
  });
}

function versions(spec: MessageSpec): number[] {
  const out: number[] = [];
  for (let v = spec.valid[0]; v <= spec.valid[1]; v++) out.push(v);
  return out;
}

const specs = Object.values(MESSAGES).filter((s) => s.apiKey >= 0);

describe('every message at every version', () => {
  for (const spec of specs) {
    it(`${spec.name} v${spec.valid[0]}-${spec.valid[1]} round-trips and refuses every truncation`, () => {
      for (const version of versions(spec)) {
        fc.assert(
          fc.property(structArb(spec.fields, version, 0), fc.double({ min: 0, max: 1, noNaN: true }), ({ value, expected }, cutAt) => {
            const w = new Writer(8);
            encodeMessage(spec, version, value as object, w);
            const bytes = w.finish();
            const r = new Reader(bytes);
            expect(decodeMessage(spec, version, r)).toEqual(expected);
            expect(r.remaining).toBe(0);
            // Re-encoding what was decoded gives the same bytes.
            const again = new Writer(8);
            encodeMessage(spec, version, expected as object, again);
            expect(again.finish().equals(bytes)).toBe(true);
            // Every field on the wire takes at least one byte: a strict prefix never decodes.
            const cut = Math.floor(bytes.length * cutAt);
            if (cut < bytes.length)
              expect(() => decodeMessage(spec, version, new Reader(bytes.subarray(0, cut)))).toThrow(KafkaProtocolError);
          }),
          { numRuns: 8 },
        );
      }
    });
  }
});

describe('primitives', () => {
  it('varints and unsigned varints round-trip over their range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (u, s) => {
        const bytes = new Writer(1).uvarint(u).varint(s).finish();
        const r = new Reader(bytes);
        expect(r.uvarint()).toBe(u);
        expect(r.varint()).toBe(s);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it('writes varints as protobuf/Kafka do (zig-zag, 7 bits a byte)', () => {
    expect([...new Writer(1).uvarint(300).finish()]).toEqual([0xac, 0x02]);
    expect([...new Writer(1).varint(-1).finish()]).toEqual([0x01]);
    expect([...new Writer(1).varint(1).finish()]).toEqual([0x02]);
    expect([...new Writer(1).varint(-64).finish()]).toEqual([0x7f]);
  });

  it('compact strings are uvarint(length + 1), 0 for null; classic strings int16, -1 for null', () => {
    expect([...new Writer(1).string('ab', true).finish()]).toEqual([3, 0x61, 0x62]);
    expect([...new Writer(1).string(null, true).finish()]).toEqual([0]);
    expect([...new Writer(1).string('ab', false).finish()]).toEqual([0, 2, 0x61, 0x62]);
    expect([...new Writer(1).string(null, false).finish()]).toEqual([0xff, 0xff]);
  });

  it('an int64 beyond 2^53 is refused, not rounded', () => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(2n ** 60n);
    expect(() => new Reader(b).int64()).toThrow(KafkaProtocolError);
  });

  it('an array count larger than the frame is refused before allocating', () => {
    const spec = MESSAGES.MetadataRequest as MessageSpec;
    const bytes = new Writer(8).int32(0x7fffffff).finish();
    expect(() => decodeMessage(spec, 1, new Reader(bytes))).toThrow(/array of 2147483647 elements/);
  });
});

describe('headers and frames', () => {
  it('ApiVersions v3 request: header v2 (client id keeps its int16 length), compact body, empty tag sections', () => {
    const frame = encodeRequest(
      { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'k' },
      { clientSoftwareName: 'kc', clientSoftwareVersion: '1' },
    );
    // size, key 18, version 3, correlation 7, client id "k" (int16 length), header tags 0,
    // compact "kc", compact "1", body tags 0.
    expect([...frame]).toEqual([0, 0, 0, 18, 0, 18, 0, 3, 0, 0, 0, 7, 0, 1, 0x6b, 0, 3, 0x6b, 0x63, 2, 0x31, 0]);
    const r = new Reader(frame.subarray(4));
    const header = readRequestHeader(r);
    expect(header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'k' });
    expect(decodeRequestBody(header, r)).toEqual({ clientSoftwareName: 'kc', clientSoftwareVersion: '1' });
  });

  it('ApiVersions responses keep header v0 even in flexible versions; other flexible responses take header v1', () => {
    const api = encodeResponse(18, 3, 9, { errorCode: 0, apiKeys: [] });
    // size, correlation id, then the body straight away: error code int16 0, compact array of 0 (1), throttle, tags.
    expect([...api.subarray(4, 12)]).toEqual([0, 0, 0, 9, 0, 0, 1, 0]);
    expect(decodeResponse(18, 3, api.subarray(4))).toMatchObject({ correlationId: 9, body: { errorCode: 0, apiKeys: [] } });
    const md = encodeResponse(3, 9, 5, { brokers: [], topics: [] });
    expect([...md.subarray(4, 9)]).toEqual([0, 0, 0, 5, 0]);
    expect(decodeResponse(3, 9, md.subarray(4)).correlationId).toBe(5);
  });

  it('tagged fields are written only when set, ascending by tag, and unknown tags are skipped', () => {
    const spec = MESSAGES.ApiVersionsResponse as MessageSpec;
    const w = new Writer(8);
    encodeMessage(spec, 3, { errorCode: 0, apiKeys: [], throttleTimeMs: 0, finalizedFeaturesEpoch: 5, zkMigrationReady: true }, w);
    const bytes = w.finish();
    // error code, apiKeys (compact 0 -> 1), throttle, then 2 tags: tag 1 (int64, 8 bytes), tag 3 (bool).
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0, 1, 0, 0, 0, 0, 2]);
    expect([...bytes.subarray(8, 10)]).toEqual([1, 8]);
    const decoded = decodeMessage<Record<string, unknown>>(spec, 3, new Reader(bytes));
    expect(decoded.finalizedFeaturesEpoch).toBe(5);
    expect(decoded.zkMigrationReady).toBe(true);
    // An unknown tag (99) is skipped.
    const unknown = Buffer.from([0, 0, 1, 0, 0, 0, 0, 1, 99, 2, 0xaa, 0xbb]);
    expect(decodeMessage<Record<string, unknown>>(spec, 3, new Reader(unknown)).errorCode).toBe(0);
  });

  it('bytes left after a request body are refused', () => {
    const frame = encodeRequest({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: null }, {});
    const padded = Buffer.concat([frame.subarray(4), Buffer.from([1])]);
    const r = new Reader(padded);
    const header = readRequestHeader(r);
    expect(() => decodeRequestBody(header, r)).toThrow(/1 bytes after the message/);
  });
});
