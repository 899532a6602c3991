/**
 * The access guard: a gRPC server interceptor every Samsa server carries (libs/rpc setAccessGuard)
 * that, for each call,
 *
 * 1. resolves the caller (caller.ts: bearer token, certificate, or plaintext claim);
 * 2. checks each request message against the method's rule (rules.ts) before the handler sees it:
 *    service-only RPCs need a service identity, the others the ACLs of the table, unless the
 *    caller is a super-user or one of Samsa's services; a refusal ends the call PERMISSION_DENIED
 *    (UNAUTHENTICATED for a bad token) with a message naming what is missing, and writes an audit
 *    line; the handler never runs (as strict-requests.ts does for malformed requests);
 * 3. filters answers that list topics or groups down to what the caller may describe;
 * 4. on brokers, charges the caller's quotas (quota/throttle.ts) and holds each answer back by the
 *    throttle it earned, writing it into the answer's throttle_time_ms (Produce, Fetch, Consume)
 *    and, for every RPC, the `samsa-throttle-time-ms` trailer. Held-back messages go out in order,
 *    the status after them; a stream's writer waits for each (its write callback fires when the
 *    message is really sent), so a throttled Consume stream slows down instead of buffering.
 *
 * 5. keeps streams (Consume, GroupConsume, Replicate) as authorized as a new call would be, as
 *    Kafka's re-authentication (KIP-368) does for connections: every ACL check a stream passed is
 *    asked again at each ACL change the security view applies (reauthorize()), and a stream opened
 *    with a bearer token ends when the token stops verifying. Either ends the stream at once with
 *    PERMISSION_DENIED / UNAUTHENTICATED naming why; answers held back by a quota are dropped, not
 *    sent after the refusal (ADR 0036).
 *
 * With authorization off (SAMSA_AUTHORIZATION=none, or --insecure) step 2 still enforces the
 * service-only RPCs; ACLs are not consulted.
 */
import * as grpc from '@grpc/grpc-js';
import { SamsaError, toSamsaError } from '../../errors/index.js';
import { toGrpcStatus } from '../../rpc/index.js';
import { SerialQueue, type Clock } from '../../runtime/index.js';
import type { AclAuthorizer } from '../acl/authorizer.js';
import { CLUSTER, type Operation, type Resource } from '../acl/acl.js';
import type { AuditLog } from '../audit.js';
import type { QuotaMeter } from '../quota/throttle.js';
import type { QuotaKind } from '../quota/quota.js';
import { LEEWAY_SECONDS, type TokenVerifier } from '../token/jwt.js';
import { resolveCaller, type Caller } from './caller.js';
import { isSamsaMethod, ruleOf, type Check, type ResponseFilter, type Rule } from './rules.js';

export const THROTTLE_TRAILER = 'samsa-throttle-time-ms';
/**
 * The guard puts the caller's verified principal into the call's metadata under this key (after
 * removing any a client sent), so a handler can name who made a change (audit lines).
 */
export const VERIFIED_PRINCIPAL_HEADER = 'samsa-verified-principal';

/** The principal the guard verified for a handler's call, or 'unknown' on a server without the guard. */
export function verifiedPrincipal(call: { metadata: grpc.Metadata }): string {
  const v = call.metadata.get(VERIFIED_PRINCIPAL_HEADER)[0];
  return typeof v === 'string' ? v : 'unknown';
}

export interface ThrottleMetrics {
  throttled(kind: QuotaKind, ms: number): void;
}

export interface AccessGuardOptions {
  /** undefined: authorization off (only service-only RPCs are enforced). */
  authorizer: AclAuthorizer | undefined;
  tokens: TokenVerifier | undefined;
  /**
   * The server is plaintext (--insecure): callers are known by their claim header. On a TLS server
   * only a verified certificate or token makes a principal.
   */
  insecure: boolean;
  /** Brokers only: the quota meter. */
  quotas: QuotaMeter | undefined;
  audit: AuditLog;
  metrics?: ThrottleMetrics;
}

type Listener = Parameters<grpc.ServerInterceptingCallInterface['start']>[0];

/** Bytes of records in a Produce request or a Fetch/Consume answer (batches as sent, or key+value+headers). */
function recordBytes(message: { batches?: unknown; records?: unknown }): number {
  let n = 0;
  const batches = message.batches;
  if (Buffer.isBuffer(batches) || batches instanceof Uint8Array) n += batches.length;
  else if (Array.isArray(batches)) for (const b of batches as { batch?: Uint8Array }[]) n += b.batch?.length ?? 0;
  if (Array.isArray(message.records)) {
    for (const r of message.records as {
      key?: Uint8Array | null;
      value?: Uint8Array;
      headers?: { key?: string; value?: Uint8Array }[];
    }[]) {
      n += (r.key?.length ?? 0) + (r.value?.length ?? 0);
      for (const h of r.headers ?? []) n += (h.key?.length ?? 0) + (h.value?.length ?? 0);
    }
  }
  return n;
}

const PRODUCE = '/samsa.v1.BrokerService/Produce';

const checkKey = (c: Check): string => `${c.operation}\u0000${c.resource.type}\u0000${c.resource.name}\u0000${c.orCluster ? 1 : 0}`;
const FETCHES = new Set(['/samsa.v1.BrokerService/Fetch', '/samsa.v1.BrokerService/Consume']);

export class AccessGuard {
  /** Streams open now that an ACL change or their token's expiry may end. */
  private readonly streams = new Set<GuardedCall>();

  constructor(readonly options: AccessGuardOptions) {}

  readonly interceptor: grpc.ServerInterceptor = (method, call) =>
    isSamsaMethod(method.path)
      ? new GuardedCall(this.options, method.path, call, method.requestStream || method.responseStream ? this.streams : undefined)
      : new grpc.ServerInterceptingCall(call);

  /**
   * Asks every open stream's ACL checks again (after the ACLs changed); a stream that would now be
   * refused ends PERMISSION_DENIED. Synchronous: when it returns, no refused stream sends anything more.
   */
  reauthorize(): void {
    for (const stream of [...this.streams]) stream.reauthorize();
  }

  /** Open streams the guard watches (for tests and metrics). */
  get openStreams(): number {
    return this.streams.size;
  }

  /** The refusal of `check` for `caller`, or undefined when allowed. */
  static refusal(
    options: AccessGuardOptions,
    caller: Caller,
    check: Check,
    anyOfType?: Extract<Rule, { kind: 'acl' }>['anyOfType'],
  ): SamsaError | undefined {
    const authz = options.authorizer;
    if (!authz || caller.service) return undefined;
    const base = { principal: caller.principal, host: caller.host, operation: check.operation };
    const decision = authz.authorize({ ...base, resource: check.resource });
    if (decision.allowed) return undefined;
    if (decision.why === 'no-acl') {
      if (check.orCluster && authz.authorize({ ...base, resource: CLUSTER }).allowed) return undefined;
      if (anyOfType && authz.authorizeAny(caller.principal, caller.host, anyOfType.operation, anyOfType.type)) return undefined;
    }
    const what = `${caller.principal} may not ${check.operation} ${check.resource.type} "${check.resource.name}"`;
    const anonymous =
      caller.via === 'none' && !options.insecure
        ? '. The caller presented no client certificate the cluster verified and no bearer token (an expired certificate or one from another CA counts as none)'
        : '';
    if (decision.why === 'deny') {
      const b = decision.binding;
      return new SamsaError(
        'AUTHORIZATION_FAILED',
        `${what}: denied by the ACL ${b.permission} ${b.principal} ${b.operation} on ${b.resourceType} ${b.resourceName} (${b.patternType}) from ${b.host}${anonymous}`,
      );
    }
    const flag =
      check.resource.type === 'CLUSTER' ? '--cluster' : `--${check.resource.type.toLowerCase().replace('_', '-')} ${check.resource.name}`;
    const also = anyOfType
      ? ` (or ${anyOfType.operation} on any ${anyOfType.type})`
      : check.orCluster
        ? ` (or ${check.operation} on the cluster)`
        : '';
    return new SamsaError(
      'AUTHORIZATION_FAILED',
      `${what}${also}: no ACL allows it. An operator can add one: samsa acls add --allow --principal ${caller.principal} --operation ${check.operation} ${flag}${anonymous}`,
    );
  }
}

class GuardedCall extends grpc.ServerInterceptingCall {
  private downstream: Listener | undefined;
  private rejected = false;
  private caller: Caller | undefined;
  private authError: SamsaError | undefined;
  private filter: ResponseFilter | undefined;
  /** Throttle earned by the request side (request rate, produce bytes), applied to the next answer. */
  private requestThrottleMs = 0;
  private totalThrottleMs = 0;
  /** Answers (and the status) wait here while an earlier one is held back. */
  private readonly sends = new SerialQueue();
  /** The held-back sends' timers, each with what ends its wait early (the client went away). */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private gone = false;
  /** The ACL checks this stream passed, to ask again when the ACLs change (streams only). */
  private readonly passed = new Map<string, Check>();
  private expiry: NodeJS.Timeout | undefined;
  /** The guard ended the call (revoked) or the status went out: nothing more is sent. */
  private ended = false;

  constructor(
    private readonly options: AccessGuardOptions,
    private readonly path: string,
    call: grpc.ServerInterceptingCallInterface,
    /** The guard's set of open streams, for a streaming method; undefined for a unary one. */
    private readonly streams: Set<GuardedCall> | undefined,
  ) {
    super(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            try {
              this.caller = resolveCaller(call, metadata, options.tokens, options.insecure);
            } catch (err) {
              this.authError = toSamsaError(err);
            }
            metadata.remove(VERIFIED_PRINCIPAL_HEADER);
            if (this.caller) metadata.set(VERIFIED_PRINCIPAL_HEADER, this.caller.principal);
            pass(metadata);
          },
          onReceiveMessage: (message: unknown, pass) => {
            if (this.rejected) return;
            const refusal = this.admit(message);
            if (refusal) return this.reject(refusal);
            pass(message);
          },
          onReceiveHalfClose: (pass) => {
            if (!this.rejected) pass();
          },
          onCancel: () => {
            this.forget();
            this.cancelTimers();
          },
        }),
      sendMessage: (message: unknown, next) => {
        if (!this.ended) this.send(message, next);
      },
      sendStatus: (status, next) => {
        if (this.ended) return;
        this.forget();
        if (this.totalThrottleMs > 0) {
          status.metadata ??= new grpc.Metadata();
          status.metadata.set(THROTTLE_TRAILER, String(this.totalThrottleMs));
        }
        this.enqueue(0, () => next(status));
      },
    });
  }

  override start(listener: Listener): void {
    this.downstream = listener;
    super.start(listener);
  }

  /** Checks one request message; the refusal, or undefined when it may pass. */
  private admit(message: unknown): SamsaError | undefined {
    if (this.authError) return this.authError;
    const caller = this.caller;
    if (!caller) return new SamsaError('AUTHENTICATION_FAILED', 'no caller identity (metadata missing)');
    if (!this.options.authorizer && !this.options.insecure && caller.via === 'none')
      return this.denied(
        caller,
        new SamsaError(
          'AUTHENTICATION_FAILED',
          'this cluster checks no ACLs (SAMSA_AUTHORIZATION=none), so every client must authenticate: ' +
            'with a client certificate signed by the cluster CA, or a bearer token',
        ),
        undefined,
      );
    const rule = ruleOf(this.path);
    if (!rule) return this.denied(caller, new SamsaError('AUTHORIZATION_FAILED', `${this.path} has no access rule; refused`), undefined);
    if (rule.kind === 'services') {
      if (caller.service && rule.services.includes(caller.service.kind)) return undefined;
      return this.denied(
        caller,
        new SamsaError(
          'AUTHORIZATION_FAILED',
          `${this.path} is for Samsa's own ${rule.services.join(' and ')} services; ${caller.principal} is not one`,
        ),
        undefined,
      );
    }
    for (const check of rule.checks(message)) {
      const refusal = AccessGuard.refusal(this.options, caller, check, rule.anyOfType);
      if (refusal) return this.denied(caller, refusal, check);
      if (this.streams && this.options.authorizer && !caller.service) this.passed.set(checkKey(check), check);
    }
    this.watch(caller, rule);
    if (rule.filter && this.options.authorizer && !caller.service) {
      const authz = this.options.authorizer;
      this.filter = rule.filter;
      this.may = (operation: Operation, resource: Resource) =>
        authz.authorize({ principal: caller.principal, host: caller.host, operation, resource }).allowed;
    }
    this.chargeRequest(caller, message);
    return undefined;
  }

  private may: (operation: Operation, resource: Resource) => boolean = () => true;
  private rule: Extract<Rule, { kind: 'acl' }> | undefined;

  /** A stream that passed its first message: watched for ACL changes and its token's expiry. */
  private watch(caller: Caller, rule: Rule): void {
    if (!this.streams || this.streams.has(this) || this.ended || this.gone) return;
    if (rule.kind === 'acl') this.rule = rule;
    this.streams.add(this);
    const tokens = this.options.tokens;
    if (caller.validUntilMs !== undefined && tokens) this.armExpiry(caller.validUntilMs, tokens.clock);
  }

  private armExpiry(validUntilMs: number, clock: Clock): void {
    // setTimeout holds at most ~24.8 days; a longer-lived token re-arms when that fires.
    const delay = Math.min(validUntilMs - clock.nowMs(), 2 ** 31 - 1);
    this.expiry = setTimeout(
      () => {
        this.expiry = undefined;
        if (clock.nowMs() < validUntilMs) return this.armExpiry(validUntilMs, clock);
        const caller = this.caller as Caller;
        this.revoke(
          caller,
          new SamsaError(
            'AUTHENTICATION_FAILED',
            `bearer token refused: it expired at ${new Date(validUntilMs - LEEWAY_SECONDS * 1000).toISOString()} while this stream was open; ` +
              'reopen it with a fresh token',
          ),
          undefined,
        );
      },
      Math.max(0, delay),
    );
  }

  /** Asks the checks this stream passed again; ends it PERMISSION_DENIED when one is now refused. */
  reauthorize(): void {
    const caller = this.caller;
    if (this.ended || this.gone || !caller) return;
    for (const check of this.passed.values()) {
      const refusal = AccessGuard.refusal(this.options, caller, check, this.rule?.anyOfType);
      if (refusal) {
        const err = new SamsaError(
          'AUTHORIZATION_FAILED',
          `${refusal.message} (the ACLs changed while this stream was open; it was allowed when it opened)`,
        );
        return this.revoke(caller, err, check);
      }
    }
  }

  /**
   * Ends the call now with `err`: answers still held back by a quota are dropped (they were
   * authorized under what no longer holds), the handler is told the call is cancelled, and
   * whatever it sends afterwards goes nowhere.
   */
  private revoke(caller: Caller, err: SamsaError, check: Check | undefined): void {
    if (this.ended || this.gone) return;
    this.denied(caller, err, check);
    this.cancelTimers();
    this.gone = false;
    this.rejected = true;
    const status = toGrpcStatus(err);
    this.sendStatus(status);
    this.ended = true;
    this.downstream?.onCancel();
  }

  /** No longer an open stream: no more re-checks, no expiry timer. */
  private forget(): void {
    this.streams?.delete(this);
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = undefined;
  }

  private denied(caller: Caller, err: SamsaError, check: Check | undefined): SamsaError {
    this.options.audit.denied({
      principal: caller.principal,
      host: caller.host,
      method: this.path,
      ...(check ? { operation: check.operation, resource: check.resource } : {}),
      reason: err.message,
    });
    return err;
  }

  private reject(err: SamsaError): void {
    this.rejected = true;
    if (err.reason === 'AUTHENTICATION_FAILED' && this.caller === undefined) {
      this.options.audit.denied({ principal: 'unauthenticated', host: 'unknown', method: this.path, reason: err.message });
    }
    this.sendStatus(toGrpcStatus(err));
    this.downstream?.onCancel();
  }

  private chargeRequest(caller: Caller, message: unknown): void {
    const meter = this.options.quotas;
    if (!meter || caller.service) return;
    let throttle = meter.record('request', caller.principal, caller.clientId, 1).throttleMs;
    this.count('request', throttle);
    if (this.path === PRODUCE) {
      const t = meter.record(
        'produce',
        caller.principal,
        caller.clientId,
        recordBytes(message as { batches?: unknown; records?: unknown }),
      ).throttleMs;
      this.count('produce', t);
      throttle = Math.max(throttle, t);
    }
    this.requestThrottleMs = Math.max(this.requestThrottleMs, throttle);
  }

  private count(kind: QuotaKind, ms: number): void {
    if (ms > 0) this.options.metrics?.throttled(kind, ms);
  }

  private send(message: unknown, next: (message: unknown) => void): void {
    let out = this.filter ? this.filter(message, this.may) : message;
    let throttle = this.requestThrottleMs;
    this.requestThrottleMs = 0;
    const meter = this.options.quotas;
    const caller = this.caller;
    if (meter && caller && !caller.service && FETCHES.has(this.path)) {
      const t = meter.record(
        'fetch',
        caller.principal,
        caller.clientId,
        recordBytes(out as { batches?: unknown; records?: unknown }),
      ).throttleMs;
      this.count('fetch', t);
      throttle = Math.max(throttle, t);
    }
    if (throttle > 0 && out && typeof out === 'object') {
      this.totalThrottleMs += throttle;
      if (this.path === PRODUCE || FETCHES.has(this.path)) out = { ...(out as object), throttleTimeMs: throttle };
    }
    this.enqueue(throttle, () => next(out));
  }

  /**
   * Runs `send` after everything queued before it, `delayMs` later; in order, nothing skipped.
   * With nothing queued and no delay it sends at once, in this turn: the common case, and what
   * keeps an unthrottled stream's answers free of a hop through the queue.
   */
  private enqueue(delayMs: number, send: () => void): void {
    if (this.sends.size === 0 && delayMs <= 0) return send();
    void this.sends.run(async () => {
      if (delayMs > 0 && !this.gone) await this.wait(delayMs);
      if (!this.gone) send();
    });
  }

  /** Resolves after `ms`, or at once when the client goes away (cancelTimers). */
  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  private cancelTimers(): void {
    this.gone = true;
    // Pending sends finish without sending: the client is gone.
    for (const [timer, end] of this.timers) {
      clearTimeout(timer);
      end();
    }
    this.timers.clear();
  }
}
