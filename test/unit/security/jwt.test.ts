/** Bearer tokens (libs/security token/jwt.ts): what verifies, and every way a token is refused. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken, TokenVerifier, LEEWAY_SECONDS } from '../../../libs/security/index.js';

const pemPair = (type: 'ec' | 'ed25519' | 'rsa') => {
  const { privateKey, publicKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return {
    priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const ec = pemPair('ec');
const ed = pemPair('ed25519');
const rsa = pemPair('rsa');
const other = pemPair('ec');
const NOW = 1_800_000_000_000;
const clock = { nowMs: () => NOW };
const exp = NOW / 1000 + 3600;

describe('bearer tokens', () => {
  it('ES256, EdDSA and RS256 tokens signed by a configured key verify; the principal is User:<sub>', () => {
    const v = new TokenVerifier([ec.pub, ed.pub, rsa.pub], undefined, clock);
    for (const k of [ec, ed, rsa]) expect(v.verify(signToken(k.priv, { sub: 'alice', exp })).principal).toBe('User:alice');
  });

  it('refuses a token signed by another key, an expired one, one not yet valid, and a tampered one', () => {
    const v = new TokenVerifier([ec.pub], undefined, clock);
    expect(() => v.verify(signToken(other.priv, { sub: 'alice', exp }))).toThrow(/signature/);
    expect(() => v.verify(signToken(ec.priv, { sub: 'alice', exp: NOW / 1000 - LEEWAY_SECONDS - 1 }))).toThrow(/expired/);
    expect(() => v.verify(signToken(ec.priv, { sub: 'alice', exp, nbf: NOW / 1000 + LEEWAY_SECONDS + 60 }))).toThrow(/not valid before/);
    const good = signToken(ec.priv, { sub: 'alice', exp });
    const [h, , s] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', exp })).toString('base64url')}.${s}`;
    expect(() => v.verify(forged)).toThrow(/signature/);
  });

  it('refuses alg "none", HMAC, a missing exp, and garbage, with AUTHENTICATION_FAILED', () => {
    const v = new TokenVerifier([ec.pub], undefined, clock);
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    expect(() => v.verify(`${enc({ alg: 'none' })}.${enc({ sub: 'a', exp })}.`)).toThrow(/algorithm none/);
    expect(() => v.verify(`${enc({ alg: 'HS256' })}.${enc({ sub: 'a', exp })}.abc`)).toThrow(/algorithm HS256/);
    expect(() => v.verify(signToken(ec.priv, { sub: 'a' } as never))).toThrow(/exp/);
    expect(() => v.verify('not a token')).toThrow(expect.objectContaining({ reason: 'AUTHENTICATION_FAILED' }));
  });

  it('with an audience configured, aud must name it', () => {
    const v = new TokenVerifier([ec.pub], 'samsa', clock);
    expect(v.verify(signToken(ec.priv, { sub: 'a', exp, aud: ['x', 'samsa'] })).principal).toBe('User:a');
    expect(() => v.verify(signToken(ec.priv, { sub: 'a', exp, aud: 'other' }))).toThrow(/audience/);
  });
});
