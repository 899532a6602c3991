/**
 * A small OTLP/HTTP trace receiver for tests: listens on a free loopback port, accepts
 * POST /v1/traces in the JSON encoding (services started with OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
 * =http/json), and keeps every span it received, flattened, with its resource's service name and
 * instance id. Closed by the test's afterAll.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import { waitUntil } from '../../tools/launcher/index.js';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  service: string;
  instance: string;
  attributes: Record<string, string | number | boolean>;
  links: { traceId: string; spanId: string }[];
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  /** When the receiver got it (Date.now()). */
  receivedAtMs: number;
}

/** OTLP/JSON as the JavaScript exporter sends it (ids as hex strings, values as typed wrappers). */
interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpKeyValue[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

function valueOf(v: OtlpValue): string | number | boolean {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return '';
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

export function flattenExport(body: OtlpExport): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          service: String(resource['service.name'] ?? ''),
          instance: String(resource['service.instance.id'] ?? ''),
          attributes: attributesOf(s.attributes),
          links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          statusCode: s.status?.code ?? 0,
          receivedAtMs: Date.now(),
        });
      }
    }
  }
  return out;
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Requests that could not be read as OTLP/JSON (a test asserts there are none). */
  readonly rejected: string[] = [];

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly endpoint: string,
  ) {}

  /** Starts a receiver for the current test file; closed after all its tests. */
  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => receiver?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    afterAll(() => receiver?.close());
    return receiver;
  }

  /**
   * The parent ids in a trace that no received span has (a span whose parent never arrived, as
   * Jaeger's "invalid parent span IDs"); `external` are parents known to live outside (a test's
   * own client span that nothing exports).
   */
  missingParents(traceId: string, external: readonly string[] = []): string[] {
    const spans = this.trace(traceId);
    const ids = new Set(spans.map((s) => s.spanId));
    return spans
      .filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId) && !external.includes(s.parentSpanId))
      .map((s) => `${s.name}@${s.instance} -> ${s.parentSpanId}`);
  }

  /** Spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /** Waits until `predicate` holds for the spans received so far (the exporters batch). */
  async waitFor(what: string, predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 60_000): Promise<void> {
    await waitUntil(async () => predicate(this.spans), timeoutMs, what, 100);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        this.rejected.push(`${req.method ?? '?'} ${req.url ?? '?'}`);
        res.writeHead(404).end();
        return;
      }
      try {
        this.spans.push(...flattenExport(JSON.parse(body) as OtlpExport));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (err) {
        this.rejected.push(
          `unreadable export (${req.headers['content-type'] ?? 'no content-type'}): ${err instanceof Error ? err.message : String(err)}`,
        );
        res.writeHead(400).end();
      }
    });
  }
}
