/**
 * ACL bindings, filters and quotas between their proto form (security.proto, enum values with an
 * `ACL_..._` prefix) and the model (acl.ts, quota.ts). A binding with an UNSPECIFIED or ANY field
 * is refused here with INVALID_REQUEST naming it.
 */
import { SamsaError } from '../../errors/index.js';
import type { v1 } from '../../rpc/index.js';
import {
  OPERATIONS,
  PATTERN_TYPES,
  PERMISSIONS,
  RESOURCE_TYPES,
  validateBinding,
  type AclBinding,
  type AclFilter,
  type Operation,
  type Permission,
  type ResourceType,
} from './acl.js';
import { validateEntity, validateQuota, type Quota, type QuotaEntity } from '../quota/quota.js';

function strip<T extends string>(value: string, prefix: string, allowed: readonly T[]): T | undefined {
  const v = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

const RT = 'ACL_RESOURCE_TYPE_';
const PT = 'ACL_PATTERN_TYPE_';
const OP = 'ACL_OPERATION_';
const PERM = 'ACL_PERMISSION_';

export function bindingFromProto(p: v1.AclBinding__Output, where: string): AclBinding {
  const need = <T>(v: T | undefined, what: string, allowed: readonly string[]): T => {
    if (v === undefined) throw new SamsaError('INVALID_REQUEST', `${where}: ${what} must be one of ${allowed.join(', ')}`);
    return v;
  };
  return validateBinding(
    {
      resourceType: need(strip(p.resourceType, RT, RESOURCE_TYPES), 'resource_type', RESOURCE_TYPES),
      resourceName: p.resourceName,
      patternType: need(strip(p.patternType, PT, PATTERN_TYPES), 'pattern_type', PATTERN_TYPES),
      principal: p.principal,
      host: p.host === '' ? '*' : p.host,
      operation: need(strip(p.operation, OP, OPERATIONS), 'operation', OPERATIONS),
      permission: need(strip(p.permission, PERM, PERMISSIONS), 'permission', PERMISSIONS),
    },
    where,
  );
}

export function bindingToProto(b: AclBinding): v1.AclBinding {
  return {
    resourceType: `${RT}${b.resourceType}`,
    resourceName: b.resourceName,
    patternType: `${PT}${b.patternType}`,
    principal: b.principal,
    host: b.host,
    operation: `${OP}${b.operation}`,
    permission: `${PERM}${b.permission}`,
  };
}

export function filterFromProto(p: v1.AclBindingFilter__Output | null | undefined): AclFilter {
  if (!p) return {};
  const f: AclFilter = {};
  const rt = strip<ResourceType>(p.resourceType, RT, RESOURCE_TYPES);
  if (rt) f.resourceType = rt;
  if (p.resourceName !== '') f.resourceName = p.resourceName;
  const pt = strip<'LITERAL' | 'PREFIXED' | 'MATCH'>(p.patternType, PT, ['LITERAL', 'PREFIXED', 'MATCH']);
  if (pt) f.patternType = pt;
  if (p.principal !== '') f.principal = p.principal;
  if (p.host !== '') f.host = p.host;
  const op = strip<Operation>(p.operation, OP, OPERATIONS);
  if (op) f.operation = op;
  const perm = strip<Permission>(p.permission, PERM, PERMISSIONS);
  if (perm) f.permission = perm;
  return f;
}

export function filterToProto(f: AclFilter): v1.AclBindingFilter {
  return {
    resourceType: f.resourceType ? `${RT}${f.resourceType}` : 'ACL_RESOURCE_TYPE_ANY',
    resourceName: f.resourceName ?? '',
    patternType: f.patternType ? `${PT}${f.patternType}` : 'ACL_PATTERN_TYPE_ANY',
    principal: f.principal ?? '',
    host: f.host ?? '',
    operation: f.operation ? `${OP}${f.operation}` : 'ACL_OPERATION_ANY',
    permission: f.permission ? `${PERM}${f.permission}` : 'ACL_PERMISSION_ANY',
  };
}

export function entityFromProto(p: v1.QuotaEntity__Output | null | undefined): QuotaEntity {
  const e: QuotaEntity = {};
  if (p?.user) e.user = p.user;
  if (p?.clientId) e.clientId = p.clientId;
  return validateEntity(e);
}

export function entityToProto(e: QuotaEntity): v1.QuotaEntity {
  return { user: e.user ?? '', clientId: e.clientId ?? '' };
}

export function quotaFromProto(p: v1.Quota__Output): Quota {
  return validateQuota({
    entity: entityFromProto(p.entity),
    limits: {
      produceBytesPerSecond: p.limits?.produceBytesPerSecond ?? 0,
      fetchBytesPerSecond: p.limits?.fetchBytesPerSecond ?? 0,
      requestsPerSecond: p.limits?.requestsPerSecond ?? 0,
    },
  });
}

export function quotaToProto(q: Quota): v1.Quota {
  return { entity: entityToProto(q.entity), limits: { ...q.limits } };
}
