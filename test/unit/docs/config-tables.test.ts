/**
 * README.md's configuration tables are generated from the services' config specs
 * (scripts/config-tables.mjs): CI fails when an option, its default or its meaning changes without
 * `npm run docs:config`. Also checks the common block (libs/service config.ts) reads the same in
 * every service, and its TLS rule refuses a bad combination when the config is read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configTable, type Spec } from '../../../libs/config/index.js';
import { BROKER_CONFIG_SPEC, loadBrokerConfig } from '../../../services/broker/config.js';
import { CONTROLLER_CONFIG_SPEC } from '../../../services/controller/config.js';
import { COORDINATOR_CONFIG_SPEC } from '../../../services/coordinator/config.js';
import { GATEWAY_CONFIG_SPEC, loadGatewayConfig } from '../../../services/kafka-gateway/config.js';

const README = join(import.meta.dirname, '..', '..', '..', 'README.md');
const SPECS: Record<string, Spec> = {
  broker: BROKER_CONFIG_SPEC,
  controller: CONTROLLER_CONFIG_SPEC,
  coordinator: COORDINATOR_CONFIG_SPEC,
  'kafka-gateway': GATEWAY_CONFIG_SPEC,
};

function committedTable(readme: string, name: string): string {
  const m = new RegExp(`<!-- config:${name} -->\\n([\\s\\S]*?)\\n<!-- /config:${name} -->`).exec(readme);
  if (!m) throw new Error(`README.md has no <!-- config:${name} --> block`);
  return m[1] as string;
}

describe("README.md's configuration tables", () => {
  it.each(Object.keys(SPECS))('%s: up to date with its spec (else run `npm run docs:config`)', (name) => {
    const committed = committedTable(readFileSync(README, 'utf8'), name);
    expect(committed.split('\n'), `README.md's ${name} table is stale`).toEqual(configTable(SPECS[name] as Spec).split('\n'));
  });

  it('every service reads the common block under the same flags and variables', () => {
    const common = [
      'host',
      'advertise',
      'port',
      'etcdEndpoints',
      'clusterId',
      'logLevel',
      'dataDir',
      'tlsCa',
      'tlsCert',
      'tlsKey',
      'insecure',
    ];
    for (const spec of Object.values(SPECS)) {
      for (const key of common) expect(spec[key]?.env).toBe(BROKER_CONFIG_SPEC[key as keyof typeof BROKER_CONFIG_SPEC].env);
    }
  });
});

describe('the common block’s TLS rule, when the config is read', () => {
  const problemsOf = (load: () => unknown): string[] => {
    try {
      load();
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };

  it('refuses no certificate without --insecure, and both at once, naming the fix', () => {
    expect(problemsOf(() => loadBrokerConfig([], {}))).toEqual([expect.stringMatching(/^TLS is on by default and needs SAMSA_TLS_CA/)]);
    expect(problemsOf(() => loadBrokerConfig(['--insecure', '--tls-ca', '/x/ca.crt'], {}))).toEqual([expect.stringMatching(/both set/)]);
    expect(problemsOf(() => loadGatewayConfig([], {}))).toEqual([
      expect.stringMatching(/the gateway needs SAMSA_TLS_CA \(to verify Samsa\)/),
    ]);
  });

  it('accepts --insecure alone, or all three files', () => {
    expect(loadBrokerConfig(['--insecure'], {}).insecure).toBe(true);
    const files = { SAMSA_TLS_CA: '/x/ca.crt', SAMSA_TLS_CERT: '/x/b.crt', SAMSA_TLS_KEY: '/x/b.key' };
    expect(loadGatewayConfig([], files).tlsCa).toBe('/x/ca.crt');
  });
});
