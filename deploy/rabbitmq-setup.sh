#!/usr/bin/env bash
# RabbitMQ for n0core: a vhost and one user per role, each allowed only the queues and routing
# keys its service uses. Run it on a RabbitMQ node, as root (it uses rabbitmqctl).
#
#   deploy/rabbitmq-setup.sh [setup]   create or update the vhost, users and permissions
#   deploy/rabbitmq-setup.sh dead-letter-limit [VHOST]
#                                      bound the dead-letter queue n0core.dead of VHOST (default
#                                      the vhost below) with a policy: at most
#                                      N0CORE_DEAD_LETTER_MAX_LENGTH messages (100000), the oldest
#                                      dropped first; `setup` applies it too
#   deploy/rabbitmq-setup.sh self-test check the permissions for real on a scratch vhost
#                                      (n0core-permcheck, users n0core-permcheck-ROLE) through
#                                      the management HTTP API, then delete all of it
#
# Environment:
#   N0CORE_RABBITMQ_VHOST        vhost (default n0core)
#   N0CORE_RABBITMQ_USER_PREFIX  users are PREFIX + role (default n0core-: n0core-api …)
#   N0CORE_SECRETS_DIR           where each role's password is kept, ROLE.amqp, mode 0600
#                                (default /etc/n0core/secrets)
#   N0CORE_AMQP_PASSWORD_ROLE    a password to use instead of a generated one, ROLE in capitals
#                                with _ (N0CORE_AMQP_PASSWORD_COMPUTE_KVM)
#   N0CORE_RABBITMQ_MANAGEMENT_URL  self-test: the management API (default http://127.0.0.1:15672)
#   N0CORE_PERMCHECK_BIN_DIR     self-test: also run the real n0core-volumer-file from this
#                                directory (e.g. .build/debug) as its role user
#   N0CORE_RABBITMQ_AMQP_ADDRESS self-test: where that agent reaches AMQP (default 127.0.0.1:5672)
#
# Idempotent: an existing ROLE.amqp is the password (the user's password is set to it); a user
# without one gets a new password. Passwords reach rabbitmqctl on standard input, never on a
# command line. The users get no tags: they cannot log into the management UI.
#
# What each role may do follows from the code (Sources/Broker/Topology.swift, Sources/Clients):
# every service declares the topic exchange `n0core`, the dead-letter queue `n0core.dead` and
# the queues it publishes to or consumes, each queue bound to `n0core` with its own name and
# declared with the default exchange as its dead-letter exchange; undecodable deliveries are
# dead-lettered by publishing to the default exchange. Routing keys are `scheduler`,
# `conductor` and agent ids (lowercase UUIDs), which are also the queue names.
#
#   role          declares (configure)          publishes to n0core      consumes
#   api           scheduler                     scheduler                -
#   scheduler     scheduler                     agent ids                scheduler
#   conductor     scheduler, conductor          scheduler                conductor
#   agents (3)    conductor, own agent id       conductor, agent ids     own agent id
#
# Wider than each role needs, because of how the code and RabbitMQ work (docs/deployment.md):
#   (api, scheduler and conductor share one outbox table, but each relay sends only the rows its
#   own service wrote — outbox.sender — so each needs only its own routing keys.)
#   - declaring a queue with a dead-letter exchange needs read on that queue, so api and
#     conductor can read `scheduler` and agents can read `conductor`;
#   - dead-lettering through the default exchange needs write on `amq.default`, which lets a
#     role publish to any queue by name there (topic permissions only apply to topic exchanges);
#   - agent ids are generated on each hypervisor, so an agent role may use any UUID-named queue.
set -euo pipefail

VHOST=${N0CORE_RABBITMQ_VHOST:-n0core}
PREFIX=${N0CORE_RABBITMQ_USER_PREFIX:-n0core-}
SECRETS=${N0CORE_SECRETS_DIR:-/etc/n0core/secrets}
ROLES=(api scheduler conductor compute-kvm volumer-file porter-vlan)
EXCHANGE=n0core
UUID='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

log() { printf '[rabbitmq-setup] %s\n' "$*" >&2; }
die() { printf '[rabbitmq-setup] error: %s\n' "$*" >&2; exit 1; }

# permissions ROLE: prints five lines, the regexes for configure, write, read (vhost
# permissions) and topic write, topic read (routing keys on the n0core exchange).
# Resources: the exchange n0core, amq.default (the default exchange, dead-letter target),
# the queues n0core.dead, scheduler, conductor and agent ids.
permissions() {
  local base='n0core|n0core\.dead'
  case "$1" in
    api)
      echo "^($base|scheduler)\$"                       # declare exchange, dead, scheduler
      echo '^(n0core|amq\.default|scheduler)$'          # publish; dead-letter; bind scheduler
      echo '^(n0core|scheduler)$'                       # bind from n0core; declare with DLX
      echo '^scheduler$'                                # Spec
      echo '^scheduler$' ;;                             # binding key of scheduler
    scheduler)
      echo "^($base|scheduler)\$"
      echo '^(n0core|amq\.default|scheduler)$'
      echo '^(n0core|scheduler)$'                       # consume scheduler
      echo "^$UUID\$"                                   # Request to an agent
      echo '^scheduler$' ;;
    conductor)
      echo "^($base|scheduler|conductor)\$"
      echo '^(n0core|amq\.default|scheduler|conductor)$'
      echo '^(n0core|scheduler|conductor)$'             # consume conductor
      echo '^scheduler$'                                # rescheduling Spec
      echo '^(scheduler|conductor)$' ;;
    compute-kvm|volumer-file|porter-vlan)
      echo "^($base|conductor|$UUID)\$"
      echo "^(n0core|amq\\.default|conductor|$UUID)\$"
      echo "^(n0core|conductor|$UUID)\$"                # consume own queue
      echo "^(conductor|$UUID)\$"                       # Notify, Heartbeat; Notify to dependents
      echo "^(conductor|$UUID)\$" ;;
    *) die "unknown role $1" ;;
  esac
}

ctl() { rabbitmqctl -q "$@"; }

password_for() { # password_for ROLE: the kept, given or a new password; kept in SECRETS/ROLE.amqp
  local role=$1 file=$SECRETS/$1.amqp var
  var=N0CORE_AMQP_PASSWORD_$(tr 'a-z-' 'A-Z_' <<< "$role")
  if [ -n "${!var:-}" ]; then
    (umask 077; printf '%s\n' "${!var}" > "$file")
  elif [ ! -s "$file" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$file"; echo >> "$file")
  fi
  chmod 600 "$file"
  head -n 1 "$file"
}

setup() {
  command -v rabbitmqctl >/dev/null || die "rabbitmqctl is missing; run this on a RabbitMQ node"
  ctl status >/dev/null 2>&1 || die "RabbitMQ is not running (rabbitmqctl status failed)"
  mkdir -p "$SECRETS"; chmod 700 "$SECRETS"
  ctl list_vhosts name | grep -qxF "$VHOST" || { log "adding vhost $VHOST"; ctl add_vhost "$VHOST"; }
  local role user pass
  for role in "${ROLES[@]}"; do
    user=$PREFIX$role
    pass=$(password_for "$role")
    if ! ctl list_users | awk 'NR > 1 {print $1}' | grep -qxF "$user"; then
      log "adding user $user"
      printf '%s' "$pass" | ctl add_user "$user" >/dev/null
    elif ! printf '%s' "$pass" | ctl authenticate_user "$user" >/dev/null 2>&1; then
      log "setting the password of $user from $SECRETS/$role.amqp"
      printf '%s' "$pass" | ctl change_password "$user" >/dev/null
    fi
    ctl set_user_tags "$user" >/dev/null
    mapfile -t p < <(permissions "$role")
    ctl set_permissions -p "$VHOST" "$user" "${p[0]}" "${p[1]}" "${p[2]}" >/dev/null
    ctl set_topic_permissions -p "$VHOST" "$user" "$EXCHANGE" "${p[3]}" "${p[4]}" >/dev/null
    log "$user: configure ${p[0]}  write ${p[1]}  read ${p[2]}  topic write ${p[3]}  topic read ${p[4]}"
  done
  dead_letter_limit "$VHOST"
  log "vhost $VHOST ready; passwords in $SECRETS/ROLE.amqp; URL: amqp://${PREFIX}ROLE:PASSWORD@HOST:5672/$VHOST"
}

# dead_letter_limit VHOST: the dead-letter queue keeps at most N messages, dropping the oldest.
# A policy rather than queue arguments: the queue already exists on running systems, and
# declaring it again with other arguments would be refused (PRECONDITION_FAILED).
dead_letter_limit() {
  local max=${N0CORE_DEAD_LETTER_MAX_LENGTH:-100000}
  [[ "$max" =~ ^[1-9][0-9]*$ ]] || die "N0CORE_DEAD_LETTER_MAX_LENGTH must be a positive number, not '$max'"
  ctl set_policy -p "$1" --apply-to queues --priority 10 n0core-dead-letter-limit '^n0core\.dead$' \
    "{\"max-length\":$max,\"overflow\":\"drop-head\"}" >/dev/null
  log "vhost $1: n0core.dead keeps at most $max messages (oldest dropped first)"
}

# --- self-test -------------------------------------------------------------------------------
# Acts as each role through the management HTTP API, whose operations run as that user through
# an internal AMQP connection: the same permission checks a service's own connection gets.
self_test() {
  command -v curl >/dev/null || die "self-test needs curl"
  local mgmt=${N0CORE_RABBITMQ_MANAGEMENT_URL:-http://127.0.0.1:15672}
  mgmt=${mgmt%/}
  local scratch=n0core-permcheck scratch_prefix=n0core-permcheck-
  ctl list_vhosts name | grep -qxF "$scratch" && die "vhost $scratch exists already (a self-test running?); delete it first"
  local secrets; secrets=$(mktemp -d "${TMPDIR:-/tmp}/n0core-permcheck.XXXXXX")
  # shellcheck disable=SC2064
  trap "self_test_cleanup '$scratch' '$scratch_prefix' '$secrets'" EXIT
  N0CORE_RABBITMQ_VHOST=$scratch N0CORE_RABBITMQ_USER_PREFIX=$scratch_prefix N0CORE_SECRETS_DIR=$secrets \
    bash "${BASH_SOURCE[0]}" setup
  local role
  declare -gA PASS=()
  for role in "${ROLES[@]}"; do
    PASS[$role]=$(head -n 1 "$secrets/$role.amqp")
    # Only to log into the HTTP API; tags do not change what AMQP operations are allowed.
    ctl set_user_tags "$scratch_prefix$role" management >/dev/null
  done
  MGMT=$mgmt; SCRATCH=$scratch; SPREFIX=$scratch_prefix; FAILURES=0; CHECKS=0

  local agent_compute=11111111-1111-4111-8111-111111111111
  local agent_volumer=22222222-2222-4222-8222-222222222222
  local agent_porter=33333333-3333-4333-8333-333333333333

  log "start-up declarations as each service makes them"
  for role in "${ROLES[@]}"; do
    expect ok "$role" "declare exchange n0core" declare_exchange "$role" n0core
    expect ok "$role" "declare n0core.dead" declare_dead "$role"
  done
  expect ok api "declare+bind scheduler" declare_bound "api" scheduler
  expect ok scheduler "declare+bind scheduler" declare_bound scheduler scheduler
  expect ok conductor "declare+bind scheduler" declare_bound conductor scheduler
  expect ok conductor "declare+bind conductor" declare_bound conductor conductor
  expect ok compute-kvm "declare+bind conductor" declare_bound compute-kvm conductor
  expect ok compute-kvm "declare+bind own queue" declare_bound compute-kvm "$agent_compute"
  expect ok volumer-file "declare+bind own queue" declare_bound volumer-file "$agent_volumer"
  expect ok porter-vlan "declare+bind own queue" declare_bound porter-vlan "$agent_porter"

  log "what each service sends and receives"
  expect routed api "publish Spec to scheduler" publish api scheduler
  expect routed scheduler "publish Request to an agent" publish scheduler "$agent_volumer"
  expect routed conductor "publish rescheduling Spec to scheduler" publish conductor scheduler
  expect routed volumer-file "publish Notify/Heartbeat to conductor" publish volumer-file conductor
  expect routed volumer-file "publish Notify to a dependent agent" publish volumer-file "$agent_compute"
  expect routed porter-vlan "publish Notify to a dependent agent" publish porter-vlan "$agent_compute"
  expect routed compute-kvm "publish Heartbeat to conductor" publish compute-kvm conductor
  expect ok scheduler "consume scheduler" get scheduler scheduler
  expect ok conductor "consume conductor" get conductor conductor
  expect ok volumer-file "consume own queue" get volumer-file "$agent_volumer"
  expect ok compute-kvm "consume own queue" get compute-kvm "$agent_compute"
  for role in "${ROLES[@]}"; do
    expect routed "$role" "dead-letter to n0core.dead (default exchange)" publish_default "$role" n0core.dead
  done

  log "what each role must not do"
  expect refused api "publish to conductor" publish api conductor
  expect refused api "publish to an agent" publish api "$agent_compute"
  expect refused scheduler "publish to scheduler" publish scheduler scheduler
  expect refused conductor "publish to an agent" publish conductor "$agent_compute"
  expect refused api "declare conductor" declare_queue api conductor
  expect refused api "consume conductor" get api conductor
  expect refused scheduler "publish to conductor" publish scheduler conductor
  expect refused scheduler "consume conductor" get scheduler conductor
  expect refused scheduler "consume an agent's queue" get scheduler "$agent_compute"
  expect refused conductor "publish to conductor" publish conductor conductor
  expect refused conductor "consume an agent's queue" get conductor "$agent_compute"
  for role in compute-kvm volumer-file porter-vlan; do
    expect refused "$role" "publish to scheduler" publish "$role" scheduler
    expect refused "$role" "declare scheduler" declare_queue "$role" scheduler
    expect refused "$role" "consume scheduler" get "$role" scheduler
    expect refused "$role" "bind own queue to key scheduler" bind "$role" "$agent_porter" scheduler
    expect refused "$role" "bind own queue to key #" bind "$role" "$agent_porter" '#'
  done
  for role in "${ROLES[@]}"; do
    expect refused "$role" "declare another exchange" declare_exchange "$role" n0core.other
    expect refused "$role" "declare a queue named otherwise" declare_queue "$role" other.queue
  done

  log "wider than each role needs (residual; see docs/deployment.md)"
  expect ok api "consume scheduler (read needed to declare it with a dead-letter exchange)" get api scheduler
  expect ok compute-kvm "consume conductor (same reason)" get compute-kvm conductor
  expect routed api "publish to conductor through the default exchange (write on amq.default)" publish_default api conductor
  expect ok compute-kvm "consume another agent's queue (agent ids are not known in advance)" get compute-kvm "$agent_volumer"

  if [ -n "${N0CORE_PERMCHECK_BIN_DIR:-}" ]; then real_agent_check "$N0CORE_PERMCHECK_BIN_DIR"; fi

  if [ "$FAILURES" -ne 0 ]; then log "FAIL: $FAILURES of $CHECKS checks"; exit 1; fi
  log "PASS: all $CHECKS checks"
}

# With N0CORE_PERMCHECK_BIN_DIR (e.g. .build/debug): the real agents, each as its role user with
# its example configuration, must come up (their own declarations, consumer and publisher
# accepted) and their heartbeats must reach the conductor's queue. They touch nothing on the
# host: state and volumes in a temporary directory, the compute agent on libvirt's test driver,
# and the porter makes networks only when asked.
real_agent_check() {
  local bin=$1 dir role port status address=${N0CORE_RABBITMQ_AMQP_ADDRESS:-127.0.0.1:5672}
  local -A pid=() port_of=()
  dir=$(mktemp -d "${TMPDIR:-/tmp}/n0core-permcheck-agents.XXXXXX")
  http conductor DELETE "queues/$(vh)/conductor/contents" >/dev/null
  port=$((20000 + RANDOM % 10000))
  for role in compute-kvm volumer-file porter-vlan; do
    [ -x "$bin/n0core-$role" ] || { log "  FAIL no executable $bin/n0core-$role"; FAILURES=$((FAILURES + 1)); continue; }
    port=$((port + 1)); port_of[$role]=$port
    log "the real n0core-$role as $SPREFIX$role (health on 127.0.0.1:$port)"
    env N0CORE_AMQP_URL="amqp://$SPREFIX$role:${PASS[$role]}@$address/$SCRATCH" \
      N0CORE_AGENT_STATE_DIR="$dir/$role" N0CORE_VOLUMER_DATA_DIR="$dir/volumes" \
      N0CORE_COMPUTE_LIBVIRT_URI=test:///default \
      N0CORE_HOST_ID=44444444-4444-4444-8444-444444444444 N0CORE_HEALTH_LISTEN="127.0.0.1:$port" \
      "$bin/n0core-$role" --config "$(dirname "${BASH_SOURCE[0]}")/config/$role.yaml" >"$dir/$role.log" 2>&1 &
    pid[$role]=$!
  done
  local ready heartbeats="" _
  local -A is_ready=()
  for _ in $(seq 1 100); do
    ready=yes
    for role in "${!pid[@]}"; do
      [ -n "${is_ready[$role]:-}" ] && continue
      if curl -fs "http://127.0.0.1:${port_of[$role]}/readyz" >/dev/null; then is_ready[$role]=yes; else ready=""; fi
    done
    if [ -n "$ready" ]; then
      heartbeats=$(http conductor POST "queues/$(vh)/conductor/get" '{"count":20,"ackmode":"ack_requeue_true","encoding":"auto"}')
      [[ "$heartbeats" == *agent/compute/kvm* && "$heartbeats" == *agent/volumer/file* && "$heartbeats" == *agent/porter/vlan* ]] && break
    fi
    sleep 0.2
  done
  for role in "${!pid[@]}"; do
    CHECKS=$((CHECKS + 3))
    if [ -n "${is_ready[$role]:-}" ]; then log "  ok   $role: real agent ready (declared, consuming, publishing)"
    else log "  FAIL $role: real agent not ready; its log:"; sed 's/^/      /' "$dir/$role.log" >&2; FAILURES=$((FAILURES + 1)); fi
    if [[ "$heartbeats" == *"agent/${role/-//}"* ]]; then log "  ok   $role: its heartbeat is in the conductor's queue"
    else log "  FAIL $role: no heartbeat in the conductor's queue"; FAILURES=$((FAILURES + 1)); fi
    kill -TERM "${pid[$role]}" 2>/dev/null || true
    status=0; wait "${pid[$role]}" 2>/dev/null || status=$?
    if grep -qi "access_refused\|access refused" "$dir/$role.log"; then
      log "  FAIL $role: access refused in its log"; FAILURES=$((FAILURES + 1))
    else log "  ok   $role: no access refused in its log (exit status $status after SIGTERM)"; fi
  done
  rm -rf "$dir"
}

self_test_cleanup() {
  local scratch=$1 prefix=$2 secrets=$3 role
  ctl delete_vhost "$scratch" >/dev/null 2>&1 || true
  for role in "${ROLES[@]}"; do ctl delete_user "$prefix$role" >/dev/null 2>&1 || true; done
  rm -rf "$secrets"
  log "removed vhost $scratch, users ${prefix}*"
}

# http ROLE METHOD PATH [JSON]: prints "HTTP_STATUS BODY".
http() {
  local role=$1 method=$2 path=$3 body=${4:-}
  local args=(-s -o /dev/stdout -w '\n%{http_code}' -u "$SPREFIX$role:${PASS[$role]}" -X "$method"
              -H 'content-type: application/json' "$MGMT/api/$path")
  [ -z "$body" ] || args+=(-d "$body")
  local out; out=$(curl "${args[@]}")
  printf '%s %s\n' "${out##*$'\n'}" "${out%$'\n'*}"
}
vh() { printf '%s' "${SCRATCH//\//%2F}"; }
queue_args='{"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"quorum","x-dead-letter-exchange":"","x-dead-letter-routing-key":"n0core.dead","x-delivery-limit":20}}'
declare_exchange() { http "$1" PUT "exchanges/$(vh)/$2" '{"type":"topic","durable":true,"auto_delete":false,"internal":false,"arguments":{}}'; }
declare_dead() { http "$1" PUT "queues/$(vh)/n0core.dead" '{"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"quorum"}}'; }
declare_queue() { http "$1" PUT "queues/$(vh)/$2" "$queue_args"; }
bind() { http "$1" POST "bindings/$(vh)/e/n0core/q/$2" "{\"routing_key\":\"$3\",\"arguments\":{}}"; }
declare_bound() {
  local r; r=$(declare_queue "$1" "$2")
  case "${r%% *}" in 2*) bind "$1" "$2" "$2" ;; *) echo "$r" ;; esac
}
publish() { http "$1" POST "exchanges/$(vh)/n0core/publish" "{\"properties\":{\"delivery_mode\":2},\"routing_key\":\"$2\",\"payload\":\"permcheck\",\"payload_encoding\":\"string\"}"; }
publish_default() { http "$1" POST "exchanges/$(vh)/amq.default/publish" "{\"properties\":{},\"routing_key\":\"$2\",\"payload\":\"permcheck\",\"payload_encoding\":\"string\"}"; }
get() { http "$1" POST "queues/$(vh)/$2/get" '{"count":1,"ackmode":"ack_requeue_true","encoding":"auto"}'; }

# expect ok|routed|refused ROLE DESCRIPTION COMMAND...
expect() {
  local want=$1 role=$2 what=$3; shift 3
  local result status body got
  result=$("$@"); status=${result%% *}; body=${result#* }
  # A refused topic comes back as 400 with the channel's "403 ACCESS_REFUSED" as the reason.
  [[ "$body" != *ACCESS_REFUSED* ]] || status=403
  case "$status" in
    2*) if [[ "$body" == *'"routed":false'* ]]; then got=unrouted
        elif [[ "$body" == *'"routed":true'* ]]; then got=routed
        else got=ok; fi ;;
    401|403) got=refused ;;
    *) got="HTTP $status" ;;
  esac
  CHECKS=$((CHECKS + 1))
  if [ "$got" = "$want" ] || { [ "$want" = ok ] && [ "$got" = routed ]; }; then
    log "  ok   $role: $what -> $got"
  else
    FAILURES=$((FAILURES + 1))
    log "  FAIL $role: $what -> $got, expected $want ($(head -c 200 <<< "$body"))"
  fi
}

case "${1:-setup}" in
  setup) setup ;;
  dead-letter-limit) dead_letter_limit "${2:-$VHOST}" ;;
  self-test) self_test ;;
  *) die "usage: $0 [setup|dead-letter-limit [VHOST]|self-test]" ;;
esac
