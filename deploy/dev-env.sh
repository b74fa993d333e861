#!/usr/bin/env bash
# n0core development environment on one Debian 12 machine, without systemd.
#
#   deploy/dev-env.sh [start]   install what is missing, start RabbitMQ, PostgreSQL and libvirtd,
#                               write the connection URLs to $N0CORE_DEV_STATE/env
#   deploy/dev-env.sh stop      stop what start started (data is kept)
#   deploy/dev-env.sh purge     stop, then delete the dev cluster, vhost and state
#   deploy/dev-env.sh env       print the export lines again
#
# Idempotent: running start twice changes nothing the second time. Everything listens on
# loopback only. Secrets are generated once, kept in $N0CORE_DEV_STATE (mode 0600), and never
# printed except in the export lines a developer asked for.
set -euo pipefail

STATE=${N0CORE_DEV_STATE:-/var/lib/n0core-dev}
PG_VERSION=15
PG_CLUSTER=n0core
PG_PORT=${N0CORE_DEV_PG_PORT:-5433}
AMQP_PORT=5672
MGMT_PORT=15672
VHOST=n0core

PACKAGES=(
  rabbitmq-server postgresql librabbitmq-dev libvirt-dev libvirt-daemon libvirt-daemon-driver-qemu
  libvirt-clients qemu-system-x86 qemu-utils dnsmasq-base iproute2 busybox-static socat
  pkg-config curl ca-certificates procps
  syslinux syslinux-common mtools dosfstools genisoimage fdisk cpio e2fsprogs openssh-client
  chromium  # the web view's browser test (Tests/APITests/WebViewTests.swift), headless
)

log() { printf '[dev-env] %s\n' "$*" >&2; }
die() { printf '[dev-env] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts daemons)"

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

secret() { # secret NAME: a random secret generated once
  local f="$STATE/secrets/$1"
  if [ ! -s "$f" ]; then
    umask 077; mkdir -p "$STATE/secrets"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$f"
  fi
  cat "$f"
}

start_rabbitmq() {
  # Loopback only: AMQP, the management UI and Erlang's port mapper.
  cat > /etc/rabbitmq/rabbitmq.conf <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
loopback_users.guest = true
CONF
  grep -q '^export ERL_EPMD_ADDRESS=127.0.0.1' /etc/rabbitmq/rabbitmq-env.conf 2>/dev/null \
    || echo 'export ERL_EPMD_ADDRESS=127.0.0.1' >> /etc/rabbitmq/rabbitmq-env.conf
  [ -f /etc/rabbitmq/enabled_plugins ] && grep -q rabbitmq_management /etc/rabbitmq/enabled_plugins \
    || echo '[rabbitmq_management].' > /etc/rabbitmq/enabled_plugins
  if ! rabbitmqctl -q status >/dev/null 2>&1; then
    log "starting rabbitmq-server"
    # Every service, agent and test holds connections; without systemd's LimitNOFILE the broker
    # gets PAM's 1024 descriptors (Debian's wrapper starts it through `su`), runs out and fails.
    # So start it as its user without PAM, with the hard limit (at most 65536).
    local nofile; nofile=$(ulimit -Hn)
    if [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ]; then nofile=65536; fi
    (cd /var/lib/rabbitmq && ulimit -n "$nofile" && HOME=/var/lib/rabbitmq ERL_EPMD_ADDRESS=127.0.0.1 \
      setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server -detached)
  fi
  # await_startup fails at once while the node has not yet registered with epmd, so poll.
  local waited=0
  until rabbitmqctl -q await_startup >/dev/null 2>&1; do
    [ "$waited" -lt 120 ] || die "rabbitmq-server did not start within 120 s; see /var/log/rabbitmq/"
    sleep 1; waited=$((waited + 1))
  done
  local pass; pass=$(secret amqp-password)
  rabbitmqctl -q list_vhosts | grep -qx "$VHOST" || rabbitmqctl -q add_vhost "$VHOST"
  if rabbitmqctl -q list_users | awk '{print $1}' | grep -qx n0core; then
    rabbitmqctl -q change_password n0core "$pass" >/dev/null
  else
    rabbitmqctl -q add_user n0core "$pass" >/dev/null
  fi
  rabbitmqctl -q set_user_tags n0core management
  rabbitmqctl -q set_permissions -p "$VHOST" n0core '.*' '.*' '.*'
  bash "$(dirname "$0")/rabbitmq-setup.sh" dead-letter-limit "$VHOST" 2>/dev/null
}

start_postgres() {
  local data="$STATE/postgresql"
  if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/$PG_CLUSTER"; then
    log "creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER in $data on 127.0.0.1:$PG_PORT"
    mkdir -p "$data" && chown postgres:postgres "$data"
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -d "$data" -p "$PG_PORT" \
      -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  fi
  # Loopback only; enough connections for several services and the tests.
  pg_conftool -s "$PG_VERSION" "$PG_CLUSTER" remove listen_addresses 2>/dev/null || true
  cat > "/etc/postgresql/$PG_VERSION/$PG_CLUSTER/conf.d/n0core.conf" <<CONF
listen_addresses = '127.0.0.1'
max_connections = 200
CONF
  if ! pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2==c {print $4}' | grep -q online; then
    log "starting PostgreSQL cluster $PG_VERSION/$PG_CLUSTER"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
  fi
  local pass; pass=$(secret database-password)
  local psql=(runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres)
  "${psql[@]}" -v pass="$pass" <<'SQL' >/dev/null
SELECT 'CREATE ROLE n0core LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'n0core') \gexec
ALTER ROLE n0core PASSWORD :'pass';
SELECT 'CREATE DATABASE n0core OWNER n0core' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'n0core') \gexec
SQL
}

start_libvirtd() {
  # Debian's libvirtd runs guests as libvirt-qemu; the project's agents run as root and own the
  # volume files, so QEMU runs as root. Nothing socket-activates virtlogd without systemd.
  local conf=/etc/libvirt/qemu.conf
  # libvirtd resolves its compiled-in default user before reading qemu.conf; without
  # libvirt-daemon-system (which needs systemd) nothing creates it.
  getent passwd libvirt-qemu >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin --user-group libvirt-qemu
  getent group kvm >/dev/null || groupadd --system kvm
  mkdir -p /etc/libvirt /var/log/libvirt /var/lib/libvirt /run/libvirt
  touch "$conf"
  grep -q '^user = "root"' "$conf" || echo 'user = "root"' >> "$conf"
  grep -q '^group = "root"' "$conf" || echo 'group = "root"' >> "$conf"
  if [ ! -S /run/libvirt/virtlogd-sock ]; then
    log "starting virtlogd"; virtlogd -d
    for _ in $(seq 1 50); do [ -S /run/libvirt/virtlogd-sock ] && break; sleep 0.1; done
  fi
  if ! virsh -q -c qemu:///system version >/dev/null 2>&1; then
    log "starting libvirtd"; libvirtd -d -p /run/libvirtd.pid
    for _ in $(seq 1 50); do virsh -q -c qemu:///system version >/dev/null 2>&1 && break; sleep 0.2; done
    virsh -q -c qemu:///system version >/dev/null 2>&1 || die "libvirtd did not answer on qemu:///system"
  fi
}

write_env() {
  mkdir -p "$STATE"
  umask 077
  cat > "$STATE/env" <<ENV
export N0CORE_AMQP_URL=amqp://n0core:$(secret amqp-password)@127.0.0.1:$AMQP_PORT/$VHOST
export N0CORE_DATABASE_URL=postgres://n0core:$(secret database-password)@127.0.0.1:$PG_PORT/n0core
export N0CORE_COMPUTE_LIBVIRT_URI=qemu:///system
export N0CORE_RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:$MGMT_PORT/
ENV
}

stop_all() {
  rabbitmqctl -q stop >/dev/null 2>&1 && log "rabbitmq-server stopped" || true
  if pg_lsclusters -h 2>/dev/null | awk -v c="$PG_CLUSTER" '$2==c {print $4}' | grep -q online; then
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop && log "PostgreSQL $PG_VERSION/$PG_CLUSTER stopped"
  fi
  for d in libvirtd virtlogd; do
    if pkill -x "$d"; then log "$d stopped"; fi
  done
}

case "${1:-start}" in
  start)
    install_packages
    mkdir -p "$STATE"
    start_rabbitmq
    start_postgres
    start_libvirtd
    write_env
    log "ready; RabbitMQ management UI: http://127.0.0.1:$MGMT_PORT/ (user n0core)"
    log "to use it: source $STATE/env   (deploy/dev-env.sh env prints it; it holds the passwords)"
    ;;
  env) cat "$STATE/env" ;;
  stop) stop_all ;;
  purge)
    stop_all
    pg_dropcluster "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null || true
    rm -rf "$STATE"
    log "purged $STATE"
    ;;
  *) die "usage: $0 [start|stop|purge|env]" ;;
esac
