/**
 * Client quotas as Kafka has them: limits per second for a user, a client id, or both, with
 * `<default>` entities for everyone without their own. The quota that applies to a request is the
 * most specific one set, in Kafka's order (resolveQuota). Limits are per broker, as in Kafka.
 */
import { SamsaError } from '../../errors/index.js';
import { MAX_CLIENT_ID_BYTES } from '../../rpc/index.js';

export const DEFAULT_ENTITY = '<default>';

export interface QuotaEntity {
  /** `User:<name>`, DEFAULT_ENTITY, or undefined (not part of the entity). */
  user?: string;
  /** A client id, DEFAULT_ENTITY, or undefined. */
  clientId?: string;
}

/** Per second; 0 = unlimited. */
export interface QuotaLimits {
  produceBytesPerSecond: number;
  fetchBytesPerSecond: number;
  requestsPerSecond: number;
}

export interface Quota {
  entity: QuotaEntity;
  limits: QuotaLimits;
}

export const QUOTA_KINDS = ['produce', 'fetch', 'request'] as const;
export type QuotaKind = (typeof QUOTA_KINDS)[number];

export function limitOf(limits: QuotaLimits, kind: QuotaKind): number {
  return kind === 'produce' ? limits.produceBytesPerSecond : kind === 'fetch' ? limits.fetchBytesPerSecond : limits.requestsPerSecond;
}

/** The etcd key segment of an entity: `user=<u>,client-id=<c>` with each part URI-encoded. */
export function entityKey(e: QuotaEntity): string {
  const parts: string[] = [];
  if (e.user !== undefined) parts.push(`user=${encodeURIComponent(e.user)}`);
  if (e.clientId !== undefined) parts.push(`client-id=${encodeURIComponent(e.clientId)}`);
  return parts.join(',');
}

export function describeEntity(e: QuotaEntity): string {
  return entityKey(e).replace(/%3A/g, ':') || '(none)';
}

export function validateQuota(q: Quota): Quota {
  validateEntity(q.entity);
  for (const [name, v] of Object.entries(q.limits)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new SamsaError('INVALID_REQUEST', `quota ${describeEntity(q.entity)}: ${name} must be a number >= 0 (0 = unlimited)`);
  }
  return q;
}

export function validateEntity(e: QuotaEntity): QuotaEntity {
  if (e.user === undefined && e.clientId === undefined)
    throw new SamsaError('INVALID_REQUEST', 'a quota entity needs a user, a client id, or both (either may be "<default>")');
  if (e.user !== undefined && e.user !== DEFAULT_ENTITY && !/^User:.+$/.test(e.user))
    throw new SamsaError('INVALID_REQUEST', `quota user "${e.user}" must be User:<name> or <default>`);
  if (e.clientId !== undefined && (e.clientId === '' || Buffer.byteLength(e.clientId) > MAX_CLIENT_ID_BYTES)) {
    throw new SamsaError('INVALID_REQUEST', `quota client id must be 1..${MAX_CLIENT_ID_BYTES} bytes`);
  }
  return e;
}

/**
 * The quota that applies to (user, clientId): the first that exists of (user, client id),
 * (user, default client), (user), (default user, client id), (default user, default client),
 * (default user), (client id), (default client) — Kafka's precedence. The entity is returned too:
 * callers account usage per *applied entity*, so every client id under one user-only quota shares
 * one budget, as in Kafka.
 */
export function resolveQuota(quotas: ReadonlyMap<string, Quota>, user: string, clientId: string): Quota | undefined {
  const D = DEFAULT_ENTITY;
  const order: QuotaEntity[] = [
    { user, clientId },
    { user, clientId: D },
    { user },
    { user: D, clientId },
    { user: D, clientId: D },
    { user: D },
    { clientId },
    { clientId: D },
  ];
  for (const e of order) {
    const q = quotas.get(entityKey(e));
    if (q) return q;
  }
  return undefined;
}
