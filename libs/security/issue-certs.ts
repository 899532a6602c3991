/**
 * `node dist/libs/security/issue-certs.js DIR SERVICE=HOST[,HOST...]... [--client NAME]... [--token-key]`:
 * makes (or reuses) the local CA in DIR and a certificate per service, named <kind>-<id> with its
 * hosts in subjectAltName, plus client certificates, and with --token-key the bearer-token signing
 * key pair (token-signing.key / .pub, as `npm start` makes it). For deployments that are not
 * `npm start`, e.g. docker-compose.yml's `certs` step:
 *
 *   issue-certs /tls broker-1=broker1 controller-1=controller --client samsa-cli --token-key
 */
import { LocalCa } from './local-ca.js';
import { ensureTokenSigningKey } from './token/signing-key.js';

async function main(args: string[]): Promise<void> {
  const [dir, ...rest] = args;
  if (!dir || rest.length === 0) throw new Error('usage: issue-certs DIR SERVICE=HOST[,HOST...]... [--client NAME]... [--token-key]');
  const ca = await LocalCa.openOrCreate(dir);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--token-key') {
      process.stdout.write(`${ensureTokenSigningKey(dir).publicKey}\n`);
      continue;
    }
    if (arg === '--client') {
      const name = rest[++i];
      if (!name) throw new Error('--client needs a name');
      process.stdout.write(`${(await ca.issue(name)).cert}\n`);
      continue;
    }
    const [name, hosts] = arg.split('=') as [string, string | undefined];
    if (!/^(broker|controller|coordinator)-\d+$/.test(name))
      throw new Error(`"${name}": a service is named <broker|controller|coordinator>-<id>`);
    process.stdout.write(`${(await ca.issue(name, { service: true, hosts: (hosts ?? '').split(',') })).cert}\n`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`issue-certs: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
