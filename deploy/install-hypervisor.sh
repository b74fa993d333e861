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
# Before running it, copy the agents' RabbitMQ passwords from the control node
# (/etc/n0core/secrets/{compute-kvm,volumer-file,porter-vlan}.amqp, made by
# deploy/rabbitmq-setup.sh) to /etc/n0core/secrets/ here, and set N0CORE_RABBITMQ_HOST to the
# address the agents reach RabbitMQ on (default 127.0.0.1: control node and hypervisor in one).
#
# Steps, each skipped when already done (run it again after a new build to upgrade):
#   1. packages libvirt-daemon-system, qemu-system-x86, qemu-utils, dnsmasq-base, iproute2;
#   2. the bridge and 802.1Q modules loaded at boot (/etc/modules-load.d/n0core.conf);
#   3. /usr/local/bin/n0core-{compute-kvm,volumer-file,porter-vlan}, their units, and
#      /etc/n0core/ROLE.yaml from deploy/config (never overwritten);
#   4. /etc/n0core/ROLE.env (0600) with N0CORE_AMQP_URL, once the password file is there
#      (never overwritten);
#   5. systemctl daemon-reload and enable --now, when systemd runs; otherwise the commands.
set -euo pipefail
SCRIPT=install-hypervisor
# shellcheck source=deploy/systemd/install-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/systemd/install-common.sh"

ROLES=(compute-kvm volumer-file porter-vlan)
RABBITMQ_HOST=${N0CORE_RABBITMQ_HOST:-127.0.0.1}

parse_arguments "$@"
install_packages libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils dnsmasq-base \
  iproute2 librabbitmq4 libvirt0 ca-certificates
ensure_directories
for role in "${ROLES[@]}"; do install_role "$role"; done

modules=$ROOT/etc/modules-load.d/n0core.conf
if [ ! -e "$modules" ]; then
  mkdir -p "$(dirname "$modules")"
  printf '# n0core-porter-vlan: Linux bridges and 802.1Q VLAN links on the uplink\nbridge\n8021q\n' > "$modules"
  log "wrote /etc/modules-load.d/n0core.conf (bridge, 8021q)"
fi

for role in "${ROLES[@]}"; do
  password_file=$ROOT/etc/n0core/secrets/$role.amqp
  if [ -s "$password_file" ]; then
    chmod 600 "$password_file"
    write_env "$role" "N0CORE_AMQP_URL=amqp://n0core-$role:$(head -n 1 "$password_file")@$RABBITMQ_HOST:5672/n0core"
  elif [ ! -e "$ROOT/etc/n0core/$role.env" ]; then
    log "no /etc/n0core/secrets/$role.amqp: copy it from the control node (or write /etc/n0core/$role.env yourself)"
  fi
done

if ! staging && [ ! -e /dev/kvm ]; then
  log "note: no /dev/kvm here; guests need 'compute: {virt_type: qemu}' in /etc/n0core/compute-kvm.yaml (TCG)"
fi

start_roles "${ROLES[@]}"
