/**
 * A service's access control, set up once at start (after transport security, before its gRPC
 * server is made): the settings every service reads (ACCESS_CONFIG_SPEC, spread into each service's
 * config spec), the watched ACLs and quotas (store/security-view.ts), the authorizer they feed,
 * the bearer-token verifier, and the access guard installed as the process's server interceptor.
 *
 * Authorization is on by default. In --insecure mode it is off (no principal can be verified, and
 * a bearer token sent in plaintext is a token given away), which is said at start.
 */
import { readFileSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';
import { list, oneOf, str, type ConfigOf } from '../../config/index.js';
import { setAccessGuard } from '../../rpc/index.js';
import { meter, type Logger } from '../../telemetry/index.js';
import { AclAuthorizer } from '../acl/authorizer.js';
import { AuditLog } from '../audit.js';
import { QuotaMeter } from '../quota/throttle.js';
import { SecurityKeys, SecurityView } from '../store/security-view.js';
import { TokenVerifier } from '../token/jwt.js';
import { AccessGuard } from './access-guard.js';

export const AUTHORIZATION_MODES = ['acls', 'none'] as const;

export const ACCESS_CONFIG_SPEC = {
  authorization: oneOf(
    'SAMSA_AUTHORIZATION',
    'authorization',
    'acls',
    AUTHORIZATION_MODES,
    "acls: every client request needs an ACL allowing it (deny by default; super-users and Samsa's services excepted); none: no ACL checks (service-only RPCs stay service-only). Off in --insecure mode",
  ),
  superUsers: list(
    'SAMSA_SUPER_USERS',
    'super-users',
    [],
    'principals allowed everything, comma-separated, e.g. User:samsa-cli (npm start makes its CLI certificate one)',
  ),
  tokenPublicKeys: list(
    'SAMSA_TOKEN_PUBLIC_KEYS',
    'token-public-keys',
    [],
    'PEM files of the public keys bearer tokens (JWT: ES256, EdDSA, RS256) must be signed with, comma-separated; none: bearer tokens are refused',
  ),
  tokenAudience: str('SAMSA_TOKEN_AUDIENCE', 'token-audience', '', 'when set, a bearer token\'s "aud" must name it'),
} as const;

export type AccessConfig = ConfigOf<typeof ACCESS_CONFIG_SPEC> & { insecure: boolean };

export interface AccessControl {
  readonly guard: AccessGuard;
  readonly view: SecurityView;
  readonly audit: AuditLog;
  close(): Promise<void>;
}

export interface AccessControlOptions {
  config: AccessConfig;
  etcd: Etcd3;
  /** The cluster's etcd prefix (libs/cluster MetadataKeys.root). */
  clusterRoot: string;
  logger: Logger;
  /** Brokers enforce quotas. */
  quotas: boolean;
}

/** Loads ACLs and quotas, installs the access guard for every server made afterwards. */
export async function startAccessControl(options: AccessControlOptions): Promise<AccessControl> {
  const { config, logger } = options;
  const audit = new AuditLog(logger);
  const tokens =
    config.tokenPublicKeys.length > 0
      ? new TokenVerifier(config.tokenPublicKeys.map(readKey), config.tokenAudience || undefined)
      : undefined;
  const view = await SecurityView.start(options.etcd, new SecurityKeys(options.clusterRoot), logger);
  const enabled = config.authorization === 'acls' && !config.insecure;
  const authorizer = enabled ? new AclAuthorizer(new Set(config.superUsers)) : undefined;
  if (authorizer) authorizer.replace(view.aclBindings().values());
  const throttleCounter = meter.createCounter('samsa.quota.throttle_time', {
    unit: 'ms',
    description: 'time answers were held back because a quota was exceeded, by quota kind',
  });
  const guard = new AccessGuard({
    authorizer,
    tokens,
    insecure: config.insecure,
    quotas: options.quotas ? new QuotaMeter(() => view.quotas()) : undefined,
    audit,
    metrics: { throttled: (kind, ms) => throttleCounter.add(ms, { kind }) },
  });
  if (authorizer) {
    // Every change the view applies: new calls see it at once, and open streams are asked again.
    view.onChange(() => {
      authorizer.replace(view.aclBindings().values());
      guard.reauthorize();
    });
  }
  setAccessGuard(guard.interceptor);
  if (enabled)
    logger.info(
      { superUsers: config.superUsers, acls: view.aclBindings().size, tokens: tokens !== undefined },
      'authorization on: requests need ACLs (deny by default)',
    );
  else if (config.insecure)
    logger.error('authorization OFF: --insecure mode cannot verify principals; any client may do anything but call service-only RPCs');
  else logger.warn('authorization OFF (SAMSA_AUTHORIZATION=none): any authenticated client may do anything but call service-only RPCs');
  return {
    guard,
    view,
    audit,
    close: async () => {
      setAccessGuard(undefined);
      await view.close();
    },
  };
}

function readKey(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the token public key ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
