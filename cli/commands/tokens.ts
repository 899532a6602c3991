/**
 * `samsa tokens issue`: signs a bearer token (a JWT, ADR 0026) with the key `npm start` made
 * (<data dir>/tls/token-signing.key) or --key FILE. For trying tokens out, for scripts and for
 * tests; in production an identity provider holding the private key issues them and the cluster
 * has only the public key. Needs no cluster.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTlsDir, signToken, TOKEN_SIGNING_KEY } from '../../libs/security/index.js';
import { systemClock } from '../../libs/runtime/index.js';
import type { CommandContext, CommandModule } from '../context.js';
import { outputSchema, s } from '../schema.js';
import { UsageError, commandGroup } from '../usage.js';

const UNITS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** "30s", "15m", "1h", "7d" -> seconds. */
export function ttlSeconds(value: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`--ttl must look like 30s, 15m, 1h or 7d (more than 0), got "${value}"`);
  return Number(m[1]) * UNITS[m[2] as keyof typeof UNITS];
}

interface IssueOptions {
  subject: string;
  ttl: string;
  audience?: string;
  key?: string;
}

function issue(ctx: CommandContext): Command {
  const cmd = new Command('issue')
    .description("sign a bearer token for User:NAME with npm start's signing key")
    .requiredOption('--subject <name>', 'the token\'s "sub": its principal is User:NAME')
    .option('--ttl <duration>', 'how long it is valid: 30s, 15m, 1h, 7d', '1h')
    .option('--audience <aud>', 'the "aud" claim, for a cluster with SAMSA_TOKEN_AUDIENCE set')
    .option(
      '--key <file>',
      `the private key to sign with (default: <data dir>/tls/${TOKEN_SIGNING_KEY}, data dir $SAMSA_DATA_DIR or ./data)`,
    )
    .addHelpText(
      'after',
      `
Text output is the token alone, for TOKEN=$(samsa tokens issue ...). Use it with --token TOKEN or
SAMSA_TOKEN (CLI), { token } (SDK), or any gRPC client's call credentials (authorization: Bearer
TOKEN) over TLS with only the cluster's CA. The principal needs ACLs like any other. Services end a
stream when its token expires.

Examples:
  samsa tokens issue --subject reporting --ttl 15m
  samsa --token "$(samsa tokens issue --subject reporting)" --tls-ca data/tls/ca.crt topics list`,
    )
    .action((o: IssueOptions) => {
      if (o.subject.trim() === '') throw new UsageError('--subject must not be empty');
      const keyFile = o.key ?? join(defaultTlsDir(process.env.SAMSA_DATA_DIR || 'data'), TOKEN_SIGNING_KEY);
      let pem: string;
      try {
        pem = readFileSync(keyFile, 'utf8');
      } catch (err) {
        throw new UsageError(
          `cannot read the signing key ${keyFile}: ${err instanceof Error ? err.message : String(err)} (give --key FILE)`,
        );
      }
      const now = Math.floor(systemClock.nowMs() / 1000);
      const exp = now + ttlSeconds(o.ttl);
      let token: string;
      try {
        token = signToken(pem, { sub: o.subject, iat: now, exp, ...(o.audience ? { aud: o.audience } : {}) });
      } catch (err) {
        throw new UsageError(`${keyFile}: ${err instanceof Error ? err.message : String(err)}`);
      }
      ctx.print({ token, principal: `User:${o.subject}`, expiresAt: new Date(exp * 1000).toISOString() }, (d) => d.token);
    });
  return outputSchema(
    cmd,
    s.object({
      token: s.string('the JWT (header.payload.signature)'),
      principal: s.string('User:NAME'),
      expiresAt: s.string('ISO 8601, UTC'),
    }),
  );
}

export const tokensCommand: CommandModule = (ctx) =>
  commandGroup('tokens', 'bearer tokens for clients without a certificate').addCommand(issue(ctx));
