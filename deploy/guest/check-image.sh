#!/usr/bin/env bash
# Boots n0core's guest image (build-image.sh) the way a cloud does — from its own disk, a qcow2
# overlay over the image, with a NoCloud seed (make-seed.sh) — under QEMU/TCG in a network
# namespace of its own, and logs in over SSH:
#
#   1. static: a seed with a host name, an SSH key (made here with ssh-keygen) and a fixed
#      address/gateway/nameserver. Waits for the console markers, logs in with
#      `ip netns exec NS ssh -i KEY root@ADDRESS hostname` (host key checked against the one the
#      guest printed on its console), checks the name, the address, the route and resolv.conf
#      inside the guest; then the ACPI power button powers it off cleanly. With a virtio-rng
#      device.
#   2. dhcp (skip with STATIC_ONLY=1): the same overlay booted again with a seed without
#      network-config: a DHCP lease from dnsmasq, the new host name, the same host key (same
#      instance-id, so the root file system kept it across the reboot), SSH login on the lease.
#      Without a virtio-rng device.
#
#   deploy/guest/check-image.sh [OUT_DIR]      (default /var/cache/n0core-guest; exit 0 = PASS)
#
# Run as root. Everything it creates (namespace with bridge, tap and dnsmasq, QEMU, overlay,
# seeds, key, work dir) is removed on exit; only OUT_DIR (the image and the package cache)
# stays. No address is put on the root namespace's interfaces. KEEP=1 keeps the work dir
# (console logs). SEED_BUS=ide attaches the seed as an IDE CD-ROM instead of a virtio disk;
# SEED_FORMAT=vfat makes FAT seeds instead of ISO9660 ones.
# Needs what build-image.sh and make-seed.sh need, and qemu-system-x86, dnsmasq-base, iproute2,
# socat (QEMU's monitor), openssh-client (ssh, ssh-keygen).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-${N0CORE_GUEST_DIR:-/var/cache/n0core-guest}}
TIMEOUT=${TIMEOUT:-90}
SEED_BUS=${SEED_BUS:-virtio}
SEED_FORMAT=${SEED_FORMAT:-iso}
NS=n0image-$$
BRIDGE=br-image
TAP=tap-image
MAC=52:54:00:6e:30:02
SUBNET=192.168.0
ADDRESS=$SUBNET.1
GATEWAY=$SUBNET.254
NAME1=n0-check-static
NAME2=n0-check-dhcp

log() { printf '[check-image] %s\n' "$*" >&2; }
fail() { printf '[check-image] FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (it creates a network namespace)"
for tool in qemu-system-x86_64 qemu-img dnsmasq ip socat ssh ssh-keygen; do
  command -v "$tool" >/dev/null || fail "$tool is missing"
done
case "$SEED_BUS" in virtio|ide) ;; *) fail "SEED_BUS=$SEED_BUS: virtio or ide" ;; esac
case "$SEED_FORMAT" in iso) SEED_OPT=() ;; vfat) SEED_OPT=(--vfat) ;; *) fail "SEED_FORMAT=$SEED_FORMAT: iso or vfat" ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/n0core-check-image.XXXXXX")
DNSMASQ_PID=""
QEMU_PID=""
cleanup() {
  set +e
  if [ -n "$QEMU_PID" ]; then kill "$QEMU_PID" 2>/dev/null; wait "$QEMU_PID" 2>/dev/null; fi
  if [ -n "$DNSMASQ_PID" ]; then kill "$DNSMASQ_PID" 2>/dev/null; wait "$DNSMASQ_PID" 2>/dev/null; fi
  if ip netns list | grep -qw "^$NS"; then ip netns del "$NS"; fi
  if [ -n "${KEEP:-}" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

bash "$HERE/test-nocloud-parse.sh" 2>/dev/null || bash "$HERE/test-nocloud-parse.sh" || fail "the NoCloud parsers"
T=$(now)
IMAGE=$(bash "$HERE/build-image.sh" "$OUT")
log "image ready in $(since "$T") s: $IMAGE ($(stat -c %s "$IMAGE") bytes; $(grep -E '^(kernel_package|sha256)=' "$OUT/n0core-guest.info" | tr '\n' ' '))"

# --- a private network: a bridge with the gateway's address, a tap for the guest -------------
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add "$BRIDGE" type bridge
ip -n "$NS" addr add "$GATEWAY/24" dev "$BRIDGE"
ip -n "$NS" link set "$BRIDGE" up
ip -n "$NS" tuntap add dev "$TAP" mode tap
ip -n "$NS" link set "$TAP" master "$BRIDGE" up

ssh-keygen -q -t ed25519 -N '' -C "check-image@n0core" -f "$WORK/id_ed25519"
# The volume: a copy-on-write overlay over the image, grown to 1 GiB as a cloud would.
qemu-img create -q -f qcow2 -F qcow2 -b "$IMAGE" "$WORK/vm.qcow2" 1G

# boot SEED LOG: starts QEMU; sets QEMU_PID and T0.
boot() {
  local seed_dev
  if [ "$SEED_BUS" = ide ]; then
    seed_dev=(-drive "file=$1,format=raw,if=ide,media=cdrom,readonly=on")
  else
    seed_dev=(-blockdev "driver=raw,node-name=seed,read-only=on,file.driver=file,file.filename=$1"
              -device virtio-blk-pci,drive=seed)
  fi
  LOG=$2
  : > "$LOG"
  T0=$(now)
  ip netns exec "$NS" qemu-system-x86_64 -accel tcg -machine pc -m 256 -smp 1 \
    -display none -no-reboot -serial "file:$LOG" \
    -monitor "unix:$WORK/monitor.sock,server=on,wait=off" \
    -netdev tap,id=n0,ifname="$TAP",script=no,downscript=no -device virtio-net-pci,netdev=n0,mac="$MAC" \
    -blockdev driver=qcow2,node-name=vol,file.driver=file,file.filename="$WORK/vm.qcow2" \
    -device virtio-blk-pci,drive=vol,bootindex=1 \
    "${seed_dev[@]}" "${RNG[@]}" \
    </dev/null >"$WORK/qemu.log" 2>&1 &
  QEMU_PID=$!
}
# Console lines end in \r\n.
marker() { tr -d '\r' < "$LOG" | grep -a -m 1 -E "$1" || true; }
wait_marker() { # wait_marker REGEX: seconds from QEMU's start until it appears
  while [ -z "$(marker "$1")" ]; do
    kill -0 "$QEMU_PID" 2>/dev/null || { cat "$WORK/qemu.log" >&2; tail -n 30 "$LOG" >&2; fail "QEMU exited before '$1'"; }
    awk -v a="$T0" -v b="$(now)" -v t="$TIMEOUT" 'BEGIN { exit !(b - a > t) }' \
      && { tail -n 30 "$LOG" >&2; fail "no '$1' on the console within $TIMEOUT s"; }
    sleep 0.1
  done
  since "$T0"
}
show_markers() {
  tr -d '\r' < "$LOG" | grep -a -E '^(NOCLOUD|NIC|ADDRESS|GATEWAY|DNS|LEASE |SSH_HOST_KEY|SSHD_READY|DISK|GUEST_|NET_ERROR|USER_DATA)' \
    | sed 's/^/  guest: /' >&2
}
known_host() { # known_host IP: a known_hosts line from the key the guest printed
  local k
  k=$(marker '^SSH_HOST_KEY ')
  [ -n "$k" ] || fail "the guest printed no SSH_HOST_KEY"
  echo "$1 $(echo "$k" | awk '{ print $2, $3 }')" > "$WORK/known_hosts"
}
guest_ssh() { # guest_ssh IP COMMAND...
  local ip=$1; shift
  ip netns exec "$NS" ssh -i "$WORK/id_ed25519" -o UserKnownHostsFile="$WORK/known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR \
    "root@$ip" "$@"
}
power_off() {
  local t
  t=$(now)
  echo system_powerdown | socat - "UNIX-CONNECT:$WORK/monitor.sock" >/dev/null
  for _ in $(seq 1 300); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$QEMU_PID" 2>/dev/null && fail "the guest did not power off within 30 s of the power button"
  wait "$QEMU_PID" 2>/dev/null || true
  QEMU_PID=""
  [ -n "$(marker '^GUEST_POWEROFF$')" ] || fail "QEMU exited but the guest did not print GUEST_POWEROFF"
  log "PASS power button -> GUEST_POWEROFF, QEMU exited after $(since "$t") s"
}

# --- 1. fixed address from network-config ---------------------------------------------------------
bash "$HERE/make-seed.sh" "$WORK/seed1.iso" "${SEED_OPT[@]}" --hostname "$NAME1" --instance-id iid-check-image \
  --ssh-key "$WORK/id_ed25519.pub" --address "$ADDRESS/24" --gateway "$GATEWAY" \
  --nameserver "$GATEWAY" --search n0core.test --mac "$MAC" >/dev/null
# With a virtio-rng device (as a cloud's domain should have); the second boot goes without.
RNG=(-device virtio-rng-pci)
boot "$WORK/seed1.iso" "$WORK/console1.log"
T_LOADER=$(wait_marker '^SYSLINUX ')
T_KERNEL=$(wait_marker '\] Linux version ')
T_INIT=$(wait_marker '\] Run /init')
T_ADDR=$(wait_marker '^ADDRESS ')
T_SSHD=$(wait_marker '^SSHD_READY$')
T_READY=$(wait_marker '^GUEST_READY$')
show_markers
[ "$(marker '^NOCLOUD ' | awk '{ print $2, $3, $4, $5 }')" = "hostname=$NAME1 instance-id=iid-check-image keys=1 network=static" ] \
  || fail "NOCLOUD line is '$(marker '^NOCLOUD ')'"
[ "$(marker '^ADDRESS ')" = "ADDRESS $ADDRESS/24" ] || fail "expected 'ADDRESS $ADDRESS/24', got '$(marker '^ADDRESS ')'"
[ "$(marker '^GATEWAY ')" = "GATEWAY $GATEWAY" ] || fail "expected 'GATEWAY $GATEWAY', got '$(marker '^GATEWAY ')'"
[ "$(marker '^DISK ')" = "DISK vda 1073741824 bytes" ] || fail "expected 'DISK vda 1073741824 bytes' (the grown overlay), got '$(marker '^DISK ')'"
HOSTKEY1=$(marker '^SSH_HOST_KEY ')

known_host "$ADDRESS"
got=$(guest_ssh "$ADDRESS" hostname) || fail "ssh root@$ADDRESS failed"
T_LOGIN=$(since "$T0")
log "ssh root@$ADDRESS hostname -> $got"
[ "$got" = "$NAME1" ] || fail "the guest says its name is '$got', expected '$NAME1'"
log "PASS static: logged in over SSH as root@$ADDRESS, hostname $got"

details=$(guest_ssh "$ADDRESS" 'ip -o -4 addr show dev eth0; ip route show default; cat /etc/resolv.conf; id -u')
echo "$details" | sed 's/^/  ssh: /' >&2
grep -q "inet $ADDRESS/24 " <<< "$details" || fail "eth0 in the guest does not hold $ADDRESS/24"
grep -q "^default via $GATEWAY dev eth0" <<< "$details" || fail "no default route via $GATEWAY in the guest"
grep -qx "nameserver $GATEWAY" <<< "$details" || fail "resolv.conf in the guest lacks nameserver $GATEWAY"
grep -qx "search n0core.test" <<< "$details" || fail "resolv.conf in the guest lacks 'search n0core.test'"
[ "$(tail -n 1 <<< "$details")" = 0 ] || fail "the SSH session is not root's"
log "PASS static: address, default route, resolv.conf as in network-config"
power_off
log "TIMING static: qemu start -> SYSLINUX ${T_LOADER} s, -> kernel ${T_KERNEL} s, -> /init ${T_INIT} s, -> ADDRESS ${T_ADDR} s, -> SSHD_READY ${T_SSHD} s, -> GUEST_READY ${T_READY} s, -> ssh login answered ${T_LOGIN} s"

if [ -n "${STATIC_ONLY:-}" ]; then log "PASS"; exit 0; fi

# --- 2. no network-config: DHCP; a second boot of the same volume --------------------------------
# DHCP only (--port=0); --no-ping saves the 3 s probe before the first offer. `ip netns exec`
# execs dnsmasq, so $! is dnsmasq itself (--no-daemon ignores --pid-file).
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --port=0 \
  --interface="$BRIDGE" --bind-interfaces --except-interface=lo --no-ping \
  --dhcp-range="$SUBNET.10,$SUBNET.99,255.255.255.0,1h" \
  --dhcp-option=option:router,"$GATEWAY" --dhcp-option=option:dns-server,"$GATEWAY" \
  --dhcp-leasefile="$WORK/leases" --log-dhcp --log-facility=- >"$WORK/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!
bash "$HERE/make-seed.sh" "$WORK/seed2.iso" "${SEED_OPT[@]}" --hostname "$NAME2" --instance-id iid-check-image \
  --ssh-key "$WORK/id_ed25519.pub" >/dev/null
RNG=()
boot "$WORK/seed2.iso" "$WORK/console2.log"
T_LEASE=$(wait_marker '^LEASE ')
T_SSHD=$(wait_marker '^SSHD_READY$')
T_READY=$(wait_marker '^GUEST_READY$')
show_markers
LEASE=$(marker '^LEASE ' | awk '{ print $2 }')
if ! [[ "$LEASE" =~ ^192\.168\.0\.([0-9]+)$ ]] || (( BASH_REMATCH[1] < 10 || BASH_REMATCH[1] > 99 )); then
  fail "lease '$LEASE' is not in the DHCP range $SUBNET.10-99"
fi
grep -qi "DHCPACK($BRIDGE) $LEASE $MAC" "$WORK/dnsmasq.log" || fail "dnsmasq did not log an ACK of $LEASE to $MAC"
[ "$(marker '^NOCLOUD ' | awk '{ print $2, $5 }')" = "hostname=$NAME2 network=dhcp" ] || fail "NOCLOUD line is '$(marker '^NOCLOUD ')'"
[ "$(marker '^SSH_HOST_KEY ')" = "$HOSTKEY1" ] || fail "the host key changed across a reboot of the same instance"
known_host "$LEASE"
got=$(guest_ssh "$LEASE" hostname) || fail "ssh root@$LEASE failed"
T_LOGIN=$(since "$T0")
log "ssh root@$LEASE hostname -> $got"
[ "$got" = "$NAME2" ] || fail "the guest says its name is '$got', expected '$NAME2'"
log "PASS dhcp: lease $LEASE from dnsmasq, same host key after the reboot, logged in, hostname $got"
power_off
log "TIMING dhcp: qemu start -> LEASE ${T_LEASE} s, -> SSHD_READY ${T_SSHD} s, -> GUEST_READY ${T_READY} s, -> ssh login answered ${T_LOGIN} s"
log "PASS"
