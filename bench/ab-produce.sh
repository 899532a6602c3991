#!/usr/bin/env bash
# A/B of steady-state produce between builds (docs/benchmarks.md, "Steady-state produce").
# usage: bench/ab-produce.sh BUILD_DIR LABEL NRECORDS [launcher args, e.g. --insecure]
# Starts a fresh local cluster from BUILD_DIR (3 brokers, no coordinator, ports 33379/39090/39092),
# runs one RF=3 acks=all `samsa perf produce` of NRECORDS 100-byte records over 6 partitions with
# the CLI of $CLI_DIR (default BUILD_DIR), and prints records/s and the brokers' CPU-seconds per
# million records (utime+stime of the broker processes from /proc/<pid>/stat, before and after
# the produce): far less sensitive to a loaded machine than records/s. Old builds are plaintext
# only; builds since TLS need --insecure here. Build an old commit with
# `git worktree add /tmp/ab-<sha> <sha>`, copy node_modules, `npm run build`; alternate the builds.
set -u
dir=$1; label=$2; n=$3; shift 3
cli=${CLI_DIR:-$dir}
data=$(mktemp -d /tmp/ab-produce-XXXX)
cd "$dir"
launcher=dist/tools/launcher/local-cluster.js
[ -f "$launcher" ] || launcher=dist/libs/launcher/local-cluster.js
node "$launcher" --data-dir "$data" --coordinators 0 --etcd-port 33379 --controller-port 39090 --broker-port 39092 --metrics-port 39464 "$@" > "$data/launcher.out" 2>&1 &
lp=$!
for _ in $(seq 1 60); do
  if SAMSA_INSECURE=1 node "$cli/dist/cli/main.js" --bootstrap 127.0.0.1:39092 cluster >/dev/null 2>&1; then break; fi
  sleep 1
done
sleep 2
brokers=$(for p in $(pgrep -P $lp); do grep -qa 'services/broker' /proc/$p/cmdline && echo "$p"; done)
cpu() { local s=0 f; for p in $brokers; do read -r -a f < "/proc/$p/stat"; s=$((s + f[13] + f[14])); done; echo $s; }
c0=$(cpu)
out=$(SAMSA_INSECURE=1 node "$cli/dist/cli/main.js" --bootstrap 127.0.0.1:39092 perf produce t --partitions 6 --replication-factor 3 --num-records "$n" --acks all 2>&1 | tail -3)
c1=$(cpu)
rps=$(echo "$out" | grep "records in" | grep -o "[0-9.,]* records/s")
echo "$label rps=[$rps] broker_cpu_s_per_million=$(echo "scale=2; ($c1-$c0)/$(getconf CLK_TCK)/($n/1000000)" | bc) load=$(cut -d' ' -f1 /proc/loadavg)"
kids=$(pgrep -P $lp)
kill -TERM $lp; wait $lp
sleep 1; for p in $kids; do kill "$p" 2>/dev/null; done
rm -rf "$data"
