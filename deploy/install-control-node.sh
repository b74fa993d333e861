#!/usr/bin/env bash
# Installs an n0core control node on a Debian 12 host with systemd: RabbitMQ and PostgreSQL from
# Debian, n0core-api, n0core-scheduler and n0core-conductor as systemd services.
#
#   deploy/install-control-node.sh [--root DIR] [BUILD_DIR]
#
#   BUILD_DIR   the executables (default .build/release; build them with
#               `swift build -c release --static-swift-stdlib`)
#   --root DIR  stage the files under DIR only (no packages, users, services)
#
# Steps, each skipped when already done (run it again after a new build to upgrade):
#   1. packages rabbitmq-server, postgresql (started by their own units);
#   2. system user n0core (the control services run as it);
#   3. /usr/local/bin/n0core-{api,scheduler,conductor}, their units in /etc/systemd/system,
#      /etc/n0core/ROLE.yaml from deploy/config (never overwritten); the command-line client
#      /usr/local/bin/n0core (docs/cli.md); the web view's files (ui/) in
#      /usr/local/share/n0core/ui, which the API serves at /ui/ (api.ui_directory);
#   4. RabbitMQ: vhost n0core, one user per control role (deploy/rabbitmq-setup.sh; passwords in
#      /etc/n0core/secrets/ROLE.amqp); each hypervisor gets a user of its own later
#      (install-hypervisor.sh prints the `rabbitmq-setup.sh hypervisor …` command to run here);
#   5. PostgreSQL: role and database n0core (password in /etc/n0core/secrets/database);
#   6. /etc/n0core/ROLE.env (0600) with the URLs and a generated API token (never overwritten);
#   7. systemctl daemon-reload and enable --now, when systemd runs; otherwise the commands.
#
# Environment: N0CORE_RABBITMQ_HOST (default 127.0.0.1) and N0CORE_POSTGRES_HOST/PORT
# (default 127.0.0.1:5432) as the services should reach them.
set -euo pipefail
SCRIPT=install-control-node
# shellcheck source=deploy/systemd/install-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/systemd/install-common.sh"

ROLES=(api scheduler conductor)
RABBITMQ_HOST=${N0CORE_RABBITMQ_HOST:-127.0.0.1}
POSTGRES_HOST=${N0CORE_POSTGRES_HOST:-127.0.0.1}
POSTGRES_PORT=${N0CORE_POSTGRES_PORT:-5432}

parse_arguments "$@"
install_packages rabbitmq-server postgresql librabbitmq4 ca-certificates
ensure_service_user
ensure_directories
for role in "${ROLES[@]}"; do install_role "$role"; done
install_client
install_ui

# --- RabbitMQ ----------------------------------------------------------------------------
rabbitmq_ready=""
if staging; then
  log "staging: not setting up RabbitMQ"
elif rabbitmqctl -q status >/dev/null 2>&1; then
  N0CORE_SECRETS_DIR=/etc/n0core/secrets bash "$DEPLOY/rabbitmq-setup.sh" setup
  rabbitmq_ready=yes
else
  log "RabbitMQ is not running; start it (systemctl start rabbitmq-server) and run this again"
fi

# --- PostgreSQL ----------------------------------------------------------------------------
database_ready=""
psql_as_postgres() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$POSTGRES_PORT" -d postgres "$@"; }
if staging; then
  log "staging: not setting up PostgreSQL"
elif command -v psql >/dev/null && psql_as_postgres -c 'SELECT 1' >/dev/null 2>&1; then
  password=$(secret database)
  psql_as_postgres -v pass="$password" >/dev/null <<'SQL'
SELECT 'CREATE ROLE n0core LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'n0core') \gexec
ALTER ROLE n0core PASSWORD :'pass';
SELECT 'CREATE DATABASE n0core OWNER n0core' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'n0core') \gexec
SQL
  database_ready=yes
  log "PostgreSQL: database n0core owned by role n0core"
else
  log "PostgreSQL is not running on port $POSTGRES_PORT; start it (systemctl start postgresql) and run this again"
fi

# --- secrets for the services ----------------------------------------------------------------
if [ -n "$rabbitmq_ready" ] && [ -n "$database_ready" ]; then
  database_url="postgres://n0core:$(secret database)@$POSTGRES_HOST:$POSTGRES_PORT/n0core"
  for role in "${ROLES[@]}"; do
    lines=("N0CORE_AMQP_URL=amqp://n0core-$role:$(head -n 1 "/etc/n0core/secrets/$role.amqp")@$RABBITMQ_HOST:5672/n0core"
           "N0CORE_DATABASE_URL=$database_url")
    [ "$role" != api ] || lines+=("N0CORE_API_TOKENS=$(secret api-token)")
    write_env "$role" "${lines[@]}"
  done
fi

start_roles "${ROLES[@]}"
if [ -n "$rabbitmq_ready" ]; then
  log "each hypervisor: run install-hypervisor.sh there; it prints 'rabbitmq-setup.sh hypervisor HOST_ID AGENT_ID...'"
  log "to run here, which writes /etc/n0core/secrets/hypervisor-HOST_ID.amqp for you to copy back to it"
fi
# The conductor refuses heartbeats and results not sent by their hypervisor's own RabbitMQ user
# only with conductor.agent_user set (the example sets it; an older conductor.yaml lacks it).
if ! grep -Eq '^[[:space:]]*agent_user:' "$ROOT/etc/n0core/conductor.yaml" 2>/dev/null \
   && ! grep -q '^N0CORE_CONDUCTOR_AGENT_USER=' "$ROOT/etc/n0core/conductor.env" 2>/dev/null; then
  log "note: /etc/n0core/conductor.yaml has no conductor.agent_user, so any hypervisor may speak for any agent; once every"
  log "  hypervisor has its own RabbitMQ user, add 'agent_user: n0core-hypervisor-{host_id}' under 'conductor:' (docs/deployment.md)"
fi
[ ! -s "$ROOT/etc/n0core/secrets/api-token" ] \
  || log "API token: /etc/n0core/secrets/api-token (clients send 'Authorization: Bearer TOKEN')"
