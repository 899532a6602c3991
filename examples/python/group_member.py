#!/usr/bin/env python3
"""A consumer-group member with nothing but the stubs generated from proto/: no SDK.

It asks a broker which coordinator owns the group (FindCoordinator), opens the coordinator's
GroupConsume stream, joins, prints each assignment and each record, and after handling a chunk of
records sends `processed` (the next offset to read) so the coordinator commits it. Delivery is
at-least-once: report a chunk only once its work is done. With --max-messages it leaves the group
after that many records and waits for the stream to end, so the last commit is durable. When the
group's coordinator moves or is not ready yet, or the member's session expired, it finds the
coordinator again and rejoins, as docs/groups.md asks of a client.

    bash examples/python/gen.sh
    python3 examples/python/group_member.py --bootstrap 127.0.0.1:9092 --group py-group --topic py-demo
"""
import argparse
import os
import queue
import sys
import time

import grpc

import samsa_tls


def load_stubs(gen_dir):
    if not os.path.isdir(os.path.join(gen_dir, "samsa", "v1")):
        sys.exit(f"no generated client in {gen_dir}: run `bash examples/python/gen.sh` first")
    sys.path.insert(0, gen_dir)
    from samsa.v1 import coordinator_pb2, coordinator_pb2_grpc

    return coordinator_pb2, coordinator_pb2_grpc


def reason_of(err):
    for key, value in err.trailing_metadata() or ():
        if key == "samsa-error-reason":
            return value
    return "UNSPECIFIED"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", default=os.environ.get("SAMSA_BOOTSTRAP", "127.0.0.1:9092"))
    ap.add_argument("--group", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--session-timeout-ms", type=int, default=10000)
    ap.add_argument("--max-messages", type=int, default=0, help="leave after this many records (0: run until Ctrl-C)")
    ap.add_argument("--gen-dir", default=os.path.join(here, "gen"))
    args = ap.parse_args()
    pb, pb_grpc = load_stubs(args.gen_dir)

    progress = {"received": 0}
    failures = 0
    while True:
        before = progress["received"]
        try:
            run_member(pb, pb_grpc, args, progress)
            break
        except grpc.RpcError as err:
            if progress["received"] > before:
                failures = 0
            # Retriable (the coordinator moved, is still loading the group, or is not up yet) or
            # UNKNOWN_MEMBER_ID (our session expired): find the coordinator again and rejoin.
            if not (retriable(err) or reason_of(err) == "UNKNOWN_MEMBER_ID") or failures >= 30:
                sys.exit(f"stream ended: {err.code().name} reason={reason_of(err)}: {err.details()}")
            failures += 1
            print(f"rejoining after {err.code().name} reason={reason_of(err)} (attempt {failures})", flush=True)
            time.sleep(min(0.1 * 2**failures, 2.0))
    print(f"consumed {progress['received']} records as a member of {args.group}; left the group")


def retriable(err):
    if err.code() == grpc.StatusCode.UNAVAILABLE:
        return True
    for key, value in err.trailing_metadata() or ():
        if key == "samsa-retriable":
            return value == "true"
    return False


def run_member(pb, pb_grpc, args, progress):
    """One membership: find the coordinator, join, consume; counts records in progress["received"]."""
    # 1. Any broker says where the group's coordinator is.
    with samsa_tls.channel(args.bootstrap) as channel:
        found = pb_grpc.CoordinatorServiceStub(channel).FindCoordinator(pb.FindCoordinatorRequest(group_id=args.group), timeout=30)
    address = f"{found.host}:{found.port}"
    print(f"group {args.group}: coordinator {found.coordinator_id} at {address}", flush=True)

    # 2. One stream: requests come from this queue (None ends the stream).
    requests = queue.Queue()
    requests.put(pb.GroupConsumeRequest(join=pb.JoinGroup(group_id=args.group, topics=[args.topic], session_timeout_ms=args.session_timeout_ms)))

    def outgoing():
        while True:
            item = requests.get()
            if item is None:
                return
            yield item

    leaving = False
    with samsa_tls.channel(address) as channel:
        stream = pb_grpc.CoordinatorServiceStub(channel).GroupConsume(outgoing())
        try:
            for response in stream:
                kind = response.WhichOneof("kind")
                if kind == "assignment":
                    a = response.assignment
                    parts = " ".join(f"{tp.topic}{list(tp.partitions)}" for tp in a.partitions) or "(none)"
                    print(f"assignment: member {a.member_id}, generation {a.generation}, partitions {parts}", flush=True)
                elif kind == "records" and not leaving:
                    # After `leave`, records still in flight are neither counted nor reported: the
                    # group gets them again.
                    chunk = response.records
                    for r in chunk.records:
                        print(f"  {chunk.topic}/{chunk.partition}@{r.offset} {r.value.decode('utf-8', 'replace')}", flush=True)
                        progress["received"] += 1
                    # Done with this chunk: the coordinator commits up to the next offset.
                    last = chunk.records[-1].offset
                    requests.put(pb.GroupConsumeRequest(processed=pb.ProcessedOffset(topic=chunk.topic, partition=chunk.partition, offset=last + 1)))
                    if args.max_messages and progress["received"] >= args.max_messages:
                        leaving = True
                        requests.put(pb.GroupConsumeRequest(leave=True))
                        requests.put(None)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.CANCELLED:
                raise
        finally:
            requests.put(None)


if __name__ == "__main__":
    main()
