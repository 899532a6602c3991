/**
 * The entry point of the SDK. One Samsa object holds the cluster view (metadata cache) and the
 * gRPC connections; the producers, consumers and admins it hands out share them. close() ends
 * everything it owns: open consumer streams are cancelled and connections closed.
 *
 *   const samsa = new Samsa({ bootstrap: '127.0.0.1:9092' });
 *   await samsa.admin().createTopic({ name: 'orders', partitions: 6, replicationFactor: 1 });
 *   await samsa.producer().send({ topic: 'orders', messages: [{ key: 'o-1', value: '{"total":12}' }] });
 *   for await (const m of samsa.consumer().partition({ topic: 'orders', partition: 0, follow: false })) { ... }
 *   const consumer = samsa.consumer({ groupId: 'audit' });   // assign, seek, pause, commit: consumer/consumer.ts
 *   await samsa.close();
 *
 * Tracing: with OTEL_EXPORTER_OTLP_ENDPOINT (or another OTEL_* trace exporter) set, the first Samsa
 * object starts OpenTelemetry for the process (unless the application registered its own SDK,
 * which then gets Samsa's spans); close() flushes the spans it holds. libs/telemetry/start.ts.
 */
import * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../errors/index.js';
import { silenceIpServernameWarning } from '../security/index.js';
import { defaultChannelCredentials } from '../rpc/index.js';
import { flushTelemetry, startClientTelemetry } from '../telemetry/index.js';
import { Admin } from './admin/admin.js';
import { Cluster } from './routing/cluster.js';
import { Consumer, type ConsumerOptions } from './consumer/consumer.js';
import { Producer, type ProducerOptions } from './producer/producer.js';
import { Groups } from './groups/groups.js';
import { GroupConsumer, type GroupConsumerOptions } from './groups/group-consumer.js';
import type { RetryOptions } from '../runtime/index.js';
import { ShareConsumer, type ShareConsumerOptions } from './groups/share-consumer.js';

export interface SamsaOptions {
  /** One or more brokers, as 'host:port', a comma-separated list, or an array. */
  bootstrap: string | readonly string[];
  /** Deadline of each unary request, in ms. Default 15000. */
  requestTimeoutMs?: number;
  /** Cached topic metadata is refreshed after this long, in ms. Default 300000. */
  metadataMaxAgeMs?: number;
  /** Backoff for retriable errors (libs/runtime/retry.ts). */
  retry?: RetryOptions;
  /**
   * TLS (a Samsa cluster serves TLS by default): the CA that signed the cluster's certificates and,
   * for mutual TLS, this client's certificate and key, as PEM text or Buffers (kafkajs's `ssl`).
   * `false`: plaintext, for clusters started with --insecure. Absent: the process's default
   * transport (plaintext unless the process set one; a service's own mutual TLS inside services).
   */
  tls?: SamsaTlsOptions | false;
  /**
   * A bearer token (JWT) sent as `authorization: Bearer <token>` on every call, for a client without
   * a certificate; a function is asked before each call (to hand out a refreshed token). Needs TLS:
   * gRPC sends call credentials only over a secure channel.
   */
  token?: string | (() => string);
  /** Sent as the `samsa-client-id` header: the client id quotas may key on (at most 255 bytes). */
  clientId?: string;
}

export interface SamsaTlsOptions {
  ca: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

function credentialsOf(options: SamsaOptions): grpc.ChannelCredentials | undefined {
  const channel = channelCredentialsOf(options.tls);
  const { token, clientId } = options;
  if (token === undefined && clientId === undefined) return channel;
  if (options.tls === false)
    throw new SamsaError('INVALID_REQUEST', 'token and clientId need TLS: gRPC sends call credentials only over a secure channel');
  const perCall = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const md = new grpc.Metadata();
    if (token !== undefined) md.set('authorization', `Bearer ${typeof token === 'function' ? token() : token}`);
    if (clientId !== undefined) md.set('samsa-client-id', clientId);
    callback(null, md);
  });
  return grpc.credentials.combineChannelCredentials(channel ?? defaultChannelCredentials(), perCall);
}

function channelCredentialsOf(tls: SamsaTlsOptions | false | undefined): grpc.ChannelCredentials | undefined {
  if (tls === undefined) return undefined;
  if (tls === false) return grpc.credentials.createInsecure();
  if ((tls.cert === undefined) !== (tls.key === undefined))
    throw new SamsaError('INVALID_REQUEST', 'tls: a client certificate needs its key, and a key its certificate');
  const pem = (v: string | Buffer | undefined): Buffer | null => (v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v));
  silenceIpServernameWarning();
  return grpc.credentials.createSsl(pem(tls.ca), pem(tls.key), pem(tls.cert));
}

export class Samsa {
  private readonly cluster: Cluster;
  private readonly producers = new Set<Producer>();
  private readonly consumers = new Set<Consumer>();
  private readonly members = new Set<GroupConsumer | ShareConsumer>();
  private groupsAdmin: Groups | undefined;
  private closed = false;

  constructor(options: SamsaOptions) {
    // Before the first channel: channels pick their interceptors when made.
    startClientTelemetry();
    const bootstrap = (typeof options.bootstrap === 'string' ? options.bootstrap.split(',') : [...options.bootstrap])
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    this.cluster = new Cluster({
      bootstrap,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      metadataMaxAgeMs: options.metadataMaxAgeMs ?? 300_000,
      retry: options.retry ?? {},
      credentials: credentialsOf(options),
    });
  }

  admin(): Admin {
    return new Admin(this.cluster);
  }

  producer(options: ProducerOptions = {}): Producer {
    const p = new Producer(this.cluster, options);
    this.producers.add(p);
    return p;
  }

  consumer(options: ConsumerOptions = {}): Consumer {
    const c = new Consumer(this.cluster, this.groups(), options);
    this.consumers.add(c);
    return c;
  }

  /** Consumer groups: find coordinators, list, describe, reset offsets, delete. */
  groups(): Groups {
    return (this.groupsAdmin ??= new Groups(this.cluster));
  }

  /** A member of a consumer group (GroupConsume stream through the group's coordinator). */
  groupConsumer(options: GroupConsumerOptions): GroupConsumer {
    const m = new GroupConsumer(this.cluster, this.groups(), options);
    this.members.add(m);
    return m;
  }

  /**
   * A member of a share group (queues on the log: records shared by any number of members, each
   * answered with ack/release/reject/extend; groups/share-consumer.ts, docs/queues.md).
   */
  shareConsumer(options: ShareConsumerOptions): ShareConsumer {
    const m = new ShareConsumer(this.cluster, this.groups(), options);
    this.members.add(m);
    return m;
  }

  /** Leaves groups and closes consumers (final commits), cancels open consumer streams, waits for producers' in-flight sends, closes connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.members].map((m) => m.close()));
    await Promise.allSettled([...this.consumers].map((c) => c.close()));
    await Promise.allSettled([...this.producers].map((p) => p.close()));
    this.cluster.close();
    // The cancelled streams' statuses (which end their spans) arrive on the next turns of the loop.
    await flushTelemetry();
  }
}
