#!/usr/bin/env bash
# Builds a cloud-init NoCloud seed for a guest, the way n0core's compute agent does.
#
#   deploy/guest/make-seed.sh OUT --hostname NAME [--ssh-key FILE]... [--instance-id ID]
#       [--address CIDR [--gateway IP] [--nameserver IP]... [--search DOMAIN]... [--mac MAC]]
#       [--user-data FILE] [--vfat | --dir]
#
# OUT is an ISO9660 image (genisoimage, else xorriso), with --vfat a FAT image (mkfs.fat +
# mtools), with --dir a directory that gets the files only (to look at, or to test). Either way its volume label is `cidata` (FAT stores it as `CIDATA`; readers compare
# without case) and its root directory holds exactly these files (ISO9660 with Rock Ridge and
# Joliet, so the names are kept as they are):
#
#   meta-data       instance-id: <ID>                 (default iid-<NAME>)
#                   local-hostname: <NAME>
#                   public-keys:                      (each --ssh-key line, when any)
#                     - "<key>"
#   user-data       the --user-data file as it is, or else:
#                   #cloud-config
#                   hostname: <NAME>
#                   disable_root: false               (cloud-init images: the keys work for root)
#                   ssh_authorized_keys:
#                     - "<key>"
#   network-config  only with --address; without it the guest uses DHCP:
#                   version: 2
#                   ethernets:
#                     eth0:
#                       match:                        (only with --mac)
#                         macaddress: "<mac>"
#                       set-name: eth0                (only with --mac)
#                       addresses:
#                         - <CIDR>
#                       routes:                       (only with --gateway)
#                         - to: 0.0.0.0/0
#                           via: <IP>
#                       nameservers:                  (only with --nameserver/--search)
#                         addresses: [<IP>, ...]
#                         search: [<DOMAIN>, ...]
#
# Attach it to the guest as a read-only disk (virtio is fastest; an IDE CD-ROM works too). Both
# n0core's guest image and real cloud-init read it. Values are checked (host name, addresses,
# key lines) so nothing in them can break the YAML.
set -euo pipefail

die() { printf '[make-seed] error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; exit 2; }

[ $# -ge 1 ] || usage
OUT=$1; shift
NAME="" INSTANCE="" ADDRESS="" GATEWAY="" MAC="" USER_DATA="" FORMAT=iso
KEYFILES=() DNS=() SEARCH=()
while [ $# -gt 0 ]; do
  case "$1" in
    --hostname) NAME=${2:?}; shift 2 ;;
    --ssh-key) KEYFILES+=("${2:?}"); shift 2 ;;
    --instance-id) INSTANCE=${2:?}; shift 2 ;;
    --address) ADDRESS=${2:?}; shift 2 ;;
    --gateway) GATEWAY=${2:?}; shift 2 ;;
    --nameserver) DNS+=("${2:?}"); shift 2 ;;
    --search) SEARCH+=("${2:?}"); shift 2 ;;
    --mac) MAC=${2:?}; shift 2 ;;
    --user-data) USER_DATA=${2:?}; shift 2 ;;
    --vfat) FORMAT=vfat; shift ;;
    --dir) FORMAT=dir; shift ;;
    -h|--help) usage ;;
    *) die "unknown argument $1" ;;
  esac
done

IPV4='([0-9]{1,3}\.){3}[0-9]{1,3}'
[ -n "$NAME" ] || die "--hostname is required"
[[ "$NAME" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$ ]] || die "--hostname '$NAME' is not a host name"
INSTANCE=${INSTANCE:-iid-$NAME}
[[ "$INSTANCE" =~ ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$ ]] || die "--instance-id '$INSTANCE': letters, digits, . _ : - only"
if [ -n "$ADDRESS" ]; then
  [[ "$ADDRESS" =~ ^$IPV4/([0-9]|[12][0-9]|3[0-2])$ ]] || die "--address '$ADDRESS' is not an IPv4 CIDR (a.b.c.d/len)"
else
  [ -z "$GATEWAY" ] && [ ${#DNS[@]} -eq 0 ] && [ -z "$MAC" ] \
    || die "--gateway, --nameserver and --mac go with --address (without it the guest uses DHCP)"
fi
[ -z "$GATEWAY" ] || [[ "$GATEWAY" =~ ^$IPV4$ ]] || die "--gateway '$GATEWAY' is not an IPv4 address"
for d in "${DNS[@]}"; do [[ "$d" =~ ^$IPV4$ ]] || die "--nameserver '$d' is not an IPv4 address"; done
for d in "${SEARCH[@]}"; do [[ "$d" =~ ^[A-Za-z0-9.-]+$ ]] || die "--search '$d' is not a domain"; done
[ -z "$MAC" ] || [[ "$MAC" =~ ^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$ ]] || die "--mac '$MAC' is not a MAC address"
MAC=${MAC,,}
[ -z "$USER_DATA" ] || [ -f "$USER_DATA" ] || die "--user-data $USER_DATA does not exist"

# A key line: type, base64, an optional comment without quotes or backslashes.
KEYRE='^(ssh-[a-z0-9-]+|ecdsa-sha2-nistp[0-9]+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( [^"\\]*)?$'
KEYS=()
for f in "${KEYFILES[@]}"; do
  [ -f "$f" ] || die "--ssh-key $f does not exist"
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    case "$line" in ''|'#'*) continue ;; esac
    [[ "$line" =~ $KEYRE ]] \
      || die "$f: not an OpenSSH public key line: ${line:0:40}…"
    KEYS+=("$line")
  done < "$f"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/n0core-seed.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
D=$WORK/cidata
mkdir -p "$D"

{
  echo "instance-id: $INSTANCE"
  echo "local-hostname: $NAME"
  if [ ${#KEYS[@]} -gt 0 ]; then
    echo "public-keys:"
    for k in "${KEYS[@]}"; do echo "  - \"$k\""; done
  fi
} > "$D/meta-data"

if [ -n "$USER_DATA" ]; then
  cp "$USER_DATA" "$D/user-data"
else
  {
    echo "#cloud-config"
    echo "hostname: $NAME"
    echo "disable_root: false"
    if [ ${#KEYS[@]} -gt 0 ]; then
      echo "ssh_authorized_keys:"
      for k in "${KEYS[@]}"; do echo "  - \"$k\""; done
    fi
  } > "$D/user-data"
fi

if [ -n "$ADDRESS" ]; then
  {
    echo "version: 2"
    echo "ethernets:"
    echo "  eth0:"
    if [ -n "$MAC" ]; then
      echo "    match:"
      echo "      macaddress: \"$MAC\""
      echo "    set-name: eth0"
    fi
    echo "    addresses:"
    echo "      - $ADDRESS"
    if [ -n "$GATEWAY" ]; then
      echo "    routes:"
      echo "      - to: 0.0.0.0/0"
      echo "        via: $GATEWAY"
    fi
    if [ ${#DNS[@]} -gt 0 ] || [ ${#SEARCH[@]} -gt 0 ]; then
      echo "    nameservers:"
      [ ${#DNS[@]} -eq 0 ] || echo "      addresses: [$(IFS=,; echo "${DNS[*]}" | sed 's/,/, /g')]"
      [ ${#SEARCH[@]} -eq 0 ] || echo "      search: [$(IFS=,; echo "${SEARCH[*]}" | sed 's/,/, /g')]"
    fi
  } > "$D/network-config"
fi

# Fixed times (2000-01-01, which FAT can hold too), so the same arguments give the same seed.
touch -d @946684800 "$D"/*
case "$FORMAT" in
  dir)
    mkdir -p "$OUT"
    cp -p "$D"/* "$OUT"/
    echo "$OUT"
    exit 0 ;;
  iso)
    if command -v genisoimage >/dev/null; then
      genisoimage -quiet -output "$WORK/seed" -volid cidata -joliet -rock "$D"
    elif command -v xorriso >/dev/null; then
      xorriso -as mkisofs -quiet -output "$WORK/seed" -volid cidata -joliet -rock "$D" 2>/dev/null
    else
      die "neither genisoimage nor xorriso is installed (or use --vfat, with dosfstools and mtools)"
    fi ;;
  vfat)
    command -v mkfs.fat >/dev/null && command -v mcopy >/dev/null || die "--vfat needs dosfstools and mtools"
    mkfs.fat -C -n CIDATA --invariant "$WORK/seed" 1024 >/dev/null
    MTOOLS_SKIP_CHECK=1 mcopy -m -i "$WORK/seed" "$D"/* ::/ ;;
esac
mv "$WORK/seed" "$OUT"
echo "$OUT"
