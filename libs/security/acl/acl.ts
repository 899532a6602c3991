/**
 * Kafka's ACL model: a binding says that `principal` from `host` is allowed or denied `operation`
 * on resources of `resourceType` named `resourceName` (literally, or every name with that prefix).
 *
 * Names are Kafka's so operators can carry what they know: `User:alice`, `User:*`, host `*`, the
 * cluster resource `kafka-cluster`, LITERAL `*` for every resource of a type. The proto form
 * (security.proto) uses the same words with an `ACL_..._` prefix; toBinding/fromBinding convert.
 * A binding's id is a hash of its canonical fields, so the same binding stored twice is one key.
 */
import { createHash } from 'node:crypto';
import { SamsaError } from '../../errors/index.js';

export const RESOURCE_TYPES = ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const PATTERN_TYPES = ['LITERAL', 'PREFIXED'] as const;
export type PatternType = (typeof PATTERN_TYPES)[number];

export const OPERATIONS = [
  'ALL',
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const PERMISSIONS = ['ALLOW', 'DENY'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The one cluster resource's name (Kafka's). */
export const CLUSTER_RESOURCE = 'kafka-cluster';
/** LITERAL name, principal or host that matches everything. */
export const WILDCARD = '*';
export const ANY_USER = 'User:*';

export interface AclBinding {
  resourceType: ResourceType;
  resourceName: string;
  patternType: PatternType;
  /** `User:<name>` or `User:*`. */
  principal: string;
  /** An IP address or `*`. */
  host: string;
  operation: Operation;
  permission: Permission;
}

/** A resource a request touches. */
export interface Resource {
  type: ResourceType;
  name: string;
}

export const topicResource = (name: string): Resource => ({ type: 'TOPIC', name });
export const groupResource = (name: string): Resource => ({ type: 'GROUP', name });
export const CLUSTER: Resource = { type: 'CLUSTER', name: CLUSTER_RESOURCE };

/** Selects bindings (DescribeAcls, DeleteAcls). Undefined fields match anything. */
export interface AclFilter {
  resourceType?: ResourceType;
  resourceName?: string;
  /** 'MATCH': bindings that apply to resourceName (literal equal, literal `*`, or a prefix of it). */
  patternType?: PatternType | 'MATCH';
  principal?: string;
  host?: string;
  operation?: Operation;
  permission?: Permission;
}

const MAX_NAME_BYTES = 32767;

/** Checks a binding from a request; INVALID_REQUEST naming the field otherwise. */
export function validateBinding(b: AclBinding, where = 'ACL binding'): AclBinding {
  const bad = (what: string): never => {
    throw new SamsaError('INVALID_REQUEST', `${where}: ${what}`);
  };
  if (!RESOURCE_TYPES.includes(b.resourceType)) bad(`resource type must be one of ${RESOURCE_TYPES.join(', ')}`);
  if (!PATTERN_TYPES.includes(b.patternType)) bad(`pattern type must be LITERAL or PREFIXED`);
  if (!OPERATIONS.includes(b.operation)) bad(`operation must be one of ${OPERATIONS.join(', ')}`);
  if (!PERMISSIONS.includes(b.permission)) bad('permission must be ALLOW or DENY');
  if (b.resourceName === '') bad('resource name is empty (use "*" for every resource of the type)');
  if (Buffer.byteLength(b.resourceName) > MAX_NAME_BYTES) bad('resource name is too long');
  if (b.patternType === 'PREFIXED' && b.resourceName === WILDCARD)
    bad('a PREFIXED pattern of "*" means nothing; use LITERAL "*" for every resource');
  if (b.resourceType === 'CLUSTER' && b.resourceName !== CLUSTER_RESOURCE) bad(`the cluster resource is named "${CLUSTER_RESOURCE}"`);
  if (!/^User:.+$/.test(b.principal)) bad(`principal "${b.principal}" must be User:<name> or User:*`);
  if (b.host === '') bad('host is empty (use "*" for any host)');
  return b;
}

/** A stable id for a binding: equal bindings, equal ids (etcd key under /security/acls/). */
export function bindingId(b: AclBinding): string {
  const canonical = [b.resourceType, b.patternType, b.resourceName, b.principal, b.host, b.operation, b.permission].join('\u0000');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** True when `b` is selected by `f`. */
export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== undefined && f.resourceType !== b.resourceType) return false;
  if (f.principal !== undefined && f.principal !== b.principal) return false;
  if (f.host !== undefined && f.host !== b.host) return false;
  if (f.operation !== undefined && f.operation !== b.operation) return false;
  if (f.permission !== undefined && f.permission !== b.permission) return false;
  if (f.patternType === 'MATCH') {
    return f.resourceName === undefined || patternMatches(b, f.resourceName);
  }
  if (f.patternType !== undefined && f.patternType !== b.patternType) return false;
  return f.resourceName === undefined || f.resourceName === b.resourceName;
}

/** True when the binding's resource pattern covers resource name `name`. */
export function patternMatches(b: Pick<AclBinding, 'patternType' | 'resourceName'>, name: string): boolean {
  if (b.patternType === 'LITERAL') return b.resourceName === WILDCARD || b.resourceName === name;
  return name.startsWith(b.resourceName);
}

/** True when a filter sets no field at all (DeleteAcls refuses it: it would delete everything by accident). */
export function isEmptyFilter(f: AclFilter): boolean {
  return Object.values(f).every((v) => v === undefined);
}

/** One line a person reads: `ALLOW User:alice WRITE on TOPIC orders- (PREFIXED) from *`. */
export function describeBinding(b: AclBinding): string {
  return `${b.permission} ${b.principal} ${b.operation} on ${b.resourceType} ${b.resourceName} (${b.patternType}) from ${b.host}`;
}
