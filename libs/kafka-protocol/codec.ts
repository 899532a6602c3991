/**
 * Encodes and decodes a Kafka message of a given version by interpreting Kafka's own definition of
 * it (generated/messages.ts): a field is on the wire when the version is in its `versions`; in a
 * flexible version strings, bytes and arrays take compact (uvarint) lengths and every struct ends
 * with a tagged-field section (uvarint count, then uvarint tag, uvarint size, value; tags
 * ascending). Unknown tags are skipped, as Kafka does.
 *
 * Decoded messages are plain objects keyed by the camel-cased field names, with every field of the
 * definition present: fields the version does not carry hold their defaults. Encoding takes the
 * same objects and fills what is missing (undefined) with defaults, so a handler sets only what
 * it means.
 */
import { KafkaProtocolError, Reader, Writer } from './buffers.js';
import { inRange, type FieldSpec, type MessageSpec } from './schema.js';

type Value = unknown;
type Struct = Record<string, Value>;

const FIXED = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'bool', 'uuid']);

function elementType(f: FieldSpec): string {
  return f.type.startsWith('[]') ? f.type.slice(2) : f.type;
}

/** The value a field takes when the version does not carry it or the encoder was not given it. */
export function defaultValue(f: FieldSpec): Value {
  if (f.type.startsWith('[]')) return f.default === 'null' ? null : [];
  if (f.default === 'null') return null;
  switch (f.type) {
    case 'bool':
      return f.default === true || f.default === 'true';
    case 'string':
      return typeof f.default === 'string' ? f.default : '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return Buffer.alloc(16);
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'float64':
      return f.default === undefined ? 0 : Number(f.default);
    default:
      return defaultStruct(f.fields ?? []);
  }
}

function defaultStruct(fields: readonly FieldSpec[]): Struct {
  const out: Struct = {};
  for (const f of fields) out[f.name] = defaultValue(f);
  return out;
}

class Codec {
  constructor(
    private readonly version: number,
    private readonly flexible: boolean,
  ) {}

  private present(f: FieldSpec): boolean {
    return inRange(this.version, f.versions);
  }
  private isTagged(f: FieldSpec): boolean {
    return this.flexible && f.tag !== undefined && inRange(this.version, f.tagged);
  }
  private compact(f: FieldSpec): boolean {
    return this.flexible && f.neverFlexible !== true;
  }

  readStruct(r: Reader, fields: readonly FieldSpec[]): Struct {
    const out: Struct = {};
    for (const f of fields) {
      if (this.present(f) && !this.isTagged(f)) out[f.name] = this.readField(r, f);
      else out[f.name] = defaultValue(f);
    }
    if (this.flexible) {
      const count = r.uvarint();
      for (let i = 0; i < count; i++) {
        const tag = r.uvarint();
        const size = r.uvarint();
        const body = r.bytes(size);
        const f = fields.find((x) => x.tag === tag && this.present(x) && this.isTagged(x));
        if (f) out[f.name] = this.readField(new Reader(body), f);
      }
    }
    return out;
  }

  private readField(r: Reader, f: FieldSpec): Value {
    const nullable = inRange(this.version, f.nullable);
    const compact = this.compact(f);
    if (f.type.startsWith('[]')) {
      const n = r.length(compact, true);
      if (n === -1) {
        if (!nullable) throw new KafkaProtocolError(`${f.name}: null array where the version does not allow one`);
        return null;
      }
      if (n < -1) throw new KafkaProtocolError(`${f.name}: negative array length ${n}`);
      // Every element takes at least one byte: a count beyond the frame is a lie, not an allocation.
      if (n > r.remaining) throw new KafkaProtocolError(`${f.name}: array of ${n} elements in ${r.remaining} bytes`);
      const out: Value[] = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = this.readOne(r, f, elementType(f), false, compact);
      return out;
    }
    return this.readOne(r, f, f.type, nullable, compact);
  }

  private readOne(r: Reader, f: FieldSpec, type: string, nullable: boolean, compact: boolean): Value {
    switch (type) {
      case 'int8':
        return r.int8();
      case 'int16':
        return r.int16();
      case 'uint16':
        return r.uint16();
      case 'int32':
        return r.int32();
      case 'uint32':
        return r.uint32();
      case 'int64':
        return r.int64();
      case 'float64':
        return r.float64();
      case 'bool':
        return r.bool();
      case 'uuid':
        return r.uuid();
      case 'string': {
        const s = r.string(compact);
        if (s === null && !nullable) throw new KafkaProtocolError(`${f.name}: null string where the version does not allow one`);
        return s;
      }
      case 'bytes':
      case 'records': {
        const b = r.nullableBytes(compact);
        if (b === null && !nullable) throw new KafkaProtocolError(`${f.name}: null bytes where the version does not allow one`);
        return b;
      }
      default: {
        if (nullable && !f.type.startsWith('[]') && r.int8() === -1) return null;
        return this.readStruct(r, f.fields ?? []);
      }
    }
  }

  writeStruct(w: Writer, fields: readonly FieldSpec[], value: Struct): void {
    const tagged: FieldSpec[] = [];
    for (const f of fields) {
      if (!this.present(f)) continue;
      if (this.isTagged(f)) {
        if (this.worthTagging(f, value[f.name])) tagged.push(f);
        continue;
      }
      this.writeField(w, f, value[f.name]);
    }
    if (!this.flexible) return;
    tagged.sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0));
    w.uvarint(tagged.length);
    for (const f of tagged) {
      const inner = new Writer(64);
      this.writeField(inner, f, value[f.name]);
      const bytes = inner.finish();
      w.uvarint(f.tag ?? 0)
        .uvarint(bytes.length)
        .raw(bytes);
    }
  }

  private worthTagging(f: FieldSpec, v: Value): boolean {
    if (v === undefined) return false;
    if (Array.isArray(v)) return v.length > 0;
    if (v === null) return defaultValue(f) !== null;
    if (FIXED.has(f.type) && f.type !== 'uuid') return v !== defaultValue(f);
    if (f.type === 'string') return v !== defaultValue(f);
    return true;
  }

  private writeField(w: Writer, f: FieldSpec, v: Value): void {
    const nullable = inRange(this.version, f.nullable);
    const compact = this.compact(f);
    let value = v === undefined || (v === null && !nullable) ? defaultValue(f) : v;
    if (value === null && !nullable) value = defaultValue(f);
    if (f.type.startsWith('[]')) {
      if (value === null) {
        w.length(-1, compact, true);
        return;
      }
      if (!Array.isArray(value)) throw new KafkaProtocolError(`${f.name}: expected an array`);
      w.length(value.length, compact, true);
      for (const e of value as Value[]) this.writeOne(w, f, elementType(f), e, false, compact);
      return;
    }
    this.writeOne(w, f, f.type, value, nullable, compact);
  }

  private writeOne(w: Writer, f: FieldSpec, type: string, v: Value, nullable: boolean, compact: boolean): void {
    switch (type) {
      case 'int8':
        w.int8(v as number);
        return;
      case 'int16':
        w.int16(v as number);
        return;
      case 'uint16':
        w.uint16(v as number);
        return;
      case 'int32':
        w.int32(v as number);
        return;
      case 'uint32':
        w.uint32(v as number);
        return;
      case 'int64':
        w.int64(v as number);
        return;
      case 'float64':
        w.float64(v as number);
        return;
      case 'bool':
        w.bool(v as boolean);
        return;
      case 'uuid': {
        const b = v as Buffer;
        if (b.length !== 16) throw new KafkaProtocolError(`${f.name}: a uuid is 16 bytes, got ${b.length}`);
        w.raw(b);
        return;
      }
      case 'string':
        w.string(v as string | null, compact);
        return;
      case 'bytes':
      case 'records':
        w.nullableBytes(v as Buffer | null, compact);
        return;
      default: {
        const struct = f.fields ?? [];
        if (nullable && !f.type.startsWith('[]')) {
          if (v === null) {
            w.int8(-1);
            return;
          }
          w.int8(1);
        }
        this.writeStruct(w, struct, (v ?? {}) as Struct);
      }
    }
  }
}

function checkVersion(spec: MessageSpec, version: number): void {
  if (!inRange(version, spec.valid))
    throw new KafkaProtocolError(`${spec.name} has no version ${version} (Kafka defines ${spec.valid[0]}-${spec.valid[1]})`);
}

/** Decodes `spec` at `version` from `r` (leaves the reader after the message). */
export function decodeMessage<T>(spec: MessageSpec, version: number, r: Reader): T {
  checkVersion(spec, version);
  return new Codec(version, inRange(version, spec.flexible)).readStruct(r, spec.fields) as T;
}

/** Encodes `value` as `spec` at `version` onto `w`; missing fields take their defaults. */
export function encodeMessage<T extends object>(spec: MessageSpec, version: number, value: T, w: Writer): void {
  checkVersion(spec, version);
  new Codec(version, inRange(version, spec.flexible)).writeStruct(w, spec.fields, value as Struct);
}
