/**
 * Bounds checks at the wire edge. Offsets and other int64s arrive as JS numbers (see proto.ts);
 * these reject what cannot be represented exactly or makes no sense, with INVALID_REQUEST.
 */
import { SamsaError } from '../errors/index.js';

/** Largest offset Samsa accepts: 2^53 - 1. */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

export function checkedOffset(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new SamsaError('INVALID_REQUEST', `${field} must be an integer between 0 and 2^53-1, got ${value}`);
  }
  return value;
}

export function checkedInt32(value: number, field: string, min = -2147483648, max = 2147483647): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SamsaError('INVALID_REQUEST', `${field} must be an integer between ${min} and ${max}, got ${value}`);
  }
  return value;
}

export function requiredString(value: string | undefined, field: string): string {
  if (!value) throw new SamsaError('INVALID_REQUEST', `${field} is required`);
  return value;
}
