#!/usr/bin/env bash
# n0core on one Debian 12 machine, from nothing, as root:
#
#   deploy/quickstart.sh          install, build, start everything, send the seed's example (its
#                                 volume made from n0core's guest image, with an SSH key made
#                                 here), show it applied, wait until the guest answers SSH and
#                                 print the command that logs in (running it again starts over
#                                 from a clean demo)
#   deploy/quickstart.sh stop     remove everything the demo made and stop the dev environment
#
# What runs where (design §6): RabbitMQ, PostgreSQL, the API, the scheduler and the conductor on
# the host's loopback; the demo hypervisor — the compute, volume and network agents, their
# bridges, dnsmasq and guests — inside the network namespace n0demo, whose agents reach the
# broker through a socat relay over a Unix socket. Nothing touches the host's network
# interfaces. The demo uses its own RabbitMQ vhost and database (n0core-demo / n0core_demo), so
# tests on the same machine never see its messages. On the broker every service has the least
# privilege a deployment gives it (docs/deployment.md, "Broker permissions"): the control services
# each their own user, the demo hypervisor's agents the hypervisor's user (users n0demo-*), and
# the conductor refuses heartbeats and results that user did not send.
#
# State, logs and the env file: $N0CORE_DEMO_STATE (default /var/lib/n0core-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/opt/swift/usr/bin

DEMO=${N0CORE_DEMO_STATE:-/var/lib/n0core-demo}
NETNS=n0demo
VHOST=n0core-demo
DATABASE=n0core_demo
API_LISTEN=127.0.0.1:8080
VNC_PORT=5900
CONTROL=(api scheduler conductor)
AGENTS=(volumer-file porter-vlan compute-kvm)
# /readyz of the daemons without an API: the control ones on the host, the agents inside n0demo.
declare -A HEALTH=([scheduler]=9101 [conductor]=9102 [compute-kvm]=9103 [volumer-file]=9104 [porter-vlan]=9105)
# The demo hypervisor takes the host id the seed's example pins, so it works as written.
HOST_ID=85cf3a3a-18e4-4fe2-b406-9e79079cae07
# Short: libvirt's sockets under the embedded driver's root must fit in 108 bytes.
EMBED_ROOT=/run/n0demo-libvirt
# The demo's RabbitMQ users (deploy/rabbitmq-setup.sh with this prefix); passwords in $DEMO/secrets.
USER_PREFIX=n0demo-
# The guest image's name in the images directory, and the VM's fixed address (the seed's).
GUEST_IMAGE=n0core-guest.qcow2
GUEST_ADDRESS=192.168.0.1

log() { printf '[quickstart] %s\n' "$*" >&2; }
die() { printf '[quickstart] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages, starts daemons and makes a network namespace)"

stop_pid() { # stop_pid PIDFILE NAME
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    log "stopped $2"
  fi
  rm -f "$pidfile"
}

remove_demo() {
  for s in "${AGENTS[@]}" "${CONTROL[@]}"; do stop_pid "$DEMO/run/n0core-$s.pid" "n0core-$s"; done
  for r in amqp-relay-inside amqp-relay-outside vnc-relay; do stop_pid "$DEMO/run/$r.pid" "$r"; done
  if ip netns list | grep -qw "^$NETNS"; then
    # Guests outlive the compute agent that started them (the embedded driver's QEMU processes).
    for pid in $(ip netns pids "$NETNS"); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns delete "$NETNS"
    log "removed network namespace $NETNS (its bridges, taps, dnsmasq and guests)"
  fi
  rm -rf "$EMBED_ROOT" "$DEMO/agents" "$DEMO/run"
  if rabbitmqctl -q list_vhosts 2>/dev/null | grep -qx "$VHOST"; then
    rabbitmqctl -q delete_vhost "$VHOST" && log "deleted RabbitMQ vhost $VHOST"
  fi
  for user in $(rabbitmqctl -q list_users 2>/dev/null | awk 'NR > 1 {print $1}' | grep "^$USER_PREFIX" || true); do
    rabbitmqctl -q delete_user "$user" >/dev/null
  done
  rm -rf "$DEMO/secrets"
  if pg_lsclusters -h 2>/dev/null | awk '$2=="n0core" {print $4}' | grep -q online; then
    runuser -u postgres -- psql -X -q -p "${PG_PORT:-5433}" -d postgres \
      -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null
  fi
}

wait_ready() { # wait_ready NAME URL [NETNS]
  local prefix=()
  [ -n "${3:-}" ] && prefix=(ip netns exec "$3")
  for _ in $(seq 1 300); do
    "${prefix[@]}" curl -fsS "$2" >/dev/null 2>&1 && { log "$1 ready"; return 0; }
    sleep 0.2
  done
  die "$1 not ready at $2; see $DEMO/log/$1.log"
}

api() { # api METHOD PATH [curl args...]
  local method=$1 path=$2; shift 2
  curl -sS -X "$method" "http://$API_LISTEN$path" -H "Authorization: Bearer $(cat "$DEMO/api-token")" "$@"
}

case "${1:-start}" in
  stop)
    PG_PORT=$(sed -n 's/^export N0CORE_DATABASE_URL=.*:\([0-9]*\)\/.*/\1/p' "${N0CORE_DEV_STATE:-/var/lib/n0core-dev}/env" 2>/dev/null || true)
    remove_demo
    rm -rf "$DEMO"
    bash deploy/dev-env.sh stop
    exit 0
    ;;
  start) ;;
  *) die "usage: $0 [start|stop]" ;;
esac

bash deploy/dev-env.sh start >/dev/null
# shellcheck disable=SC1091
source "${N0CORE_DEV_STATE:-/var/lib/n0core-dev}/env"
PG_PORT=$(sed -n 's/.*:\([0-9]*\)\/[^/]*$/\1/p' <<<"$N0CORE_DATABASE_URL")

log "building (the first build takes several minutes)"
# A debug build shares its dependencies with `deploy/test.sh`, so trying both costs one build.
swift build >&2
BIN=$(swift build --show-bin-path)
# The command-line client (docs/cli.md) where install-control-node.sh puts it; it reads the
# demo's $DEMO/env (N0CORE_API_URL, N0CORE_API_TOKEN) once sourced.
install -m 0755 "$BIN/n0core" /usr/local/bin/n0core
log "installed /usr/local/bin/n0core (the command-line client: source $DEMO/env, then n0core list)"

log "starting over from a clean demo"
remove_demo
mkdir -p "$DEMO/run" "$DEMO/log" "$DEMO/agents" "$DEMO/images" "$DEMO/ssh"
umask 077
[ -s "$DEMO/api-token" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$DEMO/api-token"

# The guest image (docs/guest-image.md), built from Debian packages and cached between runs, goes
# into the demo hypervisor's images directory, where a volume's `source` may name it.
GUEST_CACHE=${N0CORE_GUEST_DIR:-/var/cache/n0core-guest}
log "building n0core's guest image into $GUEST_CACHE (cached; the first build takes about 20 s)"
IMAGE=$(bash deploy/guest/build-image.sh "$GUEST_CACHE" 2>>"$DEMO/log/guest-image.log" | tail -n 1) \
  || die "deploy/guest/build-image.sh failed; see $DEMO/log/guest-image.log"
install -m 0600 "$IMAGE" "$DEMO/images/$GUEST_IMAGE"
# The key the guest will accept for root; regenerated with every demo.
rm -f "$DEMO/ssh/id_ed25519" "$DEMO/ssh/id_ed25519.pub" "$DEMO/ssh/known_hosts"
ssh-keygen -q -t ed25519 -N '' -C "quickstart@n0core" -f "$DEMO/ssh/id_ed25519"

# The demo's own vhost and database. On the vhost, each control service gets its own RabbitMQ
# user and the demo hypervisor one for its agents, made for their ids; the dev environment's
# user may look at everything in the management UI.
rabbitmqctl -q add_vhost "$VHOST"
rabbitmqctl -q set_permissions -p "$VHOST" n0core '.*' '.*' '.*'
declare -A AGENT_ID=()
for s in "${AGENTS[@]}"; do AGENT_ID[$s]=$(cat /proc/sys/kernel/random/uuid); done
broker_setup() {
  env N0CORE_RABBITMQ_VHOST="$VHOST" N0CORE_RABBITMQ_USER_PREFIX="$USER_PREFIX" N0CORE_SECRETS_DIR="$DEMO/secrets" \
    bash deploy/rabbitmq-setup.sh "$@" >>"$DEMO/log/rabbitmq-setup.log" 2>&1 \
    || die "deploy/rabbitmq-setup.sh $1 failed; see $DEMO/log/rabbitmq-setup.log"
}
broker_setup setup
broker_setup hypervisor "$HOST_ID" "${AGENT_ID[@]}"
AMQP_ADDRESS=${N0CORE_AMQP_URL#*@}
AMQP_ADDRESS=${AMQP_ADDRESS%%/*}
amqp_url() { echo "amqp://$USER_PREFIX$1:$(head -n 1 "$DEMO/secrets/$1.amqp")@$AMQP_ADDRESS/$VHOST"; }
HYPERVISOR_USER=hypervisor-$HOST_ID
log "RabbitMQ users: ${USER_PREFIX}{api,scheduler,conductor} and $USER_PREFIX$HYPERVISOR_USER (the demo hypervisor's agents)"
runuser -u postgres -- psql -X -q -p "$PG_PORT" -d postgres -c "CREATE DATABASE $DATABASE OWNER n0core" >/dev/null
DATABASE_URL="${N0CORE_DATABASE_URL%/*}/$DATABASE"

# The demo hypervisor's namespace; the broker reaches into it through a relay on loopback.
ip netns add "$NETNS"
ip -n "$NETNS" link set lo up
AMQP_PORT=${AMQP_ADDRESS##*:}
RELAY_SOCKET="$DEMO/run/amqp.sock"
nohup socat "UNIX-LISTEN:$RELAY_SOCKET,fork,unlink-early" "TCP:127.0.0.1:$AMQP_PORT" >/dev/null 2>&1 &
echo $! > "$DEMO/run/amqp-relay-outside.pid"
nohup ip netns exec "$NETNS" socat "TCP-LISTEN:$AMQP_PORT,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$RELAY_SOCKET" >/dev/null 2>&1 &
echo $! > "$DEMO/run/amqp-relay-inside.pid"

start_service() { # start_service NAME [ip netns exec NETNS]
  local s=$1; shift
  local env_args=(N0CORE_LOG_LEVEL="${N0CORE_LOG_LEVEL:-info}")
  case "$s" in
    # The web view straight from this checkout's ui/ (an installed API reads a copy).
    api) env_args+=(N0CORE_AMQP_URL="$(amqp_url api)" N0CORE_DATABASE_URL="$DATABASE_URL" N0CORE_API_LISTEN=$API_LISTEN
                    N0CORE_API_TOKENS="$(cat "$DEMO/api-token")" N0CORE_API_UI_DIRECTORY="$PWD/ui") ;;
    scheduler|conductor) env_args+=(N0CORE_AMQP_URL="$(amqp_url "$s")" N0CORE_DATABASE_URL="$DATABASE_URL"
                                    N0CORE_HEALTH_LISTEN=127.0.0.1:${HEALTH[$s]}) ;;
    *) env_args+=(N0CORE_AMQP_URL="$(amqp_url "$HYPERVISOR_USER")" N0CORE_HEALTH_LISTEN=127.0.0.1:${HEALTH[$s]}
                  N0CORE_HOST_ID=$HOST_ID N0CORE_AGENT_ID="${AGENT_ID[$s]}" N0CORE_AGENT_STATE_DIR="$DEMO/agents/$s") ;;
  esac
  [ "$s" != conductor ] || env_args+=(N0CORE_CONDUCTOR_AGENT_USER="${USER_PREFIX}hypervisor-{host_id}")
  case "$s" in
    compute-kvm) env_args+=(N0CORE_COMPUTE_LIBVIRT_URI="qemu:///embed?root=$EMBED_ROOT" N0CORE_COMPUTE_VIRT_TYPE=qemu
                            N0CORE_COMPUTE_IMAGES_DIRECTORY="$DEMO/images") ;;
    volumer-file) env_args+=(N0CORE_VOLUMER_DATA_DIR="$DEMO/agents/volumes" N0CORE_VOLUMER_IMAGES_DIRECTORY="$DEMO/images") ;;
  esac
  nohup "$@" env "${env_args[@]}" "$BIN/n0core-$s" >"$DEMO/log/n0core-$s.log" 2>&1 &
  echo $! > "$DEMO/run/n0core-$s.pid"
}

for s in "${CONTROL[@]}"; do start_service "$s"; done
for s in "${AGENTS[@]}"; do start_service "$s" ip netns exec "$NETNS"; done
wait_ready n0core-api "http://$API_LISTEN/readyz"
for s in scheduler conductor; do wait_ready "n0core-$s" "http://127.0.0.1:${HEALTH[$s]}/readyz"; done
for s in "${AGENTS[@]}"; do wait_ready "n0core-$s (in $NETNS)" "http://127.0.0.1:${HEALTH[$s]}/readyz" "$NETNS"; done

cat > "$DEMO/env" <<ENV
export N0CORE_API_URL=http://$API_LISTEN
export N0CORE_API_TOKEN=$(cat "$DEMO/api-token")
ENV

log "waiting for the three agents' first heartbeats to reach the graph"
# Each agent by its id (/api/graph needs a spec or an object).
for s in "${AGENTS[@]}"; do
  id=${AGENT_ID[$s]}
  for _ in $(seq 1 150); do
    api GET "/api/objects/$id" -H 'Accept: application/json' | grep -q '"desired_state":"alived"' && continue 2
    sleep 0.2
  done
  die "n0core-$s (agent $id) is not alive in the graph after 30 s; see $DEMO/log/n0core-$s.log"
done

# The seed's example as written, plus three lines: the volume is made from the guest image, and
# the VM gets a host name and the key (the compute agent puts both in its cloud-init seed).
DOCUMENT="$DEMO/seed-vm-login.yaml"
awk -v key="$(cat "$DEMO/ssh/id_ed25519.pub")" -v image="$GUEST_IMAGE" '
  { print }
  /^    vnc_password: / { print "    hostname: web"; print "    ssh_authorized_keys:"; print "      - \"" key "\"" }
  /^          size: 10gb$/ { print "          source: " image }' deploy/examples/seed-vm.yaml > "$DOCUMENT"
[ "$(diff deploy/examples/seed-vm.yaml "$DOCUMENT" | grep -c '^>')" = 4 ] \
  || die "could not add the image and the key to deploy/examples/seed-vm.yaml (has its layout changed?)"
log "sending the seed's example (deploy/examples/seed-vm.yaml) with n0core apply, with these lines added:"
{ diff deploy/examples/seed-vm.yaml "$DOCUMENT" || true; } | sed -n 's/^> /    /p' >&2  # diff exits 1: they differ
POSTED_AT=$(date +%s.%N)
# The installed client POSTs the document and prints each object's progress until the version
# settles; it exits 0 only when the version is applied (1 failed, 2 refused, 3 timed out).
# Its lines (errors included) are shown indented and kept for the spec's id.
applied=0
N0CORE_API_URL="http://$API_LISTEN" N0CORE_API_TOKEN="$(cat "$DEMO/api-token")" \
  /usr/local/bin/n0core apply -f "$DOCUMENT" --timeout 300 2>&1 | tee "$DEMO/log/apply.log" | sed 's/^/    /' >&2 || applied=$?
SPEC_ID=$(sed -n 's/^spec \([0-9]*\) version [0-9]* stored.*/\1/p' "$DEMO/log/apply.log" | head -n1)
[ "$applied" = 0 ] || die "the seed's example was not applied (n0core apply exited $applied${SPEC_ID:+; spec $SPEC_ID}); logs in $DEMO/log"
[ -n "$SPEC_ID" ] || die "n0core apply named no spec; its output: $DEMO/log/apply.log"
APPLIED_AT=$(date +%s.%N)
# The VM's id (for the console hint below): the first `id:` after its type in the resolved
# document, which comes before `objects:`.
status=$(api GET "/api/spec/$SPEC_ID" -H 'Accept: application/yaml')
VM_ID=$(awk '/type: resource\/vm\/kvm/ {vm=1} vm && $1 == "id:" {print $2; exit}' <<<"$status")

# The guest boots from its volume under TCG, reads its seed (address, host name, key) and starts
# its SSH server; the hypervisor's namespace reaches it over the network's bridge.
LOGIN="ip netns exec $NETNS ssh -i $DEMO/ssh/id_ed25519 -o UserKnownHostsFile=$DEMO/ssh/known_hosts root@$GUEST_ADDRESS"
log "spec $SPEC_ID applied; waiting for the guest to answer SSH at $GUEST_ADDRESS"
answered=""
for _ in $(seq 1 90); do
  if answered=$(ip netns exec "$NETNS" ssh -i "$DEMO/ssh/id_ed25519" -o UserKnownHostsFile="$DEMO/ssh/known_hosts" \
       -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ConnectTimeout=2 "root@$GUEST_ADDRESS" hostname 2>/dev/null); then
    break
  fi
  answered=""
  sleep 1
done
[ -n "$answered" ] || die "the guest did not answer SSH at $GUEST_ADDRESS within 90 s; its serial log: $DEMO/agents/compute-kvm/console/"
ANSWERED_AT=$(date +%s.%N)
log "the guest answered SSH as '$answered': $(awk -v p="$POSTED_AT" -v a="$APPLIED_AT" -v s="$ANSWERED_AT" \
  'BEGIN { printf "%.1f s after POST (applied after %.1f s)", s - p, a - p }')"

# The guest's VNC server listens inside the namespace, where the compute agent reported it (the
# VM's vnc_address, a port libvirt picked); a relay on the host's loopback reaches it.
VNC_ADDRESS=$(api GET "/api/graph?spec_id=$SPEC_ID" -H 'Accept: application/json' \
  | grep -o '"vnc_address":"[^"]*"' | head -n1 | cut -d'"' -f4)
if [ -n "$VNC_ADDRESS" ]; then
  nohup socat "TCP-LISTEN:$VNC_PORT,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:ip netns exec $NETNS socat STDIO TCP\:${VNC_ADDRESS%:*}\:${VNC_ADDRESS##*:}" >/dev/null 2>&1 &
  echo $! > "$DEMO/run/vnc-relay.pid"
else
  log "the VM reports no vnc_address (is it running?); no VNC relay"
fi

echo
echo "== spec $SPEC_ID (GET /api/spec/$SPEC_ID) =="
api GET "/api/spec/$SPEC_ID" -H 'Accept: application/yaml'
echo
echo "== graph (GET /api/graph?spec_id=$SPEC_ID) =="
api GET "/api/graph?spec_id=$SPEC_ID" -H 'Accept: application/yaml'
echo
cat <<DONE
The seed's example is applied: VM, volume, NIC and network run on the demo hypervisor (network
namespace $NETNS: \`ip netns exec $NETNS ip link\`, \`ls $DEMO/agents/volumes\`). The VM booted
n0core's guest image from its volume (a qcow2 over $DEMO/images/$GUEST_IMAGE) and answers SSH.

  API             http://$API_LISTEN   (source $DEMO/env, then n0core get $SPEC_ID, n0core list, … (docs/cli.md) or curl as in README.md)
  web view        http://$API_LISTEN/ui/#/spec/$SPEC_ID   (it asks for the token: \$N0CORE_API_TOKEN in $DEMO/env)
  RabbitMQ UI     ${N0CORE_RABBITMQ_MANAGEMENT_URL}#/queues/$VHOST   user n0core, password in ${N0CORE_DEV_STATE:-/var/lib/n0core-dev}/secrets/amqp-password
                  (the services run as ${USER_PREFIX}api, …, ${USER_PREFIX}hypervisor-$HOST_ID: docs/deployment.md, "Broker permissions")
  VM console      VNC on 127.0.0.1:$VNC_PORT (relayed to the VM's vnc_address ${VNC_ADDRESS:-none} in $NETNS), password: the spec's vnc_password (hogehoge)
                  serial log: source $DEMO/env; n0core console $VM_ID --lines 20   (--follow to follow it)
  images          $DEMO/images/ (a volume's source and a VM's kernel/initrd name files here, e.g. source: $GUEST_IMAGE)
  logs            $DEMO/log/
  remove it all   bash deploy/quickstart.sh stop

Log into the VM (root, the key the quickstart made):

  $LOGIN
DONE
