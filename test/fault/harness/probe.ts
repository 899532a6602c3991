/**
 * Raw gRPC access to a running cluster for the fault tests: every call has a short deadline of its
 * own (a SIGSTOPped process must cost seconds, not the SDK's 15 s default), nothing is retried
 * here, and failures come back as SamsaErrors with the server's reason. The Probe owns one channel
 * per address and closes them all in close().
 */
import type * as grpc from '@grpc/grpc-js';
import { brokerClient, callUnary, controllerClient, coordinatorClient, type v1 } from '../../../libs/rpc/index.js';

export interface PartitionView {
  partition: number;
  /** -1 when the partition has no leader. */
  leaderId: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

type Invoke<C, Res> = (client: C, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: Res) => void) => unknown;

export class Probe {
  private readonly brokers = new Map<string, v1.BrokerServiceClient>();
  private readonly controllers = new Map<string, v1.ControllerServiceClient>();
  private readonly coordinators = new Map<string, v1.CoordinatorServiceClient>();

  constructor(private readonly timeoutMs = 2_000) {}

  broker<Res>(address: string, invoke: Invoke<v1.BrokerServiceClient, Res>, timeoutMs = this.timeoutMs): Promise<Res> {
    let client = this.brokers.get(address);
    if (!client) this.brokers.set(address, (client = brokerClient(address)));
    const c = client;
    return callUnary<Res>(address, { timeoutMs: timeoutMs }, (options, cb) => invoke(c, options, cb));
  }

  controller<Res>(address: string, invoke: Invoke<v1.ControllerServiceClient, Res>, timeoutMs = this.timeoutMs): Promise<Res> {
    let client = this.controllers.get(address);
    if (!client) this.controllers.set(address, (client = controllerClient(address)));
    const c = client;
    return callUnary<Res>(address, { timeoutMs: timeoutMs }, (options, cb) => invoke(c, options, cb));
  }

  coordinator<Res>(address: string, invoke: Invoke<v1.CoordinatorServiceClient, Res>, timeoutMs = this.timeoutMs): Promise<Res> {
    let client = this.coordinators.get(address);
    if (!client) this.coordinators.set(address, (client = coordinatorClient(address)));
    const c = client;
    return callUnary<Res>(address, { timeoutMs: timeoutMs }, (options, cb) => invoke(c, options, cb));
  }

  metadata(address: string, topics: string[]): Promise<v1.GetMetadataResponse__Output> {
    return this.broker<v1.GetMetadataResponse__Output>(address, (c, o, cb) => c.getMetadata({ topics }, o, cb));
  }

  /** The topic as the first of `controllers` that answers describes it (a standby forwards). */
  async describe(controllers: readonly string[], topic: string): Promise<PartitionView[] | undefined> {
    for (const address of controllers) {
      try {
        const res = await this.controller<v1.DescribeTopicsResponse__Output>(address, (c, o, cb) =>
          c.describeTopics({ names: [topic] }, o, cb),
        );
        const t = res.topics.find((x) => x.name === topic);
        return t ? toViews(t) : undefined;
      } catch {
        // Dead, paused or between elections: ask the next one.
      }
    }
    return undefined;
  }

  /** The topic as the first of `brokers` that answers sees it (each broker's view comes from etcd). */
  async brokerView(brokers: readonly string[], topic: string): Promise<PartitionView[] | undefined> {
    for (const address of brokers) {
      try {
        const t = (await this.metadata(address, [topic])).topics.find((x) => x.name === topic);
        if (t) return toViews(t);
      } catch {
        // ask the next one
      }
    }
    return undefined;
  }

  listOffsets(address: string, topic: string, partition: number): Promise<v1.ListOffsetsResponse__Output> {
    return this.broker<v1.ListOffsetsResponse__Output>(address, (c, o, cb) =>
      c.listOffsets({ topic, partition, spec: { position: 'OFFSET_POSITION_LATEST' } }, o, cb),
    );
  }

  fetch(address: string, request: v1.FetchRequest): Promise<v1.FetchResponse__Output> {
    return this.broker<v1.FetchResponse__Output>(address, (c, o, cb) => c.fetch(request, o, cb), 10_000);
  }

  produce(address: string, request: v1.ProduceRequest, timeoutMs: number): Promise<v1.ProduceResponse__Output> {
    return this.broker<v1.ProduceResponse__Output>(address, (c, o, cb) => c.produce(request, o, cb), timeoutMs);
  }

  close(): void {
    for (const c of this.brokers.values()) c.close();
    for (const c of this.controllers.values()) c.close();
    for (const c of this.coordinators.values()) c.close();
    this.brokers.clear();
    this.controllers.clear();
    this.coordinators.clear();
  }
}

function toViews(t: v1.TopicInfo__Output): PartitionView[] {
  return t.partitions
    .map((p) => ({ partition: p.partition, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: [...p.replicas], isr: [...p.isr] }))
    .sort((a, b) => a.partition - b.partition);
}
