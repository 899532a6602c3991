/** FrameSplitter: frames come out whole however the socket cuts the stream; oversized sizes are refused. */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { FrameSplitter, KafkaProtocolError } from '../../../libs/kafka-protocol/index.js';

function frame(body: Uint8Array): Buffer {
  const b = Buffer.alloc(4 + body.length);
  b.writeInt32BE(body.length, 0);
  b.set(body, 4);
  return b;
}

describe('FrameSplitter', () => {
  it('returns the same frames for any cutting of the stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 20 }),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map(frame));
          const splitter = new FrameSplitter(1024);
          const out: Buffer[] = [];
          let at = 0;
          let i = 0;
          while (at < stream.length) {
            const n = cuts[i++ % cuts.length] as number;
            out.push(...splitter.push(stream.subarray(at, at + n)));
            at += n;
          }
          expect(out.map((b) => [...b])).toEqual(bodies.map((b) => [...b]));
          expect(splitter.buffered).toBe(0);
        },
      ),
    );
  });

  it('refuses a size above the limit, or negative, as soon as the size is read', () => {
    const big = Buffer.alloc(4);
    big.writeInt32BE(1025);
    expect(() => new FrameSplitter(1024).push(big)).toThrow(KafkaProtocolError);
    expect(() => new FrameSplitter(1024).push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(/outside 0..1024/);
  });

  it('holds a partial frame until the rest arrives', () => {
    const s = new FrameSplitter(1024);
    const f = frame(Buffer.from('hello'));
    expect(s.push(f.subarray(0, 6))).toEqual([]);
    expect(s.buffered).toBe(6);
    expect(s.push(f.subarray(6)).map((b) => b.toString())).toEqual(['hello']);
  });

  it('joins a frame that arrives in a thousand pieces once, not once per piece', () => {
    const body = Buffer.alloc(1000 * 64, 7);
    const f = frame(body);
    const s = new FrameSplitter(1 << 20);
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const out: Buffer[] = [];
      for (let at = 0; at < f.length; at += 64) out.push(...s.push(f.subarray(at, at + 64)));
      expect(out).toEqual([body]);
      expect(concat.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      concat.mockRestore();
    }
  });

  it('checks each size prefix against the limit in force when it is read (lowered before authentication)', () => {
    const s = new FrameSplitter(16);
    const big = frame(Buffer.alloc(100, 1));
    expect(() => s.push(big.subarray(0, 4))).toThrow(/outside 0..16/);
    const t = new FrameSplitter(16);
    expect(t.push(frame(Buffer.from('small')))).toHaveLength(1);
    t.setMaxFrameBytes(1024);
    expect(t.push(big)).toEqual([big.subarray(4)]);
  });
});
