# Shared by deploy/install-control-node.sh and deploy/install-hypervisor.sh (sourced, not run):
# putting n0core roles on a host with systemd. Every step is idempotent and never overwrites
# what an operator may have edited (configuration and secrets); units and binaries are ours
# and are replaced when they changed (local changes to units belong in drop-ins,
# `systemctl edit n0core-ROLE`).
#
# Options both scripts take:
#   BUILD_DIR    where the executables are (default .build/release of this checkout; build with
#                `swift build -c release --static-swift-stdlib` so hosts need no Swift runtime)
#   --root DIR   stage every file under DIR instead of /, and skip what needs the real host
#                (packages, users, RabbitMQ, PostgreSQL, systemctl); for inspection and packaging
# shellcheck shell=bash

DEPLOY=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=""
BUILD_DIR=$DEPLOY/../.build/release
CHANGED_ROLES=()

log() { printf '[%s] %s\n' "$SCRIPT" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$SCRIPT" "$*" >&2; exit 1; }

parse_arguments() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
      -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
      -*) die "unknown option $1" ;;
      *) BUILD_DIR=$1; shift ;;
    esac
  done
  [ -d "$BUILD_DIR" ] || die "no build directory $BUILD_DIR; run 'swift build -c release --static-swift-stdlib' first or pass the directory"
  BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
  [ -n "$ROOT" ] || [ "$(id -u)" = 0 ] || die "run as root (or stage with --root DIR)"
}

staging() { [ -n "$ROOT" ]; }
systemd_running() { ! staging && [ -d /run/systemd/system ]; }

install_packages() {
  staging && { log "staging: not installing packages: $*"; return; }
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  log "installing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The system user the control roles run as (the agents run as root, see their units).
ensure_service_user() {
  staging && return 0
  getent group n0core >/dev/null || groupadd --system n0core
  getent passwd n0core >/dev/null \
    || useradd --system --gid n0core --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin n0core
}

# owner GROUP: install(1) options making a file root's with GROUP; none when staging as a user.
owner() {
  if [ "$(id -u)" != 0 ]; then return; fi
  if [ "$1" = n0core ] && { staging || ! getent group n0core >/dev/null; }; then echo "-o root -g root"
  else echo "-o root -g $1"; fi
}

ensure_directories() {
  # shellcheck disable=SC2046
  install -d -m 0750 $(owner n0core) "$ROOT/etc/n0core"
  # shellcheck disable=SC2046
  install -d -m 0700 $(owner root) "$ROOT/etc/n0core/secrets"
  install -d -m 0755 "$ROOT/usr/local/bin" "$ROOT/etc/systemd/system"
}

# install_if_changed SOURCE TARGET MODE: copies only when the content differs; true if it did.
install_if_changed() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then return 1; fi
  # shellcheck disable=SC2046
  install -m "$3" $(owner root) "$1" "$2.n0core-new"
  mv -f "$2.n0core-new" "$2"
}

# require_executable BINARY: dies unless BINARY was built and this host has the libraries it links.
require_executable() {
  local binary=$1
  [ -x "$binary" ] || die "no executable $binary; build first: swift build -c release --static-swift-stdlib"
  if ! staging && ldd "$binary" 2>/dev/null | grep -q "not found"; then
    die "$binary needs libraries this host lacks: $(ldd "$binary" | awk '/not found/ {print $1}' | tr '\n' ' ')(build with --static-swift-stdlib; install the Debian libraries)"
  fi
}

install_role() { # install_role ROLE: binary, unit, example configuration
  local role=$1 binary=$BUILD_DIR/n0core-$1 changed=""
  require_executable "$binary"
  if install_if_changed "$binary" "$ROOT/usr/local/bin/n0core-$role" 0755; then
    log "installed /usr/local/bin/n0core-$role"; changed=yes
  fi
  if install_if_changed "$DEPLOY/systemd/n0core-$role.service" "$ROOT/etc/systemd/system/n0core-$role.service" 0644; then
    log "installed /etc/systemd/system/n0core-$role.service"; changed=yes
  fi
  local config=$ROOT/etc/n0core/$role.yaml
  if [ ! -e "$config" ]; then
    # shellcheck disable=SC2046
    install -m 0640 $(owner n0core) "$DEPLOY/config/$role.yaml" "$config"
    log "wrote /etc/n0core/$role.yaml (example settings; edit as needed)"
  fi
  [ -z "$changed" ] || CHANGED_ROLES+=("$role")
}

# install_client: the command-line client /usr/local/bin/n0core (docs/cli.md), beside the
# services' binaries; it reads N0CORE_API_URL and N0CORE_API_TOKEN or ~/.config/n0core/cli.yaml.
install_client() {
  local binary=$BUILD_DIR/n0core
  require_executable "$binary"
  if install_if_changed "$binary" "$ROOT/usr/local/bin/n0core" 0755; then
    log "installed /usr/local/bin/n0core (the command-line client)"
  fi
}

# install_ui: the web view's files (the repository's ui/) in /usr/local/share/n0core/ui, where
# the API serves them at /ui/ (api.ui_directory). Replaced with every run, so an upgrade brings
# the page that goes with its API; the API reads them at each request, so nothing restarts.
install_ui() {
  local file
  install -d -m 0755 "$ROOT/usr/local/share/n0core/ui"
  for file in "$DEPLOY/../ui/"*; do
    if install_if_changed "$file" "$ROOT/usr/local/share/n0core/ui/${file##*/}" 0644; then
      log "installed /usr/local/share/n0core/ui/${file##*/}"
    fi
  done
}

# write_env ROLE LINE...: writes /etc/n0core/ROLE.env (0600) once, from the given VAR=value
# lines under the example's explanation; an existing file is left alone.
write_env() {
  local role=$1; shift
  local file=$ROOT/etc/n0core/$role.env
  [ -e "$file" ] && return 0
  (
    umask 077
    { sed -n '/^#/p; /^$/q' "$DEPLOY/config/$role.env.example"; printf '%s\n' "$@"; } > "$file.n0core-new"
  )
  chmod 600 "$file.n0core-new"
  mv -f "$file.n0core-new" "$file"
  log "wrote /etc/n0core/$role.env (secrets, mode 0600)"
}

# secret NAME: a random secret kept in /etc/n0core/secrets/NAME, generated once.
secret() {
  local file=$ROOT/etc/n0core/secrets/$1
  if [ ! -s "$file" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$file"; echo >> "$file")
  fi
  head -n 1 "$file"
}

# start_roles ROLE...: enables and starts the units whose secrets are in place; restarts those
# whose binary or unit changed.
start_roles() {
  local units=() role
  for role in "$@"; do
    if [ -e "$ROOT/etc/n0core/$role.env" ]; then units+=("n0core-$role.service")
    else log "not starting n0core-$role: write /etc/n0core/$role.env first (deploy/config/$role.env.example)"; fi
  done
  [ ${#units[@]} -gt 0 ] || return 0
  if systemd_running; then
    systemctl daemon-reload
    systemctl enable --now "${units[@]}"
    for role in "${CHANGED_ROLES[@]}"; do systemctl try-restart "n0core-$role.service"; done
    CHANGED_ROLES=()
    log "enabled and started: ${units[*]} (systemctl status 'n0core-*'; journalctl -u n0core-ROLE)"
  else
    log "systemd is not running here${ROOT:+ (staged under $ROOT)}; on the host run:"
    log "  systemctl daemon-reload && systemctl enable --now ${units[*]}"
  fi
}
