/**
 * Kafka's framing and headers. Every request and response is a frame: an int32 size, then that
 * many bytes. A request frame is a request header then the body; a response frame is a response
 * header then the body.
 *
 *   request header v1:  api_key int16, api_version int16, correlation_id int32, client_id string (int16 length)
 *   request header v2:  v1 + tagged fields (client_id keeps its int16 length: "flexibleVersions": "none")
 *   response header v0: correlation_id int32
 *   response header v1: correlation_id int32 + tagged fields
 *
 * The header version follows the body's: flexible body versions take request header v2 and
 * response header v1, except ApiVersions, whose response header is always v0 (a client that asked
 * a version the server lacks must still read the answer: KIP-511).
 */
import { decodeMessage, encodeMessage } from './codec.js';
import { KafkaProtocolError, Reader, Writer } from './buffers.js';
import { KAFKA_APIS, MESSAGES } from './generated/messages.js';
import { inRange, type MessageSpec } from './schema.js';

export const API_VERSIONS_KEY = 18;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Kafka's name of an API key ("Produce"), or undefined for a key Kafka does not define. */
export function apiName(apiKey: number): string | undefined {
  return KAFKA_APIS.find((a) => a.apiKey === apiKey)?.name;
}

/** The request and response definitions of an API this library carries (generated/messages.ts). */
export function apiSpecs(apiKey: number): { request: MessageSpec; response: MessageSpec } | undefined {
  const name = apiName(apiKey);
  if (name === undefined) return undefined;
  const request = MESSAGES[`${name}Request`];
  const response = MESSAGES[`${name}Response`];
  return request && response ? { request, response } : undefined;
}

function isFlexible(apiKey: number, version: number): boolean {
  const specs = apiSpecs(apiKey);
  return specs !== undefined && inRange(version, specs.request.flexible);
}

/**
 * Reads the request header from a frame's bytes (without the size prefix). The fixed part is
 * read for any API key, so an unknown key or version can still be answered or logged by its
 * correlation id; tagged fields are read only for APIs whose definition this library carries.
 */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string(false);
  if (isFlexible(apiKey, apiVersion)) {
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      r.uvarint();
      r.bytes(r.uvarint());
    }
  }
  return { apiKey, apiVersion, correlationId, clientId };
}

export function writeRequestHeader(w: Writer, h: RequestHeader): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).string(h.clientId, false);
  if (isFlexible(h.apiKey, h.apiVersion)) w.uvarint(0);
}

function responseHeaderIsFlexible(apiKey: number, version: number): boolean {
  return apiKey !== API_VERSIONS_KEY && isFlexible(apiKey, version);
}

/** A whole response frame (size prefix included) for `body` of `apiKey` at `version`. */
export function encodeResponse(apiKey: number, version: number, correlationId: number, body: object): Buffer {
  const specs = apiSpecs(apiKey);
  if (!specs) throw new KafkaProtocolError(`no definition for API key ${apiKey}`);
  const w = new Writer(256);
  w.int32(0).int32(correlationId);
  if (responseHeaderIsFlexible(apiKey, version)) w.uvarint(0);
  encodeMessage(specs.response, version, body, w);
  w.setInt32(0, w.size - 4);
  return w.finish();
}

/** A whole request frame (size prefix included): what a Kafka client sends. */
export function encodeRequest(header: RequestHeader, body: object): Buffer {
  const specs = apiSpecs(header.apiKey);
  if (!specs) throw new KafkaProtocolError(`no definition for API key ${header.apiKey}`);
  const w = new Writer(256);
  w.int32(0);
  writeRequestHeader(w, header);
  encodeMessage(specs.request, header.apiVersion, body, w);
  w.setInt32(0, w.size - 4);
  return w.finish();
}

/** The body of a request frame (after its header); throws KafkaProtocolError on bytes left over. */
export function decodeRequestBody<T>(header: RequestHeader, r: Reader): T {
  const specs = apiSpecs(header.apiKey);
  if (!specs) throw new KafkaProtocolError(`no definition for API key ${header.apiKey}`);
  const body = decodeMessage<T>(specs.request, header.apiVersion, r);
  if (r.remaining !== 0)
    throw new KafkaProtocolError(`${specs.request.name} v${header.apiVersion}: ${r.remaining} bytes after the message`);
  return body;
}

/** A response frame's bytes (without the size prefix), as a client reads them. */
export function decodeResponse<T>(apiKey: number, version: number, frame: Buffer): { correlationId: number; body: T } {
  const specs = apiSpecs(apiKey);
  if (!specs) throw new KafkaProtocolError(`no definition for API key ${apiKey}`);
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderIsFlexible(apiKey, version)) {
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      r.uvarint();
      r.bytes(r.uvarint());
    }
  }
  const body = decodeMessage<T>(specs.response, version, r);
  if (r.remaining !== 0) throw new KafkaProtocolError(`${specs.response.name} v${version}: ${r.remaining} bytes after the message`);
  return { correlationId, body };
}

/**
 * Splits a byte stream into frames. push() takes whatever the socket delivered and returns the
 * complete frames (without their size prefix); a size above the limit or below zero throws
 * KafkaProtocolError before anything of that size is buffered. A frame's chunks are joined once,
 * when the last of them arrives (joining on every chunk made a 100 MiB frame cost O(size²) copies).
 * The limit can be lowered and raised while the connection lives (the gateway keeps it small until
 * a client has authenticated, as Kafka's sasl.server.max.receive.size does).
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Size prefix plus body of the frame being received, once its prefix is known. */
  private frameBytes: number | undefined;

  constructor(private maxFrameBytes: number) {}

  /** Frames whose size prefix is read from now on are checked against `maxFrameBytes`. */
  setMaxFrameBytes(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.frameBytes === undefined) {
        if (this.pendingBytes < 4) break;
        const head = (this.pending[0] as Buffer).length >= 4 ? (this.pending[0] as Buffer) : this.joined();
        const size = head.readInt32BE(0);
        if (size < 0 || size > this.maxFrameBytes)
          throw new KafkaProtocolError(`frame size ${size} is outside 0..${this.maxFrameBytes} (the gateway's max frame size)`);
        this.frameBytes = 4 + size;
      }
      if (this.pendingBytes < this.frameBytes) break;
      const buf = this.joined();
      frames.push(buf.subarray(4, this.frameBytes));
      const rest = buf.subarray(this.frameBytes);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      this.frameBytes = undefined;
    }
    return frames;
  }

  /** The pending chunks as one buffer (kept as the only pending chunk). */
  private joined(): Buffer {
    if (this.pending.length !== 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0] as Buffer;
  }

  /** Bytes received that are not yet a whole frame (a connection that ends with some was truncated). */
  get buffered(): number {
    return this.pendingBytes;
  }
}
