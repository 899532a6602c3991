/**
 * The shape of Kafka's message definitions as the codec interprets them (written by
 * scripts/gen-kafka-messages.mjs from Kafka's JSON into generated/messages.ts). A version range is
 * inclusive, [from, to]; "3+" is [3, 32767].
 */
export type VersionRange = readonly [number, number];

export interface FieldSpec {
  /** Kafka's field name with the first letter lowered: ErrorCode -> errorCode. */
  readonly name: string;
  /** int8..int64, uint16, uint32, float64, bool, string, bytes, records, uuid, a struct name, or []Element. */
  readonly type: string;
  readonly versions: VersionRange;
  readonly nullable?: VersionRange;
  /** Tagged (flexible versions only): written in the tagged-field section under this tag. */
  readonly tag?: number;
  readonly tagged?: VersionRange | null;
  /** Kafka's "flexibleVersions": "none" on a field (the header's ClientId keeps its int16 length). */
  readonly neverFlexible?: boolean;
  readonly default?: string | number | boolean;
  /** Struct name and fields, for struct and []struct types. */
  readonly struct?: string;
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  readonly name: string;
  /** -1 for the headers. */
  readonly apiKey: number;
  readonly type: string;
  readonly valid: VersionRange;
  readonly flexible: VersionRange | null;
  readonly fields: readonly FieldSpec[];
}

export function inRange(version: number, range: VersionRange | null | undefined): boolean {
  return range !== null && range !== undefined && version >= range[0] && version <= range[1];
}
