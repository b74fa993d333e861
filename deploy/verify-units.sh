#!/usr/bin/env bash
# Checks every systemd unit in deploy/systemd/ with `systemd-analyze verify`, and that each
# follows the layout the install scripts and docs/deployment.md promise.
#
#   deploy/verify-units.sh          exit 0 when every unit passes, 1 otherwise
#
# No running systemd is needed: only the systemd-analyze tool. If it is missing, the `systemd`
# package is installed for it (apt-get, as root); on a machine without systemd as PID 1 this
# installs files only and starts nothing.
#
# How the check stays honest without installing anything: `systemd-analyze verify --root=DIR`
# loads the units exactly as a host whose file system is DIR would. DIR gets
#   - the unit files from deploy/systemd/, unmodified, in /etc/systemd/system;
#   - this machine's distribution units (/lib/systemd/system), so sysinit.target,
#     network-online.target, postgresql.service … resolve as they do on a Debian host;
#   - a stand-in executable at each ExecStart path (/usr/local/bin/n0core-ROLE): verify checks
#     that the command exists and is executable, and the real binaries are only put there by
#     install-control-node.sh / install-hypervisor.sh.
# Any line systemd-analyze prints about one of our units (unknown key, bad value, missing
# command, ordering cycle) fails the check, not only what it counts as an error.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UNITS=$HERE/systemd
ROLES=(api scheduler conductor compute-kvm volumer-file porter-vlan)

log() { printf '[verify-units] %s\n' "$*" >&2; }
die() { printf '[verify-units] error: %s\n' "$*" >&2; exit 1; }

if ! command -v systemd-analyze >/dev/null; then
  [ "$(id -u)" = 0 ] || die "systemd-analyze is missing; install the systemd package (as root)"
  log "installing the systemd package for systemd-analyze"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null; }
fi
DIST_UNITS=/lib/systemd/system
[ -f "$DIST_UNITS/sysinit.target" ] || DIST_UNITS=/usr/lib/systemd/system
[ -f "$DIST_UNITS/sysinit.target" ] || die "no distribution units in /lib/systemd/system"

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/n0core-verify-units.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/usr/lib/systemd" "$ROOT/etc/systemd/system" "$ROOT/usr/local/bin"
cp -a "$DIST_UNITS" "$ROOT/usr/lib/systemd/system"

failed=0
problem() { log "FAIL $1: $2"; failed=1; }

shopt -s nullglob
units=("$UNITS"/*.service)
[ ${#units[@]} -gt 0 ] || die "no unit files in $UNITS"
for unit in "${units[@]}"; do
  name=$(basename "$unit")
  role=${name#n0core-}; role=${role%.service}
  [[ " ${ROLES[*]} " == *" $role "* ]] || problem "$name" "not one of the roles: ${ROLES[*]}"
done
for role in "${ROLES[@]}"; do
  unit=$UNITS/n0core-$role.service
  [ -f "$unit" ] || { problem "n0core-$role.service" "missing"; continue; }
  # The layout docs/deployment.md and the install scripts rely on.
  grep -qxF "ExecStart=/usr/local/bin/n0core-$role --config /etc/n0core/$role.yaml" "$unit" \
    || problem "n0core-$role.service" "ExecStart is not '/usr/local/bin/n0core-$role --config /etc/n0core/$role.yaml'"
  grep -qxF "EnvironmentFile=-/etc/n0core/$role.env" "$unit" \
    || problem "n0core-$role.service" "no 'EnvironmentFile=-/etc/n0core/$role.env'"
  grep -qxF "Restart=on-failure" "$unit" || problem "n0core-$role.service" "no 'Restart=on-failure'"
  grep -qE '^CapabilityBoundingSet=' "$unit" || problem "n0core-$role.service" "no CapabilityBoundingSet="
  [ -f "$HERE/config/$role.yaml" ] || problem "n0core-$role.service" "no example config deploy/config/$role.yaml"
  [ -f "$HERE/config/$role.env.example" ] || problem "n0core-$role.service" "no example deploy/config/$role.env.example"

  cp "$unit" "$ROOT/etc/systemd/system/"
  printf '#!/bin/sh\n# stand-in for the real n0core-%s (see verify-units.sh)\nexit 0\n' "$role" > "$ROOT/usr/local/bin/n0core-$role"
  chmod 755 "$ROOT/usr/local/bin/n0core-$role"
done

for role in "${ROLES[@]}"; do
  name=n0core-$role.service
  [ -f "$ROOT/etc/systemd/system/$name" ] || continue
  status=0
  output=$(systemd-analyze verify --root="$ROOT" "$name" 2>&1) || status=$?
  # Lines about other units (distribution units pulled in as dependencies) are not ours to fix.
  ours=$(grep -E "n0core-" <<< "$output" || true)
  if [ "$status" -ne 0 ] || [ -n "$ours" ]; then
    problem "$name" "systemd-analyze verify (exit $status):"
    printf '%s\n' "${ours:-$output}" | sed 's/^/    /' >&2
  else
    log "ok   $name"
  fi
done

# For information: systemd's own rating of each unit's sandboxing (0 = most confined, 10 = none).
for role in "${ROLES[@]}"; do
  exposure=$(systemd-analyze security --offline=true --root="$ROOT" "n0core-$role.service" 2>/dev/null \
             | sed -n 's/.*Overall exposure level for [^:]*: //p' || true)
  [ -z "$exposure" ] || log "exposure n0core-$role.service: $exposure"
done

if [ "$failed" -ne 0 ]; then log "some units failed"; exit 1; fi
log "all ${#ROLES[@]} units pass systemd-analyze verify ($(systemd-analyze --version | head -n 1))"
