/** Where a consumer starts reading a partition, and its wire form. */
import { SamsaError } from '../../errors/index.js';
import { MAX_OFFSET, type v1 } from '../../rpc/index.js';

/**
 * 'earliest' (oldest retained), 'latest' (the high watermark: only new records), an exact offset,
 * the first record at or after a time, or the last N records of each partition (`{ last: N }`:
 * the high watermark minus N, not before the oldest retained; resolved by the client, see
 * listOffset, as Kafka's wire has no such position).
 */
export type OffsetSpec = 'earliest' | 'latest' | { offset: number } | { timestampMs: number } | { last: number };

/** The wire form of a spec the broker resolves; `{ last }` is resolved by listOffset and is an INVALID_REQUEST here. */
export function toWireOffsetSpec(spec: OffsetSpec): v1.OffsetSpec {
  if (spec === 'earliest') return { position: 'OFFSET_POSITION_EARLIEST' };
  if (spec === 'latest') return { position: 'OFFSET_POSITION_LATEST' };
  if ('last' in spec)
    throw new SamsaError(
      'INVALID_REQUEST',
      'the last N records is a position only a reading client resolves (ListOffsets has no such spec)',
    );
  if ('offset' in spec) {
    if (!Number.isSafeInteger(spec.offset) || spec.offset < 0 || spec.offset > MAX_OFFSET) {
      throw new SamsaError('INVALID_REQUEST', `offset must be an integer from 0 to 2^53-1, got ${spec.offset}`);
    }
    return { offset: spec.offset };
  }
  if (!Number.isSafeInteger(spec.timestampMs) || spec.timestampMs < 0) {
    throw new SamsaError('INVALID_REQUEST', `timestamp must be ms since the epoch, got ${spec.timestampMs}`);
  }
  return { timestampMs: spec.timestampMs };
}

/**
 * Parses the CLI's --from: `earliest`, `latest`, an offset (`1234`), or `@` and a time: ms since
 * the epoch (`@1700000000000`) or an ISO 8601 date (`@2024-01-31T12:00:00Z`).
 */
export function parseOffsetSpec(text: string): OffsetSpec {
  if (text === 'earliest' || text === 'latest') return text;
  if (text.startsWith('@')) {
    const rest = text.slice(1);
    const ms = /^\d+$/.test(rest) ? Number(rest) : Date.parse(rest);
    if (!Number.isSafeInteger(ms) || ms < 0) {
      throw new SamsaError('INVALID_REQUEST', `"${text}" is not a time: use @<ms since epoch> or @<ISO 8601 date>`);
    }
    return { timestampMs: ms };
  }
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return { offset: n };
  }
  throw new SamsaError('INVALID_REQUEST', `"${text}" is not a start position: use earliest, latest, an offset, or @TIMESTAMP`);
}
