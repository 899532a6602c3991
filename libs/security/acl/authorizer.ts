/**
 * The ACL decision, as Kafka's AclAuthorizer makes it, over an in-memory set of bindings:
 *
 * 1. a super-user is allowed everything;
 * 2. the bindings that apply are those of the resource's type whose pattern covers its name
 *    (LITERAL equal, LITERAL `*`, PREFIXED by a prefix of the name), whose principal is the
 *    caller's or `User:*`, and whose host is the caller's or `*`;
 * 3. a DENY of the operation (or of ALL) among them refuses; otherwise
 * 4. an ALLOW of the operation, of ALL, or of an operation that implies it (READ, WRITE, DELETE
 *    and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS) allows; otherwise
 * 5. refused: deny by default.
 *
 * Pure and synchronous: no clock, no I/O. Bindings are indexed by resource type and literal name;
 * PREFIXED bindings are scanned (one string compare each), which is fine for the hundreds of
 * prefixes a cluster has. Not thread-safe in any sense that matters to Node: replace() swaps the
 * whole index at once, so a decision sees one version of the set.
 */
import { ANY_USER, WILDCARD, type AclBinding, type Operation, type Resource, type ResourceType } from './acl.js';

export type Decision =
  | { allowed: true; why: 'super-user' | 'allow'; binding?: AclBinding }
  | { allowed: false; why: 'deny'; binding: AclBinding }
  | { allowed: false; why: 'no-acl' };

export interface AccessRequest {
  principal: string;
  /** The client's IP address. */
  host: string;
  operation: Operation;
  resource: Resource;
}

/** Operations that an ALLOW of the key also grants (Kafka's implied operations). */
const IMPLIED_BY: Readonly<Partial<Record<Operation, readonly Operation[]>>> = {
  DESCRIBE: ['DESCRIBE', 'READ', 'WRITE', 'DELETE', 'ALTER'],
  DESCRIBE_CONFIGS: ['DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
};

interface TypeIndex {
  literal: Map<string, AclBinding[]>;
  prefixed: AclBinding[];
}

export class AclAuthorizer {
  private index = new Map<ResourceType, TypeIndex>();
  private all: readonly AclBinding[] = [];

  constructor(
    private readonly superUsers: ReadonlySet<string>,
    bindings: Iterable<AclBinding> = [],
  ) {
    this.replace(bindings);
  }

  /** Replaces the whole set of bindings. */
  replace(bindings: Iterable<AclBinding>): void {
    const index = new Map<ResourceType, TypeIndex>();
    const all: AclBinding[] = [];
    for (const b of bindings) {
      all.push(b);
      let t = index.get(b.resourceType);
      if (!t) index.set(b.resourceType, (t = { literal: new Map(), prefixed: [] }));
      if (b.patternType === 'PREFIXED') t.prefixed.push(b);
      else {
        const list = t.literal.get(b.resourceName);
        if (list) list.push(b);
        else t.literal.set(b.resourceName, [b]);
      }
    }
    this.index = index;
    this.all = all;
  }

  bindings(): readonly AclBinding[] {
    return this.all;
  }

  isSuperUser(principal: string): boolean {
    return this.superUsers.has(principal);
  }

  authorize(req: AccessRequest): Decision {
    if (this.superUsers.has(req.principal)) return { allowed: true, why: 'super-user' };
    const applicable = this.applicable(req);
    const denied = applicable.find((b) => b.permission === 'DENY' && (b.operation === req.operation || b.operation === 'ALL'));
    if (denied) return { allowed: false, why: 'deny', binding: denied };
    const granting = IMPLIED_BY[req.operation] ?? [req.operation];
    const allowed = applicable.find((b) => b.permission === 'ALLOW' && (b.operation === 'ALL' || granting.includes(b.operation)));
    if (allowed) return { allowed: true, why: 'allow', binding: allowed };
    return { allowed: false, why: 'no-acl' };
  }

  /**
   * True when the principal may do `operation` on some resource of `type` (Kafka's
   * authorizeByResourceType, used for e.g. InitProducerId: WRITE on any topic): an applicable
   * ALLOW exists for some name, and no DENY of it covers every name (LITERAL `*`).
   */
  authorizeAny(principal: string, host: string, operation: Operation, type: ResourceType): boolean {
    if (this.superUsers.has(principal)) return true;
    const t = this.index.get(type);
    if (!t) return false;
    const mine = (b: AclBinding): boolean =>
      (b.principal === principal || b.principal === ANY_USER) && (b.host === host || b.host === WILDCARD);
    const candidates = [...[...t.literal.values()].flat(), ...t.prefixed].filter(mine);
    const coversAll = candidates.some(
      (b) =>
        b.permission === 'DENY' &&
        b.patternType === 'LITERAL' &&
        b.resourceName === WILDCARD &&
        (b.operation === operation || b.operation === 'ALL'),
    );
    if (coversAll) return false;
    return candidates.some((b) => b.permission === 'ALLOW' && (b.operation === operation || b.operation === 'ALL'));
  }

  private applicable(req: AccessRequest): AclBinding[] {
    const t = this.index.get(req.resource.type);
    if (!t) return [];
    const out: AclBinding[] = [];
    const consider = (b: AclBinding): void => {
      if ((b.principal === req.principal || b.principal === ANY_USER) && (b.host === req.host || b.host === WILDCARD)) out.push(b);
    };
    for (const b of t.literal.get(req.resource.name) ?? []) consider(b);
    if (req.resource.name !== WILDCARD) for (const b of t.literal.get(WILDCARD) ?? []) consider(b);
    for (const b of t.prefixed) if (req.resource.name.startsWith(b.resourceName)) consider(b);
    return out;
  }
}
