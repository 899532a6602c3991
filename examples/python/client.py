#!/usr/bin/env python3
"""A plain generated gRPC client talking to Samsa: no SDK, just the stubs from proto/.

It asks a broker for cluster metadata (which also names the active controller), creates a topic
on the controller, produces structured records (the broker builds the record batches and picks
partitions with murmur2 of the key, as Kafka does), streams them back with Consume, and shows how
an error carries its machine-readable reason in the `samsa-error-reason` trailer.

    bash examples/python/gen.sh
    python3 examples/python/client.py --bootstrap 127.0.0.1:9092 --topic py-demo
"""
import argparse
import json
import os
import sys
import time

import grpc

import samsa_tls


def load_stubs(gen_dir):
    if not os.path.isdir(os.path.join(gen_dir, "samsa", "v1")):
        sys.exit(f"no generated client in {gen_dir}: run `bash examples/python/gen.sh` first")
    sys.path.insert(0, gen_dir)
    from samsa.v1 import broker_pb2, broker_pb2_grpc, common_pb2, controller_pb2, controller_pb2_grpc

    return broker_pb2, broker_pb2_grpc, common_pb2, controller_pb2, controller_pb2_grpc


def reason_of(err):
    """The `samsa-error-reason` trailer of a failed call (e.g. UNKNOWN_TOPIC_OR_PARTITION)."""
    for key, value in err.trailing_metadata() or ():
        if key == "samsa-error-reason":
            return value
    return "UNSPECIFIED"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", default=os.environ.get("SAMSA_BOOTSTRAP", "127.0.0.1:9092"))
    ap.add_argument("--topic", default="py-demo")
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--replication-factor", type=int, default=1)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--gen-dir", default=os.path.join(here, "gen"))
    args = ap.parse_args()
    broker_pb2, broker_pb2_grpc, common_pb2, controller_pb2, controller_pb2_grpc = load_stubs(args.gen_dir)

    with samsa_tls.channel(args.bootstrap) as broker_channel:
        broker = broker_pb2_grpc.BrokerServiceStub(broker_channel)

        # 1. Metadata from any broker: live brokers and the active controller.
        try:
            md = broker.GetMetadata(common_pb2.GetMetadataRequest(), timeout=10)
        except grpc.RpcError as err:
            sys.exit(f"cannot reach {args.bootstrap}: {err.code().name} (is the cluster running? `npm start`)")
        if not md.HasField("controller"):
            sys.exit("no active controller right now; try again in a moment")
        controller_address = f"{md.controller.host}:{md.controller.port}"
        print(f"cluster {md.cluster_id}: {len(md.brokers)} brokers, controller {md.controller.id} at {controller_address}")

        # 2. Create the topic on the controller.
        with samsa_tls.channel(controller_address) as controller_channel:
            controller = controller_pb2_grpc.ControllerServiceStub(controller_channel)
            try:
                created = controller.CreateTopic(
                    controller_pb2.CreateTopicRequest(
                        name=args.topic, partitions=args.partitions, replication_factor=args.replication_factor
                    ),
                    timeout=30,
                )
                print(f"created topic {created.topic.name} with {len(created.topic.partitions)} partitions")
            except grpc.RpcError as err:
                if reason_of(err) != "TOPIC_ALREADY_EXISTS":
                    raise
                print(f"topic {args.topic} already exists")

        # 3. Produce structured records; the broker picks partitions by key (murmur2).
        records = [
            common_pb2.Record(
                key=f"user-{i % 4}".encode(),
                value=json.dumps({"user": f"user-{i % 4}", "event": "click", "n": i}).encode(),
                headers=[common_pb2.RecordHeader(key="source", value=b"python")],
            )
            for i in range(args.count)
        ]
        # CreateTopic returns once the controller has stored the topic; a broker learns of it a
        # moment later (as in Kafka), and until then answers UNKNOWN_TOPIC_OR_PARTITION: retry briefly.
        for attempt in range(1, 21):
            try:
                res = broker.Produce(
                    broker_pb2.ProduceRequest(topic=args.topic, acks=common_pb2.ACKS_ALL, records=records), timeout=30
                )
                break
            except grpc.RpcError as err:
                if attempt == 20 or reason_of(err) != "UNKNOWN_TOPIC_OR_PARTITION":
                    raise
                time.sleep(0.1)
        for r in sorted(res.results, key=lambda r: r.partition):
            print(f"  partition {r.partition}: {r.record_count} records from offset {r.base_offset}")
        print(f"produced {sum(r.record_count for r in res.results)} records")

        # 4. Stream each partition back with Consume, up to its end (the high watermark now).
        consumed = 0
        for p in range(args.partitions):
            end = broker.ListOffsets(
                broker_pb2.ListOffsetsRequest(
                    topic=args.topic, partition=p, spec=common_pb2.OffsetSpec(position=common_pb2.OFFSET_POSITION_LATEST)
                ),
                timeout=10,
            ).offset
            if end == 0:
                continue
            stream = broker.Consume(
                broker_pb2.ConsumeRequest(
                    topic=args.topic,
                    partition=p,
                    start=common_pb2.OffsetSpec(position=common_pb2.OFFSET_POSITION_EARLIEST),
                    format=common_pb2.RECORD_FORMAT_STRUCTURED,
                ),
                timeout=60,
            )
            try:
                for chunk in stream:
                    for rec in chunk.records:
                        headers = {h.key: h.value.decode() for h in rec.headers}
                        print(f"  {p}/{rec.offset} key={rec.key.decode()} value={rec.value.decode()} headers={headers}")
                        consumed += 1
                    if chunk.next_offset >= end:
                        break
            finally:
                stream.cancel()  # a Consume stream follows the log until cancelled
        print(f"consumed {consumed} records")

        # 5. Errors: a gRPC status plus the reason trailer.
        try:
            broker.Produce(
                broker_pb2.ProduceRequest(topic=args.topic + "-missing", records=records[:1]), timeout=10
            )
            print("unexpected: produce to a missing topic succeeded")
        except grpc.RpcError as err:
            print(f"error as expected: status={err.code().name} reason={reason_of(err)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
