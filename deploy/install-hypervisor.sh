#!/usr/bin/env bash
# Installs an n0core hypervisor on a Debian 12 host with systemd: libvirt/QEMU, qemu-img,
# dnsmasq and iproute2 from Debian, and the three agents (n0core-compute-kvm,
# n0core-volumer-file, n0core-porter-vlan) as systemd services.
#
#   deploy/install-hypervisor.sh [--root DIR] [BUILD_DIR]
#
#   BUILD_DIR   the executables (default .build/release; build them with
#               `swift build -c release --static-swift-stdlib`)
#   --root DIR  stage the files under DIR only (no packages, services)
#
# The hypervisor's agents share one RabbitMQ user of their own, n0core-hypervisor-HOST_ID, which
# may consume only their queues (named by their agent ids). So the ids are fixed here, before
# the agents first start, and the control node makes the user for them:
#   1. run this script: it prints `rabbitmq-setup.sh hypervisor HOST_ID AGENT_ID...`;
#   2. run that on the control node (where RabbitMQ runs); it writes the password to
#      /etc/n0core/secrets/hypervisor-HOST_ID.amqp there;
#   3. copy that file to /etc/n0core/secrets/ here and run this script again.
# Where RabbitMQ runs on this very host (control node and hypervisor in one), step 2 is done
# here at once. Set N0CORE_RABBITMQ_HOST to the address the agents reach RabbitMQ on (default
# 127.0.0.1).
#
# Identity (/etc/n0core/hypervisor.ids, written once): the host id is N0CORE_HOST_ID if set,
# else the one the agents already keep in /var/lib/n0core/ROLE/host-id (an upgrade), else
# /etc/machine-id as a UUID; each agent id is the one its agent keeps in
# /var/lib/n0core/ROLE/agent-id, else a new one. Both go into ROLE.env (N0CORE_HOST_ID,
# N0CORE_AGENT_ID), so they outlive the state directories and override the YAML files.
#
# Steps, each skipped when already done (run it again after a new build to upgrade):
#   1. packages libvirt-daemon-system, qemu-system-x86, qemu-utils, dnsmasq-base, iproute2,
#      genisoimage (the VMs' cloud-init seeds);
#   2. the bridge, 802.1Q and VXLAN modules loaded at boot (/etc/modules-load.d/n0core.conf);
#   3. /usr/local/bin/n0core-{compute-kvm,volumer-file,porter-vlan}, their units, and
#      /etc/n0core/ROLE.yaml from deploy/config (never overwritten);
#   4. the identity above, and the RabbitMQ user when RabbitMQ runs here;
#   5. /etc/n0core/ROLE.env (0600) with N0CORE_AMQP_URL, N0CORE_HOST_ID and N0CORE_AGENT_ID, once
#      the password file is there (never overwritten; one still naming the shared per-kind agent
#      user of an earlier release gets the host's user instead);
#   6. systemctl daemon-reload and enable --now, when systemd runs; otherwise the commands.
set -euo pipefail
SCRIPT=install-hypervisor
# shellcheck source=deploy/systemd/install-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/systemd/install-common.sh"

ROLES=(compute-kvm volumer-file porter-vlan)
RABBITMQ_HOST=${N0CORE_RABBITMQ_HOST:-127.0.0.1}

parse_arguments "$@"
install_packages libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils dnsmasq-base genisoimage \
  iproute2 librabbitmq4 libvirt0 ca-certificates
ensure_directories
for role in "${ROLES[@]}"; do install_role "$role"; done

modules=$ROOT/etc/modules-load.d/n0core.conf
if [ ! -e "$modules" ]; then
  mkdir -p "$(dirname "$modules")"
  printf '# n0core-porter-vlan: Linux bridges, 802.1Q VLAN links on the uplink, VXLAN overlays\nbridge\n8021q\nvxlan\n' > "$modules"
  log "wrote /etc/modules-load.d/n0core.conf (bridge, 8021q, vxlan)"
fi

# The volumer's image cache (docs/images.md): the one part of the images directory it writes.
cache=$ROOT/var/lib/n0core/images/.cache
if [ ! -d "$cache" ]; then
  mkdir -p "$cache" && chmod 0711 "$cache"
  log "made /var/lib/n0core/images/.cache (images the volumer downloads)"
fi

# --- identity and RabbitMQ user ------------------------------------------------------------
UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
IDS_FILE=$ROOT/etc/n0core/hypervisor.ids
kept_id() { # kept_id FILE: the UUID in FILE (lowercase), or nothing
  [ -s "$1" ] || return 0
  local id; id=$(head -n 1 "$1" | tr -d '[:space:]' | tr 'A-F' 'a-f')
  [[ "$id" =~ $UUID_RE ]] || die "$1 holds '$id', not a UUID"
  echo "$id"
}
machine_uuid() { # /etc/machine-id (32 hex digits) as a UUID, as the agents read it
  local hex; hex=$(tr -d '[:space:]' < "${N0CORE_MACHINE_ID_FILE:-/etc/machine-id}" 2>/dev/null | tr 'A-F' 'a-f') || return 0
  [[ "$hex" =~ ^[0-9a-f]{32}$ ]] || return 0
  echo "${hex:0:8}-${hex:8:4}-${hex:12:4}-${hex:16:4}-${hex:20:12}"
}
new_uuid() { tr 'A-F' 'a-f' < /proc/sys/kernel/random/uuid; }

declare -A AGENT_ID=()
if [ -s "$IDS_FILE" ]; then
  HOST_ID=$(sed -n 's/^host_id=//p' "$IDS_FILE")
  for role in "${ROLES[@]}"; do AGENT_ID[$role]=$(sed -n "s/^agent_id_${role//-/_}=//p" "$IDS_FILE"); done
else
  HOST_ID=""
  for role in "${ROLES[@]}"; do
    kept=$(kept_id "$ROOT/var/lib/n0core/$role/host-id")
    [ -z "$kept" ] || [ -z "$HOST_ID" ] || [ "$kept" = "$HOST_ID" ] \
      || die "the agents keep different host ids ($HOST_ID, $kept in /var/lib/n0core/$role/host-id); make them agree first"
    HOST_ID=${HOST_ID:-$kept}
    AGENT_ID[$role]=$(kept_id "$ROOT/var/lib/n0core/$role/agent-id")
    AGENT_ID[$role]=${AGENT_ID[$role]:-$(new_uuid)}
  done
  if [ -n "${N0CORE_HOST_ID:-}" ]; then
    [ -z "$HOST_ID" ] || [ "$HOST_ID" = "$N0CORE_HOST_ID" ] \
      || die "N0CORE_HOST_ID=$N0CORE_HOST_ID, but the agents here already keep host id $HOST_ID"
    HOST_ID=$N0CORE_HOST_ID
  fi
  HOST_ID=$(tr 'A-F' 'a-f' <<< "${HOST_ID:-$(machine_uuid)}")
  HOST_ID=${HOST_ID:-$(new_uuid)}
  (
    umask 027
    {
      echo "# n0core hypervisor identity (deploy/install-hypervisor.sh, written once): the host id and"
      echo "# the agents' ids, which name their queues; the RabbitMQ user of this host may use only these."
      echo "host_id=$HOST_ID"
      for role in "${ROLES[@]}"; do echo "agent_id_${role//-/_}=${AGENT_ID[$role]}"; done
    } > "$IDS_FILE"
  )
  log "wrote /etc/n0core/hypervisor.ids (host $HOST_ID)"
fi
[[ "$HOST_ID" =~ $UUID_RE ]] || die "/etc/n0core/hypervisor.ids: host_id '$HOST_ID' is not a UUID"
for role in "${ROLES[@]}"; do
  [[ "${AGENT_ID[$role]}" =~ $UUID_RE ]] || die "/etc/n0core/hypervisor.ids: the id of $role ('${AGENT_ID[$role]}') is not a UUID"
done

USER_NAME=n0core-hypervisor-$HOST_ID
password_file=$ROOT/etc/n0core/secrets/hypervisor-$HOST_ID.amqp
register=(deploy/rabbitmq-setup.sh hypervisor "$HOST_ID" "${AGENT_ID[@]}")
if ! staging && [ ! -s "$password_file" ] && command -v rabbitmqctl >/dev/null && rabbitmqctl -q status >/dev/null 2>&1; then
  log "RabbitMQ runs here: making this host's user"
  N0CORE_SECRETS_DIR=/etc/n0core/secrets bash "$DEPLOY/rabbitmq-setup.sh" hypervisor "$HOST_ID" "${AGENT_ID[@]}"
fi

amqp_url() { echo "N0CORE_AMQP_URL=amqp://$USER_NAME:$(head -n 1 "$password_file")@$RABBITMQ_HOST:5672/n0core"; }
for role in "${ROLES[@]}"; do
  env_file=$ROOT/etc/n0core/$role.env
  if [ ! -s "$password_file" ]; then
    continue
  elif [ ! -e "$env_file" ]; then
    chmod 600 "$password_file"
    write_env "$role" "$(amqp_url)" "N0CORE_HOST_ID=$HOST_ID" "N0CORE_AGENT_ID=${AGENT_ID[$role]}"
  elif grep -q "^N0CORE_AMQP_URL=amqp://n0core-$role:" "$env_file"; then
    # An earlier release's shared per-kind user: this host's own user replaces it (the broker's
    # address and vhost stay as they were).
    old_url=$(grep -m 1 '^N0CORE_AMQP_URL=' "$env_file")
    (
      umask 077
      { grep -v '^N0CORE_AMQP_URL=' "$env_file"
        echo "N0CORE_AMQP_URL=amqp://$USER_NAME:$(head -n 1 "$password_file")@${old_url#*@}"
        grep -q '^N0CORE_HOST_ID=' "$env_file" || echo "N0CORE_HOST_ID=$HOST_ID"
        grep -q '^N0CORE_AGENT_ID=' "$env_file" || echo "N0CORE_AGENT_ID=${AGENT_ID[$role]}"
      } > "$env_file.n0core-new"
    )
    mv -f "$env_file.n0core-new" "$env_file"
    CHANGED_ROLES+=("$role")
    log "/etc/n0core/$role.env: RabbitMQ user n0core-$role (shared by every hypervisor) replaced by $USER_NAME"
  fi
done
if [ ! -s "$password_file" ]; then
  log "this hypervisor's agents need their RabbitMQ user. On the control node run:"
  log "  sudo ${register[*]}"
  log "then copy /etc/n0core/secrets/hypervisor-$HOST_ID.amqp from there to /etc/n0core/secrets/ here and run this again"
fi

if ! staging && [ ! -e /dev/kvm ]; then
  log "note: no /dev/kvm here; guests need 'compute: {virt_type: qemu}' in /etc/n0core/compute-kvm.yaml (TCG)"
fi

start_roles "${ROLES[@]}"
