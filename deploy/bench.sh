#!/usr/bin/env bash
# The control plane's benchmarks on this machine, in one command (docs/performance.md):
#
#   deploy/bench.sh
#
# builds the release binaries, times placement on 1,000 and 10,000 synthetic hosts, starts the
# API, the scheduler, the conductor and 100 SIMULATED hypervisors (300 agents running the real
# agent runtime with drivers that create nothing), sends the seed's example for a latency phase
# (one client) and a throughput phase (BENCH_CONCURRENCY clients) with the broker and database
# floor measured in the same run, prints the table, writes the JSON, and removes everything it
# started. It uses its own RabbitMQ vhost (n0core-bench) and database (n0core_bench), so tests
# and the demo on the same machine never see its messages. Nothing touches network interfaces.
#
# Knobs (environment):
#   BENCH_HOSTS=100                 simulated hypervisors (three agents each)
#   BENCH_CONCURRENCY=16            clients of the throughput phase
#   BENCH_DURATION=60               seconds of the throughput phase
#   BENCH_LATENCY_DURATION=15       seconds of the one-client latency phase
#   BENCH_STORED_SPECS=50000        then store this many applied specs straight into the database
#                                   and run both phases again (N = 0 beside N = 50,000); 0 skips it
#   BENCH_SCHEDULER_CONCURRENCY=16  scheduler.concurrency
#   BENCH_CONDUCTOR_CONCURRENCY=16  conductor.concurrency
#   BENCH_BATCH_SIZE=16             scheduler.batch_size and conductor.batch_size (1: one per transaction)
#   BENCH_PREFETCH=64               amqp.prefetch of every service
#   BENCH_LOG_LEVEL=warning         log.level of every service
#   BENCH_PROFILE=0                 1: perf-record the services during the throughput phase
#   BENCH_SKIP_BUILD=0              1: use the release binaries already built
#   BENCH_BIN=                      use the binaries in this directory instead (no build)
#   N0CORE_BENCH_STATE=/var/lib/n0core-bench   logs, results.json, results.txt, profile
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/opt/swift/usr/bin

STATE=${N0CORE_BENCH_STATE:-/var/lib/n0core-bench}
HOSTS=${BENCH_HOSTS:-100}
CONCURRENCY=${BENCH_CONCURRENCY:-16}
DURATION=${BENCH_DURATION:-60}
LATENCY_DURATION=${BENCH_LATENCY_DURATION:-15}
STORED_SPECS=${BENCH_STORED_SPECS:-50000}
SCHEDULER_CONCURRENCY=${BENCH_SCHEDULER_CONCURRENCY:-16}
CONDUCTOR_CONCURRENCY=${BENCH_CONDUCTOR_CONCURRENCY:-16}
BATCH_SIZE=${BENCH_BATCH_SIZE:-16}
PREFETCH=${BENCH_PREFETCH:-64}
LOG_LEVEL=${BENCH_LOG_LEVEL:-warning}
PUBLISHERS=4
VHOST=n0core-bench
DATABASE=n0core_bench
API_LISTEN=127.0.0.1:18080
declare -A HEALTH=([scheduler]=19101 [conductor]=19102 [simulated-hypervisors]=19103)
SERVICES=(api scheduler conductor simulated-hypervisors)
SCRATCH=.build-release

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it creates a RabbitMQ vhost and a database)"

bash deploy/dev-env.sh start >/dev/null
# shellcheck disable=SC1091
source "${N0CORE_DEV_STATE:-/var/lib/n0core-dev}/env"
PG_PORT=$(sed -n 's/.*:\([0-9]*\)\/[^/]*$/\1/p' <<<"$N0CORE_DATABASE_URL")
AMQP_URL="${N0CORE_AMQP_URL%/*}/$VHOST"
DATABASE_URL="${N0CORE_DATABASE_URL%/*}/$DATABASE"

mkdir -p "$STATE/log"
if [ -z "${BENCH_BIN:-}" ] && [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "building release binaries in $SCRATCH (the first build takes many minutes)"
  for product in n0core-api n0core-scheduler n0core-conductor n0core-simulated-hypervisors n0core-bench; do
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >"$STATE/log/build.log" 2>&1 \
      || { tail -n 30 "$STATE/log/build.log" >&2; die "building $product failed; see $STATE/log/build.log"; }
  done
fi
BIN=${BENCH_BIN:-$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)}
for s in "${SERVICES[@]}" bench; do [ -x "$BIN/n0core-$s" ] || die "$BIN/n0core-$s is missing; the build failed"; done

stop_pid() { # stop_pid PIDFILE
  local pid
  [ -f "$1" ] || return 0
  pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$1"
}

cleanup() {
  for s in "${SERVICES[@]}"; do stop_pid "$STATE/run/n0core-$s.pid"; done
  stop_pid "$STATE/run/perf.pid"
  rm -rf "$STATE/agents" "$STATE/run"
  if rabbitmqctl -q list_vhosts 2>/dev/null | grep -qx "$VHOST"; then rabbitmqctl -q delete_vhost "$VHOST"; fi
  runuser -u postgres -- psql -X -q -p "$PG_PORT" -d postgres -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

cleanup
mkdir -p "$STATE/run" "$STATE/log" "$STATE/agents"
umask 077
TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')

log "placement on 1,000 and 10,000 synthetic hosts (no system needed)"
"$BIN/n0core-bench" placement --hosts 1000,10000 --budget-seconds 15 --json "$STATE/placement.json" >/dev/null

log "own vhost $VHOST and database $DATABASE"
rabbitmqctl -q add_vhost "$VHOST"
rabbitmqctl -q set_permissions -p "$VHOST" n0core '.*' '.*' '.*'
bash deploy/rabbitmq-setup.sh dead-letter-limit "$VHOST" 2>/dev/null
runuser -u postgres -- psql -X -q -p "$PG_PORT" -d postgres -c "CREATE DATABASE $DATABASE OWNER n0core" >/dev/null

start_service() { # start_service NAME [ARGS...]
  local s=$1; shift
  local env_args=(N0CORE_LOG_LEVEL="$LOG_LEVEL" N0CORE_AMQP_URL="$AMQP_URL" N0CORE_AMQP_PREFETCH="$PREFETCH")
  case "$s" in
    api) env_args+=(N0CORE_DATABASE_URL="$DATABASE_URL" N0CORE_API_LISTEN=$API_LISTEN N0CORE_API_TOKENS="$TOKEN") ;;
    scheduler) env_args+=(N0CORE_DATABASE_URL="$DATABASE_URL" N0CORE_HEALTH_LISTEN=127.0.0.1:${HEALTH[$s]}
                          N0CORE_SCHEDULER_CONCURRENCY="$SCHEDULER_CONCURRENCY" N0CORE_SCHEDULER_BATCH_SIZE="$BATCH_SIZE") ;;
    conductor) env_args+=(N0CORE_DATABASE_URL="$DATABASE_URL" N0CORE_HEALTH_LISTEN=127.0.0.1:${HEALTH[$s]}
                          N0CORE_CONDUCTOR_CONCURRENCY="$CONDUCTOR_CONCURRENCY" N0CORE_CONDUCTOR_BATCH_SIZE="$BATCH_SIZE") ;;
    *) env_args+=(N0CORE_HEALTH_LISTEN=127.0.0.1:${HEALTH[$s]}) ;;
  esac
  nohup env "${env_args[@]}" "$BIN/n0core-$s" "$@" >"$STATE/log/n0core-$s.log" 2>&1 &
  echo $! > "$STATE/run/n0core-$s.pid"
}

wait_ready() { # wait_ready NAME URL
  for _ in $(seq 1 300); do
    curl -fsS "$2" >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$STATE/run/n0core-$1.pid")" 2>/dev/null || die "n0core-$1 exited; see $STATE/log/n0core-$1.log"
    sleep 0.2
  done
  die "n0core-$1 not ready at $2; see $STATE/log/n0core-$1.log"
}

log "starting the API, the scheduler and the conductor"
start_service api
wait_ready api "http://$API_LISTEN/readyz"  # the API migrates the schema first
start_service scheduler
start_service conductor
for s in scheduler conductor; do wait_ready "$s" "http://127.0.0.1:${HEALTH[$s]}/readyz"; done
# Every agent costs the broker a connection and a quorum queue, about 6 file descriptors in
# all (measured: 300 agents took ~1,450). A broker that runs out of them crashes its own
# database, so refuse rather than risk the broker everyone on this machine shares.
read -r FD_USED FD_LIMIT < <(rabbitmqctl status 2>/dev/null | sed -n 's/.*Total: \([0-9]*\), limit: \([0-9]*\).*/\1 \2/p' | head -n1) || true
FD_NEED=$((HOSTS * 3 * 6 + 200))
if [ -n "${FD_LIMIT:-}" ] && [ $((FD_USED + FD_NEED)) -gt "$FD_LIMIT" ]; then
  die "RabbitMQ uses $FD_USED of $FD_LIMIT file descriptors and $HOSTS simulated hosts need about $FD_NEED more; \
raise its limit (e.g. ulimit -n 65536 in /etc/default/rabbitmq-server, then restart it) or lower BENCH_HOSTS"
fi
log "starting $HOSTS simulated hypervisors ($((HOSTS * 3)) agents; their ids: $STATE/log/n0core-simulated-hypervisors.log)"
# Each simulated compute agent reports 4096 vcpus and 16 TiB, each volume agent 1 PiB: a full
# fleet makes specs fail by design, and a 60 s run must never fill it.
start_service simulated-hypervisors --hosts "$HOSTS" --state-root "$STATE/agents" --publishers "$PUBLISHERS" \
  --vcpus 4096 --memory 16tb --disk 1024tb
wait_ready simulated-hypervisors "http://127.0.0.1:${HEALTH[simulated-hypervisors]}/readyz"

# Where each service's idle memory is: anonymous (heap, stacks) against mapped files (the Swift
# runtime, Foundation, ICU data), biggest mappings first.
for s in "${SERVICES[@]}"; do
  pid=$(cat "$STATE/run/n0core-$s.pid")
  {
    grep -E '^(Rss|Pss|Anonymous|Shared_Clean|Private_Clean|Private_Dirty)' "/proc/$pid/smaps_rollup"
    echo "-- Rss by mapping (kB)"
    awk '/^[0-9a-f]+-[0-9a-f]+ / {name = ($6 == "" ? "[anonymous]" : $6)} /^Rss:/ {rss[name] += $2}
         END {for (n in rss) if (rss[n] >= 256) printf "%8d  %s\n", rss[n], n}' "/proc/$pid/smaps" | sort -rn | head -n 12
  } > "$STATE/memory-$s.txt" 2>/dev/null || true
done

service_args=()
for s in "${SERVICES[@]}"; do service_args+=(--service "n0core-$s=$(cat "$STATE/run/n0core-$s.pid")"); done

if [ "${BENCH_PROFILE:-0}" = 1 ]; then
  command -v perf >/dev/null || die "BENCH_PROFILE=1 needs perf (apt-get install linux-perf)"
  (
    set +e +o pipefail  # head closing perf's pipe early is not a failure
    # Sample each service for 20 s once the throughput phase has run 10 s; one profile each.
    until grep -q "phase=throughput" "$STATE/log/n0core-bench.log" 2>/dev/null; do sleep 0.5; done
    sleep 10
    for s in "${SERVICES[@]}"; do
      perf record -F 499 -g -p "$(cat "$STATE/run/n0core-$s.pid")" -o "$STATE/perf-$s.data" -- sleep 20 >/dev/null 2>&1 &
    done
    wait
    for s in "${SERVICES[@]}"; do
      {
        echo "== n0core-$s: where its own CPU time goes (self)"
        perf report -i "$STATE/perf-$s.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -n 40
        echo
        echo "== n0core-$s: including callees (children)"
        perf report -i "$STATE/perf-$s.data" --children --sort sym --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -n 60
      } | swift demangle --simplified > "$STATE/profile-$s.txt"
    done
  ) &
  echo $! > "$STATE/run/perf.pid"
fi

log "load: ${LATENCY_DURATION}s with 1 client, ${DURATION}s with $CONCURRENCY clients, then again with $STORED_SPECS stored specs (table follows)"
"$BIN/n0core-bench" load --api "http://$API_LISTEN" --token "$TOKEN" \
  --database-url "$DATABASE_URL" --amqp-url "$AMQP_URL" \
  --concurrency "$CONCURRENCY" --duration "$DURATION" --latency-duration "$LATENCY_DURATION" \
  --stored-specs "$STORED_SPECS" \
  --agents $((HOSTS * 3)) "${service_args[@]}" \
  --setting build=release --setting hosts="$HOSTS" --setting log.level="$LOG_LEVEL" \
  --setting amqp.prefetch="$PREFETCH" --setting scheduler.concurrency="$SCHEDULER_CONCURRENCY" \
  --setting conductor.concurrency="$CONDUCTOR_CONCURRENCY" --setting simulated.publishers="$PUBLISHERS" \
  --setting batch_size="$BATCH_SIZE" \
  --setting replicas=1 \
  --include "$STATE/placement.json" --json "$STATE/results.json" \
  2> >(tee "$STATE/log/n0core-bench.log" >&2) | tee "$STATE/results.txt"

if [ "${BENCH_PROFILE:-0}" = 1 ]; then
  for _ in $(seq 1 300); do kill -0 "$(cat "$STATE/run/perf.pid")" 2>/dev/null || break; sleep 1; done
  log "profiles of the services during the throughput phase: $STATE/profile-*.txt"
fi
log "results: $STATE/results.json and $STATE/results.txt; logs: $STATE/log/"
