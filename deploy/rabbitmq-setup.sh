#!/usr/bin/env bash
# RabbitMQ for n0core: a vhost, one user per control role and one user per hypervisor, each
# allowed only the queues and routing keys its services use. Run it on a RabbitMQ node, as root
# (it uses rabbitmqctl).
#
#   deploy/rabbitmq-setup.sh [setup]   create or update the vhost, the users api, scheduler and
#                                      conductor, their permissions and the dead-letter limit
#   deploy/rabbitmq-setup.sh hypervisor HOST_ID AGENT_ID...
#                                      create or update the user of one hypervisor, PREFIX +
#                                      hypervisor-HOST_ID, for its agents (their ids, the queues
#                                      they consume); install-hypervisor.sh prints this command
#   deploy/rabbitmq-setup.sh remove-hypervisor HOST_ID
#                                      delete that user and its password file
#   deploy/rabbitmq-setup.sh remove-legacy-agent-users
#                                      delete the per-kind agent users of earlier releases
#                                      (PREFIX + compute-kvm …), shared by every hypervisor
#   deploy/rabbitmq-setup.sh dead-letter-limit [VHOST]
#                                      bound the dead-letter queue n0core.dead of VHOST (default
#                                      the vhost below) with a policy: at most
#                                      N0CORE_DEAD_LETTER_MAX_LENGTH messages (100000), the oldest
#                                      dropped first; `setup` applies it too
#   deploy/rabbitmq-setup.sh self-test check the permissions for real on a scratch vhost
#                                      (n0core-permcheck, users n0core-permcheck-*) through the
#                                      management HTTP API, then delete all of it
#
# Environment:
#   N0CORE_RABBITMQ_VHOST        vhost (default n0core)
#   N0CORE_RABBITMQ_USER_PREFIX  users are PREFIX + role (default n0core-: n0core-api …,
#                                n0core-hypervisor-HOST_ID)
#   N0CORE_SECRETS_DIR           where each user's password is kept, ROLE.amqp or
#                                hypervisor-HOST_ID.amqp, mode 0600 (default /etc/n0core/secrets)
#   N0CORE_AMQP_PASSWORD_ROLE    a password to use instead of a generated one, ROLE in capitals
#                                with _ (N0CORE_AMQP_PASSWORD_CONDUCTOR)
#   N0CORE_RABBITMQ_MANAGEMENT_URL  self-test: the management API (default http://127.0.0.1:15672)
#   N0CORE_PERMCHECK_BIN_DIR     self-test: also run the real agents from this directory (e.g.
#                                .build/debug) as one hypervisor's user
#   N0CORE_RABBITMQ_AMQP_ADDRESS self-test: where those agents reach AMQP (default 127.0.0.1:5672)
#
# Idempotent: an existing password file is the password (the user's password is set to it); a
# user without one gets a new password. Passwords reach rabbitmqctl on standard input, never on a
# command line. The users get no tags: they cannot log into the management UI.
#
# What each user may do follows from the code (Sources/Broker/Topology.swift,
# Topology+Declaration.swift, Sources/Clients) and docs/deployment.md explains it: every service
# declares the topic exchange `n0core`, the direct exchange `n0core.dead-letter` with the queue
# `n0core.dead` bound to it, and the queues it publishes to or consumes, each bound to `n0core`
# with its own name and dead-lettering through `n0core.dead-letter`; a dead letter with its reason
# is published there too. Routing keys are `scheduler`, `conductor` and agent ids (lowercase
# UUIDs), which are also the queue names. A user refused a declaration looks the object up
# instead (a hypervisor's user declares only its agents' queues). No user may write to the
# default exchange (`amq.default`), through which one could publish into any queue by name.
#
#   user          declares (configure)             publishes to n0core     consumes
#   api           exchanges, n0core.dead, scheduler, scheduler, agent ids  its reply queue
#                 its reply queue api.reply.<uuid>
#   scheduler     same, without a reply queue        agent ids             scheduler
#   conductor     same + conductor                   scheduler             conductor
#   hypervisor    its agents' queues                 conductor, agent ids, its agents' queues
#                                                    api.reply.<uuid>
#
# Consoles (GET /api/objects/{id}/console) are a request and a reply: the API sends a
# ConsoleRequest to the compute agent's id and the agent answers on the API process's reply key
# api.reply.<uuid>, bound to a classic exclusive queue of that name (deleted with the API's
# connection). Not RabbitMQ's direct reply-to: its replies go through amq.default, and write on
# amq.default is what no user gets (checked on RabbitMQ 3.10: publishing a reply to
# amq.rabbitmq.reply-to.* without it is ACCESS_REFUSED).
#
# Every published message carries `user_id` (the publisher sets it to its own user; RabbitMQ
# refuses any other), so the conductor can tell which hypervisor sent a heartbeat or a result
# (`conductor.agent_user: n0core-hypervisor-{host_id}`, with PREFIX as here).
set -euo pipefail

VHOST=${N0CORE_RABBITMQ_VHOST:-n0core}
PREFIX=${N0CORE_RABBITMQ_USER_PREFIX:-n0core-}
SECRETS=${N0CORE_SECRETS_DIR:-/etc/n0core/secrets}
ROLES=(api scheduler conductor)
LEGACY_AGENT_ROLES=(compute-kvm volumer-file porter-vlan)
EXCHANGE=n0core
UUID='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
# The reply queue and routing key of one n0core-api process (consoles, Sources/Clients/Console).
REPLY="api\\.reply\\.$UUID"

log() { printf '[rabbitmq-setup] %s\n' "$*" >&2; }
die() { printf '[rabbitmq-setup] error: %s\n' "$*" >&2; exit 1; }

# permissions ROLE [AGENT_ID...]: prints five lines, the regexes for configure, write, read
# (vhost permissions) and topic write, topic read (routing and binding keys on n0core).
# Resources: the exchanges n0core and n0core.dead-letter, the queues n0core.dead, scheduler,
# conductor and agent ids. Queue declarations with a dead-letter exchange need read on the queue
# and write on n0core.dead-letter when they create it; binding needs write on the queue and read
# on the exchange.
permissions() {
  local shared='n0core|n0core\.dead-letter|n0core\.dead'
  case "$1" in
    api)
      echo "^($shared|scheduler|$REPLY)\$"              # declare exchanges, dead, scheduler, its reply queue
      echo "^($shared|scheduler|$REPLY)\$"              # publish; dead letters; bind dead, scheduler, reply queue
      echo "^(n0core|n0core\\.dead-letter|scheduler|$REPLY)\$"  # bind from both exchanges; make scheduler; consume replies
      echo "^(scheduler|$UUID)\$"                       # Spec; ConsoleRequest to a compute agent
      echo "^(scheduler|$REPLY)\$" ;;                   # binding keys of scheduler and its reply queue
    scheduler)
      echo "^($shared|scheduler)\$"
      echo "^($shared|scheduler)\$"
      echo '^(n0core|n0core\.dead-letter|scheduler)$'   # consume scheduler
      echo "^$UUID\$"                                   # Request to an agent
      echo '^scheduler$' ;;
    conductor)
      echo "^($shared|scheduler|conductor)\$"
      echo "^($shared|scheduler|conductor)\$"
      echo '^(n0core|n0core\.dead-letter|scheduler|conductor)$'   # consume conductor
      echo '^scheduler$'                                # rescheduling Spec
      echo '^(scheduler|conductor)$' ;;
    hypervisor)
      shift
      local ids; ids=$(IFS='|'; echo "$*")
      echo "^($ids)\$"                                  # declare (and delete) only its agents' queues
      echo "^(n0core|n0core\\.dead-letter|$ids)\$"      # publish; dead letters; bind its queues
      echo "^(n0core|$ids)\$"                           # bind its queues to n0core; consume them
      echo "^(conductor|$UUID|$REPLY)\$"                # Notify, Heartbeat; Notify to dependents; ConsoleReply
      echo "^($ids)\$" ;;                               # binding keys: its agents' ids only
    legacy-agent)
      # Earlier releases' agents (one user per kind, shared by every hypervisor) still need what
      # they had, amq.default included, until every hypervisor has a user of its own.
      echo "^(n0core|n0core\\.dead-letter|n0core\\.dead|conductor|$UUID)\$"
      echo "^(n0core|n0core\\.dead-letter|amq\\.default|conductor|$UUID)\$"
      echo "^(n0core|n0core\\.dead-letter|conductor|$UUID)\$"
      echo "^(conductor|$UUID|$REPLY)\$"
      echo "^(conductor|$UUID)\$" ;;
    *) die "unknown role $1" ;;
  esac
}

ctl() { rabbitmqctl -q "$@"; }

require_broker() {
  command -v rabbitmqctl >/dev/null || die "rabbitmqctl is missing; run this on a RabbitMQ node"
  ctl status >/dev/null 2>&1 || die "RabbitMQ is not running (rabbitmqctl status failed)"
}

user_exists() { ctl list_users | awk 'NR > 1 {print $1}' | grep -qxF "$1"; }

password_for() { # password_for NAME: the kept, given or a new password; kept in SECRETS/NAME.amqp
  local name=$1 file=$SECRETS/$1.amqp var
  var=N0CORE_AMQP_PASSWORD_$(tr 'a-z-' 'A-Z_' <<< "$name")
  if [ -n "${!var:-}" ]; then
    (umask 077; printf '%s\n' "${!var}" > "$file")
  elif [ ! -s "$file" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$file"; echo >> "$file")
  fi
  chmod 600 "$file"
  head -n 1 "$file"
}

# grant USER ROLE [AGENT_ID...]: sets the user's permissions on VHOST.
grant() {
  local user=$1; shift
  local p; mapfile -t p < <(permissions "$@")
  ctl set_permissions -p "$VHOST" "$user" "${p[0]}" "${p[1]}" "${p[2]}" >/dev/null
  ctl set_topic_permissions -p "$VHOST" "$user" "$EXCHANGE" "${p[3]}" "${p[4]}" >/dev/null
  log "$user: configure ${p[0]}  write ${p[1]}  read ${p[2]}  topic write ${p[3]}  topic read ${p[4]}"
}

# ensure_user USER SECRET_NAME: the user exists, without tags, with the kept password.
ensure_user() {
  local user=$1 pass
  pass=$(password_for "$2")
  if ! user_exists "$user"; then
    log "adding user $user"
    printf '%s' "$pass" | ctl add_user "$user" >/dev/null
  elif ! printf '%s' "$pass" | ctl authenticate_user "$user" >/dev/null 2>&1; then
    log "setting the password of $user from $SECRETS/$2.amqp"
    printf '%s' "$pass" | ctl change_password "$user" >/dev/null
  fi
  ctl set_user_tags "$user" >/dev/null
}

setup() {
  require_broker
  mkdir -p "$SECRETS"; chmod 700 "$SECRETS"
  ctl list_vhosts name | grep -qxF "$VHOST" || { log "adding vhost $VHOST"; ctl add_vhost "$VHOST"; }
  local role
  for role in "${ROLES[@]}"; do
    ensure_user "$PREFIX$role" "$role"
    grant "$PREFIX$role" "$role"
  done
  for role in "${LEGACY_AGENT_ROLES[@]}"; do
    user_exists "$PREFIX$role" || continue
    grant "$PREFIX$role" legacy-agent
    log "warning: $PREFIX$role is an agent user of an earlier release, shared by every hypervisor that uses it: it may"
    log "  consume any agent's queue and publish into any queue through amq.default. Give each hypervisor a user of"
    log "  its own (install-hypervisor.sh; docs/deployment.md), then: $0 remove-legacy-agent-users"
  done
  dead_letter_limit "$VHOST"
  report_legacy_queues
  log "vhost $VHOST ready; passwords in $SECRETS/ROLE.amqp; URL: amqp://${PREFIX}ROLE:PASSWORD@HOST:5672/$VHOST"
  log "each hypervisor: $0 hypervisor HOST_ID AGENT_ID... (deploy/install-hypervisor.sh prints it)"
}

# hypervisor HOST_ID AGENT_ID...: the user of one hypervisor's agents.
hypervisor() {
  [ $# -ge 2 ] || die "usage: $0 hypervisor HOST_ID AGENT_ID... (the host id and its agents' ids, from install-hypervisor.sh)"
  local host ids=() id
  host=$(tr 'A-F' 'a-f' <<< "$1")
  [[ "$host" =~ ^$UUID$ ]] || die "the host id must be a UUID, not '$1'"
  shift
  for id in "$@"; do
    [[ "$(tr 'A-F' 'a-f' <<< "$id")" =~ ^$UUID$ ]] || die "an agent id must be a UUID, not '$id'"
    id=$(tr 'A-F' 'a-f' <<< "$id")
    [[ " ${ids[*]} " != *" $id "* ]] || die "agent id $id given twice"
    ids+=("$id")
  done
  require_broker
  ctl list_vhosts name | grep -qxF "$VHOST" || die "no vhost $VHOST; run '$0 setup' first"
  mkdir -p "$SECRETS"; chmod 700 "$SECRETS"
  local user=${PREFIX}hypervisor-$host
  ensure_user "$user" "hypervisor-$host"
  grant "$user" hypervisor "${ids[@]}"
  if ! ctl list_queues -p "$VHOST" name 2>/dev/null | grep -qxF conductor; then
    log "note: vhost $VHOST has no queue 'conductor' yet; the agents may use it but not create it, so they wait"
    log "  (not ready) until the conductor has started once"
  fi
  log "hypervisor $host: user $user for agents ${ids[*]}; password in $SECRETS/hypervisor-$host.amqp"
  log "copy that file to /etc/n0core/secrets/ on the hypervisor and run deploy/install-hypervisor.sh there again"
}

remove_hypervisor() {
  [ $# -eq 1 ] || die "usage: $0 remove-hypervisor HOST_ID"
  local host; host=$(tr 'A-F' 'a-f' <<< "$1")
  [[ "$host" =~ ^$UUID$ ]] || die "the host id must be a UUID, not '$1'"
  require_broker
  if user_exists "${PREFIX}hypervisor-$host"; then
    ctl delete_user "${PREFIX}hypervisor-$host" >/dev/null
    log "deleted user ${PREFIX}hypervisor-$host"
  fi
  rm -f "$SECRETS/hypervisor-$host.amqp"
}

remove_legacy_agent_users() {
  require_broker
  local role
  for role in "${LEGACY_AGENT_ROLES[@]}"; do
    user_exists "$PREFIX$role" || continue
    ctl delete_user "$PREFIX$role" >/dev/null
    rm -f "$SECRETS/$role.amqp"
    log "deleted user $PREFIX$role (hypervisors still using it can no longer connect)"
  done
}

# report_legacy_queues: queues made by a release before n0core.dead-letter keep their arguments
# (dead-lettering through the default exchange); the services use them as they are. Listed so an
# operator can convert them when convenient (docs/deployment.md).
report_legacy_queues() {
  local legacy
  legacy=$(ctl list_queues -p "$VHOST" name arguments --formatter json 2>/dev/null \
    | grep -F '["x-dead-letter-exchange","longstr",""]' | sed -n 's/.*"name":"\([^"]*\)".*/\1/p' | tr '\n' ' ' || true)
  [ -z "$legacy" ] && return 0
  log "note: queues of an earlier release dead-letter through the default exchange (still working, see"
  log "  docs/deployment.md to convert them): $legacy"
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
# Acts as each user through the management HTTP API, whose operations run as that user through
# an internal AMQP connection: the same permission checks (and user_id validation) a service's
# own connection gets. Two hypervisors, A and B, with three agents each.
HOST_A=aaaaaaaa-0000-4000-8000-00000000000a
HOST_B=bbbbbbbb-0000-4000-8000-00000000000b
AGENTS_A=(a0000001-0000-4000-8000-00000000000a a0000002-0000-4000-8000-00000000000a a0000003-0000-4000-8000-00000000000a)
AGENTS_B=(b0000001-0000-4000-8000-00000000000b b0000002-0000-4000-8000-00000000000b b0000003-0000-4000-8000-00000000000b)

self_test() {
  command -v curl >/dev/null || die "self-test needs curl"
  local mgmt=${N0CORE_RABBITMQ_MANAGEMENT_URL:-http://127.0.0.1:15672}
  mgmt=${mgmt%/}
  local scratch=n0core-permcheck scratch_prefix=n0core-permcheck-
  ctl list_vhosts name | grep -qxF "$scratch" && die "vhost $scratch exists already (a self-test running?); delete it first"
  local secrets; secrets=$(mktemp -d "${TMPDIR:-/tmp}/n0core-permcheck.XXXXXX")
  # shellcheck disable=SC2064
  trap "self_test_cleanup '$scratch' '$scratch_prefix' '$secrets'" EXIT
  local env=(N0CORE_RABBITMQ_VHOST=$scratch N0CORE_RABBITMQ_USER_PREFIX=$scratch_prefix N0CORE_SECRETS_DIR=$secrets)
  env "${env[@]}" bash "${BASH_SOURCE[0]}" setup
  env "${env[@]}" bash "${BASH_SOURCE[0]}" hypervisor "$HOST_A" "${AGENTS_A[@]}"
  env "${env[@]}" bash "${BASH_SOURCE[0]}" hypervisor "$HOST_B" "${AGENTS_B[@]}"
  declare -gA PASS=() USER=()
  local role
  for role in "${ROLES[@]}"; do USER[$role]=$scratch_prefix$role; PASS[$role]=$(head -n 1 "$secrets/$role.amqp"); done
  USER[hv-a]=${scratch_prefix}hypervisor-$HOST_A; PASS[hv-a]=$(head -n 1 "$secrets/hypervisor-$HOST_A.amqp")
  USER[hv-b]=${scratch_prefix}hypervisor-$HOST_B; PASS[hv-b]=$(head -n 1 "$secrets/hypervisor-$HOST_B.amqp")
  local everyone=("${ROLES[@]}" hv-a hv-b)
  for role in "${everyone[@]}"; do
    # Only to log into the HTTP API; tags do not change what AMQP operations are allowed.
    ctl set_user_tags "${USER[$role]}" management >/dev/null
  done
  MGMT=$mgmt; SCRATCH=$scratch; FAILURES=0; CHECKS=0
  local a1=${AGENTS_A[0]} a2=${AGENTS_A[1]} a3=${AGENTS_A[2]} b1=${AGENTS_B[0]}

  log "start-up declarations as each service makes them (the control services first)"
  for role in "${ROLES[@]}"; do
    expect ok "$role" "declare exchange n0core" declare_exchange "$role" n0core topic
    expect ok "$role" "declare exchange n0core.dead-letter" declare_exchange "$role" n0core.dead-letter direct
    expect ok "$role" "declare n0core.dead, bind it to n0core.dead-letter" declare_dead "$role"
  done
  expect ok api "declare+bind scheduler" declare_bound api scheduler
  expect ok scheduler "declare+bind scheduler" declare_bound scheduler scheduler
  expect ok conductor "declare+bind scheduler" declare_bound conductor scheduler
  expect ok conductor "declare+bind conductor" declare_bound conductor conductor
  for agent in "${AGENTS_A[@]}"; do expect ok hv-a "declare+bind its agent's queue $agent" declare_bound hv-a "$agent"; done
  expect ok hv-b "declare+bind its agent's queue $b1" declare_bound hv-b "$b1"
  # The agents' other declarations (the exchanges, n0core.dead, conductor) are refused below and
  # then only looked up; the real agents at the end show that this works.

  log "what each service sends and receives"
  expect routed api "publish Spec to scheduler" publish api scheduler
  expect routed scheduler "publish Request to an agent" publish scheduler "$a2"
  expect routed conductor "publish rescheduling Spec to scheduler" publish conductor scheduler
  expect routed hv-a "publish Notify/Heartbeat to conductor" publish hv-a conductor
  expect routed hv-a "publish Notify to its own agent" publish hv-a "$a1"
  expect routed hv-a "publish Notify to another hypervisor's agent" publish hv-a "$b1"
  expect routed hv-b "publish Notify to another hypervisor's agent" publish hv-b "$a1"
  expect ok scheduler "consume scheduler" get scheduler scheduler
  expect ok conductor "consume conductor" get conductor conductor
  for agent in "${AGENTS_A[@]}"; do expect ok hv-a "consume its agent's queue $agent" get hv-a "$agent"; done
  expect ok hv-b "consume its agent's queue" get hv-b "$b1"
  local reply=api.reply.cccccccc-0000-4000-8000-00000000000c
  log "consoles: the API's reply queue, a request to a compute agent, its reply"
  expect ok api "declare+bind its reply queue $reply" declare_reply api "$reply"
  expect routed api "publish ConsoleRequest to a compute agent" publish api "$a1"
  expect routed hv-a "publish ConsoleReply to an API's reply key" publish hv-a "$reply"
  expect routed hv-b "publish ConsoleReply to an API's reply key" publish hv-b "$reply"
  expect ok api "consume its reply queue" get api "$reply"
  for role in "${everyone[@]}"; do
    expect routed "$role" "dead-letter to n0core.dead (n0core.dead-letter)" publish_to "$role" n0core.dead-letter n0core.dead
    expect routed "$role" "publish with user_id = its own user" publish_as "$role" "$(own_key "$role")" "${USER[$role]}"
  done

  log "what each user must not do"
  for role in "${everyone[@]}"; do
    expect refused "$role" "publish to amq.default (into any queue by name)" publish_to "$role" amq.default conductor
    expect refused-user-id "$role" "forge user_id (publish as ${USER[$(other_hypervisor "$role")]})" \
      publish_as "$role" "$(own_key "$role")" "${USER[$(other_hypervisor "$role")]}"
    expect refused "$role" "declare another exchange" declare_exchange "$role" n0core.other topic
    expect refused "$role" "declare a queue named otherwise" declare_queue "$role" other.queue
  done
  expect refused api "publish to conductor" publish api conductor
  expect refused api "declare a reply queue not named api.reply.<uuid>" declare_reply api api.reply.other
  expect refused scheduler "declare a reply queue" declare_reply scheduler api.reply.dddddddd-0000-4000-8000-00000000000d
  expect refused conductor "declare a reply queue" declare_reply conductor api.reply.dddddddd-0000-4000-8000-00000000000d
  expect refused hv-a "consume an API's reply queue" get hv-a "$reply"
  expect refused hv-a "publish to a reply key not api.reply.<uuid>" publish hv-a api.reply.other
  expect refused hv-a "bind its queue to an API's reply key" bind hv-a n0core "$a1" "$reply"
  expect refused scheduler "consume an API's reply queue" get scheduler "$reply"
  expect refused scheduler "publish to scheduler" publish scheduler scheduler
  expect refused conductor "publish to an agent" publish conductor "$a1"
  expect refused api "declare conductor" declare_queue api conductor
  expect refused api "consume conductor" get api conductor
  expect refused scheduler "publish to conductor" publish scheduler conductor
  expect refused scheduler "consume conductor" get scheduler conductor
  expect refused scheduler "consume an agent's queue" get scheduler "$a1"
  expect refused conductor "publish to conductor" publish conductor conductor
  expect refused conductor "consume an agent's queue" get conductor "$a1"
  expect refused hv-a "consume another hypervisor's agent queue" get hv-a "$b1"
  expect refused hv-b "consume another hypervisor's agent queue" get hv-b "$a1"
  expect refused hv-a "declare a queue for an id not its own" declare_queue hv-a "$b1"
  expect refused hv-a "delete another hypervisor's agent queue" delete_queue hv-a "$b1"
  expect refused hv-a "bind its queue to another agent's key" bind hv-a n0core "$a1" "$b1"
  expect refused hv-a "bind its queue to key conductor" bind hv-a n0core "$a1" conductor
  expect refused hv-a "bind its queue to key #" bind hv-a n0core "$a1" '#'
  expect refused hv-a "bind its queue to n0core.dead-letter (read the dead letters)" bind hv-a n0core.dead-letter "$a1" n0core.dead
  expect refused hv-a "consume conductor" get hv-a conductor
  expect refused hv-a "consume n0core.dead" get hv-a n0core.dead
  expect refused hv-a "consume scheduler" get hv-a scheduler
  expect refused hv-a "publish to scheduler" publish hv-a scheduler
  expect refused hv-a "declare conductor" declare_queue hv-a conductor
  expect refused hv-a "delete conductor" delete_queue hv-a conductor
  expect refused hv-a "delete n0core.dead" delete_queue hv-a n0core.dead
  expect refused hv-a "declare exchange n0core" declare_exchange hv-a n0core topic
  expect refused hv-a "delete exchange n0core" delete_exchange hv-a n0core
  expect refused hv-a "declare exchange n0core.dead-letter" declare_exchange hv-a n0core.dead-letter direct

  log "wider than each role needs (residual; see docs/deployment.md)"
  expect ok api "consume scheduler (read needed to create it with a dead-letter exchange)" get api scheduler
  expect routed hv-a "publish anything into n0core.dead (write on n0core.dead-letter, to dead-letter)" \
    publish_to hv-a n0core.dead-letter n0core.dead
  expect routed hv-a "publish to another hypervisor's agent (its Notifies; a Request is the agent's to refuse)" publish hv-a "$b1"
  expect routed api "publish to any agent id (its ConsoleRequests; a Request is the agent's to refuse)" publish api "$b1"

  if [ -n "${N0CORE_PERMCHECK_BIN_DIR:-}" ]; then real_agent_check "$N0CORE_PERMCHECK_BIN_DIR"; fi

  if [ "$FAILURES" -ne 0 ]; then log "FAIL: $FAILURES of $CHECKS checks"; exit 1; fi
  log "PASS: all $CHECKS checks"
}

# With N0CORE_PERMCHECK_BIN_DIR (e.g. .build/debug): the real agents of hypervisor A, each as
# A's user with its example configuration and the agent id A's user was made for, must come up
# (their declarations, lookups, consumer and publisher accepted) and their heartbeats must reach
# the conductor's queue with A's user as user_id. They touch nothing on the host: state and
# volumes in a temporary directory, the compute agent on libvirt's test driver, and the porter
# makes networks only when asked.
real_agent_check() {
  local bin=$1 dir role port status address=${N0CORE_RABBITMQ_AMQP_ADDRESS:-127.0.0.1:5672} index=0
  local agent_roles=(compute-kvm volumer-file porter-vlan)
  local -A pid=() port_of=()
  dir=$(mktemp -d "${TMPDIR:-/tmp}/n0core-permcheck-agents.XXXXXX")
  http conductor DELETE "queues/$(vh)/conductor/contents" >/dev/null
  port=$((20000 + RANDOM % 10000))
  for role in "${agent_roles[@]}"; do
    local agent=${AGENTS_A[$index]}; index=$((index + 1))
    [ -x "$bin/n0core-$role" ] || { log "  FAIL no executable $bin/n0core-$role"; FAILURES=$((FAILURES + 1)); continue; }
    port=$((port + 1)); port_of[$role]=$port
    log "the real n0core-$role as ${USER[hv-a]}, agent $agent (health on 127.0.0.1:$port)"
    env N0CORE_AMQP_URL="amqp://${USER[hv-a]}:${PASS[hv-a]}@$address/$SCRATCH" \
      N0CORE_AGENT_ID="$agent" N0CORE_HOST_ID="$HOST_A" \
      N0CORE_AGENT_STATE_DIR="$dir/$role" N0CORE_VOLUMER_DATA_DIR="$dir/volumes" \
      N0CORE_COMPUTE_LIBVIRT_URI=test:///default N0CORE_HEALTH_LISTEN="127.0.0.1:$port" \
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
  console_check "${AGENTS_A[0]}"
  for role in "${!pid[@]}"; do
    CHECKS=$((CHECKS + 4))
    if [ -n "${is_ready[$role]:-}" ]; then log "  ok   $role: real agent ready (declared, consuming, publishing)"
    else log "  FAIL $role: real agent not ready; its log:"; sed 's/^/      /' "$dir/$role.log" >&2; FAILURES=$((FAILURES + 1)); fi
    if [[ "$heartbeats" == *"agent/${role/-//}"* ]]; then log "  ok   $role: its heartbeat is in the conductor's queue"
    else log "  FAIL $role: no heartbeat in the conductor's queue"; FAILURES=$((FAILURES + 1)); fi
    if heartbeat_user "$heartbeats" "agent/${role/-//}" "${USER[hv-a]}"; then
      log "  ok   $role: its heartbeat carries user_id ${USER[hv-a]}"
    else log "  FAIL $role: its heartbeat does not carry user_id ${USER[hv-a]}"; FAILURES=$((FAILURES + 1)); fi
    kill -TERM "${pid[$role]}" 2>/dev/null || true
    status=0; wait "${pid[$role]}" 2>/dev/null || status=$?
    if grep -qi "access_refused\|access refused" "$dir/$role.log"; then
      log "  FAIL $role: access refused in its log"; sed 's/^/      /' "$dir/$role.log" >&2; FAILURES=$((FAILURES + 1))
    else log "  ok   $role: no access refused in its log (exit status $status after SIGTERM)"; fi
  done
  rm -rf "$dir"
}

# console_check AGENT: as the API's user, a ConsoleRequest to the real compute agent AGENT (for a
# VM it never ran) naming the reply queue the checks above made; its ConsoleReply (no_log) must
# arrive there with A's user as user_id.
console_check() {
  local agent=$1 reply=api.reply.cccccccc-0000-4000-8000-00000000000c request_id replies="" _
  request_id=$(cat /proc/sys/kernel/random/uuid)
  CHECKS=$((CHECKS + 1))
  http api POST "exchanges/$(vh)/n0core/publish" "{\"properties\":{\"type\":\"ConsoleRequest\",\"delivery_mode\":2},\"routing_key\":\"$agent\",\"payload_encoding\":\"string\",\"payload\":\"{\\\"request_id\\\":\\\"$request_id\\\",\\\"vm_id\\\":\\\"$request_id\\\",\\\"reply_to\\\":\\\"$reply\\\",\\\"expires_at\\\":\\\"2099-01-01T00:00:00Z\\\",\\\"lines\\\":10,\\\"max_bytes\\\":1024}\"}" >/dev/null
  for _ in $(seq 1 50); do
    replies=$(http api POST "queues/$(vh)/$reply/get" '{"count":20,"ackmode":"ack_requeue_true","encoding":"auto"}')
    [[ "$replies" == *"$request_id"* ]] && break
    sleep 0.2
  done
  if [[ "$replies" == *"$request_id"* && "$replies" == *no_log* ]] && heartbeat_user "$replies" "$request_id" "${USER[hv-a]}"; then
    log "  ok   compute-kvm: answers a ConsoleRequest on the API's reply key, as ${USER[hv-a]}"
  else
    log "  FAIL compute-kvm: no ConsoleReply from ${USER[hv-a]} on $reply: $(head -c 300 <<< "$replies")"; FAILURES=$((FAILURES + 1))
  fi
}

# heartbeat_user MESSAGES TYPE USER: whether the message of TYPE among MESSAGES (what the
# management API's get answers, one JSON object per message) has user_id USER.
heartbeat_user() {
  local message
  while IFS= read -r message; do
    [[ "$message" == *"$2"* && "$message" == *"\"user_id\":\"$3\""* ]] && return 0
  done < <(sed 's/},{"payload_bytes"/}\n{"payload_bytes"/g' <<< "$1")
  return 1
}

self_test_cleanup() {
  local scratch=$1 prefix=$2 secrets=$3 role
  ctl delete_vhost "$scratch" >/dev/null 2>&1 || true
  for role in "${ROLES[@]}" "hypervisor-$HOST_A" "hypervisor-$HOST_B"; do
    ctl delete_user "$prefix$role" >/dev/null 2>&1 || true
  done
  rm -rf "$secrets"
  log "removed vhost $scratch, users ${prefix}*"
}

# http ROLE METHOD PATH [JSON]: prints "HTTP_STATUS BODY".
http() {
  local role=$1 method=$2 path=$3 body=${4:-}
  local args=(-s -o /dev/stdout -w '\n%{http_code}' -u "${USER[$role]}:${PASS[$role]}" -X "$method"
              -H 'content-type: application/json' "$MGMT/api/$path")
  [ -z "$body" ] || args+=(-d "$body")
  local out; out=$(curl "${args[@]}")
  printf '%s %s\n' "${out##*$'\n'}" "${out%$'\n'*}"
}
vh() { printf '%s' "${SCRATCH//\//%2F}"; }
queue_args='{"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"quorum","x-dead-letter-exchange":"n0core.dead-letter","x-dead-letter-routing-key":"n0core.dead","x-delivery-limit":20}}'
declare_exchange() { http "$1" PUT "exchanges/$(vh)/$2" "{\"type\":\"$3\",\"durable\":true,\"auto_delete\":false,\"internal\":false,\"arguments\":{}}"; }
delete_exchange() { http "$1" DELETE "exchanges/$(vh)/$2"; }
declare_queue() { http "$1" PUT "queues/$(vh)/$2" "$queue_args"; }
delete_queue() { http "$1" DELETE "queues/$(vh)/$2"; }
# declare_reply ROLE NAME: a reply queue as the API makes one, bound with its name. Exclusive
# there (deleted with the API's connection); not here, where the management API's connection
# ends with the call. The permissions checked are the same.
declare_reply() {
  local r; r=$(http "$1" PUT "queues/$(vh)/$2" '{"durable":false,"auto_delete":false,"arguments":{}}')
  case "${r%% *}" in 2*) bind "$1" n0core "$2" "$2" ;; *) echo "$r" ;; esac
}
declare_dead() {
  local r; r=$(http "$1" PUT "queues/$(vh)/n0core.dead" '{"durable":true,"auto_delete":false,"arguments":{"x-queue-type":"quorum"}}')
  case "${r%% *}" in 2*) bind "$1" n0core.dead-letter n0core.dead n0core.dead ;; *) echo "$r" ;; esac
}
bind() { http "$1" POST "bindings/$(vh)/e/$2/q/$3" "{\"routing_key\":\"$4\",\"arguments\":{}}"; }
declare_bound() {
  local r; r=$(declare_queue "$1" "$2")
  case "${r%% *}" in 2*) bind "$1" n0core "$2" "$2" ;; *) echo "$r" ;; esac
}
publish_to() { http "$1" POST "exchanges/$(vh)/$2/publish" "{\"properties\":{\"delivery_mode\":2},\"routing_key\":\"$3\",\"payload\":\"permcheck\",\"payload_encoding\":\"string\"}"; }
publish() { publish_to "$1" n0core "$2"; }
publish_as() { http "$1" POST "exchanges/$(vh)/n0core/publish" "{\"properties\":{\"delivery_mode\":2,\"user_id\":\"$3\"},\"routing_key\":\"$2\",\"payload\":\"permcheck\",\"payload_encoding\":\"string\"}"; }
get() { http "$1" POST "queues/$(vh)/$2/get" '{"count":1,"ackmode":"ack_requeue_true","encoding":"auto"}'; }

# own_key ROLE: a routing key ROLE may publish on n0core; other_hypervisor ROLE: a hypervisor
# that is not ROLE, whose user ROLE tries to pass for.
own_key() { case "$1" in api|conductor) echo scheduler ;; scheduler) echo "${AGENTS_A[1]}" ;; *) echo conductor ;; esac; }
other_hypervisor() { if [ "$1" = hv-b ]; then echo hv-a; else echo hv-b; fi; }

# expect ok|routed|refused|refused-user-id ROLE DESCRIPTION COMMAND...
expect() {
  local want=$1 role=$2 what=$3; shift 3
  local result status body got
  result=$("$@"); status=${result%% *}; body=${result#* }
  # A refused topic comes back as 400 with the channel's "403 ACCESS_REFUSED" as the reason; a
  # forged user_id as 400 with "406 PRECONDITION_FAILED - user_id property set to …".
  [[ "$body" != *ACCESS_REFUSED* ]] || status=403
  case "$status" in
    2*) if [[ "$body" == *'"routed":false'* ]]; then got=unrouted
        elif [[ "$body" == *'"routed":true'* ]]; then got=routed
        else got=ok; fi ;;
    401|403) got=refused ;;
    *) got="HTTP $status" ;;
  esac
  [[ "$body" != *"PRECONDITION_FAILED - user_id property set to"* ]] || got=refused-user-id
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
  hypervisor) shift; hypervisor "$@" ;;
  remove-hypervisor) shift; remove_hypervisor "$@" ;;
  remove-legacy-agent-users) remove_legacy_agent_users ;;
  dead-letter-limit) dead_letter_limit "${2:-$VHOST}" ;;
  self-test) self_test ;;
  *) die "usage: $0 [setup|hypervisor HOST_ID AGENT_ID...|remove-hypervisor HOST_ID|remove-legacy-agent-users|dead-letter-limit [VHOST]|self-test]" ;;
esac
