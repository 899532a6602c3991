import { describe, it, expect } from 'vitest';
import { loadConfig, int, str, bool, list, oneOf, ConfigError, configTable } from '../../../libs/config/index.js';

const spec = {
  brokerId: int('SAMSA_BROKER_ID', 'broker-id', 1, 'broker id', 0, 1000),
  host: str('SAMSA_HOST', 'host', '127.0.0.1', 'listen host'),
  verbose: bool('SAMSA_VERBOSE', 'verbose', false, 'more logs'),
  etcd: list('SAMSA_ETCD_ENDPOINTS', 'etcd-endpoints', ['127.0.0.1:2379'], 'etcd'),
  fsync: oneOf('SAMSA_FSYNC', 'fsync', 'interval', ['always', 'interval', 'never'] as const, 'fsync policy'),
};

describe('loadConfig', () => {
  it('uses defaults when nothing is given', () => {
    expect(loadConfig(spec, [], {})).toEqual({
      brokerId: 1,
      host: '127.0.0.1',
      verbose: false,
      etcd: ['127.0.0.1:2379'],
      fsync: 'interval',
    });
  });

  it('reads SAMSA_* variables, and flags win over them', () => {
    const cfg = loadConfig(spec, ['--broker-id=7', '--verbose'], {
      SAMSA_BROKER_ID: '3',
      SAMSA_ETCD_ENDPOINTS: 'a:1, b:2',
      SAMSA_FSYNC: 'never',
    });
    expect(cfg.brokerId).toBe(7);
    expect(cfg.verbose).toBe(true);
    expect(cfg.etcd).toEqual(['a:1', 'b:2']);
    expect(cfg.fsync).toBe('never');
  });

  it('accepts "--flag value" as well as "--flag=value"', () => {
    expect(loadConfig(spec, ['--host', '0.0.0.0'], {}).host).toBe('0.0.0.0');
  });

  it('lists every problem at once, naming where each bad value came from', () => {
    try {
      loadConfig(spec, ['--broker-id=-1', '--nope'], { SAMSA_FSYNC: 'sometimes' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('--broker-id: expected an integer from 0 to 1000, got "-1"');
      expect(problems).toContain('unknown flag --nope');
      expect(problems).toContain('SAMSA_FSYNC: expected one of always, interval, never, got "sometimes"');
    }
  });

  it('renders a table with every option', () => {
    const table = configTable(spec);
    for (const o of Object.values(spec)) expect(table).toContain(o.env);
  });
});
