import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  ANONYMOUS,
  TlsMaterialError,
  principalOf,
  principalOfCertificate,
  transportSecurity,
  TLS_CONFIG_SPEC,
} from '../../../libs/security/index.js';
import { loadConfig } from '../../../libs/config/index.js';
import { createLogger } from '../../../libs/telemetry/index.js';

const cert = (subject: Record<string, string | string[]>, subjectaltname?: string): PeerCertificate =>
  ({ subject, ...(subjectaltname ? { subjectaltname } : {}) }) as unknown as PeerCertificate;

describe('principal of a verified certificate', () => {
  it('is User:<CN>', () => {
    expect(principalOfCertificate(cert({ O: 'Samsa', OU: 'samsa-client', CN: 'orders' }))).toEqual({
      name: 'User:orders',
      authenticated: true,
      via: 'certificate',
    });
  });

  it('is a service identity only with the service OU and a <kind>-<id> CN', () => {
    expect(principalOfCertificate(cert({ OU: 'samsa-service', CN: 'broker-12' })).service).toEqual({ kind: 'broker', id: 12 });
    expect(principalOfCertificate(cert({ OU: ['x', 'samsa-service'], CN: 'controller-1' })).service).toEqual({ kind: 'controller', id: 1 });
    expect(principalOfCertificate(cert({ OU: 'samsa-client', CN: 'broker-1' })).service).toBeUndefined();
    expect(principalOfCertificate(cert({ OU: 'samsa-service', CN: 'brokers-1' })).service).toBeUndefined();
  });

  it('falls back to the first subjectAltName without a CN, and is ANONYMOUS without either', () => {
    expect(principalOfCertificate(cert({ O: 'x' }, 'URI:spiffe://samsa/app, DNS:app.local')).name).toBe('User:spiffe://samsa/app');
    expect(principalOfCertificate(cert({ O: 'x' }))).toEqual(ANONYMOUS);
  });

  it('of a call without a verified certificate is ANONYMOUS', () => {
    expect(principalOf({ getAuthContext: () => ({}) })).toEqual(ANONYMOUS);
  });
});

describe('a service’s TLS settings', () => {
  const logger = createLogger('test', '1', 'silent');
  const config = (env: Record<string, string>) => loadConfig(TLS_CONFIG_SPEC, [], env);

  it('refuse to start with no certificate unless insecure, and say how to fix it', () => {
    expect(() => transportSecurity(config({}), logger)).toThrow(/TLS is on by default.*SAMSA_INSECURE=1/);
    expect(() => transportSecurity(config({ SAMSA_TLS_CA: '/x/ca.crt' }), logger)).toThrow(TlsMaterialError);
    expect(transportSecurity(config({ SAMSA_INSECURE: '1' }), logger).mode).toBe('insecure');
  });

  it('refuse certificate files and insecure together', () => {
    expect(() => transportSecurity(config({ SAMSA_INSECURE: '1', SAMSA_TLS_CERT: '/x' }), logger)).toThrow(/both set/);
  });

  it('name the file that cannot be read', () => {
    expect(() =>
      transportSecurity(config({ SAMSA_TLS_CA: '/nope/ca.crt', SAMSA_TLS_CERT: '/nope/b.crt', SAMSA_TLS_KEY: '/nope/b.key' }), logger),
    ).toThrow(/\/nope\/ca.crt/);
  });
});
