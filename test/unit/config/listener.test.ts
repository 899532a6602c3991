import { describe, expect, it } from 'vitest';
import { advertisedAddress, loadConfig, parseHostPort, advertiseOption, formatHostPort } from '../../../libs/config/index.js';

describe('advertised listener', () => {
  it('parses HOST:PORT and [v6]:PORT, and says what is expected otherwise', () => {
    expect(parseHostPort('localhost:9092')).toEqual({ host: 'localhost', port: 9092 });
    expect(parseHostPort('[::1]:9093')).toEqual({ host: '::1', port: 9093 });
    for (const bad of ['broker1', 'broker1:0', 'broker1:70000', ':9092', 'a b:1'])
      expect(() => parseHostPort(bad), bad).toThrow(/HOST:PORT/);
    expect(formatHostPort({ host: '::1', port: 1 })).toBe('[::1]:1');
  });

  it('advertises --advertise when given, else the bind host and bound port, and refuses a wildcard bind without it', () => {
    expect(advertisedAddress({ host: 'localhost', port: 19092 }, '0.0.0.0', 9092)).toEqual({ host: 'localhost', port: 19092 });
    expect(advertisedAddress(undefined, '127.0.0.1', 40123)).toEqual({ host: '127.0.0.1', port: 40123 });
    expect(() => advertisedAddress(undefined, '0.0.0.0', 9092)).toThrow(/--advertise/);
  });

  it('is read from SAMSA_ADVERTISE or --advertise (the flag wins)', () => {
    const spec = { advertise: advertiseOption() };
    expect(loadConfig(spec, [], {}).advertise).toBeUndefined();
    expect(loadConfig(spec, [], { SAMSA_ADVERTISE: 'localhost:9094' }).advertise).toEqual({ host: 'localhost', port: 9094 });
    expect(loadConfig(spec, ['--advertise', 'b1:1'], { SAMSA_ADVERTISE: 'localhost:9094' }).advertise).toEqual({ host: 'b1', port: 1 });
    expect(() => loadConfig(spec, [], { SAMSA_ADVERTISE: 'nope' })).toThrow(/SAMSA_ADVERTISE: expected HOST:PORT/);
  });
});
