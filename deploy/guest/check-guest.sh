#!/usr/bin/env bash
# Boots the test guest (build-guest.sh) under QEMU/TCG inside a network namespace of its own and
# checks what it prints on its serial console: a DHCP lease from dnsmasq on a bridge, the size
# of a 10 GiB qcow2 disk, that it stays up, and that an ACPI power-button press powers it off.
#
#   deploy/guest/check-guest.sh [OUT_DIR]      (default /var/cache/n0core-guest; exit 0 = PASS)
#
# Run as root. Everything it creates (namespace with bridge, tap and dnsmasq, QEMU, work dir)
# is removed on exit; only OUT_DIR (the fixture and its download cache) stays. KEEP=1 keeps the
# work dir (console.log, dnsmasq.log). Needs qemu-system-x86, qemu-utils, dnsmasq-base,
# iproute2, socat (to reach QEMU's monitor) and what build-guest.sh needs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-${N0CORE_GUEST_DIR:-/var/cache/n0core-guest}}
TIMEOUT=${TIMEOUT:-90}
NS=n0guest-$$
BRIDGE=br-guest
TAP=tap-guest
MAC=52:54:00:6e:30:01
SUBNET=192.168.77
DISK_BYTES=10737418240

log() { printf '[check-guest] %s\n' "$*" >&2; }
fail() { printf '[check-guest] FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (it creates a network namespace)"
for tool in qemu-system-x86_64 qemu-img dnsmasq ip socat; do
  command -v "$tool" >/dev/null || fail "$tool is missing"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/n0core-check-guest.XXXXXX")
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

T=$(now)
bash "$HERE/build-guest.sh" "$OUT" >/dev/null
log "fixture ready in $(since "$T") s: $OUT/vmlinuz, $OUT/initramfs.cpio.gz"

# --- a private network: bridge with the DHCP server's address, a tap for the guest ----------
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add "$BRIDGE" type bridge
ip -n "$NS" addr add "$SUBNET.254/24" dev "$BRIDGE"
ip -n "$NS" link set "$BRIDGE" up
ip -n "$NS" tuntap add dev "$TAP" mode tap
ip -n "$NS" link set "$TAP" master "$BRIDGE" up

# DHCP only (--port=0); --no-ping saves the 3 s probe before the first offer. `ip netns exec`
# execs dnsmasq, so $! is dnsmasq itself (--no-daemon ignores --pid-file).
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --port=0 \
  --interface="$BRIDGE" --bind-interfaces --except-interface=lo --no-ping \
  --dhcp-range="$SUBNET.10,$SUBNET.99,255.255.255.0,1h" \
  --dhcp-option=option:router,"$SUBNET.254" --dhcp-option=option:dns-server,"$SUBNET.254" \
  --dhcp-leasefile="$WORK/leases" --log-dhcp --log-facility=- >"$WORK/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!

qemu-img create -q -f qcow2 "$WORK/disk.qcow2" 10G

# --- boot ------------------------------------------------------------------------------------
: > "$WORK/console.log"
T0=$(now)
ip netns exec "$NS" qemu-system-x86_64 -accel tcg -machine pc -m 256 -smp 1 \
  -kernel "$OUT/vmlinuz" -initrd "$OUT/initramfs.cpio.gz" -append "console=ttyS0" \
  -display none -no-reboot -serial "file:$WORK/console.log" \
  -monitor "unix:$WORK/monitor.sock,server=on,wait=off" \
  -netdev tap,id=n0,ifname="$TAP",script=no,downscript=no -device virtio-net-pci,netdev=n0,mac="$MAC" \
  -blockdev driver=qcow2,node-name=disk0,file.driver=file,file.filename="$WORK/disk.qcow2" \
  -device virtio-blk-pci,drive=disk0 \
  </dev/null >"$WORK/qemu.log" 2>&1 &
QEMU_PID=$!

# Console lines end in \r\n.
marker() { tr -d '\r' < "$WORK/console.log" | grep -m 1 -E "$1" || true; }
wait_marker() { # wait_marker REGEX: seconds from boot until it appears
  while [ -z "$(marker "$1")" ]; do
    kill -0 "$QEMU_PID" 2>/dev/null || { cat "$WORK/qemu.log" >&2; tail -n 30 "$WORK/console.log" >&2; fail "QEMU exited before '$1'"; }
    awk -v a="$T0" -v b="$(now)" -v t="$TIMEOUT" 'BEGIN { exit !(b - a > t) }' \
      && { tail -n 30 "$WORK/console.log" >&2; fail "no '$1' on the console within $TIMEOUT s"; }
    sleep 0.1
  done
  since "$T0"
}
T_INIT=$(wait_marker '] Run /init')
T_LEASE=$(wait_marker '^LEASE ')
T_READY=$(wait_marker '^GUEST_READY$')
tr -d '\r' < "$WORK/console.log" | grep -E '^(GUEST|LEASE|DISK|VDA_|DHCP)' | sed 's/^/  guest: /' >&2

LEASE=$(marker '^LEASE ' | awk '{print $2}')
if ! [[ "$LEASE" =~ ^192\.168\.77\.([0-9]+)$ ]] || (( BASH_REMATCH[1] < 10 || BASH_REMATCH[1] > 99 )); then
  fail "lease '$LEASE' is not in the DHCP range $SUBNET.10-99"
fi
grep -qi "DHCPACK(br-guest) $LEASE $MAC" "$WORK/dnsmasq.log" || fail "dnsmasq did not log an ACK of $LEASE to $MAC"
[ "$(marker '^DISK ')" = "DISK vda $DISK_BYTES bytes" ] || fail "disk line is '$(marker '^DISK ')', expected 'DISK vda $DISK_BYTES bytes'"
[ "$(marker '^VDA_GIB ')" = "VDA_GIB 10" ] || fail "expected 'VDA_GIB 10', got '$(marker '^VDA_GIB ')'"
log "PASS lease $LEASE from dnsmasq, disk vda 10 GiB"

# The lease is really configured: the guest answers on it from the bridge side.
ip netns exec "$NS" /bin/busybox ping -c 1 -W 3 "$LEASE" >/dev/null || fail "the guest does not answer ping on $LEASE"
log "PASS guest answers ping on $LEASE"

# It stays up.
sleep 2
kill -0 "$QEMU_PID" 2>/dev/null || fail "the guest stopped after GUEST_READY; it should stay up"
log "PASS still running 2 s after GUEST_READY"

# An ACPI power-button press powers it off (what `virsh shutdown` sends).
T_OFF=$(now)
echo system_powerdown | socat - "UNIX-CONNECT:$WORK/monitor.sock" >/dev/null
for _ in $(seq 1 200); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$QEMU_PID" 2>/dev/null && fail "the guest did not power off within 20 s of the power button"
wait "$QEMU_PID" 2>/dev/null || true
QEMU_PID=""
[ -n "$(marker '^GUEST_POWEROFF$')" ] || fail "QEMU exited but the guest did not print GUEST_POWEROFF"
log "PASS power button -> GUEST_POWEROFF, QEMU exited after $(since "$T_OFF") s"

log "TIMING qemu start -> /init ${T_INIT} s, -> LEASE ${T_LEASE} s, -> GUEST_READY ${T_READY} s"
log "PASS"
