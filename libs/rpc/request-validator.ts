/**
 * A strict pass over a request's protobuf wire bytes, before protobufjs decodes them.
 *
 * Why: protobufjs's reader is lenient. It decodes a string whose length prefix runs past the end
 * of the message (0xFFFFFFFF included) as whatever bytes are there, a truncated message as the
 * fields it got, and invalid UTF-8 as U+FFFD; a CreateTopicRequest of garbage bytes once created a
 * topic named after them. This pass rejects such input so no handler acts on a half-decoded
 * request, and enforces the string limits of limits.ts on the way.
 *
 * What it checks, for the message type and every nested message, against the descriptors
 * proto-loader gives (no second copy of the schema):
 * - every tag is a valid varint with a field number in 1..2^29-1 and a wire type in 0..5;
 * - a known field comes with the wire type its type is encoded with (a repeated scalar numeric
 *   field may also come packed), every varint ends within 10 bytes, every fixed-width value and
 *   every length-delimited value lies within the enclosing message;
 * - a varint protobufjs reads as 32 bits (tags, lengths, int32/uint32/sint32/bool/enum values) is
 *   at most 5 bytes long, or exactly 10 (a negative int32): protobufjs reads 5 bytes and then
 *   skips 5 more whatever they hold, so a 6..9-byte encoding (legal protobuf, but overlong) would
 *   make it read the following bytes as part of the varint and decode something else;
 * - a string is valid UTF-8 and within its byte limit; a nested message is itself valid;
 * - unknown fields are skipped by their wire type (so a newer client's fields pass) but must be
 *   well-formed too; nesting stops at 100 levels (protobuf's own default).
 *
 * Cost: one walk over the tags; bytes fields (record batches, keys, values) are only
 * length-checked, never copied or decoded. Strings are checked with Buffer's native isUtf8 on a
 * view of the input.
 */
import { isUtf8 } from 'node:buffer';
import type * as protoLoader from '@grpc/proto-loader';
import { SamsaError } from '../errors/index.js';
import { stringLimitOf, type StringLimit } from './limits.js';

const MAX_DEPTH = 100;
const MAX_FIELD_NUMBER = 2 ** 29 - 1;

const enum Wire {
  Varint = 0,
  I64 = 1,
  Len = 2,
  StartGroup = 3,
  EndGroup = 4,
  I32 = 5,
}

type Kind = 'varint' | 'i64' | 'i32' | 'string' | 'bytes' | 'message' | 'group';

interface FieldPlan {
  /** `Message.field` in proto's names, for messages. */
  label: string;
  kind: Kind;
  /** Wire type of one unpacked value. */
  wire: Wire;
  /** A repeated varint/i32/i64 field, which may also come packed (wire type 2). */
  packable: boolean;
  /** A varint protobufjs reads as 32 bits (int32, uint32, sint32, bool, enum). */
  varint32: boolean;
  message?: MessagePlan;
  limit?: StringLimit;
}

interface MessagePlan {
  name: string;
  fields: Map<number, FieldPlan>;
}

const VARINT32_TYPES = new Set(['TYPE_INT32', 'TYPE_UINT32', 'TYPE_SINT32', 'TYPE_BOOL', 'TYPE_ENUM']);

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

const KIND_BY_TYPE: Record<string, Kind> = {
  TYPE_INT32: 'varint',
  TYPE_INT64: 'varint',
  TYPE_UINT32: 'varint',
  TYPE_UINT64: 'varint',
  TYPE_SINT32: 'varint',
  TYPE_SINT64: 'varint',
  TYPE_BOOL: 'varint',
  TYPE_ENUM: 'varint',
  TYPE_FIXED64: 'i64',
  TYPE_SFIXED64: 'i64',
  TYPE_DOUBLE: 'i64',
  TYPE_FIXED32: 'i32',
  TYPE_SFIXED32: 'i32',
  TYPE_FLOAT: 'i32',
  TYPE_STRING: 'string',
  TYPE_BYTES: 'bytes',
  TYPE_MESSAGE: 'message',
  TYPE_GROUP: 'group',
};

const WIRE_BY_KIND: Record<Kind, Wire> = {
  varint: Wire.Varint,
  i64: Wire.I64,
  i32: Wire.I32,
  string: Wire.Len,
  bytes: Wire.Len,
  message: Wire.Len,
  group: Wire.StartGroup,
};

/** The parts of proto-loader's DescriptorProto object this module reads. */
interface FieldDescriptor {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
}

function snakeCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** Compiles message descriptors of one package definition into plans, each once (cycles allowed). */
export class RequestValidator {
  private readonly plans = new Map<string, MessagePlan>();

  constructor(private readonly definition: protoLoader.PackageDefinition) {}

  /** The plan of message `fullName` (e.g. samsa.v1.ProduceRequest). Throws if it is not a message of the definition. */
  plan(fullName: string): MessagePlan {
    const known = this.plans.get(fullName);
    if (known) return known;
    const def = this.definition[fullName];
    if (!def || !('format' in def) || def.format !== 'Protocol Buffer 3 DescriptorProto') {
      throw new Error(`request-validator: ${fullName} is not a message of the package definition`);
    }
    const plan: MessagePlan = { name: fullName, fields: new Map() };
    this.plans.set(fullName, plan);
    const shortName = fullName.slice(fullName.lastIndexOf('.') + 1);
    for (const f of (def.type as MessageDescriptor).field) {
      const kind = KIND_BY_TYPE[f.type];
      if (!kind) throw new Error(`request-validator: ${fullName}.${f.name} has unknown type ${f.type}`);
      const protoName = snakeCase(f.name);
      const field: FieldPlan = {
        label: `${shortName}.${protoName}`,
        kind,
        wire: WIRE_BY_KIND[kind],
        packable: f.label === 'LABEL_REPEATED' && (kind === 'varint' || kind === 'i32' || kind === 'i64'),
        varint32: VARINT32_TYPES.has(f.type),
      };
      if (kind === 'string') field.limit = stringLimitOf(fullName, protoName);
      if (kind === 'message' || kind === 'group') field.message = this.plan(this.resolve(fullName, f.typeName));
      plan.fields.set(f.number, field);
    }
    return plan;
  }

  /** Protobuf scoping: a relative type name is looked up from the innermost scope outwards. */
  private resolve(scope: string, typeName: string): string {
    if (typeName.startsWith('.')) return typeName.slice(1);
    let prefix = scope;
    for (;;) {
      const candidate = prefix ? `${prefix}.${typeName}` : typeName;
      if (this.definition[candidate]) return candidate;
      if (!prefix) break;
      const dot = prefix.lastIndexOf('.');
      prefix = dot < 0 ? '' : prefix.slice(0, dot);
    }
    throw new Error(`request-validator: cannot resolve type ${typeName} from ${scope}`);
  }

  /** Throws SamsaError (INVALID_REQUEST, or the limit's reason) unless `bytes` is a valid `fullName`. */
  validate(fullName: string, bytes: Uint8Array): void {
    const plan = this.plan(fullName);
    new Walk(bytes, plan.name).message(plan, bytes.length, 0);
  }
}

/** One pass over one buffer. Positions are absolute; `end` bounds the message being read. */
class Walk {
  pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly root: string,
  ) {}

  private fail(what: string): never {
    throw new SamsaError('INVALID_REQUEST', `malformed ${this.root}: ${what} (at byte ${this.pos} of ${this.buf.length})`);
  }

  /**
   * Reads a varint ending before `end`; returns its value when it fits 32 bits unsigned, else -1.
   * `bits32`: protobufjs reads it as 32 bits, so it must be at most 5 bytes long, or exactly 10.
   */
  private varint(end: number, what: string, bits32: boolean): number {
    let value = 0;
    let wide = false;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) this.fail(`${what} runs past the end of its message`);
      const b = this.buf[this.pos++] as number;
      if (i < 5) value += (b & 0x7f) * 2 ** (7 * i);
      else if ((b & 0x7f) !== 0) wide = true;
      if (b < 0x80) {
        if (bits32 && i >= 5 && i < 9) this.fail(`${what} is a 32-bit varint of ${i + 1} bytes (at most 5, or 10 for a negative value)`);
        return wide || value > 0xffffffff ? -1 : value;
      }
    }
    return this.fail(`${what} is a varint longer than 10 bytes`);
  }

  /** The next `n` bytes are UTF-8. ASCII (names and ids, nearly always) is checked here without a view or a native call. */
  private utf8(n: number): boolean {
    const buf = this.buf;
    const end = this.pos + n;
    for (let i = this.pos; i < end; i++) {
      if ((buf[i] as number) >= 0x80) return isUtf8(buf.subarray(i, end));
    }
    return true;
  }

  private length(end: number, what: string): number {
    const n = this.varint(end, `length of ${what}`, true);
    if (n < 0 || n > end - this.pos) {
      this.fail(`${what} has length ${n < 0 ? 'over 2^32' : n} but only ${end - this.pos} bytes are left`);
    }
    return n;
  }

  message(plan: MessagePlan, end: number, depth: number, groupField = 0): void {
    if (depth > MAX_DEPTH) this.fail(`messages nested deeper than ${MAX_DEPTH}`);
    while (this.pos < end) {
      const tag = this.varint(end, 'field tag', true);
      if (tag < 0) this.fail('field tag does not fit 32 bits');
      const number = tag >>> 3;
      const wire = (tag & 7) as Wire;
      if (wire === Wire.EndGroup) {
        if (groupField !== 0 && number === groupField) return;
        this.fail(`unexpected end-group tag for field ${number}`);
      }
      if (number === 0 || number > MAX_FIELD_NUMBER) this.fail(`field number ${number} is out of range`);
      if (wire > Wire.I32) this.fail(`field ${number} has invalid wire type ${wire}`);
      const field = plan.fields.get(number);
      if (!field) {
        this.skip(wire, number, end, depth);
        continue;
      }
      if (wire !== field.wire) {
        if (!(field.packable && wire === Wire.Len)) {
          this.fail(`field ${field.label} (${number}) has wire type ${WIRE_NAMES[wire]}, expected ${WIRE_NAMES[field.wire]}`);
        }
        this.packed(field, end);
        continue;
      }
      switch (field.kind) {
        case 'varint':
          this.varint(end, field.label, field.varint32);
          break;
        case 'i64':
        case 'i32': {
          const size = field.kind === 'i64' ? 8 : 4;
          if (end - this.pos < size) this.fail(`field ${field.label} needs ${size} bytes, ${end - this.pos} are left`);
          this.pos += size;
          break;
        }
        case 'bytes': {
          const n = this.length(end, field.label); // (not `this.pos += this.length()`: that adds to the old pos)
          this.pos += n;
          break;
        }
        case 'string': {
          const n = this.length(end, field.label);
          const limit = field.limit;
          if (limit && n > limit.maxBytes) {
            throw new SamsaError(
              limit.reason,
              `${field.label}: the ${limit.what} is ${n} bytes long; the limit is ${limit.maxBytes} bytes of UTF-8`,
            );
          }
          if (!this.utf8(n)) this.fail(`field ${field.label} is not valid UTF-8`);
          this.pos += n;
          break;
        }
        case 'message': {
          const n = this.length(end, field.label);
          const nestedEnd = this.pos + n;
          this.message(field.message as MessagePlan, nestedEnd, depth + 1);
          break;
        }
        case 'group':
          this.message(field.message as MessagePlan, end, depth + 1, number);
          break;
      }
    }
    if (groupField !== 0) this.fail(`group field ${groupField} has no end-group tag`);
    if (this.pos !== end) this.fail('a field runs past the end of its message');
  }

  private packed(field: FieldPlan, end: number): void {
    const n = this.length(end, field.label);
    const packedEnd = this.pos + n;
    if (field.kind === 'varint') {
      while (this.pos < packedEnd) this.varint(packedEnd, `packed ${field.label}`, field.varint32);
    } else {
      const size = field.kind === 'i64' ? 8 : 4;
      if (n % size !== 0) this.fail(`packed ${field.label} is ${n} bytes, not a multiple of ${size}`);
      this.pos = packedEnd;
    }
  }

  private skip(wire: Wire, number: number, end: number, depth: number): void {
    switch (wire) {
      case Wire.Varint:
        this.varint(end, `unknown field ${number}`, false);
        return;
      case Wire.I64:
      case Wire.I32: {
        const size = wire === Wire.I64 ? 8 : 4;
        if (end - this.pos < size) this.fail(`unknown field ${number} needs ${size} bytes, ${end - this.pos} are left`);
        this.pos += size;
        return;
      }
      case Wire.Len: {
        const n = this.length(end, `unknown field ${number}`);
        this.pos += n;
        return;
      }
      case Wire.StartGroup:
        this.message(EMPTY_PLAN, end, depth + 1, number);
        return;
      default:
        this.fail(`field ${number} has invalid wire type ${wire}`);
    }
  }
}

const EMPTY_PLAN: MessagePlan = { name: '(unknown group)', fields: new Map() };
