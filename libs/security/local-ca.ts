/**
 * A local certificate authority for one machine's cluster (`npm start`, the tests), made with
 * Debian's `openssl` binary: no cryptography of our own. ECDSA P-256 keys, SHA-256 signatures.
 *
 *   <dir>/ca.crt  ca.key            the CA (10 years); ca.key never leaves this directory
 *   <dir>/<name>.crt  <name>.key    a certificate it issued and its key (or under `outDir`)
 *
 * Private keys are created mode 0600 (the file exists with that mode before openssl writes to it)
 * and checked again after. Everything is reused when present: the first start makes the files,
 * later starts keep them, so clients configured once keep working. Delete the directory (or one
 * pair) to make new ones. Not safe against two processes creating the same directory at once.
 *
 * Service certificates carry OU=samsa-service and CN=<kind>-<id> (principal.ts reads them as
 * service identities); client certificates carry OU=samsa-client. Both are good for TLS server
 * and client authentication and name their hosts in subjectAltName (127.0.0.1, ::1 and localhost
 * always), since gRPC clients verify the server's name.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CertificatePaths } from './certificate-files.js';
import { SERVICE_OU } from './principal.js';

const run = promisify(execFile);

export const CLIENT_OU = 'samsa-client';
const LOCAL_HOSTS = ['127.0.0.1', '::1', 'localhost'];
const CA_DAYS = 3650;
const LEAF_DAYS = 825;

export interface IssueOptions {
  /** Host names and addresses for subjectAltName, besides the local ones. */
  hosts?: readonly string[];
  /** A service identity (OU=samsa-service) rather than a client. */
  service?: boolean;
  /** Validity in days from now; -1 makes a certificate that expired a day ago (tests). */
  days?: number;
  /** Replace an existing pair instead of reusing it. */
  replace?: boolean;
  /** Where the pair goes (default: the CA's directory). */
  outDir?: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT')
      throw new Error('the `openssl` binary is not installed (Debian: apt-get install openssl; scripts/install.sh does it)');
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(err)}`);
  }
}

/** An empty file with mode 0600 for openssl to write a private key into. */
function privateFile(path: string): void {
  rmSync(path, { force: true });
  writeFileSync(path, '', { mode: 0o600 });
}

function san(hosts: readonly string[]): string {
  const all = [...new Set([...LOCAL_HOSTS, ...hosts.filter((h) => h !== '' && h !== '0.0.0.0' && h !== '::')])];
  return all.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
}

export class LocalCa {
  private constructor(readonly dir: string) {}

  get caCert(): string {
    return join(this.dir, 'ca.crt');
  }

  private get caKey(): string {
    return join(this.dir, 'ca.key');
  }

  /** Opens the CA in `dir`, making it first when absent. */
  static async openOrCreate(dir: string, name = 'Samsa local CA'): Promise<LocalCa> {
    const ca = new LocalCa(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (existsSync(ca.caCert) && existsSync(ca.caKey)) return ca;
    privateFile(ca.caKey);
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-sha256',
      '-keyout',
      ca.caKey,
      '-out',
      ca.caCert,
      '-days',
      String(CA_DAYS),
      '-subj',
      `/O=Samsa/CN=${name} ${randomBytes(4).toString('hex')}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    chmodSync(ca.caKey, 0o600);
    return ca;
  }

  /**
   * A certificate for `name` (its CN; a service's is `<kind>-<id>`), signed by this CA, under
   * `<dir>/<name>.crt|.key`; reused when present unless `replace`.
   */
  async issue(name: string, options: IssueOptions = {}): Promise<CertificatePaths> {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new Error(`certificate name "${name}": letters, digits, . _ - only`);
    const out = options.outDir ?? this.dir;
    mkdirSync(out, { recursive: true, mode: 0o700 });
    const paths: CertificatePaths = { ca: this.caCert, cert: join(out, `${name}.crt`), key: join(out, `${name}.key`) };
    if (!options.replace && existsSync(paths.cert) && existsSync(paths.key)) return paths;
    const suffix = randomBytes(4).toString('hex');
    const csr = join(out, `.${name}.${suffix}.csr`);
    const ext = join(out, `.${name}.${suffix}.ext`);
    const key = join(out, `.${name}.${suffix}.key`);
    const cert = join(out, `.${name}.${suffix}.crt`);
    try {
      privateFile(key);
      const ou = options.service ? SERVICE_OU : CLIENT_OU;
      await openssl([
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        csr,
        '-subj',
        `/O=Samsa/OU=${ou}/CN=${name}`,
      ]);
      writeFileSync(
        ext,
        [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature,keyEncipherment',
          'extendedKeyUsage=serverAuth,clientAuth',
          `subjectAltName=${san(options.hosts ?? [])}`,
          '',
        ].join('\n'),
      );
      await openssl([
        'x509',
        '-req',
        '-sha256',
        '-in',
        csr,
        '-CA',
        this.caCert,
        '-CAkey',
        this.caKey,
        '-set_serial',
        `0x${randomBytes(16).toString('hex')}`,
        '-days',
        String(options.days ?? LEAF_DAYS),
        '-extfile',
        ext,
        '-out',
        cert,
      ]);
      // Into place by rename, key first: a reader that sees the new certificate sees its key.
      chmodSync(key, 0o600);
      renameSync(key, paths.key);
      renameSync(cert, paths.cert);
    } finally {
      for (const f of [csr, ext, key, cert]) rmSync(f, { force: true });
    }
    return paths;
  }
}
