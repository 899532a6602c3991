/**
 * Audit lines: one structured log line for every refused request and every ACL or quota change,
 * all with `audit: true` and an `event` so they can be filtered out of a service's log
 * (`jq 'select(.audit)'`). Denials are warnings (someone tried something); changes are info.
 *
 * Fields: event ('denied' | 'acl-created' | 'acl-deleted' | 'quota-set' | 'quota-removed'),
 * principal, host, method (the gRPC path), operation, resource ("TOPIC:orders"), reason, and for
 * changes `by` (who made it) and the binding or quota.
 */
import type { Logger } from '../telemetry/index.js';
import { describeBinding, type AclBinding, type Operation, type Resource } from './acl/acl.js';
import { describeEntity, type QuotaEntity, type QuotaLimits } from './quota/quota.js';

export interface Denial {
  principal: string;
  host: string;
  method: string;
  operation?: Operation;
  resource?: Resource;
  reason: string;
}

export class AuditLog {
  constructor(private readonly logger: Logger) {}

  denied(d: Denial): void {
    this.logger.warn(
      {
        audit: true,
        event: 'denied',
        principal: d.principal,
        host: d.host,
        method: d.method,
        ...(d.operation ? { operation: d.operation } : {}),
        ...(d.resource ? { resource: `${d.resource.type}:${d.resource.name}` } : {}),
        reason: d.reason,
      },
      `denied: ${d.reason}`,
    );
  }

  aclChanged(what: 'created' | 'deleted', binding: AclBinding, by: string): void {
    this.logger.info({ audit: true, event: `acl-${what}`, by, acl: binding }, `ACL ${what} by ${by}: ${describeBinding(binding)}`);
  }

  quotaChanged(what: 'set' | 'removed', entity: QuotaEntity, limits: QuotaLimits | undefined, by: string): void {
    this.logger.info(
      { audit: true, event: `quota-${what}`, by, entity, ...(limits ? { limits } : {}) },
      `quota ${what} by ${by}: ${describeEntity(entity)}`,
    );
  }
}
