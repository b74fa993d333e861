#!/usr/bin/env bash
# Builds n0core's guest image: a small bootable disk that boots from itself (SeaBIOS → MBR →
# SYSLINUX → Debian cloud kernel), reads a NoCloud seed, configures its NIC and runs an SSH
# server. Built from Debian packages only; no loop device, no mount.
#
#   deploy/guest/build-image.sh OUT_DIR
#
# writes OUT_DIR/n0core-guest.qcow2 and OUT_DIR/n0core-guest.info (what it was built from, its
# sha256), prints the image's path. Run as root (the root file system's files must be owned by
# root, and mke2fs -d copies ownership).
#
# The disk (default 256 MiB virtual, MBR):
#   sector 0                  SYSLINUX's mbr.bin + the partition table
#   partition 1, 1–33 MiB     FAT16 `N0BOOT`, active: SYSLINUX (ldlinux.sys/.c32), syslinux.cfg,
#                             vmlinuz, initrd.img (busybox + virtio_blk; image/init)
#   partition 2, 33 MiB–end   ext4 `n0core-root`: busybox (static) as /sbin/init and every
#                             command, dropbear with the libraries it needs, the kernel modules
#                             it uses, /etc/n0core/boot (image/boot: NoCloud reader, network,
#                             sshd, markers)
# Kernel command line: console=tty0 console=ttyS0,115200 root=LABEL=n0core-root.
# See docs/guest-image.md for what the guest does at boot and the markers it prints.
#
# Inputs, all cached in the cache directory (shared with build-guest.sh): the kernel package that
# linux-image-cloud-amd64 depends on, dropbear-bin and what it depends on (apt-get download,
# candidate versions; only the libraries dropbear loads are copied); from this machine's
# installed packages: busybox-static (/bin/busybox), syslinux (installer, mtools-based) +
# syslinux-common (mbr.bin), mtools, dosfstools, fdisk (sfdisk), e2fsprogs (mke2fs, debugfs),
# qemu-utils, cpio. Idempotent: when the image exists and was built from the same inputs (package
# versions, these scripts), nothing is done. Reproducible: the same inputs give the same bytes
# (times from the kernel package, UUIDs and volume ids from the inputs; without GNU cpio the
# initrd, and so the image, differs from build to build).
#
# Environment:
#   N0CORE_GUEST_CACHE        downloaded packages (default OUT_DIR/cache)
#   N0CORE_GUEST_KERNEL_DEB   use this linux-image-*.deb instead of downloading one
#   N0CORE_GUEST_KERNEL_META  the package whose dependency names the kernel (linux-image-cloud-amd64)
#   N0CORE_GUEST_BUSYBOX      a statically linked busybox (default /bin/busybox)
#   N0CORE_IMAGE_SIZE_MIB     virtual size of the disk in MiB (default 256, at least 64)
#   N0CORE_IMAGE_FORCE=1      rebuild even when up to date
set -euo pipefail

START=$EPOCHREALTIME
log() { printf "[build-image] %5.1fs %s\n" "$(awk -v a="$START" -v b="$EPOCHREALTIME" "BEGIN { print b - a }")" "$*" >&2; }
die() { printf '[build-image] error: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUT_DIR"
[ "$(id -u)" = 0 ] || die "run as root: the image's files must be owned by root (mke2fs -d copies ownership)"
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
CACHE=${N0CORE_GUEST_CACHE:-$OUT/cache}
META=${N0CORE_GUEST_KERNEL_META:-linux-image-cloud-amd64}
BUSYBOX=${N0CORE_GUEST_BUSYBOX:-/bin/busybox}
SIZE_MIB=${N0CORE_IMAGE_SIZE_MIB:-256}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FILES=$HERE/image
IMAGE=$OUT/n0core-guest.qcow2
INFO=$OUT/n0core-guest.info
ROOT_LABEL=n0core-root
BOOT_MIB=32
# The packages the SSH server comes from; the libraries it loads are found by the dynamic
# loader of the downloaded libc6, and only those are copied.
SSH_PACKAGE=dropbear-bin
SSH_BINARIES=(usr/sbin/dropbear usr/bin/dropbearkey usr/bin/dbclient)
# Kernel modules: the initramfs loads what finding the root needs (ext4 is built in); the root
# file system holds these and the rest (NIC, power button, the seed's file systems, IDE CD-ROM).
INITRD_MODULES=(virtio_pci virtio_blk)
ROOT_MODULES=(virtio_pci virtio_blk virtio_net virtio_rng button evdev isofs vfat nls_cp437 nls_ascii ata_piix sr_mod)

for tool in apt-get apt-cache dpkg-deb gzip mkfs.fat mcopy syslinux sfdisk mke2fs debugfs qemu-img sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is missing (needs: syslinux syslinux-common mtools dosfstools fdisk e2fsprogs qemu-utils)"
done
MBR=""
for f in /usr/lib/syslinux/mbr/mbr.bin /usr/lib/SYSLINUX/mbr.bin; do [ -f "$f" ] && MBR=$f && break; done
[ -n "$MBR" ] || die "no SYSLINUX mbr.bin; install syslinux-common"
[ -x "$BUSYBOX" ] || die "$BUSYBOX is missing; install busybox-static"
[ -d "$FILES" ] || die "$FILES is missing"
[ "$SIZE_MIB" -ge 64 ] 2>/dev/null || die "N0CORE_IMAGE_SIZE_MIB=$SIZE_MIB: at least 64"
# One build at a time into OUT_DIR; a second one waits, then finds the image up to date.
exec 9>"$OUT/.build-image.lock"
flock 9

# --- package versions ------------------------------------------------------------------------
# apt-cache takes about a second a call here, so packages are looked up together.
apt_show() { apt-cache show --no-all-versions "$@" 2>/dev/null || true; }
# "PACKAGE VERSION DEPENDENCY..." for each package apt knows (first alternative of each dependency).
apt_table() {
  apt_show "$@" | awk '
    function flush() { if (p != "") print p, v, deps; p = ""; v = ""; deps = "" }
    /^Package: / { flush(); p = $2 }
    /^Version: / { v = $2 }
    /^(Pre-)?Depends: / {
      s = $0; sub(/^[^:]*: /, "", s)
      n = split(s, a, ",")
      for (i = 1; i <= n; i++) { d = a[i]; sub(/\|.*/, "", d); sub(/\(.*/, "", d); sub(/:any/, "", d); gsub(/ /, "", d); deps = deps " " d }
    }
    END { flush() }'
}
# Candidate versions change only with apt's package lists, so when neither they nor anything
# else the image is made of changed since the last build, it is up to date without asking apt
# (which takes seconds). Otherwise the versions are resolved and compared below.
quick_inputs() {
  echo "scripts=$(cat "${BASH_SOURCE[0]}" "$FILES"/* | sha256sum | cut -c1-16)"
  echo "busybox=$("$BUSYBOX" | head -n 1)"
  echo "syslinux=$(dpkg-query -W -f '${Version}' syslinux 2>/dev/null || echo unknown)"
  echo "size_mib=$SIZE_MIB meta=$META kernel_deb=${N0CORE_GUEST_KERNEL_DEB:-}"
  [ -z "${N0CORE_GUEST_KERNEL_DEB:-}" ] || stat -c '%s %Y' "$N0CORE_GUEST_KERNEL_DEB"
  find /var/lib/apt/lists /etc/apt -maxdepth 2 \( -name '*Packages*' -o -name '*.list' -o -name '*.sources' -o -path '*preferences*' \) \
    -printf '%p %s %T@\n' 2>/dev/null | LC_ALL=C sort
}
QUICK=$(quick_inputs | sha256sum | cut -c1-32)
if [ -z "${N0CORE_IMAGE_FORCE:-}" ] && [ -f "$IMAGE" ] && [ -f "$INFO" ] && grep -qxF "quick=$QUICK" "$INFO"; then
  log "up to date ($(grep '^kernel_package=' "$INFO" | cut -d= -f2))"
  echo "$IMAGE"
  exit 0
fi

# The kernel package (like build-guest.sh: the versioned linux-image-* that $META depends on) and
# the SSH server's package with everything it depends on, breadth first, with candidate versions.
if [ -n "${N0CORE_GUEST_KERNEL_DEB:-}" ]; then
  [ -f "$N0CORE_GUEST_KERNEL_DEB" ] || die "N0CORE_GUEST_KERNEL_DEB=$N0CORE_GUEST_KERNEL_DEB does not exist"
  KPKG=$(dpkg-deb -f "$N0CORE_GUEST_KERNEL_DEB" Package)
  KVERSION=$(dpkg-deb -f "$N0CORE_GUEST_KERNEL_DEB" Version)
  level=("$SSH_PACKAGE")
else
  level=("$META" "$SSH_PACKAGE")
  KPKG=""
fi
SSH_PKGS=""
seen=" $SSH_PACKAGE "
while [ ${#level[@]} -gt 0 ]; do
  next=()
  table=$(apt_table "${level[@]}")
  for p in "${level[@]}"; do
    row=$(awk -v p="$p" '$1 == p { print; exit }' <<< "$table")
    if [ -z "$row" ] && [ -z "${updated:-}" ]; then
      log "apt does not know $p yet; running apt-get update"
      apt-get update -qq >&2
      updated=1
      row=$(apt_table "$p")
    fi
    [ -n "$row" ] || die "apt has no candidate version of $p"
    read -r -a f <<< "$row"
    if [ "$p" = "$META" ]; then
      for d in "${f[@]:2}"; do [[ "$d" =~ ^linux-image-[0-9] ]] && KPKG=$d && break; done
      [ -n "$KPKG" ] || die "$META does not depend on a versioned linux-image-* package"
      next+=("$KPKG")
      continue
    fi
    if [ "$p" = "$KPKG" ]; then KVERSION=${f[1]}; continue; fi
    SSH_PKGS+="$p ${f[1]}"$'\n'
    for d in "${f[@]:2}"; do
      case "$seen" in *" $d "*) ;; *) seen+="$d "; next+=("$d") ;; esac
    done
  done
  level=("${next[@]}")
done
SSH_PKGS=${SSH_PKGS%$'\n'}
[ -n "${KVERSION:-}" ] || die "apt has no candidate version of $KPKG"
KSOURCE="$KPKG $KVERSION"

# Everything the image is made of; the image is up to date when this is unchanged.
inputs() {
  echo "kernel_package=$KSOURCE"
  echo "$SSH_PKGS" | sed 's/^/ssh_package=/'
  echo "busybox=$("$BUSYBOX" | head -n 1)"
  echo "syslinux=$(dpkg-query -W -f '${Version}' syslinux 2>/dev/null || echo unknown)"
  echo "size_mib=$SIZE_MIB"
  echo "scripts=$(cat "${BASH_SOURCE[0]}" "$FILES"/* | sha256sum | cut -c1-16)"
}
INPUTS=$(inputs)
FINGERPRINT=$(sha256sum <<< "$INPUTS" | cut -c1-32)
if [ -z "${N0CORE_IMAGE_FORCE:-}" ] && [ -f "$IMAGE" ] && [ -f "$INFO" ] \
   && grep -qxF "fingerprint=$FINGERPRINT" "$INFO"; then
  sed -i "s/^quick=.*/quick=$QUICK/" "$INFO"
  log "up to date ($KSOURCE)"
  echo "$IMAGE"
  exit 0
fi

# --- the packages, cached ----------------------------------------------------------------------
mkdir -p "$CACHE"
cached_deb() { # cached_deb PACKAGE VERSION: prints the cached .deb's path, if there is one
  local f
  for f in "$CACHE/${1}_"*.deb; do
    [ -f "$f" ] && [ "$(dpkg-deb -f "$f" Package)" = "$1" ] && [ "$(dpkg-deb -f "$f" Version)" = "$2" ] \
      && { echo "$f"; return; }
  done
  return 0
}
WANT=()
[ -n "${N0CORE_GUEST_KERNEL_DEB:-}" ] || WANT+=("$KPKG $KVERSION")
while read -r p v; do WANT+=("$p $v"); done <<< "$SSH_PKGS"
MISSING=()
for pv in "${WANT[@]}"; do
  [ -n "$(cached_deb $pv)" ] || MISSING+=("${pv% *}=${pv#* }")
done
if [ ${#MISSING[@]} -gt 0 ]; then
  log "downloading ${MISSING[*]} into $CACHE"
  download=$(mktemp -d "$CACHE/download.XXXXXX")
  # apt drops privileges to _apt while downloading; let it write here.
  if id _apt >/dev/null 2>&1; then chown _apt "$download"; fi
  (cd "$download" && apt-get download -q=2 "${MISSING[@]}" >&2) || { rm -rf "$download"; die "apt-get download failed"; }
  for g in "$download"/*.deb; do [ -f "$g" ] && mv "$g" "$CACHE/"; done
  rm -rf "$download"
fi
debof() { local f; f=$(cached_deb "$1" "$2"); [ -n "$f" ] || die "apt-get download left no .deb for $1=$2"; echo "$f"; }
if [ -n "${N0CORE_GUEST_KERNEL_DEB:-}" ]; then KDEB=$N0CORE_GUEST_KERNEL_DEB; else KDEB=$(debof "$KPKG" "$KVERSION"); fi
SSH_DEBS=()
while read -r p v; do SSH_DEBS+=("$(debof "$p" "$v")"); done <<< "$SSH_PKGS"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/n0core-image.XXXXXX")
IMAGE_TMP=$(mktemp "$OUT/.n0core-guest.qcow2.XXXXXX")
INFO_TMP=$(mktemp "$OUT/.n0core-guest.info.XXXXXX")
trap 'rm -rf "$WORK"; rm -f "$IMAGE_TMP" "$INFO_TMP"' EXIT
T0=$EPOCHREALTIME

# --- kernel and modules -------------------------------------------------------------------------
log "unpacking $(basename "$KDEB")"
dpkg-deb -x "$KDEB" "$WORK/kernel"
KVER=$(ls "$WORK/kernel/lib/modules")
[ "$(echo "$KVER" | wc -w)" = 1 ] || die "expected one module tree in $(basename "$KDEB"), found: $KVER"
MODDIR=$WORK/kernel/lib/modules/$KVER
VMLINUZ=$WORK/kernel/boot/vmlinuz-$KVER
[ -f "$VMLINUZ" ] || die "$(basename "$KDEB") has no boot/vmlinuz-$KVER"
[ -f "$MODDIR/modules.dep" ] || "$BUSYBOX" depmod -b "$WORK/kernel" "$KVER"
# Every file time in the image is the kernel's, so the same inputs give the same bytes.
EPOCH=$(stat -c %Y "$VMLINUZ")

# copy_modules TREE NAME...: each module and what it depends on into TREE/lib/modules/KVER,
# then a modules.dep for busybox modprobe.
copy_modules() {
  local tree=$1 name line path; shift
  mkdir -p "$tree/lib/modules/$KVER"
  for name in "$@"; do
    name=${name//-/_}
    if grep -qE "(^|/)(${name}|${name//_/-})\.ko$" "$MODDIR/modules.builtin" 2>/dev/null; then continue; fi
    line=$(grep -E "(^|/)(${name}|${name//_/-})\.ko(\.(xz|zst|gz))?:" "$MODDIR/modules.dep" | head -n 1 || true)
    [ -n "$line" ] || die "module $name is not in $KVER"
    for path in ${line%%:*} ${line#*:}; do
      case "$path" in *.ko) ;; *) die "module $path is compressed; busybox modprobe needs plain .ko files" ;; esac
      mkdir -p "$tree/lib/modules/$KVER/$(dirname "$path")"
      cp "$MODDIR/$path" "$tree/lib/modules/$KVER/$path"
    done
  done
  cp "$MODDIR/modules.builtin" "$tree/lib/modules/$KVER/" 2>/dev/null || true
  "$BUSYBOX" depmod -b "$tree" "$KVER"
}

# install_busybox TREE: busybox and a link for each of its commands.
# (busybox makes them itself inside the tree: one process instead of one `ln` per command).
install_busybox() {
  local tree=$1
  mkdir -p "$tree/bin" "$tree/sbin" "$tree/usr/bin" "$tree/usr/sbin"
  cp "$BUSYBOX" "$tree/bin/busybox"
  chroot "$tree" /bin/busybox --install -s
  [ -L "$tree/sbin/init" ] || die "busybox --install made no /sbin/init"
}

# --- initramfs: busybox, virtio_blk, image/init ------------------------------------------------
I=$WORK/initrd
mkdir -p "$I"/{proc,sys,dev,etc,newroot}
install_busybox "$I"
copy_modules "$I" "${INITRD_MODULES[@]}"
printf '%s\n' "${INITRD_MODULES[@]}" > "$I/etc/modules"
install -m 755 "$FILES/init" "$I/init"

# --- root file system ---------------------------------------------------------------------------
R=$WORK/root
mkdir -p "$R"/{proc,sys,dev,run,tmp,mnt,home,etc/n0core,etc/acpi/PWRF,etc/dropbear,var/lib/nocloud,var/log}
install -d -m 700 "$R/root" "$R/root/.ssh"
chmod 1777 "$R/tmp"
install_busybox "$R"
copy_modules "$R" "${ROOT_MODULES[@]}"

log "unpacking ${#SSH_DEBS[@]} packages for $SSH_PACKAGE"
S=$WORK/ssh
for deb in "${SSH_DEBS[@]}"; do dpkg-deb -x "$deb" "$S"; done
LDSO=""
for f in "$S"/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$S"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
  [ -f "$f" ] && LDSO=$f && break
done
[ -n "$LDSO" ] || die "the downloaded libc6 has no ld-linux-x86-64.so.2"
LIBPATH=$S/lib/x86_64-linux-gnu:$S/usr/lib/x86_64-linux-gnu
declare -A LIBS=()
for bin in "${SSH_BINARIES[@]}"; do
  [ -f "$S/$bin" ] || die "$SSH_PACKAGE has no /$bin"
  install -D -m 755 "$S/$bin" "$R/$bin"
  # The downloaded loader lists what each binary loads (it does not run the binary).
  while read -r lib; do
    case "$lib" in "$S"/*) LIBS[$lib]=1 ;; *) die "/$bin needs $lib, which none of the downloaded packages has" ;; esac
  done < <("$LDSO" --inhibit-cache --library-path "$LIBPATH" --list "$S/$bin" | awk '$2 == "=>" { print $3 }')
done
# Sorted: the order files are made in decides the order mke2fs -d finds them (and so the bytes).
for lib in $(printf '%s\n' "${!LIBS[@]}" | LC_ALL=C sort); do
  rel=${lib#"$S"/}
  install -D -m 644 "$(readlink -f "$lib")" "$R/$rel"
done
install -D -m 755 "$(readlink -f "$LDSO")" "$R/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
mkdir -p "$R/lib64"
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$R/lib64/ld-linux-x86-64.so.2"
printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' > "$R/etc/ld.so.conf"

install -m 755 "$FILES/boot" "$FILES/dhcp" "$FILES/halt" "$R/etc/n0core/"
install -m 644 "$FILES/yaml.awk" "$FILES/network.awk" "$R/etc/n0core/"
cat > "$R/etc/inittab" <<'EOF'
::sysinit:/etc/n0core/boot
::shutdown:/etc/n0core/halt
::ctrlaltdel:/sbin/reboot
EOF
# busybox acpid runs CONFDIR/PWRF/00000080 on the power button (what `virsh shutdown` sends).
printf '#!/bin/sh\npoweroff\n' > "$R/etc/acpi/PWRF/00000080"
chmod 755 "$R/etc/acpi/PWRF/00000080"
echo "root:x:0:0:root:/root:/bin/sh" > "$R/etc/passwd"
# `*`: no password login. dropbear refuses accounts whose password starts with `!` (locked).
echo "root:*:19000:0:99999:7:::" > "$R/etc/shadow"
chmod 600 "$R/etc/shadow"
echo "root:x:0:" > "$R/etc/group"
printf '/bin/sh\n/bin/ash\n' > "$R/etc/shells"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' > "$R/etc/nsswitch.conf"
echo "n0core-guest" > "$R/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 n0core-guest\n' > "$R/etc/hosts"
: > "$R/etc/resolv.conf"
cat > "$R/etc/profile" <<'EOF'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
PS1='\u@\h:\w\$ '
EOF
cat > "$R/etc/os-release" <<EOF
PRETTY_NAME="n0core guest (busybox, dropbear, Debian kernel $KVER)"
NAME="n0core guest"
ID=n0core-guest
VERSION_ID=1
EOF
: > "$R/var/log/lastlog"

# The libraries resolve inside the image: run dropbearkey there.
out=$(chroot "$R" /usr/bin/dropbearkey -h 2>&1 || true)
grep -qi usage <<< "$out" || die "dropbearkey does not run in the image: $out"
# It writes to /dev/urandom, which is a plain file in the tree (devtmpfs covers /dev at boot).
find "$R/dev" -mindepth 1 -delete

# --- file times, then the file systems ---------------------------------------------------------
find "$I" "$R" -exec touch -h -d "@$EPOCH" {} +
# GNU cpio's --reproducible numbers the inodes itself (busybox cpio writes the build tree's).
if cpio --help 2>/dev/null | grep -q -- --reproducible; then
  CPIO=(cpio --quiet --reproducible -R 0:0 -o -H newc)
else
  log "GNU cpio is not installed: the initrd (and so the image) differs from build to build"
  CPIO=("$BUSYBOX" cpio -o -H newc)
fi
(cd "$I" && find . | LC_ALL=C sort | "${CPIO[@]}" 2>/dev/null) | gzip -n -9 > "$WORK/initrd.img"
touch -d "@$EPOCH" "$WORK/initrd.img"

cat > "$WORK/syslinux.cfg" <<'EOF'
SERIAL 0 115200
PROMPT 0
DEFAULT n0core
LABEL n0core
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=tty0 console=ttyS0,115200 root=LABEL=n0core-root
EOF
touch -d "@$EPOCH" "$WORK/syslinux.cfg"
cp -p "$VMLINUZ" "$WORK/vmlinuz"

BOOT_START=2048                       # sectors: 1 MiB
BOOT_SECTORS=$((BOOT_MIB * 2048))
ROOT_START=$((BOOT_START + BOOT_SECTORS))
ROOT_SECTORS=$((SIZE_MIB * 2048 - ROOT_START))
UUID=$(sha256sum <<< "$FINGERPRINT root" | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
HASH_SEED=$(sha256sum <<< "$FINGERPRINT hash" | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
VOLID=$(sha256sum <<< "$FINGERPRINT boot" | cut -c1-8)

log "boot file system (FAT16, $BOOT_MIB MiB): SYSLINUX, kernel $KVER, initrd ($(stat -c %s "$WORK/initrd.img") bytes)"
mkfs.fat -C -F 16 -n N0BOOT -i "$VOLID" --invariant -h "$BOOT_START" "$WORK/boot.img" $((BOOT_SECTORS / 2)) >/dev/null
# MTOOLS_SKIP_CHECK: mtools otherwise rejects some FAT geometries; the installer uses mtools,
# which dates the files it makes SOURCE_DATE_EPOCH.
export MTOOLS_SKIP_CHECK=1 SOURCE_DATE_EPOCH=$EPOCH
syslinux --install "$WORK/boot.img"
mcopy -m -i "$WORK/boot.img" "$WORK/syslinux.cfg" "$WORK/vmlinuz" "$WORK/initrd.img" ::/

log "root file system (ext4, $((ROOT_SECTORS / 2048)) MiB): $(du -sh --apparent-size "$R" | cut -f1) of files"
E2FSPROGS_FAKE_TIME=$EPOCH mke2fs -q -F -t ext4 -L "$ROOT_LABEL" -U "$UUID" -E "hash_seed=$HASH_SEED,root_owner=0:0" \
  -d "$R" "$WORK/root.img" $((ROOT_SECTORS / 2))k >/dev/null
# mke2fs -d copies each file's ctime (which touch cannot set) and atime (which reading it may
# have changed): set them afterwards.
(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | sed "s|^\.\(.*\)|sif \1 ctime @$EPOCH\nsif \1 atime @$EPOCH|"; echo "sif / ctime @$EPOCH") > "$WORK/ctimes"
E2FSPROGS_FAKE_TIME=$EPOCH debugfs -w -f "$WORK/ctimes" "$WORK/root.img" >/dev/null 2>&1 || die "debugfs could not set the times in the root file system"

log "disk ($SIZE_MIB MiB, MBR)"
truncate -s "${SIZE_MIB}M" "$WORK/disk.raw"
sfdisk -q --no-reread --no-tell-kernel "$WORK/disk.raw" >/dev/null <<EOF
label: dos
label-id: 0x${VOLID}
unit: sectors
start=$BOOT_START, size=$BOOT_SECTORS, type=e, bootable
start=$ROOT_START, size=$ROOT_SECTORS, type=83
EOF
dd if="$MBR" of="$WORK/disk.raw" bs=440 count=1 conv=notrunc status=none
dd if="$WORK/boot.img" of="$WORK/disk.raw" bs=512 seek="$BOOT_START" conv=notrunc,sparse status=none
dd if="$WORK/root.img" of="$WORK/disk.raw" bs=512 seek="$ROOT_START" conv=notrunc,sparse status=none
qemu-img convert -q -f raw -O qcow2 -o compat=1.1 "$WORK/disk.raw" "$IMAGE_TMP"
chmod 644 "$IMAGE_TMP" "$INFO_TMP"

SUM=$(sha256sum "$IMAGE_TMP" | cut -d' ' -f1)
{
  echo "fingerprint=$FINGERPRINT"
  echo "quick=$QUICK"
  echo "$INPUTS"
  echo "kernel_release=$KVER"
  echo "virtual_size=$((SIZE_MIB * 1048576))"
  echo "file_size=$(stat -c %s "$IMAGE_TMP")"
  echo "sha256=$SUM"
  echo "root_label=$ROOT_LABEL"
  echo "built_in_seconds=$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
} > "$INFO_TMP"
mv "$IMAGE_TMP" "$IMAGE"
mv "$INFO_TMP" "$INFO"
log "wrote $IMAGE ($(stat -c %s "$IMAGE") bytes, ${SIZE_MIB} MiB virtual, sha256 $SUM)"
echo "$IMAGE"
