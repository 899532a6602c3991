/** The text of `samsa --help` and of each command's --help. */

export const MAIN_HELP = `samsa: the command-line tool of Samsa, a replicated commit log

Usage: samsa [--bootstrap HOST:PORT] COMMAND [options]

Commands:
  topics create NAME      create a topic
  topics list             list topic names
  topics describe [NAME]  partitions, leaders, epochs, replicas, ISR
  topics delete NAME      delete a topic and its data
  produce TOPIC           write lines from stdin or a file as records
  consume TOPIC           print records of a topic (--group G: as a member of consumer group G)
  groups list             consumer groups and their state
  groups describe GROUP   members, assignments, committed offsets and lag
  groups lag [GROUP...]   total lag per group and the partition most behind
  groups reset-offsets    set a stopped group's committed offsets
  groups delete GROUP     delete a group without members and its offsets
  cluster                 brokers and the active controller
  perf produce|consume|e2e TOPIC
                          load test: throughput and latency percentiles

Global options:
  --bootstrap HOST:PORT   a broker to start from (default: $SAMSA_BOOTSTRAP or 127.0.0.1:9092);
                          several may be given separated by commas
  --tls-ca FILE           CA certificate to verify the cluster with (default: $SAMSA_TLS_CA, else
                          ./data/tls/ca.crt as \`npm start\` made it, or $SAMSA_DATA_DIR/tls/)
  --tls-cert FILE         client certificate for mutual TLS (default: $SAMSA_TLS_CERT, else
  --tls-key FILE          data/tls/samsa-cli.crt) and its key (default: $SAMSA_TLS_KEY)
  --insecure              plaintext, for a cluster started with --insecure ($SAMSA_INSECURE=1)
  -h, --help              help for samsa or for a command

Exit codes: 0 ok, 1 error, 2 bad usage.
Start a local cluster with \`npm start\`; then try \`samsa topics create demo --partitions 6\`.`;

export const TOPICS_HELP = `Usage: samsa topics <create|list|describe|delete|alter|add-partitions> [options]

  topics create NAME --partitions N --replication-factor R [--config KEY=VALUE]...
  topics list [--internal]
  topics describe [NAME]
  topics delete NAME
  topics alter NAME --config KEY=VALUE...
  topics add-partitions NAME --partitions N

Run \`samsa topics create --help\` etc. for details.`;

export const TOPICS_CREATE_HELP = `Usage: samsa topics create NAME [--partitions N] [--replication-factor R] [--config KEY=VALUE]...

Creates a topic. NAME is 1..249 characters of [a-zA-Z0-9._-].

Options:
  --partitions N           number of partitions (default 1)
  --replication-factor R   copies of each partition, at most the number of live brokers (default 1)
  --config KEY=VALUE       topic setting; repeat for several. Keys: retention.ms, retention.bytes,
                           segment.bytes, segment.ms, cleanup.policy, min.insync.replicas,
                           max.message.bytes, unclean.leader.election.enable

Example: samsa topics create orders --partitions 6 --replication-factor 1 --config retention.ms=86400000`;

export const TOPICS_LIST_HELP = `Usage: samsa topics list [--internal]

Prints the topic names, one per line.

Options:
  --internal   include internal topics (names starting with "__")`;

export const TOPICS_DESCRIBE_HELP = `Usage: samsa topics describe [NAME]

Prints each topic (or only NAME) with its settings, and per partition the leader, leader epoch,
replicas and in-sync replicas (ISR). A partition whose ISR is smaller than its replica set is
marked under-replicated; one without a leader is marked offline.`;

export const TOPICS_ALTER_HELP = `Usage: samsa topics alter NAME --config KEY=VALUE [--config KEY=VALUE]...

Changes topic settings; the others keep their values. Brokers apply retention and segment settings
to open logs at once. Keys: retention.ms, retention.bytes, segment.bytes, segment.ms,
cleanup.policy, min.insync.replicas, max.message.bytes, unclean.leader.election.enable

Example: samsa topics alter orders --config retention.ms=3600000 --config min.insync.replicas=2`;

export const TOPICS_ADD_PARTITIONS_HELP = `Usage: samsa topics add-partitions NAME --partitions N

Grows the topic to N partitions in all (partitions are never removed). New partitions are placed on
live brokers like at creation. Keys hash over the new count from then on, so a key's records
written before and after may sit in different partitions.

Example: samsa topics add-partitions orders --partitions 12`;

export const TOPICS_DELETE_HELP = `Usage: samsa topics delete NAME

Deletes the topic and, on every broker, its data.`;

export const PRODUCE_HELP = `Usage: samsa produce TOPIC [--file FILE] [--format text|json] [--key-separator SEP]
                     [--header KEY=VALUE]... [--acks all|1|0] [--partition P]
                     [--compression none|gzip|snappy|lz4|zstd]

Reads lines from stdin (or FILE) and writes each as one record. Lines are sent in batches, one
batch per partition, straight to each partition's leader. A summary goes to stderr.

Options:
  --file FILE           read lines from FILE instead of stdin
  --format text|json    text (default): each line is the value (or KEY<SEP>VALUE with
                        --key-separator); json: each line is an object as \`samsa consume
                        --format json\` prints it: {"key": "k"|null, "value": "v"|null,
                        "headers": {"name": "value"}, "timestamp": MS}; "value" is required
                        (null is a tombstone), "partition" and "offset" are ignored
  --key-separator SEP   each line is KEY<SEP>VALUE (split at the first SEP); records with equal keys
                        land on the same partition (murmur2, as Kafka's default partitioner)
  --header KEY=VALUE    add this header to every record (repeatable; a JSON line's own headers win)
  --acks all|1|0        all: every in-sync replica has it (default); 1: the leader has it; 0: don't wait
  --partition P         write every record to partition P
  --compression CODEC   compress each batch: none (default), gzip, snappy, lz4 or zstd; brokers
                        keep batches compressed and consumers decompress

A line that is not a valid record stops the command with its line number (exit 1); the lines
before it are written.

Example: seq 1000 | samsa produce demo
         printf 'user-1:clicked\\nuser-2:left\\n' | samsa produce demo --key-separator :
         samsa consume demo --format json | samsa produce demo-copy --format json --header copied-from=demo`;

export const CONSUME_HELP = `Usage: samsa consume TOPIC [--partition P|all] [--from earliest|latest|OFFSET|@TIME] [--follow]
                     [--max-messages N] [--format text|json] [--print-key]

Prints records, one per line. Without --follow it stops at the end of each partition as it was
when it started; with --follow it keeps waiting for new records like \`tail -f\` until Ctrl-C.
Records of one partition come in offset order. The count goes to stderr at the end.

Options:
  --partition P|all     one partition, or all of them (default all)
  --from POSITION       earliest (default), latest (only new records), an offset, or @TIME:
                        ms since the epoch or an ISO 8601 date (@2024-05-01T12:00:00Z)
  --follow, -f          keep waiting for new records
  --max-messages N      stop after N records
  --format text|json    text: the value (default); json: one object per line with partition,
                        offset, timestamp, key, value and headers
  --print-key           text format: print KEY<TAB>VALUE (see --key-separator)
  --key-separator SEP   separator for --print-key (default a tab)

As a consumer-group member (the group's coordinator assigns partitions and commits what was printed):
  --group G                  join consumer group G; runs until Ctrl-C or --max-messages
  --from earliest|latest     where partitions without a committed offset start (default earliest)
  --session-timeout-ms MS    the member is dropped after MS without progress (default 45000)
  --instance-id ID           static membership: a restart within the session timeout keeps the partitions
  --assignor NAME            sticky (default), range or roundRobin

With --group G --partition P it reads partition P itself, from G's committed offset (else --from,
any position), and commits what was printed to G without joining it; refused while G has members.

Example: samsa consume orders --group billing --format json
         samsa consume orders --group audit --partition 3`;

export const GROUPS_HELP = `Usage: samsa groups <list|describe|lag|reset-offsets|delete> [options]

  groups list
  groups describe GROUP
  groups lag [GROUP...]
  groups reset-offsets GROUP --topic TOPIC --to earliest|latest|OFFSET|@TIME [--partition P]... [--dry-run]
  groups delete GROUP

Consumer groups live on the group coordinators; any broker tells where.`;

export const GROUPS_LAG_HELP = `Usage: samsa groups lag [GROUP...]

How far behind consumer groups are: the lag of a partition is its high watermark minus the
group's committed offset, the records the group has not yet committed as processed.

  groups lag             every group: partitions with offsets, total lag, the partition most behind
  groups lag G1 G2       the same for these groups
  groups lag GROUP       one group, partition by partition, then its total

A lag shown as - is unknown (nothing committed there, or the high watermark not known yet); it is
left out of the total and counted under UNKNOWN.`;

export const GROUPS_RESET_HELP = `Usage: samsa groups reset-offsets GROUP --topic TOPIC --to POSITION [--partition P]... [--dry-run]

Sets the committed offsets of a group that has no active members (stop its consumers first).

Options:
  --topic TOPIC       the topic whose offsets to set
  --to POSITION       earliest, latest, an offset, or @TIME (ms since the epoch or an ISO 8601 date)
  --partition P       only partition P; repeat for several (default every partition)
  --dry-run           print what would be set, change nothing`;

export const CLUSTER_HELP = `Usage: samsa cluster

Prints the cluster id, the active controller and the live brokers.`;

export const PERF_HELP = `Usage: samsa perf <produce|consume|e2e> TOPIC [options] | samsa perf failover [options]

Load generators like Kafka's perf-test tools. A progress line goes to stderr once a second; the
summary (records/s, MB/s, latency p50/p95/p99/p99.9) goes to stdout at the end. Ctrl-C ends a run
early and still prints the summary.

  perf produce TOPIC   one producer, as fast as allowed (or at --throughput)
  perf consume TOPIC   one consumer reading every partition
  perf e2e TOPIC       produce at a fixed rate and time each record until a consumer has it
  perf failover        start a cluster of its own and time write unavailability around
                       kill -9, SIGTERM bounces and rolling restarts

Run \`samsa perf produce --help\` etc. for the options.`;

const PERF_TOPIC_OPTIONS = `  --partitions N          create TOPIC with N partitions first if it does not exist
  --replication-factor R  replication factor when creating it (default 1)`;

export const PERF_PRODUCE_HELP = `Usage: samsa perf produce TOPIC [--num-records N] [--duration SECONDS] [--record-size BYTES]
                          [--acks all|1|0] [--batch-size N] [--max-in-flight N] [--throughput R]
                          [--requests-per-partition N] [--compression CODEC] [--payload letters|json]

Sends records of --record-size random letters (or JSON-like text with --payload json). Records go
in send() calls of --batch-size records; keyless sends rotate over the partitions. The SDK has no linger timer: sends that wait while their
partition's request is out go together in its next batch (at most 900 KiB). Latency is the time of
each send(), counted once per record in it.

Options:
  --num-records N         stop after N records (default 1000000)
  --duration SECONDS      stop after this long, whatever the count (default: no limit)
  --record-size BYTES     value size (default 100)
  --acks all|1|0          all (default; the producer is idempotent), 1, or 0
  --batch-size N          records per send() (default 5000)
  --max-in-flight N       send() calls outstanding at once (default 8)
  --throughput R          aim at R records/s (default: as fast as possible)
  --requests-per-partition N
                          produce requests in flight per partition, 1-5 (default 1; above 1
                          needs --acks all: the idempotent producer keeps them in order)
  --compression CODEC     none (default), gzip, snappy, lz4 or zstd
  --payload letters|json  letters (default): one value of random capital letters; json: 1,024
                          distinct JSON-like event values (compressible like real events)
${PERF_TOPIC_OPTIONS}

Example: samsa perf produce bench --partitions 6 --num-records 2000000 --acks 1`;

export const PERF_CONSUME_HELP = `Usage: samsa perf consume TOPIC [--num-records N] [--duration SECONDS] [--from POSITION] [--follow]

Reads every partition of TOPIC with streaming Consume calls. Without --follow it stops at the end
of each partition as it was at the start. Latency is how long each streamed chunk was waited for.

Options:
  --num-records N         stop after N records (default: all there are)
  --duration SECONDS      stop after this long (default: no limit)
  --from POSITION         earliest (default), latest, an offset, or @TIME (as in samsa consume)
  --follow, -f            keep waiting for new records (then give --num-records or --duration)`;

export const PERF_E2E_HELP = `Usage: samsa perf e2e TOPIC [--throughput R] [--duration SECONDS] [--num-records N] [--record-size BYTES]
                      [--acks all|1|0] [--max-in-flight N] [--requests-per-partition N]

Tails every partition of TOPIC from its end, then produces R records/s spread evenly in time;
each value carries its scheduled send time, and the latency of a record is the time from then
until the consumer has it (a stalled producer counts against the latency: no coordinated
omission). Producer and consumer run in this process.

Options:
  --throughput R          records/s (default 10000)
  --duration SECONDS      how long to produce (default 10)
  --num-records N         stop producing after N records (default: throughput x duration)
  --record-size BYTES     value size, at least 8 (default 100)
  --acks all|1|0          default all
  --max-in-flight N       send() calls outstanding at once (default 8)
  --requests-per-partition N
                          produce requests in flight per partition, 1-5 (default 1; above 1
                          needs --acks all)
${PERF_TOPIC_OPTIONS}

Example: samsa perf e2e bench-e2e --partitions 1 --replication-factor 3 --throughput 10000 --duration 30`;

export const PERF_FAILOVER_HELP = `Usage: samsa perf failover [--runs N] [--scenarios LIST] [--partitions N] [--lease-ttl SECONDS] [--keep-dir]

Starts its own cluster (etcd, 1 controller, 3 brokers; needs \`npm run build\` and etcd on PATH) in
a temp dir, creates an RF=3 topic with min.insync.replicas=2, and keeps an acks=all idempotent
load on every partition (one record per send, the next as soon as one is answered). Then, --runs
times, each scenario, letting the cluster settle (full ISRs, preferred leaders) after each:

  kill     kill -9 of a partition leader: per partition it led, time to the first acked write
  bounce   SIGTERM and restart of one broker: per partition, the longest time without an ack
  roll     rolling restart of all brokers (each back in every ISR before the next): the same
  fast     five quick bounces of a follower then the leader of partition 0: the same

Prints p50/p99/max per scenario on stdout, progress on stderr. It never runs against an existing
cluster: it kills processes it owns.

Options:
  --runs N                repetitions (default 5)
  --scenarios LIST        comma-separated, default kill,bounce,roll,fast
  --partitions N          partitions of the topic (default 6)
  --lease-ttl SECONDS     SAMSA_LEASE_TTL_SECONDS of the services (default: theirs)
  --keep-dir              keep the cluster's dir (data, logs) and print where

Example: samsa perf failover --runs 10 --scenarios kill`;
