/**
 * One Kafka client connection: bytes in, frames out of a FrameSplitter (max frame size), each
 * request handled in arrival order, one at a time, and answered in that order (Kafka's own broker
 * mutes a connection while a request is in flight; clients rely on responses in order).
 *
 * A frame that cannot be handled (size above the limit, a request that does not decode, an API key
 * or version this gateway does not serve other than through ApiVersions) closes this connection
 * with one warning log line; nothing else is affected. An unsupported ApiVersions version is
 * answered in v0 with UNSUPPORTED_VERSION and the supported ranges (KIP-511), as Kafka does.
 *
 * Authentication (docs/adr/0047): in secure mode the client must authenticate with SASL PLAIN
 * (SaslHandshake v1 + SaslAuthenticate) before anything but ApiVersions; the password is a Samsa
 * bearer token, checked by asking Samsa for metadata with it, and then sent on every call the
 * connection makes, so the client acts as its own principal.
 */
import type { Socket } from 'node:net';
import {
  API_VERSIONS_KEY,
  ERROR_CODES,
  FrameSplitter,
  KafkaProtocolError,
  Reader,
  apiName,
  decodeRequestBody,
  encodeResponse,
  readRequestHeader,
  type RequestHeader,
} from '../../libs/kafka-protocol/index.js';
import { SamsaError } from '../../libs/errors/index.js';
import type { Logger } from '../../libs/telemetry/index.js';
import { API_TABLE, apiVersionsBody } from './api-table.js';
import type { GatewayNode, RequestContext } from './apis/context.js';
import type { ClassicGroups, GroupHolds } from '../../libs/kafka-group/index.js';
import { ANONYMOUS_CALLER, callerWithToken, type Caller, type Upstream } from './upstream.js';
import { errorMessage } from './kafka-errors.js';

const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
/**
 * The largest frame accepted before a client has authenticated (Kafka's sasl.server.max.receive.size
 * default): an anonymous peer cannot make the gateway buffer a 100 MiB frame per connection.
 */
export const PRE_AUTH_MAX_FRAME_BYTES = 512 * 1024;
/** Frames read ahead of the one being handled before the socket is paused. */
const MAX_QUEUED = 32;

export interface ConnectionOptions {
  readonly maxFrameBytes: number;
  /** True: SASL PLAIN with a Samsa token is required before any other request. */
  readonly requireSasl: boolean;
  readonly upstream: Upstream;
  readonly node: GatewayNode;
  readonly groups: ClassicGroups;
  readonly holds: GroupHolds<Caller>;
  readonly logger: Logger;
}

export class KafkaConnection {
  private readonly splitter: FrameSplitter;
  private readonly queue: Buffer[] = [];
  private running = false;
  private closed = false;
  /** Closed by us for a bad frame (already logged). */
  private failed = false;
  private caller: Caller;
  private saslState: 'handshake' | 'authenticate' | 'raw' | 'done';
  private readonly logger: Logger;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.splitter = new FrameSplitter(
      options.requireSasl ? Math.min(options.maxFrameBytes, PRE_AUTH_MAX_FRAME_BYTES) : options.maxFrameBytes,
    );
    this.caller = ANONYMOUS_CALLER;
    this.saslState = options.requireSasl ? 'handshake' : 'done';
    this.logger = options.logger.child({ peer: `${socket.remoteAddress}:${socket.remotePort}` });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.logger.debug({ err: err.message }, 'connection error'));
    socket.on('close', () => {
      this.closed = true;
      this.queue.length = 0;
      if (this.splitter.buffered > 0 && !this.failed)
        this.logger.warn({ bytes: this.splitter.buffered }, 'connection closed in the middle of a frame (truncated request)');
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.queue.push(...frames);
    if (this.queue.length > MAX_QUEUED) this.socket.pause();
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let frame = this.queue.shift(); frame && !this.closed; frame = this.queue.shift()) {
        if (this.queue.length <= MAX_QUEUED / 2) this.socket.resume();
        const response = await this.handle(frame);
        if (this.closed) return;
        if (response) this.socket.write(response);
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.running = false;
    }
  }

  /** Closes this connection only, with one log line saying why. */
  private fail(err: unknown, header?: RequestHeader): void {
    if (this.closed) return;
    this.closed = true;
    this.failed = true;
    this.logger.warn(
      { err: errorMessage(err), apiKey: header?.apiKey, apiVersion: header?.apiVersion, clientId: header?.clientId },
      'closing Kafka connection: malformed or unsupported request',
    );
    this.socket.destroy();
  }

  private async handle(frame: Buffer): Promise<Buffer | null> {
    // After a SaslHandshake v0 the client sends the bare SASL token in a frame of its own.
    if (this.saslState === 'raw') {
      const ok = await this.authenticate(frame);
      if (ok !== true) {
        this.closeAfterReply();
        return null;
      }
      return Buffer.alloc(4);
    }
    const r = new Reader(frame);
    const header = readRequestHeader(r);
    if (header.apiKey === API_VERSIONS_KEY) return this.apiVersions(header, r);
    const entry = API_TABLE.get(header.apiKey);
    if (!entry)
      throw new KafkaProtocolError(
        `API key ${header.apiKey} (${apiName(header.apiKey) ?? 'unknown to Kafka'}) is not served by this gateway`,
      );
    if (header.apiVersion < entry.min || header.apiVersion > entry.max)
      throw new KafkaProtocolError(`${apiName(header.apiKey)} v${header.apiVersion} is outside the supported ${entry.min}-${entry.max}`);
    const body = decodeRequestBody<Record<string, unknown>>(header, r);
    if (header.apiKey === SASL_HANDSHAKE) return this.saslHandshake(header, body);
    if (header.apiKey === SASL_AUTHENTICATE) return this.saslAuthenticate(header, body);
    if (this.saslState !== 'done') throw new KafkaProtocolError(`${apiName(header.apiKey)} before SASL authentication`);
    const ctx: RequestContext = {
      header,
      caller: this.caller,
      upstream: this.options.upstream,
      node: this.options.node,
      groups: this.options.groups,
      holds: this.options.holds,
      clientHost: this.socket.remoteAddress ?? '',
      logger: this.logger,
    };
    const res = await entry.handle(ctx, body as never);
    return res === null ? null : encodeResponse(header.apiKey, header.apiVersion, header.correlationId, res);
  }

  private apiVersions(header: RequestHeader, r: Reader): Buffer {
    const entry = API_TABLE.get(API_VERSIONS_KEY);
    if (!entry || header.apiVersion > entry.max) {
      // KIP-511: answer in v0 so any client can read it, with our ranges; it then asks again.
      return encodeResponse(API_VERSIONS_KEY, 0, header.correlationId, {
        ...apiVersionsBody(),
        errorCode: ERROR_CODES.UNSUPPORTED_VERSION,
      });
    }
    decodeRequestBody(header, r);
    return encodeResponse(API_VERSIONS_KEY, header.apiVersion, header.correlationId, apiVersionsBody());
  }

  private saslHandshake(header: RequestHeader, body: Record<string, unknown>): Buffer {
    const ok = body.mechanism === 'PLAIN' && this.options.requireSasl && this.saslState === 'handshake';
    if (ok) this.saslState = header.apiVersion === 0 ? 'raw' : 'authenticate';
    const errorCode = !this.options.requireSasl
      ? ERROR_CODES.ILLEGAL_SASL_STATE
      : body.mechanism !== 'PLAIN'
        ? ERROR_CODES.UNSUPPORTED_SASL_MECHANISM
        : ok
          ? ERROR_CODES.NONE
          : ERROR_CODES.ILLEGAL_SASL_STATE;
    return encodeResponse(header.apiKey, header.apiVersion, header.correlationId, {
      errorCode,
      mechanisms: this.options.requireSasl ? ['PLAIN'] : [],
    });
  }

  private async saslAuthenticate(header: RequestHeader, body: Record<string, unknown>): Promise<Buffer> {
    const reply = (errorCode: number, errorMessage: string | null): Buffer =>
      encodeResponse(header.apiKey, header.apiVersion, header.correlationId, {
        errorCode,
        errorMessage,
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0,
      });
    if (this.saslState !== 'authenticate') {
      this.closeAfterReply();
      return reply(ERROR_CODES.ILLEGAL_SASL_STATE, 'SaslAuthenticate before a PLAIN SaslHandshake');
    }
    const failure = await this.authenticate(body.authBytes as Buffer);
    if (failure !== true) {
      this.closeAfterReply();
      return reply(ERROR_CODES.SASL_AUTHENTICATION_FAILED, `authentication failed: ${failure}`);
    }
    return reply(ERROR_CODES.NONE, null);
  }

  /**
   * PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd; the password is a Samsa bearer token, which
   * Samsa verifies on a metadata call. True, or why not.
   */
  private async authenticate(authBytes: Buffer): Promise<true | string> {
    const parts = authBytes.toString('utf8').split('\0');
    const user = parts[1] ?? '';
    const token = parts[2] ?? '';
    const caller = callerWithToken(token, `User:${user}`);
    try {
      if (parts.length !== 3 || token === '')
        throw new SamsaError('AUTHENTICATION_FAILED', 'SASL PLAIN needs a username and a Samsa token as the password');
      await this.options.upstream.metadata(caller, ['__samsa-gateway-auth-check']);
    } catch (err) {
      if (!(err instanceof SamsaError) || err.reason === 'AUTHENTICATION_FAILED' || err.reason === 'INVALID_REQUEST') {
        this.logger.warn({ audit: true, event: 'denied', user, err: errorMessage(err) }, 'Kafka client failed SASL authentication');
        return errorMessage(err);
      }
    }
    this.caller = caller;
    this.saslState = 'done';
    this.splitter.setMaxFrameBytes(this.options.maxFrameBytes);
    return true;
  }

  /** After a failed authentication Kafka closes the connection once the answer is out. */
  private closeAfterReply(): void {
    setImmediate(() => {
      this.closed = true;
      this.socket.end();
    });
  }
}
