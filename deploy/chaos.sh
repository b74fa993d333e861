#!/usr/bin/env bash
# The fault-injection suite in one command (docs/reliability.md):
#
#   deploy/chaos.sh [full|short]      (default: full)
#   CHAOS_FAULTS='pg-restart;pg-stop|120|pg-start' deploy/chaos.sh custom
#                                     (your own schedule, to reproduce one finding: faults
#                                     separated by ';', each INJECT or INJECT|SECONDS|HEAL)
#
# builds the release binaries (or uses CHAOS_BIN), starts its OWN RabbitMQ node and its OWN
# PostgreSQL cluster on other loopback ports with their data under the state directory (it stops
# and restarts them as faults, so it never touches the dev broker and database), then the API,
# two schedulers, two conductors (conductor-1's broker connection through a socat relay that can
# be frozen) and two processes of simulated hypervisors (5 hosts, 15 agents each). Then
# `n0core-bench chaos` runs a steady load through the profile's fault schedule, waits for the
# system to settle, checks the database, the agents' state and the dead-letter queue, and prints
# the table (results.txt, results.json). Everything it started is stopped on exit. Exits non-zero
# when a check fails.
#
# `deploy/chaos.sh fault ACTION ARGS…` is how n0core-bench carries out each fault (kill, start,
# kill-mid-apply, stop, cont, broker-stop, broker-start, pg-restart, pg-stop, pg-start,
# relay-freeze, relay-thaw); it acts on the processes of the run in progress.
#
# Knobs (environment):
#   CHAOS_BIN=                 use the binaries in this directory (no build), e.g. CI's debug ones:
#                              CHAOS_BIN=$(swift build --show-bin-path) bash deploy/chaos.sh short
#   CHAOS_SKIP_BUILD=0         1: use the release binaries already in .build-release
#   CHAOS_CLIENTS=4            clients of the load
#   CHAOS_DELETE_EVERY=4       each client deletes every n-th spec it saw applied
#   CHAOS_APPLY_DELAY_MS=300   how long each simulated apply takes (so one can be interrupted)
#   CHAOS_LOG_LEVEL=info       log.level of every service
#   CHAOS_SETTLE_TIMEOUT=      seconds to wait for every version to settle (full 600, short 300)
#   CHAOS_KEEP=0               1: keep the broker's and the database's data after the run
#   N0CORE_CHAOS_STATE=/var/lib/n0core-chaos   logs (log/), results.txt, results.json
# Ports (all on 127.0.0.1): AMQP 5682 (relay 5683), Erlang distribution 25682, PostgreSQL 5442,
# API 18180, health 19201-19206.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PATH=$PATH:/opt/swift/usr/bin

STATE=${N0CORE_CHAOS_STATE:-/var/lib/n0core-chaos}
export N0CORE_CHAOS_STATE=$STATE
RUN=$STATE/run
LOG=$STATE/log
NODE=n0chaos@localhost
AMQP_PORT=5682
RELAY_PORT=5683
DIST_PORT=25682
PG_PORT=5442
PG_BIN=/usr/lib/postgresql/15/bin
PG_DATA=$STATE/postgresql
PG_SOCKET=$STATE/pgsocket
API_LISTEN=127.0.0.1:18180
HOSTS_PER_PROCESS=5
declare -A HEALTH=([scheduler-1]=19201 [scheduler-2]=19202 [conductor-1]=19203 [conductor-2]=19204
                   [hypervisors-1]=19205 [hypervisors-2]=19206)
SERVICES=(api scheduler-1 scheduler-2 conductor-1 conductor-2 hypervisors-1 hypervisors-2)

log() { printf '[chaos] %s\n' "$*" >&2; }
die() { printf '[chaos] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it starts its own RabbitMQ node and PostgreSQL cluster as their users)"

# ---------------------------------------------------------------------------------------------
# The broker and the database of the run: their own node and cluster, never the dev ones.

rabbitmq_env() { # rabbitmq_env COMMAND...: run as the rabbitmq user with the chaos node's settings
  local nofile; nofile=$(ulimit -Hn)
  if [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ]; then nofile=65536; fi
  (cd /var/lib/rabbitmq && ulimit -n "$nofile" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/rabbitmq LANG=C.UTF-8 \
    ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODENAME=$NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$AMQP_PORT \
    RABBITMQ_DIST_PORT=$DIST_PORT RABBITMQ_CONFIG_FILE="$STATE/rabbitmq/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$STATE/rabbitmq/advanced.config" RABBITMQ_CONF_ENV_FILE="$STATE/rabbitmq/rabbitmq-env.conf" \
    RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$STATE/rabbitmq/log" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$STATE/rabbitmq/enabled_plugins" RABBITMQ_PID_FILE="$STATE/rabbitmq/pid" \
    setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "$@")
}

ctl() { rabbitmqctl -q -n "$NODE" "$@"; }

await_broker() {
  local waited=0
  until ctl await_startup >/dev/null 2>&1; do
    [ "$waited" -lt 120 ] || die "the chaos RabbitMQ node did not start within 120 s; see $STATE/rabbitmq/log/"
    sleep 1; waited=$((waited + 1))
  done
}

start_broker() {
  mkdir -p "$STATE/rabbitmq/mnesia" "$STATE/rabbitmq/log"
  cat > "$STATE/rabbitmq/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
loopback_users.guest = true
CONF
  echo '[].' > "$STATE/rabbitmq/enabled_plugins"
  : > "$STATE/rabbitmq/rabbitmq-env.conf"
  chown -R rabbitmq:rabbitmq "$STATE/rabbitmq"
  rabbitmq_env /usr/lib/rabbitmq/bin/rabbitmq-server -detached
  await_broker
  ctl add_vhost n0core
  ctl add_user n0core "$AMQP_PASSWORD" >/dev/null
  ctl set_permissions -p n0core n0core '.*' '.*' '.*'
}

stop_broker() {
  if rabbitmqctl -q -n "$NODE" status >/dev/null 2>&1; then
    rabbitmqctl -q -n "$NODE" stop >/dev/null 2>&1 || true
  fi
  local pid
  pid=$(cat "$STATE/rabbitmq/pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

pg() { (cd / && runuser -u postgres -- "$PG_BIN/$1" "${@:2}"); }
psql_chaos() { (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET" -p "$PG_PORT" -d postgres "$@"); }

start_database() {
  mkdir -p "$PG_DATA" "$PG_SOCKET"
  touch "$LOG/postgresql.log"
  chown postgres:postgres "$PG_DATA" "$PG_SOCKET" "$LOG/postgresql.log"
  pg initdb -D "$PG_DATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 >"$LOG/initdb.log" 2>&1 \
    || die "initdb failed; see $LOG/initdb.log"
  cat >> "$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET'
max_connections = 200
CONF
  pg pg_ctl -D "$PG_DATA" -l "$LOG/postgresql.log" -w -t 60 start >/dev/null
  psql_chaos -v pass="$DB_PASSWORD" <<'SQL' >/dev/null
CREATE ROLE n0core LOGIN PASSWORD :'pass';
CREATE DATABASE n0core OWNER n0core;
SQL
}

stop_database() {
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    pg pg_ctl -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
}

# ---------------------------------------------------------------------------------------------
# The services of the run, each its own process with its own log (appended across restarts).

service_command() { # service_command NAME: sets CMD (env + program + arguments) for NAME
  local name=$1 amqp=$AMQP_URL
  [ "$name" = conductor-1 ] && amqp=$RELAY_AMQP_URL
  CMD=(env N0CORE_LOG_LEVEL="$LOG_LEVEL" N0CORE_AMQP_URL="$amqp")
  case "$name" in
    api)
      CMD+=(N0CORE_DATABASE_URL="$DATABASE_URL" N0CORE_API_LISTEN="$API_LISTEN" N0CORE_API_TOKENS="$TOKEN" "$BIN/n0core-api") ;;
    scheduler-*)
      CMD+=(N0CORE_DATABASE_URL="$DATABASE_URL" N0CORE_HEALTH_LISTEN=127.0.0.1:${HEALTH[$name]}
            N0CORE_SCHEDULER_AGENT_TIMEOUT_SECONDS=$((3 * AGENT_HEARTBEAT)) "$BIN/n0core-scheduler") ;;
    conductor-*)
      CMD+=(N0CORE_DATABASE_URL="$DATABASE_URL" N0CORE_HEALTH_LISTEN=127.0.0.1:${HEALTH[$name]} "$BIN/n0core-conductor") ;;
    hypervisors-*)
      local index=${name#hypervisors-}
      CMD+=(N0CORE_HEALTH_LISTEN=127.0.0.1:${HEALTH[$name]} N0CORE_AGENT_HEARTBEAT_SECONDS="$AGENT_HEARTBEAT"
            "$BIN/n0core-simulated-hypervisors" --hosts "$HOSTS_PER_PROCESS" --first-host $(((index - 1) * HOSTS_PER_PROCESS))
            --state-root "$STATE/agents" --publishers 2 --vcpus 4096 --memory 16tb --disk 1024tb
            --apply-delay-ms "$APPLY_DELAY_MS" --quiet) ;;
    *) die "no service called $name" ;;
  esac
}

pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }

start_service() { # start_service NAME: starts it and waits until it is ready
  local name=$1
  service_command "$name"
  printf '=== %s: starting %s\n' "$(date -u +%FT%T.%3NZ)" "$name" >> "$LOG/$name.log"
  nohup "${CMD[@]}" >>"$LOG/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" > "$RUN/$name.pid"
  local url
  if [ "$name" = api ]; then url="http://$API_LISTEN/readyz"; else url="http://127.0.0.1:${HEALTH[$name]}/readyz"; fi
  for _ in $(seq 1 300); do
    if curl -fsS -m 2 "$url" >/dev/null 2>&1; then echo "started $name (pid $pid)"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$LOG/$name.log" >&2; die "$name exited; see $LOG/$name.log"; }
    sleep 0.2
  done
  echo "started $name (pid $pid), not ready after 60 s"
}

kill_service() { # kill_service NAME: SIGKILL, and wait until it is gone
  local name=$1 pid
  pid=$(pid_of "$name")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || die "$name is not running"
  kill -KILL "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  echo "killed $name (pid $pid)"
}

hosts_of() { # hosts_of hypervisors-N: the state directories of its hosts
  local index=${1#hypervisors-} first h
  first=$(((index - 1) * HOSTS_PER_PROCESS))
  for h in $(seq "$first" $((first + HOSTS_PER_PROCESS - 1))); do echo "$STATE/agents/host-$h"; done
}

kill_mid_apply() { # kill_mid_apply hypervisors-N: SIGKILL while at least one apply is under way
  local name=$1 pid markers
  pid=$(pid_of "$name")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || die "$name is not running"
  # shellcheck disable=SC2046
  for _ in $(seq 1 1200); do
    markers=$(find $(hosts_of "$name") -path '*/applying/*' -type f 2>/dev/null | head -n 1)
    [ -n "$markers" ] && break
    sleep 0.05
  done
  kill -KILL "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  # The markers left behind are the applies the kill interrupted.
  # shellcheck disable=SC2046
  markers=$(find $(hosts_of "$name") -path '*/applying/*' -type f 2>/dev/null \
    | sed -E 's|.*/host-([0-9]+)/([a-z-]+)/applying/(.*)|host-\1/\2:\3|' | sort)
  echo "killed $name (pid $pid) during $(printf '%s' "$markers" | grep -c . || true) applies: $(echo $markers)"
}

relay_start() {
  setsid socat TCP-LISTEN:$RELAY_PORT,bind=127.0.0.1,reuseaddr,fork TCP:127.0.0.1:$AMQP_PORT >>"$LOG/relay.log" 2>&1 </dev/null &
  echo $! > "$RUN/relay.pid"
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$RELAY_PORT) 2>/dev/null && return 0; sleep 0.1; done
  die "the relay did not listen on $RELAY_PORT"
}

# ---------------------------------------------------------------------------------------------
# Faults, carried out for n0core-bench chaos (deploy/chaos.sh fault ACTION ARGS…).

fault() {
  # shellcheck disable=SC1091
  source "$RUN/env"
  local action=${1:-}; shift || true
  case "$action" in
    kill) for name; do kill_service "$name"; done ;;
    start) for name; do start_service "$name"; done ;;
    kill-mid-apply) kill_mid_apply "$1" ;;
    stop) for name; do kill -STOP "$(pid_of "$name")"; echo "SIGSTOP $name (pid $(pid_of "$name"))"; done ;;
    cont) for name; do kill -CONT "$(pid_of "$name")"; echo "SIGCONT $name (pid $(pid_of "$name"))"; done ;;
    broker-stop) ctl stop_app; echo "RabbitMQ app stopped on $NODE" ;;
    broker-start) ctl start_app; await_broker; echo "RabbitMQ app started on $NODE" ;;
    pg-restart) pg pg_ctl -D "$PG_DATA" -m fast -w -t 60 restart -l "$LOG/postgresql.log" >/dev/null; echo "PostgreSQL restarted" ;;
    pg-stop) pg pg_ctl -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null; echo "PostgreSQL stopped" ;;
    pg-start) pg pg_ctl -D "$PG_DATA" -l "$LOG/postgresql.log" -w -t 60 start >/dev/null; echo "PostgreSQL started" ;;
    relay-freeze) kill -STOP -- "-$(pid_of relay)"; echo "relay frozen (SIGSTOP to process group $(pid_of relay))" ;;
    relay-thaw) kill -CONT -- "-$(pid_of relay)"; echo "relay thawed" ;;
    *) die "unknown fault action '$action'" ;;
  esac
}

if [ "${1:-}" = fault ]; then
  shift
  # Close what the caller left open (other than stdin, stdout, stderr and bash's own script
  # descriptor), so the services a fault starts hold nothing of n0core-bench's.
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    case "$fd" in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
  done
  fault "$@"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# A run.

PROFILE=${1:-full}
case "$PROFILE" in
  full|short) ;;
  custom) [ -n "${CHAOS_FAULTS:-}" ] || die "the custom profile needs CHAOS_FAULTS, e.g. CHAOS_FAULTS='pg-restart;pg-stop|120|pg-start'" ;;
  *) die "usage: $0 [full|short|custom] | $0 fault ACTION ARGS..." ;;
esac
for tool in socat curl rabbitmqctl setpriv runuser; do command -v "$tool" >/dev/null || die "$tool is missing (apt-get install socat curl rabbitmq-server util-linux)"; done
[ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb is missing (apt-get install postgresql)"

CLIENTS=${CHAOS_CLIENTS:-4}
DELETE_EVERY=${CHAOS_DELETE_EVERY:-4}
APPLY_DELAY_MS=${CHAOS_APPLY_DELAY_MS:-300}
LOG_LEVEL=${CHAOS_LOG_LEVEL:-info}
AGENT_HEARTBEAT=5
AMQP_HEARTBEAT=15
if [ "$PROFILE" = short ]; then SETTLE=${CHAOS_SETTLE_TIMEOUT:-300}; else SETTLE=${CHAOS_SETTLE_TIMEOUT:-600}; fi

SCRATCH=.build-release
mkdir -p "$LOG"
if [ -z "${CHAOS_BIN:-}" ] && [ "${CHAOS_SKIP_BUILD:-0}" != 1 ]; then
  log "building release binaries in $SCRATCH (the first build takes many minutes)"
  for product in n0core-api n0core-scheduler n0core-conductor n0core-simulated-hypervisors n0core-bench; do
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >"$LOG/build.log" 2>&1 \
      || { tail -n 30 "$LOG/build.log" >&2; die "building $product failed; see $LOG/build.log"; }
  done
fi
BIN=${CHAOS_BIN:-$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)}
BIN=$(cd "$BIN" && pwd)
for s in api scheduler conductor simulated-hypervisors bench; do
  [ -x "$BIN/n0core-$s" ] || die "$BIN/n0core-$s is missing; build it first"
done

stop_pid() { # stop_pid PIDFILE [GROUP]: SIGCONT (it may be stopped), SIGTERM, then SIGKILL
  local pid target
  [ -f "$1" ] || return 0
  pid=$(cat "$1")
  target=$pid; [ "${2:-}" = group ] && target="-$pid"
  if kill -0 "$pid" 2>/dev/null; then
    kill -CONT -- "$target" 2>/dev/null || true
    kill -TERM -- "$target" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "$target" 2>/dev/null || true
  fi
  rm -f "$1"
}

cleanup() {
  for s in "${SERVICES[@]}"; do stop_pid "$RUN/$s.pid"; done
  stop_pid "$RUN/relay.pid" group
  stop_broker
  stop_database
  if [ "${CHAOS_KEEP:-0}" != 1 ]; then
    rm -rf "$STATE/rabbitmq/mnesia" "$PG_DATA" "$STATE/agents"
  fi
  rm -rf "$RUN" "$PG_SOCKET"
}
trap cleanup EXIT

# A previous run that was interrupted may have left its node, cluster or processes behind.
cleanup
rm -rf "$STATE/rabbitmq" "$PG_DATA" "$STATE/agents" "$LOG"
mkdir -p "$RUN" "$LOG" "$STATE/agents"
chmod 755 "$STATE"
umask 077
TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
AMQP_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
DB_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
AMQP_URL="amqp://n0core:$AMQP_PASSWORD@127.0.0.1:$AMQP_PORT/n0core"
RELAY_AMQP_URL="amqp://n0core:$AMQP_PASSWORD@127.0.0.1:$RELAY_PORT/n0core"
DATABASE_URL="postgres://n0core:$DB_PASSWORD@127.0.0.1:$PG_PORT/n0core"
cat > "$RUN/env" <<ENV
BIN='$BIN'
TOKEN='$TOKEN'
AMQP_URL='$AMQP_URL'
RELAY_AMQP_URL='$RELAY_AMQP_URL'
DATABASE_URL='$DATABASE_URL'
LOG_LEVEL='$LOG_LEVEL'
AGENT_HEARTBEAT='$AGENT_HEARTBEAT'
APPLY_DELAY_MS='$APPLY_DELAY_MS'
ENV
umask 022

log "own RabbitMQ node $NODE on 127.0.0.1:$AMQP_PORT (data in $STATE/rabbitmq)"
start_broker
log "own PostgreSQL cluster on 127.0.0.1:$PG_PORT (data in $PG_DATA)"
start_database
log "relay for conductor-1's broker connection: 127.0.0.1:$RELAY_PORT → $AMQP_PORT"
relay_start

log "starting the API (it migrates the schema), 2 schedulers, 2 conductors, 2 × $HOSTS_PER_PROCESS simulated hypervisors"
start_service api >/dev/null
for s in scheduler-1 scheduler-2 conductor-1 conductor-2 hypervisors-1 hypervisors-2; do start_service "$s" >/dev/null; done

fault_args=()
if [ "$PROFILE" = custom ]; then
  IFS=';' read -r -a custom_faults <<<"$CHAOS_FAULTS"
  for f in "${custom_faults[@]}"; do fault_args+=(--fault "$f"); done
fi
metric_args=(--metrics "api=http://$API_LISTEN/metrics")
for s in scheduler-1 scheduler-2 conductor-1 conductor-2 hypervisors-1 hypervisors-2; do
  metric_args+=(--metrics "$s=http://127.0.0.1:${HEALTH[$s]}/metrics")
done

log "profile $PROFILE: load and faults (progress below, table at the end)"
set +e
"$BIN/n0core-bench" chaos --profile "$PROFILE" --api "http://$API_LISTEN" --token "$TOKEN" \
  --database-url "$DATABASE_URL" --amqp-url "$AMQP_URL" \
  --fault-command "bash $ROOT/deploy/chaos.sh fault" --agent-state-root "$STATE/agents" \
  --agents $((2 * HOSTS_PER_PROCESS * 3)) --pid-dir "$RUN" --clients "$CLIENTS" --delete-every "$DELETE_EVERY" \
  --settle-timeout "$SETTLE" --agent-heartbeat "$AGENT_HEARTBEAT" --amqp-heartbeat "$AMQP_HEARTBEAT" \
  --setting build="$(basename "$(dirname "$BIN")")/$(basename "$BIN")" --setting replicas="api 1, scheduler 2, conductor 2" \
  --setting hosts="$((2 * HOSTS_PER_PROCESS)) in 2 processes" --setting agent.heartbeat_seconds="$AGENT_HEARTBEAT" \
  --setting amqp.heartbeat_seconds="$AMQP_HEARTBEAT" --setting apply_delay_ms="$APPLY_DELAY_MS" \
  --setting clients="$CLIENTS" --setting delete_every="$DELETE_EVERY" \
  "${metric_args[@]}" ${fault_args[@]+"${fault_args[@]}"} --json "$STATE/results.json" \
  2> >(tee "$LOG/n0core-bench.log" >&2) | tee "$STATE/results.txt"
status=${PIPESTATUS[0]}
# What the broker, the database and the services look like at the end, before teardown: queues
# with messages held unacknowledged, open transactions, paused consumers.
{
  echo "== RabbitMQ queues (name, messages, ready, unacknowledged, consumers)"
  ctl list_queues -p n0core name messages messages_ready messages_unacknowledged consumers 2>&1 | sort -t$'\t' -k4,4nr | head -n 40
  echo "== RabbitMQ connections"
  ctl list_connections name user state recv_oct send_oct 2>&1 | head -n 60
  echo "== PostgreSQL sessions"
  psql_chaos -c "SELECT pid, application_name, client_port, state, wait_event_type, wait_event,
      now() - xact_start AS in_transaction, now() - state_change AS in_state, left(query, 100) AS query
      FROM pg_stat_activity WHERE datname = 'n0core' ORDER BY xact_start NULLS LAST" 2>&1
  psql_chaos -d n0core -c "SELECT coalesce(sender, '-') AS sender, count(*) AS unsent, min(created_at) AS oldest
      FROM outbox WHERE sent_at IS NULL GROUP BY 1" 2>&1
  for s in "${SERVICES[@]}"; do
    if [ "$s" = api ]; then url="http://$API_LISTEN/metrics"; else url="http://127.0.0.1:${HEALTH[$s]}/metrics"; fi
    echo "== $s (pid $(pid_of "$s")): $url"
    curl -fsS -m 5 "$url" 2>&1 | grep -E '^n0core_(consumer_paused|messages_in_hand)' | grep -v ' 0\(\.0\)\?$' | head -n 20
  done
} > "$LOG/diagnostics.txt" 2>&1 || true
set -e
log "results: $STATE/results.txt and $STATE/results.json; logs of every process and diagnostics.txt: $LOG/"
exit "$status"
