#!/usr/bin/env bash
# Builds the tiny bootable test guest n0core boots to show a VM really runs: a Debian cloud
# kernel and an initramfs holding static busybox and that kernel's virtio modules.
#
#   deploy/guest/build-guest.sh OUT_DIR
#
# writes OUT_DIR/vmlinuz, OUT_DIR/initramfs.cpio.gz and OUT_DIR/guest.info (what they were
# built from). Boot them with `console=ttyS0` on the kernel command line. On its serial console
# the guest prints, one marker per line (lines end in \r\n):
#
#   GUEST_NIC eth0 <mac>          its first NIC appeared
#   LEASE <ip>                    DHCP bound (then LEASE_DETAIL ip= mask= router= dns= server=)
#   DHCP_FAILED                   no lease after about 20 s (udhcpc keeps trying in the background)
#   DISK vda <bytes> bytes        size of its first disk, and VDA_GIB <whole GiB>
#   DISK none                     no virtio disk attached
#   DISK_MARK <word>              with n0core.mark=WORD: the first disk already holds a mark (it
#                                 was written by an earlier boot, on this host or before a move)
#   DISK_MARK_WRITTEN <word>      the disk held none: WORD is written to it and flushed
#   GUEST_READY                   all of the above is done; the guest stays up
#   PING_REPLY <ip>               with n0core.ping=IP[,IP…] on the kernel command line: the
#   PING_LOST <ip>                guest pings each address once a second and says when it
#                                 first answers, and when it stops answering after that
#   GUEST_POWEROFF                an ACPI power button press (virsh shutdown) is powering it off
#
# Nothing is installed on the host: the kernel package that linux-image-cloud-amd64 depends on
# is fetched with `apt-get download` into a cache and unpacked into a temporary directory.
# Idempotent: when the outputs are newer than this script and were built from the same kernel
# package, nothing is done; concurrent calls for one OUT_DIR run one after another (flock). Needs: apt-get, dpkg-deb, gzip, busybox-static (/bin/busybox: its
# depmod and cpio are used too, so neither kmod nor cpio is needed).
#
# Environment:
#   N0CORE_GUEST_CACHE        where downloaded kernel packages are kept (default OUT_DIR/cache)
#   N0CORE_GUEST_KERNEL_DEB   use this linux-image-*.deb instead of downloading one (offline)
#   N0CORE_GUEST_KERNEL_META  the package whose dependency names the kernel
#                             (default linux-image-cloud-amd64)
#   N0CORE_GUEST_BUSYBOX      a statically linked busybox (default /bin/busybox)
set -euo pipefail

log() { printf '[build-guest] %s\n' "$*" >&2; }
die() { printf '[build-guest] error: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUT_DIR"
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
# One build at a time per OUT_DIR: test suites call this at once, and builds sharing OUT's
# temporary names would take each other's files. A waiting caller then finds it up to date.
exec 9>"$OUT/.build.lock"
flock 9
CACHE=${N0CORE_GUEST_CACHE:-$OUT/cache}
META=${N0CORE_GUEST_KERNEL_META:-linux-image-cloud-amd64}
BUSYBOX=${N0CORE_GUEST_BUSYBOX:-/bin/busybox}
SELF=$(readlink -f "${BASH_SOURCE[0]}")
# What the guest loads; their dependencies come first, resolved from modules.dep. virtio_pci
# finds the devices, virtio_net/virtio_blk drive them, button+evdev deliver the ACPI power
# button to busybox acpid (so `virsh shutdown` powers the guest off).
WANT_MODULES=(virtio_pci virtio_net virtio_blk button evdev)

for tool in dpkg-deb gzip; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[ -x "$BUSYBOX" ] || die "$BUSYBOX is missing; install busybox-static"

# True when the ELF file $1 has no program interpreter (PT_INTERP), i.e. runs without a libc
# on the guest. `file` is not always installed, and static glibc binaries still contain the
# string "ld-linux", so the program headers are read directly.
is_static_elf() {
  local f=$1 phoff phentsize phnum i type
  [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || return 1
  phoff=$(od -An -t u8 -j 32 -N 8 "$f" | tr -d ' ')
  phentsize=$(od -An -t u2 -j 54 -N 2 "$f" | tr -d ' ')
  phnum=$(od -An -t u2 -j 56 -N 2 "$f" | tr -d ' ')
  for ((i = 0; i < phnum; i++)); do
    type=$(od -An -t u4 -j $((phoff + i * phentsize)) -N 4 "$f" | tr -d ' ')
    [ "$type" = 3 ] && return 1
  done
  return 0
}
is_static_elf "$BUSYBOX" || die "$BUSYBOX is dynamically linked; the guest has no libc (install busybox-static)"

# --- which kernel package --------------------------------------------------------------
# Prints "PACKAGE VERSION" of the kernel image to use.
kernel_package() {
  if [ -n "${N0CORE_GUEST_KERNEL_DEB:-}" ]; then
    [ -f "$N0CORE_GUEST_KERNEL_DEB" ] || die "N0CORE_GUEST_KERNEL_DEB=$N0CORE_GUEST_KERNEL_DEB does not exist"
    echo "$(dpkg-deb -f "$N0CORE_GUEST_KERNEL_DEB" Package) $(dpkg-deb -f "$N0CORE_GUEST_KERNEL_DEB" Version)"
    return
  fi
  local meta image version
  if ! meta=$(apt-cache show --no-all-versions "$META" 2>/dev/null) || [ -z "$meta" ]; then
    [ "$(id -u)" = 0 ] || die "apt does not know $META; run 'apt-get update' as root"
    log "apt does not know $META yet; running apt-get update"
    apt-get update -qq >&2
    meta=$(apt-cache show --no-all-versions "$META" 2>/dev/null) || die "no package $META in the configured apt sources"
  fi
  # "Depends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)": the versioned image package.
  image=$(awk '$1 == "Depends:" { for (i = 2; i <= NF; i++) if ($i ~ /^linux-image-[0-9]/) { sub(/,$/, "", $i); print $i; exit } }' <<< "$meta")
  [ -n "$image" ] || die "$META does not depend on a versioned linux-image-* package"
  version=$(apt-cache show --no-all-versions "$image" 2>/dev/null | awk '$1 == "Version:" {print $2; exit}')
  [ -n "$version" ] || die "apt has no candidate version of $image"
  echo "$image $version"
}

SOURCE=$(kernel_package)
IMAGE=${SOURCE%% *}
VERSION=${SOURCE#* }

if [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initramfs.cpio.gz" ] && [ -f "$OUT/guest.info" ] \
   && [ "$OUT/vmlinuz" -nt "$SELF" ] && [ "$OUT/initramfs.cpio.gz" -nt "$SELF" ] \
   && grep -qxF "kernel_package=$SOURCE" "$OUT/guest.info"; then
  log "up to date ($SOURCE)"
  echo "$OUT/vmlinuz"; echo "$OUT/initramfs.cpio.gz"
  exit 0
fi

# --- the kernel package, cached --------------------------------------------------------
if [ -n "${N0CORE_GUEST_KERNEL_DEB:-}" ]; then
  DEB=$N0CORE_GUEST_KERNEL_DEB
else
  mkdir -p "$CACHE"
  DEB=""
  for f in "$CACHE/${IMAGE}_"*.deb; do
    [ -f "$f" ] && [ "$(dpkg-deb -f "$f" Version)" = "$VERSION" ] && DEB=$f
  done
  if [ -z "$DEB" ]; then
    log "downloading $IMAGE=$VERSION into $CACHE"
    download=$(mktemp -d "$CACHE/download.XXXXXX")
    # apt drops privileges to _apt while downloading; let it write here (otherwise it warns
    # and downloads unsandboxed).
    if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$download"; fi
    (cd "$download" && apt-get download -q=2 "$IMAGE=$VERSION" >&2) \
      || { rm -rf "$download"; die "apt-get download $IMAGE=$VERSION failed"; }
    for f in "$download"/*.deb; do mv "$f" "$CACHE/"; DEB=$CACHE/$(basename "$f"); done
    rm -rf "$download"
    [ -f "$DEB" ] || die "apt-get download left no .deb for $IMAGE"
  fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/n0core-guest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log "unpacking $(basename "$DEB")"
dpkg-deb -x "$DEB" "$WORK/kernel"
KVER=$(ls "$WORK/kernel/lib/modules")
[ "$(echo "$KVER" | wc -w)" = 1 ] || die "expected one module tree in $(basename "$DEB"), found: $KVER"
MODDIR=$WORK/kernel/lib/modules/$KVER
[ -f "$WORK/kernel/boot/vmlinuz-$KVER" ] || die "$(basename "$DEB") has no boot/vmlinuz-$KVER"
# Debian's kernel packages leave modules.dep to depmod in their postinst; make it here.
[ -f "$MODDIR/modules.dep" ] || "$BUSYBOX" depmod -b "$WORK/kernel" "$KVER"

# --- module load order: each module after everything it depends on ----------------------
declare -A SEEN=()
ORDER=()
dep_line() { # the modules.dep line of module $1 (names match with - or _)
  local n=${1//-/_}
  grep -E "(^|/)(${n}|${n//_/-})\.ko(\.(xz|zst|gz))?:" "$MODDIR/modules.dep" | head -n 1 || true
}
resolve() {
  local name=${1//-/_} line deps i d
  [ -z "${SEEN[$name]:-}" ] || return 0
  SEEN[$name]=1
  if grep -qE "(^|/)(${name}|${name//_/-})\.ko$" "$MODDIR/modules.builtin" 2>/dev/null; then
    log "module $name is built into $KVER"
    return 0
  fi
  line=$(dep_line "$name")
  [ -n "$line" ] || die "module $name is not in $KVER"
  read -r -a deps <<< "${line#*:}"
  # modules.dep lists the deepest dependency last (modprobe loads the list backwards).
  for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
    d=$(basename "${deps[$i]}"); resolve "${d%%.ko*}"
  done
  ORDER+=("${line%%:*}")
}
for m in "${WANT_MODULES[@]}"; do resolve "$m"; done

# --- the initramfs tree ---------------------------------------------------------------------
R=$WORK/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc/guest,etc/acpi/PWRF,lib/modules}
cp "$BUSYBOX" "$R/bin/busybox"
: > "$R/etc/guest/modules"
for path in "${ORDER[@]}"; do
  file=$(basename "$path"); name=${file%%.ko*}
  case "$file" in
    *.ko) cp "$MODDIR/$path" "$R/lib/modules/$name.ko" ;;
    *.ko.gz) gzip -dc "$MODDIR/$path" > "$R/lib/modules/$name.ko" ;;
    *.ko.xz) xz -dc "$MODDIR/$path" > "$R/lib/modules/$name.ko" ;;
    *.ko.zst) zstd -qdc "$MODDIR/$path" > "$R/lib/modules/$name.ko" ;;
  esac
  echo "$name" >> "$R/etc/guest/modules"
done
log "module load order: $(tr '\n' ' ' < "$R/etc/guest/modules")"

# PID 1: mount the kernel file systems, put stdio on the console, hand over to busybox init
# (which reaps orphans and turns `poweroff` into an orderly power-off).
cat > "$R/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
exec /sbin/init
EOF

cat > "$R/etc/inittab" <<'EOF'
::sysinit:/etc/guest/boot
::shutdown:/etc/guest/halt
EOF

# What the guest does once: drivers, NIC, DHCP, disk, power button, then reports ready.
cat > "$R/etc/guest/boot" <<'EOF'
#!/bin/sh
say() { echo "$*" > /dev/console; }
wait_for() { # wait_for TENTHS TEST...: poll TEST every 0.1 s
  n=$1; shift
  while ! "$@" && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
  "$@"
}
operstate_up() { [ "$(cat /sys/class/net/eth0/operstate 2>/dev/null)" = up ]; }

hostname n0core-guest
while read -r m; do
  insmod "/lib/modules/$m.ko" || say "GUEST_ERROR insmod $m failed"
done < /etc/guest/modules
# Only emergencies from the kernel from here on, so marker lines are not interleaved.
dmesg -n 1
ip link set lo up

if wait_for 50 test -e /sys/class/net/eth0; then
  say "GUEST_NIC eth0 $(cat /sys/class/net/eth0/address)"
  ip link set eth0 up
  # A DISCOVER sent before the carrier is up is lost and costs a retry (3 s).
  wait_for 50 operstate_up || say "GUEST_ERROR eth0 has no carrier"
  # -b: after the lease (or after giving up for now) udhcpc goes to the background and keeps
  # renewing; the script prints the result.
  udhcpc -i eth0 -s /etc/guest/dhcp -t 10 -T 2 -b -x hostname:n0core-guest >/dev/null 2>&1
else
  say "GUEST_NIC none"
fi

if wait_for 20 test -b /dev/vda; then
  bytes=$(blockdev --getsize64 /dev/vda)
  say "DISK vda $bytes bytes"
  say "VDA_GIB $((bytes / 1073741824))"
else
  say "DISK none"
fi

# n0core.mark=WORD: a mark in the first 64 bytes of the first disk, which outlives the VM, so a
# test can tell a disk that kept its data (a moved volume) from a new one.
mark=""
for word in $(cat /proc/cmdline); do
  case "$word" in n0core.mark=*) mark=${word#n0core.mark=} ;; esac
done
if [ -n "$mark" ] && [ -b /dev/vda ]; then
  found=$(dd if=/dev/vda bs=64 count=1 2>/dev/null | tr -d '\000' | sed -n 's/^N0MARK:\([A-Za-z0-9_-]*\)$/\1/p' | head -n 1)
  if [ -n "$found" ]; then
    say "DISK_MARK $found"
  else
    printf 'N0MARK:%s\n' "$mark" | dd of=/dev/vda bs=64 count=1 conv=sync,fsync 2>/dev/null
    sync
    say "DISK_MARK_WRITTEN $mark"
  fi
fi

acpid -c /etc/acpi -l /dev/null -p /run/acpid.pid
say "GUEST_READY"

# n0core.ping=A[,B…]: reachability, read from the console (PING_REPLY / PING_LOST on changes).
watch_pings() {
  while true; do
    for t in $1; do
      key=$(echo "$t" | tr . _)
      if ping -c 1 -W 1 "$t" >/dev/null 2>&1; then now=REPLY; else now=LOST; fi
      eval "was=\${seen_$key:-}"
      if [ "$now" != "$was" ] && { [ "$now" = REPLY ] || [ -n "$was" ]; }; then say "PING_$now $t"; fi
      eval "seen_$key=$now"
    done
    sleep 1
  done
}
targets=""
for word in $(cat /proc/cmdline); do
  case "$word" in n0core.ping=*) targets=$(echo "${word#n0core.ping=}" | tr ',' ' ') ;; esac
done
[ -z "$targets" ] || watch_pings "$targets" &
EOF

cat > "$R/etc/guest/dhcp" <<'EOF'
#!/bin/sh
# udhcpc's event script; stdout is not the console once udhcpc is in the background.
# udhcpc passes interface, ip, subnet, router, dns, serverid and lease in the environment.
# shellcheck disable=SC2154
say() { echo "$*" > /dev/console; }
case "$1" in
  deconfig)
    ip addr flush dev "$interface"
    ip link set "$interface" up
    ;;
  bound|renew)
    ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" up
    [ -z "$router" ] || ip route replace default via "${router%% *}" dev "$interface"
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    if [ "$1" = bound ]; then
      say "LEASE $ip"
      say "LEASE_DETAIL ip=$ip mask=$subnet router=$router dns=$dns server=$serverid lease=$lease"
    fi
    ;;
  leasefail) say "DHCP_FAILED" ;;
  nak) say "DHCP_NAK" ;;
esac
exit 0
EOF

# busybox acpid runs CONFDIR/PWRF/00000080 on the power button.
cat > "$R/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
poweroff
EOF

cat > "$R/etc/guest/halt" <<'EOF'
#!/bin/sh
echo "GUEST_POWEROFF" > /dev/console
sync
EOF
chmod 755 "$R/init" "$R/etc/guest/boot" "$R/etc/guest/dhcp" "$R/etc/guest/halt" "$R/etc/acpi/PWRF/00000080"

# --- outputs --------------------------------------------------------------------------------
(cd "$R" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) | gzip -9 > "$OUT/initramfs.cpio.gz.tmp"
cp "$WORK/kernel/boot/vmlinuz-$KVER" "$OUT/vmlinuz.tmp"
cat > "$OUT/guest.info.tmp" <<EOF
kernel_package=$SOURCE
kernel_release=$KVER
modules=$(tr '\n' ' ' < "$R/etc/guest/modules" | sed 's/ $//')
busybox=$("$BUSYBOX" | head -n 1)
EOF
mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
mv "$OUT/guest.info.tmp" "$OUT/guest.info"
log "wrote $OUT/vmlinuz ($(stat -c %s "$OUT/vmlinuz") bytes) and $OUT/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes) from $SOURCE"
echo "$OUT/vmlinuz"; echo "$OUT/initramfs.cpio.gz"
