/**
 * The ACL decision (libs/security acl/authorizer.ts) against a direct reading of Kafka's rules,
 * on random binding sets, plus the cases a person would write down.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AclAuthorizer,
  OPERATIONS,
  filterMatches,
  patternMatches,
  bindingId,
  validateBinding,
  type AclBinding,
  type Operation,
  type ResourceType,
} from '../../../libs/security/index.js';

const TYPES: ResourceType[] = ['TOPIC', 'GROUP'];
const NAMES = ['orders', 'orders-eu', 'ord', 'payments', '*', 'o'];
const PRINCIPALS = ['User:alice', 'User:bob', 'User:*'];
const HOSTS = ['10.0.0.1', '10.0.0.2', '*'];

const binding = fc.record<AclBinding>({
  resourceType: fc.constantFrom(...TYPES),
  resourceName: fc.constantFrom(...NAMES),
  patternType: fc.constantFrom('LITERAL', 'PREFIXED'),
  principal: fc.constantFrom(...PRINCIPALS),
  host: fc.constantFrom(...HOSTS),
  operation: fc.constantFrom(...OPERATIONS),
  permission: fc.constantFrom('ALLOW', 'DENY'),
});
const request = fc.record({
  principal: fc.constantFrom('User:alice', 'User:bob', 'User:carol'),
  host: fc.constantFrom('10.0.0.1', '10.0.0.2'),
  operation: fc.constantFrom(...OPERATIONS.filter((o) => o !== 'ALL')),
  resource: fc.record({ type: fc.constantFrom(...TYPES), name: fc.constantFrom('orders', 'orders-eu', 'payments', 'x') }),
});

/** Kafka's rules, written plainly over the whole list (no index). */
function reference(
  bindings: AclBinding[],
  req: { principal: string; host: string; operation: Operation; resource: { type: ResourceType; name: string } },
): boolean {
  const applies = bindings.filter(
    (b) =>
      b.resourceType === req.resource.type &&
      (b.patternType === 'LITERAL'
        ? b.resourceName === req.resource.name || b.resourceName === '*'
        : req.resource.name.startsWith(b.resourceName)) &&
      (b.principal === req.principal || b.principal === 'User:*') &&
      (b.host === req.host || b.host === '*'),
  );
  if (applies.some((b) => b.permission === 'DENY' && (b.operation === 'ALL' || b.operation === req.operation))) return false;
  const implied: Operation[] =
    req.operation === 'DESCRIBE'
      ? ['DESCRIBE', 'READ', 'WRITE', 'DELETE', 'ALTER']
      : req.operation === 'DESCRIBE_CONFIGS'
        ? ['DESCRIBE_CONFIGS', 'ALTER_CONFIGS']
        : [req.operation];
  return applies.some((b) => b.permission === 'ALLOW' && (b.operation === 'ALL' || implied.includes(b.operation)));
}

describe('ACL authorizer', () => {
  it('decides as Kafka does, on any set of bindings', () => {
    fc.assert(
      fc.property(fc.array(binding, { maxLength: 25 }), request, (bindings, req) => {
        const valid = bindings.filter((b) => !(b.patternType === 'PREFIXED' && b.resourceName === '*'));
        const authz = new AclAuthorizer(new Set(), valid);
        expect(authz.authorize(req).allowed).toBe(reference(valid, req));
      }),
      { numRuns: 2000 },
    );
  });

  it('denies by default, and a super-user is allowed everything', () => {
    const authz = new AclAuthorizer(new Set(['User:root']));
    const req = {
      principal: 'User:alice',
      host: '10.0.0.1',
      operation: 'WRITE' as const,
      resource: { type: 'TOPIC' as const, name: 'orders' },
    };
    expect(authz.authorize(req)).toEqual({ allowed: false, why: 'no-acl' });
    expect(authz.authorize({ ...req, principal: 'User:root' }).allowed).toBe(true);
  });

  it('a prefixed ACL allows the matching topics only; a DENY wins over an ALLOW', () => {
    const allow: AclBinding = {
      resourceType: 'TOPIC',
      resourceName: 'orders-',
      patternType: 'PREFIXED',
      principal: 'User:alice',
      host: '*',
      operation: 'WRITE',
      permission: 'ALLOW',
    };
    const deny: AclBinding = { ...allow, resourceName: 'orders-secret', patternType: 'LITERAL', permission: 'DENY', operation: 'ALL' };
    const authz = new AclAuthorizer(new Set(), [allow, deny]);
    const write = (name: string) =>
      authz.authorize({ principal: 'User:alice', host: '10.1.1.1', operation: 'WRITE', resource: { type: 'TOPIC', name } });
    expect(write('orders-eu').allowed).toBe(true);
    expect(write('orders').allowed).toBe(false);
    expect(write('payments').allowed).toBe(false);
    expect(write('orders-secret')).toMatchObject({ allowed: false, why: 'deny' });
    // WRITE implies DESCRIBE; it does not imply READ.
    expect(
      authz.authorize({ principal: 'User:alice', host: 'h', operation: 'DESCRIBE', resource: { type: 'TOPIC', name: 'orders-eu' } })
        .allowed,
    ).toBe(true);
    expect(
      authz.authorize({ principal: 'User:alice', host: 'h', operation: 'READ', resource: { type: 'TOPIC', name: 'orders-eu' } }).allowed,
    ).toBe(false);
  });

  it('replace() swaps the whole set: a removed ACL no longer allows', () => {
    const allow: AclBinding = {
      resourceType: 'GROUP',
      resourceName: '*',
      patternType: 'LITERAL',
      principal: 'User:*',
      host: '*',
      operation: 'READ',
      permission: 'ALLOW',
    };
    const authz = new AclAuthorizer(new Set(), [allow]);
    const req = { principal: 'User:x', host: 'h', operation: 'READ' as const, resource: { type: 'GROUP' as const, name: 'g' } };
    expect(authz.authorize(req).allowed).toBe(true);
    authz.replace([]);
    expect(authz.authorize(req).allowed).toBe(false);
  });

  it('authorizeAny: WRITE on some topic, unless denied on every topic', () => {
    const allow: AclBinding = {
      resourceType: 'TOPIC',
      resourceName: 'a-',
      patternType: 'PREFIXED',
      principal: 'User:alice',
      host: '*',
      operation: 'WRITE',
      permission: 'ALLOW',
    };
    const authz = new AclAuthorizer(new Set(), [allow]);
    expect(authz.authorizeAny('User:alice', 'h', 'WRITE', 'TOPIC')).toBe(true);
    expect(authz.authorizeAny('User:bob', 'h', 'WRITE', 'TOPIC')).toBe(false);
    authz.replace([allow, { ...allow, resourceName: '*', patternType: 'LITERAL', permission: 'DENY' }]);
    expect(authz.authorizeAny('User:alice', 'h', 'WRITE', 'TOPIC')).toBe(false);
  });
});

describe('ACL bindings and filters', () => {
  it('equal bindings have equal ids, different ones different ids', () => {
    fc.assert(
      fc.property(binding, binding, (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        expect(bindingId(a) === bindingId(b)).toBe(same);
      }),
    );
  });

  it('a MATCH filter selects exactly the bindings whose pattern covers the name', () => {
    fc.assert(
      fc.property(binding, fc.constantFrom('orders', 'orders-eu', 'x'), (b, name) => {
        expect(filterMatches({ patternType: 'MATCH', resourceName: name }, b)).toBe(patternMatches(b, name));
      }),
    );
  });

  it('refuses bindings a person got wrong, saying what is wrong', () => {
    const ok: AclBinding = {
      resourceType: 'TOPIC',
      resourceName: 'orders',
      patternType: 'LITERAL',
      principal: 'User:alice',
      host: '*',
      operation: 'READ',
      permission: 'ALLOW',
    };
    expect(() => validateBinding({ ...ok, principal: 'alice' })).toThrow(/User:<name>/);
    expect(() => validateBinding({ ...ok, resourceType: 'CLUSTER', resourceName: 'mine' })).toThrow(/kafka-cluster/);
    expect(() => validateBinding({ ...ok, resourceName: '*', patternType: 'PREFIXED' })).toThrow(/LITERAL/);
    expect(validateBinding(ok)).toEqual(ok);
  });
});
