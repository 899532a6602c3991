#!/usr/bin/env python3
"""Reads one partition from its start to its end with a plain generated client, one JSON line per record.

The structured Consume format carries records, not record batches, so the broker does the
decompression and this client needs no codec, whatever compression the producer or the topic
(`compression.type`) used. On a compacted topic the offsets have gaps (the cleaner removed records
but never renumbers the rest): a reader goes by each record's own offset and by the stream's
`next_offset`, never by counting.

    bash examples/python/gen.sh
    python3 examples/python/read_partition.py --bootstrap 127.0.0.1:9092 --topic orders --partition 0
"""
import argparse
import base64
import json
import os
import sys

import samsa_tls


def load_stubs(gen_dir):
    if not os.path.isdir(os.path.join(gen_dir, "samsa", "v1")):
        sys.exit(f"no generated client in {gen_dir}: run `bash examples/python/gen.sh` first")
    sys.path.insert(0, gen_dir)
    from samsa.v1 import broker_pb2, broker_pb2_grpc, common_pb2

    return broker_pb2, broker_pb2_grpc, common_pb2


def text(b, present):
    """UTF-8 when it is, else base64 with a prefix; None for an absent key or value."""
    if not present:
        return None
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(b).decode()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", default=os.environ.get("SAMSA_BOOTSTRAP", "127.0.0.1:9092"))
    ap.add_argument("--topic", required=True)
    ap.add_argument("--partition", type=int, default=0)
    ap.add_argument("--gen-dir", default=os.path.join(here, "gen"))
    args = ap.parse_args()
    broker_pb2, broker_pb2_grpc, common_pb2 = load_stubs(args.gen_dir)

    with samsa_tls.channel(args.bootstrap) as channel:
        broker = broker_pb2_grpc.BrokerServiceStub(channel)
        end = broker.ListOffsets(
            broker_pb2.ListOffsetsRequest(
                topic=args.topic,
                partition=args.partition,
                spec=common_pb2.OffsetSpec(position=common_pb2.OFFSET_POSITION_LATEST),
            ),
            timeout=10,
        ).offset
        count = 0
        if end > 0:
            stream = broker.Consume(
                broker_pb2.ConsumeRequest(
                    topic=args.topic,
                    partition=args.partition,
                    start=common_pb2.OffsetSpec(position=common_pb2.OFFSET_POSITION_EARLIEST),
                    format=common_pb2.RECORD_FORMAT_STRUCTURED,
                ),
                timeout=60,
            )
            try:
                for chunk in stream:
                    for rec in chunk.records:
                        # proto3 `optional bytes key`: absent (null key) is not the same as empty.
                        line = {
                            "offset": rec.offset,
                            "key": text(rec.key, rec.HasField("key")),
                            "value": text(rec.value, True),
                        }
                        print(json.dumps(line))
                        count += 1
                    # Past a compacted gap the stream says where it goes on: the end may be a gap too.
                    if chunk.next_offset >= end:
                        break
            finally:
                stream.cancel()  # a Consume stream follows the log until cancelled
        print(f"read {count} records of {args.topic}/{args.partition} below offset {end}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
