#!/usr/bin/env bash
# Broker failover on a RabbitMQ cluster, in one command (docs/deployment.md, "A RabbitMQ cluster"):
#
#   deploy/broker-cluster-test.sh
#
# starts a throwaway three-node RabbitMQ cluster on loopback (nodes n0c1, n0c2, n0c3 @localhost;
# AMQP 5691-5693, Erlang distribution 25691-25693; data, logs and the Erlang cookie under a temp
# directory; no plugins), then runs the cluster test of Tests/BrokerTests (BrokerClusterTests):
# a publisher and a consumer of n0core's Broker module, given the three URLs, send numbered
# messages with confirms through a quorum queue. Once the load is under way the script stops
# the node their connections are on (asking RabbitMQ which one that is); they fail over to the
# next node. It prints the table (sent, node stopped, received, duplicates, lost) and exits
# non-zero if a message was lost or the test failed. Everything it started is stopped on exit.
# The dev broker (5672) and the chaos node (5682) are never touched.
#
# Knobs (environment):
#   N0CORE_BROKER_CLUSTER_MESSAGES=20000   messages to send (about 1000 a second)
#   N0CORE_BROKER_CLUSTER_STOP=stop        stop: `rabbitmqctl stop` (the node closes connections);
#                                          kill: SIGKILL to the node (sockets just die)
#   N0CORE_BROKER_CLUSTER_SKIP_BUILD=0     1: use the test binary already built
#   N0CORE_BROKER_CLUSTER_KEEP=0           1: keep the nodes' data and logs after the run
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/opt/swift/usr/bin

MESSAGES=${N0CORE_BROKER_CLUSTER_MESSAGES:-20000}
STOP_MODE=${N0CORE_BROKER_CLUSTER_STOP:-stop}
NODES=(n0c1 n0c2 n0c3)
AMQP_PORTS=(5691 5692 5693)
DIST_PORTS=(25691 25692 25693)
RMQ=/usr/lib/rabbitmq/bin
WORK=$(mktemp -d /tmp/n0core-broker-cluster.XXXXXX)
TEST_PID=

log() { printf '%s broker-cluster: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

case $STOP_MODE in stop|kill) ;; *) die "N0CORE_BROKER_CLUSTER_STOP must be stop or kill" ;; esac
command -v "$RMQ/rabbitmq-server" >/dev/null || die "RabbitMQ is missing (apt-get install rabbitmq-server)"

# node_env INDEX COMMAND...: runs COMMAND with node INDEX's settings only. The server scripts are
# called directly (not the /usr/sbin wrappers, which switch to the rabbitmq user and its cookie),
# so the throwaway HOME's cookie is the one the nodes and rabbitmqctl share.
node_env() {
  local i=$1; shift
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$WORK/home" LANG=C.UTF-8 ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_NODENAME="${NODES[$i]}@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="${AMQP_PORTS[$i]}" RABBITMQ_DIST_PORT="${DIST_PORTS[$i]}" \
    RABBITMQ_CONFIG_FILE="$WORK/rabbitmq.conf" RABBITMQ_CONF_ENV_FILE="$WORK/rabbitmq-env.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$WORK/enabled_plugins" RABBITMQ_MNESIA_BASE="$WORK/${NODES[$i]}/mnesia" \
    RABBITMQ_LOG_BASE="$WORK/${NODES[$i]}/log" RABBITMQ_PID_FILE="$WORK/${NODES[$i]}/pid" "$@"
}
ctl() { local i=$1; shift; node_env "$i" "$RMQ/rabbitmqctl" -q -n "${NODES[$i]}@localhost" "$@"; }

stop_node() { # stop_node INDEX: as STOP_MODE says; quiet if it is not running
  local i=$1 pid
  pid=$(cat "$WORK/${NODES[$i]}/pid" 2>/dev/null || true)
  if [ "$STOP_MODE" = kill ] && [ -n "$pid" ]; then
    kill -9 "$pid" 2>/dev/null || true
  else
    ctl "$i" stop >/dev/null 2>&1 || { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; } || true
  fi
}

cleanup() {
  local status=$?
  if [ -n "$TEST_PID" ]; then kill "$TEST_PID" 2>/dev/null || true; fi
  for i in 0 1 2; do
    local pid
    pid=$(cat "$WORK/${NODES[$i]}/pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      ctl "$i" stop >/dev/null 2>&1 || kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [ "${N0CORE_BROKER_CLUSTER_KEEP:-0}" = 1 ] || [ "$status" -ne 0 ]; then
    log "data, logs and the test's output kept in $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for port in "${AMQP_PORTS[@]}" "${DIST_PORTS[@]}"; do
  ! ss -ltn "sport = :$port" | grep -q LISTEN || die "port $port is in use; is another cluster test running?"
done

if [ "${N0CORE_BROKER_CLUSTER_SKIP_BUILD:-0}" != 1 ]; then
  log "building the tests"
  flock /tmp/n0core-build.lock swift build --build-tests >"$WORK/build.log" 2>&1 || die "build failed; see $WORK/build.log"
fi

mkdir -p "$WORK/home" "$WORK/run"
head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$WORK/home/.erlang.cookie"
chmod 400 "$WORK/home/.erlang.cookie"
# pause_minority: a node cut off from the others stops serving rather than diverging.
cat >"$WORK/rabbitmq.conf" <<'CONF'
loopback_users.guest = true
cluster_partition_handling = pause_minority
CONF
echo '[].' >"$WORK/enabled_plugins"
: >"$WORK/rabbitmq-env.conf"

log "RabbitMQ $(node_env 0 "$RMQ/rabbitmqctl" version 2>/dev/null || echo '?'); starting ${NODES[*]}"
for i in 0 1 2; do
  mkdir -p "$WORK/${NODES[$i]}/mnesia" "$WORK/${NODES[$i]}/log"
  node_env "$i" "$RMQ/rabbitmq-server" -detached >"$WORK/${NODES[$i]}/log/startup.log" 2>&1
done
for i in 0 1 2; do
  # await_startup gives up at once while the node is not reachable yet, so it is retried.
  for _ in $(seq 60); do
    ctl "$i" await_startup --timeout 60 >/dev/null 2>&1 && break
    sleep 2
  done
  ctl "$i" await_startup --timeout 10 >/dev/null 2>&1 || die "${NODES[$i]} did not start; see $WORK/${NODES[$i]}/log/"
done
for i in 1 2; do
  { ctl "$i" stop_app && ctl "$i" join_cluster "${NODES[0]}@localhost" && ctl "$i" start_app; } >>"$WORK/cluster.log" 2>&1 \
    || die "${NODES[$i]} cannot join the cluster; see $WORK/cluster.log"
done
running=$(ctl 0 eval 'length(rabbit_nodes:all_running()).' 2>/dev/null || echo 0)
[ "$running" = 3 ] || die "the cluster has $running running nodes, not 3"
log "cluster of 3 nodes up"

URLS=""
for port in "${AMQP_PORTS[@]}"; do URLS+="${URLS:+,}amqp://guest:guest@127.0.0.1:$port/"; done

log "sending $MESSAGES messages through a quorum queue"
N0CORE_BROKER_CLUSTER_URLS=$URLS N0CORE_BROKER_CLUSTER_DIR="$WORK/run" N0CORE_BROKER_CLUSTER_MESSAGES=$MESSAGES \
  timeout 900 swift test --skip-build --filter BrokerClusterTests >"$WORK/test.log" 2>&1 &
TEST_PID=$!

for _ in $(seq 1200); do
  [ -e "$WORK/run/running" ] && break
  kill -0 "$TEST_PID" 2>/dev/null || die "the test ended before the load started; see $WORK/test.log"
  sleep 0.1
done
[ -e "$WORK/run/running" ] || die "the load did not start within 120 s; see $WORK/test.log"

# Which node the test's connections are on, by the server port RabbitMQ reports for each (every
# connection to this throwaway cluster is the test's).
ctl 0 list_connections peer_port port --no-table-headers >"$WORK/connections"
port=$(awk -F'\t' '{print $2}' "$WORK/connections" | sort | uniq -c | sort -rn | awk 'NR==1 {print $2}')
victim=
for i in 0 1 2; do [ "${AMQP_PORTS[$i]}" = "$port" ] && victim=$i; done
[ -n "$victim" ] || die "cannot tell which node the test is connected to; see $WORK/connections"
log "the test's connections (client port, node port): $(tr '\t\n' ': ' <"$WORK/connections")"
queue_line=$(ctl "$(( (victim + 1) % 3 ))" list_queues name type leader --no-table-headers | grep '^test' || true)
log "queue before the stop (name, type, leader): $queue_line"

log "stopping ${NODES[$victim]}@localhost ($STOP_MODE)"
stop_node "$victim"
touch "$WORK/run/stopped"

wait "$TEST_PID" && test_status=0 || test_status=$?
TEST_PID=
survivor=$(( (victim + 1) % 3 ))
queue_after=$(ctl "$survivor" list_queues name type leader --no-table-headers | grep '^test' || true)
log "queue after the stop (name, type, leader): $queue_after"
grep -E "connected to the broker|reconnected to the broker|lost the broker connection|cannot connect" "$WORK/test.log" \
  | sed -E 's/^[^ ]+ +//' | head -12 >&2 || true

[ -s "$WORK/run/result" ] || die "the test wrote no result (exit $test_status); see $WORK/test.log"
value() { awk -F= -v key="$1" '$1 == key {print $2}' "$WORK/run/result"; }
printf '\n| messages sent | confirmed | node stopped | messages received (distinct) | duplicates | lost |\n'
printf '|---:|---:|---|---:|---:|---:|\n'
printf '| %s | %s | %s (%s) | %s | %s | %s |\n\n' "$(value sent)" "$(value confirmed)" "${NODES[$victim]}@localhost" \
  "$STOP_MODE" "$(value received)" "$(value duplicates)" "$(value lost)"

[ "$(value lost)" = 0 ] || die "$(value lost) messages lost"
[ "$test_status" = 0 ] || die "the test failed (exit $test_status); see $WORK/test.log"
log "nothing lost"
