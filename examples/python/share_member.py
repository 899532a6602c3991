#!/usr/bin/env python3
"""A share-group member (queues on the log, docs/queues.md) with nothing but the stubs generated
from proto/: no SDK.

It asks a broker which coordinator owns the group (FindCoordinator), opens the coordinator's
ShareConsume stream, joins with its limit (at most --max-records records held unanswered), prints
each record with its delivery count, and answers it: ACCEPT, or REJECT for a value that starts
with "poison" (it goes to the group's dead-letter topic). Each answer carries a sequence; with
--max-messages it stops after that many records, waits for the coordinator's `committed` covering
its last answer (then its acks survive a coordinator failover), and leaves.

    bash examples/python/gen.sh
    python3 examples/python/share_member.py --bootstrap 127.0.0.1:9092 --group jobs --topic tasks
"""
import argparse
import os
import queue
import sys

import grpc

import samsa_tls


def load_stubs(gen_dir):
    if not os.path.isdir(os.path.join(gen_dir, "samsa", "v1")):
        sys.exit(f"no generated client in {gen_dir}: run `bash examples/python/gen.sh` first")
    sys.path.insert(0, gen_dir)
    from samsa.v1 import coordinator_pb2, coordinator_pb2_grpc

    return coordinator_pb2, coordinator_pb2_grpc


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", default=os.environ.get("SAMSA_BOOTSTRAP", "127.0.0.1:9092"))
    ap.add_argument("--group", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--max-records", type=int, default=10, help="records held unanswered at most")
    ap.add_argument("--max-messages", type=int, default=0, help="leave after this many records (0: run until Ctrl-C)")
    ap.add_argument("--gen-dir", default=os.path.join(here, "gen"))
    args = ap.parse_args()
    pb, pb_grpc = load_stubs(args.gen_dir)

    with samsa_tls.channel(args.bootstrap) as channel:
        found = pb_grpc.CoordinatorServiceStub(channel).FindCoordinator(pb.FindCoordinatorRequest(group_id=args.group), timeout=30)
    address = f"{found.host}:{found.port}"
    print(f"share group {args.group}: coordinator {found.coordinator_id} at {address}", flush=True)

    requests = queue.Queue()
    requests.put(pb.ShareConsumeRequest(join=pb.ShareJoin(group_id=args.group, topics=[args.topic], max_records=args.max_records)))

    def outgoing():
        while True:
            item = requests.get()
            if item is None:
                return
            yield item

    received = 0
    sequence = 0
    leaving_at = None
    with samsa_tls.channel(address) as channel:
        stream = pb_grpc.CoordinatorServiceStub(channel).ShareConsume(outgoing())
        try:
            for response in stream:
                kind = response.WhichOneof("kind")
                if kind == "joined":
                    j = response.joined
                    print(f"joined as {j.member_id}: lease {j.lease_ms} ms, max delivery attempts {j.max_delivery_attempts}, dead letters to {j.dead_letter_topic}", flush=True)
                elif kind == "records" and leaving_at is None:
                    batch = response.records
                    acks = []
                    for sr in batch.records:
                        r = sr.record
                        value = r.value.decode("utf-8", "replace")
                        print(f"  {batch.topic}/{batch.partition}@{r.offset} delivery {sr.delivery_count}: {value}", flush=True)
                        answer = pb.SHARE_ACK_REJECT if value.startswith("poison") else pb.SHARE_ACK_ACCEPT
                        acks.append(pb.ShareAck(topic=batch.topic, partition=batch.partition, from_offset=r.offset, to_offset=r.offset, type=answer))
                        received += 1
                    sequence += 1
                    requests.put(pb.ShareConsumeRequest(acks=pb.ShareAcks(acks=acks, sequence=sequence)))
                    if args.max_messages and received >= args.max_messages:
                        leaving_at = sequence
                elif kind == "committed" and leaving_at is not None and response.committed.sequence >= leaving_at:
                    print(f"answers up to sequence {response.committed.sequence} are durable", flush=True)
                    requests.put(pb.ShareConsumeRequest(leave=True))
                    requests.put(None)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.CANCELLED:
                sys.exit(f"stream ended: {err.code().name}: {err.details()}")
        finally:
            requests.put(None)
    print(f"answered {received} records as a member of share group {args.group}; left the group")


if __name__ == "__main__":
    main()
