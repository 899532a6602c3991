/**
 * docker-compose.yml's security wiring, checked without Docker (none runs here; CI validates the
 * file with `docker-compose config -q`): the `certs` service's command, run as written against a
 * temp dir standing for the `tls` volume, makes every file a service or the CLI is pointed at; each
 * service certificate is signed by the CA, is that service's identity (CN <kind>-<id>, OU
 * samsa-service) and names the host the service advertises; the CLI's certificate is a super-user
 * of every service; the token key pair the services trust is there; the Kafka gateway's listener
 * certificate names the host it advertises and is no service identity.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../harness/cluster.js';

const root = join(import.meta.dirname, '..', '..');

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describe('docker-compose.yml runs with TLS, ACLs and tokens', () => {
  it("the certs service makes every file the services use, each service's certificate is its identity", () => {
    const certs = compose.services.certs?.command ?? [];
    expect(certs.slice(0, 3)).toEqual(['node', 'dist/libs/security/issue-certs.js', '/tls']);
    const volume = tempDir('compose-tls');
    const run = spawnSync(process.execPath, [join(root, certs[1] as string), volume, ...certs.slice(3)], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const file = (path: string | undefined): string => {
      expect(path).toMatch(/^\/tls\//);
      const local = join(volume, (path as string).slice('/tls/'.length));
      expect(existsSync(local), path).toBe(true);
      return local;
    };
    const ca = new X509Certificate(readFileSync(file('/tls/ca.crt')));
    const samsaServices = Object.entries(compose.services).filter(([, s]) => s.environment?.SAMSA_TLS_CERT !== undefined);
    expect(samsaServices.map(([name]) => name).sort()).toEqual(
      ['broker1', 'broker2', 'broker3', 'cli', 'controller', 'controller2', 'coordinator', 'kafka-gateway'].sort(),
    );
    const cliCert = new X509Certificate(readFileSync(file(compose.services.cli?.environment?.SAMSA_TLS_CERT)));
    file(compose.services.cli?.environment?.SAMSA_TLS_KEY);
    const cliPrincipal = `User:${/CN=([^\n]+)/.exec(cliCert.subject)?.[1]}`;
    for (const [name, service] of samsaServices) {
      const env = service.environment as Record<string, string>;
      expect(env.SAMSA_TLS_CA, name).toBe('/tls/ca.crt');
      const cert = new X509Certificate(readFileSync(file(env.SAMSA_TLS_CERT)));
      file(env.SAMSA_TLS_KEY);
      expect(cert.verify(ca.publicKey), `${name}: signed by the compose CA`).toBe(true);
      if (name === 'cli') continue;
      expect(env.SAMSA_INSECURE, name).toBeUndefined();
      if (name === 'kafka-gateway') {
        // No service identity (docs/adr/0047): a client certificate that serves its TLS Kafka
        // listener under the name it advertises; each call to Samsa carries the Kafka client's token.
        expect(cert.subject, name).toContain('CN=kafka-gateway-1');
        expect(cert.subject, name).not.toContain('OU=samsa-service');
        const advertised = (env.SAMSA_ADVERTISE as string).split(':')[0] as string;
        expect(cert.checkHost(advertised), `${name}: its certificate names ${advertised}`).toBeDefined();
        continue;
      }
      const id = env.SAMSA_BROKER_ID ?? env.SAMSA_CONTROLLER_ID ?? env.SAMSA_COORDINATOR_ID;
      const kind = env.SAMSA_BROKER_ID ? 'broker' : env.SAMSA_CONTROLLER_ID ? 'controller' : 'coordinator';
      expect(cert.subject, name).toContain(`CN=${kind}-${id}`);
      expect(cert.subject, name).toContain('OU=samsa-service');
      const advertised = (env.SAMSA_ADVERTISE as string).split(':')[0] as string;
      expect(cert.checkHost(advertised) ?? cert.checkIP(advertised), `${name}: its certificate names ${advertised}`).toBeDefined();
      // ACLs on, the CLI a super-user; tokens verified with the key pair the certs step made.
      expect(env.SAMSA_AUTHORIZATION, name).toBeUndefined();
      expect(env.SAMSA_SUPER_USERS?.split(','), name).toContain(cliPrincipal);
      file(env.SAMSA_TOKEN_PUBLIC_KEYS);
    }
    expect(existsSync(join(volume, 'token-signing.key'))).toBe(true);
  });
});
