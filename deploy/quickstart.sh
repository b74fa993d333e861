#!/usr/bin/env bash
# n0core on one Debian 12 machine, from nothing: installs and starts RabbitMQ, PostgreSQL and
# libvirtd (deploy/dev-env.sh), builds the six services, starts them, and waits until every one
# answers ready.
#
#   deploy/quickstart.sh          start (again: idempotent; restarts the services on a new build)
#   deploy/quickstart.sh stop     stop the services it started and the dev environment
#
# Processes, logs and the env file live in $N0CORE_DEMO_STATE (default /var/lib/n0core-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/opt/swift/usr/bin

DEMO=${N0CORE_DEMO_STATE:-/var/lib/n0core-demo}
API_LISTEN=127.0.0.1:8080
SERVICES=(api scheduler conductor compute-kvm volumer-file porter-vlan)
# /healthz and /readyz of the daemons without an API.
declare -A HEALTH=([scheduler]=9101 [conductor]=9102 [compute-kvm]=9103 [volumer-file]=9104 [porter-vlan]=9105)
# The demo hypervisor takes the host id the seed's example pins.
HOST_ID=85cf3a3a-18e4-4fe2-b406-9e79079cae07

log() { printf '[quickstart] %s\n' "$*" >&2; }
die() { printf '[quickstart] error: %s\n' "$*" >&2; exit 1; }

stop_services() {
  for s in "${SERVICES[@]}"; do
    local pidfile="$DEMO/run/n0core-$s.pid"
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      kill -TERM "$(cat "$pidfile")"
      for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$(cat "$pidfile")" 2>/dev/null && kill -KILL "$(cat "$pidfile")"
      log "stopped n0core-$s"
    fi
    rm -f "$pidfile"
  done
}

wait_ready() { # wait_ready NAME URL
  for _ in $(seq 1 150); do
    curl -fsS "$2" >/dev/null 2>&1 && { log "$1 ready ($2)"; return 0; }
    sleep 0.2
  done
  die "$1 not ready at $2; see $DEMO/log/$1.log"
}

case "${1:-start}" in
  stop)
    stop_services
    bash deploy/dev-env.sh stop
    exit 0
    ;;
  start) ;;
  *) die "usage: $0 [start|stop]" ;;
esac

[ "$(id -u)" = 0 ] || die "run as root"
bash deploy/dev-env.sh start >/dev/null
# shellcheck disable=SC1091
source "${N0CORE_DEV_STATE:-/var/lib/n0core-dev}/env"

log "building (the first build takes several minutes)"
# A debug build shares its dependencies with `deploy/test.sh`, so trying both costs one build.
swift build >&2
BIN=$(swift build --show-bin-path)

mkdir -p "$DEMO/run" "$DEMO/log" "$DEMO/agents"
umask 077
[ -s "$DEMO/api-token" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$DEMO/api-token"
stop_services

for s in "${SERVICES[@]}"; do
  env_args=(N0CORE_LOG_LEVEL=${N0CORE_LOG_LEVEL:-info})
  case "$s" in
    api) env_args+=(N0CORE_API_LISTEN=$API_LISTEN N0CORE_API_TOKENS="$(cat "$DEMO/api-token")") ;;
    *) env_args+=(N0CORE_HEALTH_LISTEN=127.0.0.1:${HEALTH[$s]}) ;;
  esac
  case "$s" in
    compute-kvm|volumer-file|porter-vlan)
      env_args+=(N0CORE_HOST_ID=$HOST_ID N0CORE_AGENT_STATE_DIR="$DEMO/agents/$s") ;;
  esac
  env "${env_args[@]}" nohup "$BIN/n0core-$s" >"$DEMO/log/n0core-$s.log" 2>&1 &
  echo $! > "$DEMO/run/n0core-$s.pid"
done

wait_ready n0core-api "http://$API_LISTEN/readyz"
for s in "${!HEALTH[@]}"; do wait_ready "n0core-$s" "http://127.0.0.1:${HEALTH[$s]}/readyz"; done

cat > "$DEMO/env" <<ENV
export N0CORE_API_URL=http://$API_LISTEN
export N0CORE_API_TOKEN=$(cat "$DEMO/api-token")
ENV
log "services up and ready; logs in $DEMO/log"
log "API: http://$API_LISTEN (source $DEMO/env for N0CORE_API_URL and N0CORE_API_TOKEN)"
log "RabbitMQ management UI: $N0CORE_RABBITMQ_MANAGEMENT_URL (user n0core, password in ${N0CORE_DEV_STATE:-/var/lib/n0core-dev}/secrets/amqp-password)"
