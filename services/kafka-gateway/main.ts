/**
 * The Kafka wire-protocol gateway (issue 19): Kafka clients (kcat, kafkajs, librdkafka, Java) talk
 * to Samsa unchanged. A client of Samsa's gRPC services like any other (upstream.ts); it keeps no
 * state on disk. Start order: read TLS material -> ask Samsa for metadata (wait for a broker) ->
 * listen. Shutdown: stop listening, end the connections, close the groups and the channels. Both
 * run through the lifecycle every service shares (libs/service): each piece's closer on its
 * Resources stack, the Kafka listener made and closed by serveSockets as broker, controller and
 * coordinator make and close their gRPC servers by serveGrpc.
 *
 * Security (docs/adr/0047): with TLS configured (the default) the Kafka listener is TLS and every
 * client authenticates with SASL PLAIN, a Samsa bearer token as the password, and acts as that
 * token's principal; the gateway presents no certificate to Samsa and has no rights of its own.
 * With SAMSA_INSECURE=1 (a plaintext cluster) the listener is plaintext without authentication.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { runService, serveSockets, type Resources, type Running } from '../../libs/service/index.js';
import { silenceIpServernameWarning } from '../../libs/security/index.js';
import { advertisedAddress, formatHostPort } from '../../libs/config/index.js';
import type { Logger } from '../../libs/telemetry/index.js';
import { loadGatewayConfig, type GatewayConfig } from './config.js';
import { KafkaConnection } from './connection.js';
import { ClassicGroups, GroupHolds } from '../../libs/kafka-group/index.js';
import { holdKafkaGroup } from './apis/groups.js';
import { sleep, systemClock } from '../../libs/runtime/index.js';
import { ANONYMOUS_CALLER, Upstream, type Caller } from './upstream.js';

runService({
  kind: 'kafka-gateway',
  loadConfig: () => loadGatewayConfig(),
  instance: (config) => `kafka-gateway-${config.gatewayId}`,
  start,
});

function channelCredentials(config: GatewayConfig, logger: Logger): { channel: grpc.ChannelCredentials; secure: boolean } {
  // The TLS rule (files or --insecure, not both) was checked when the config was read (libs/service).
  if (config.insecure) {
    logger.error(
      { insecure: true },
      'INSECURE MODE: plaintext Kafka listener without authentication, towards a plaintext Samsa cluster. For development only (SAMSA_INSECURE=1 / --insecure).',
    );
    return { channel: grpc.credentials.createInsecure(), secure: false };
  }
  silenceIpServernameWarning();
  // The CA only: the gateway presents no certificate to Samsa, so it is nobody there; each call
  // carries the Kafka client's own token.
  return { channel: grpc.credentials.createSsl(readFileSync(config.tlsCa)), secure: true };
}

async function start(config: GatewayConfig, logger: Logger, resources: Resources): Promise<Running> {
  const { channel, secure } = channelCredentials(config, logger);
  const upstream = resources.own('upstream channels', new Upstream(config.bootstrap, channel, config.requestTimeoutMs), (u) => u.close());
  if (!secure) {
    // Wait until Samsa answers (a plaintext cluster: nothing to authenticate).
    for (let attempt = 0; ; attempt++) {
      try {
        await upstream.metadata(ANONYMOUS_CALLER, []);
        break;
      } catch (err) {
        if (attempt % 20 === 0) logger.info({ err: err instanceof Error ? err.message : String(err) }, 'waiting for a Samsa broker');
        await sleep(250);
      }
    }
  }
  // The groups' holds in Samsa's coordinator outlive the groups: a group emptied here is released.
  let groups: ClassicGroups | undefined;
  const holds = new GroupHolds<Caller>({
    holder: `kafka-gateway-${config.gatewayId}`,
    ttlMs: config.groupHoldMs,
    clock: systemClock,
    call: (caller, groupId, request) => holdKafkaGroup(upstream, caller, groupId, request),
    hasMembers: (groupId) => (groups?.get(groupId)?.members.size ?? 0) > 0,
    logger,
  });
  groups = resources.own('classic groups', new ClassicGroups({ onEmptied: (groupId) => holds.release(groupId) }), (g) => g.close());
  const advertised = advertisedAddress(config.advertise, config.host, config.port);
  const node = { nodeId: config.gatewayId, host: advertised.host, port: advertised.port };
  const listener = await serveSockets(resources, {
    name: 'Kafka listener',
    host: config.host,
    port: config.port,
    tls: secure ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined,
    accept: (socket) => {
      socket.setNoDelay(true);
      new KafkaConnection(socket, { maxFrameBytes: config.maxFrameBytes, requireSasl: secure, upstream, node, groups, holds, logger });
    },
    logger,
  });
  logger.info(
    {
      listen: formatHostPort({ host: config.host, port: listener.port }),
      advertised: formatHostPort(node),
      security: secure ? 'SASL_SSL (PLAIN with Samsa tokens)' : 'PLAINTEXT',
    },
    'Kafka gateway listening',
  );
  return {};
}
