#!/usr/bin/env bash
# Checks the guest image's NoCloud parsers (image/yaml.awk, image/network.awk) with busybox awk,
# as the guest runs them, on the seeds make-seed.sh writes and on other shapes cloud-init
# accepts (network-config version 1, version 2 with gateway4 and flow maps, a `network:` key,
# comments, quotes, `users:` keys). No VM; takes well under a second.
#
#   deploy/guest/test-nocloud-parse.sh          (exit 0 = PASS)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUSYBOX=${N0CORE_GUEST_BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || { echo "[test-nocloud-parse] FAIL: $BUSYBOX is missing" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/n0core-nocloud-parse.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failures=0
flat() { "$BUSYBOX" awk -f "$HERE/image/yaml.awk"; }
net() { flat | "$BUSYBOX" awk -f "$HERE/image/network.awk"; }
expect() { # expect NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "[test-nocloud-parse] ok   $1" >&2
  else
    failures=$((failures + 1))
    printf '[test-nocloud-parse] FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3" >&2
  fi
}

# What make-seed.sh writes (its own output, so a change there is caught here).
ssh-keygen -q -t ed25519 -N '' -C 'me@host' -f "$WORK/key" 2>/dev/null || printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB me@host\n' > "$WORK/key.pub"
KEY=$(cat "$WORK/key.pub")
bash "$HERE/make-seed.sh" "$WORK/cidata" --dir --hostname vm-1 --ssh-key "$WORK/key.pub" \
  --address 192.168.0.1/24 --gateway 192.168.0.254 --nameserver 192.168.0.254 --nameserver 10.0.0.2 \
  --search n0core.test --mac 52:54:00:AA:BB:CC >/dev/null
expect "make-seed network-config" \
  "NIC eth0 mac=52:54:00:aa:bb:cc name=- setname=eth0 dhcp=0 addr=192.168.0.1/24 gw=192.168.0.254 dns=192.168.0.254,10.0.0.2 search=n0core.test" \
  "$(net < "$WORK/cidata/network-config")"
expect "make-seed meta-data" \
  "instance-id=iid-vm-1
local-hostname=vm-1
public-keys.0=$KEY" \
  "$(flat < "$WORK/cidata/meta-data")"
expect "make-seed user-data" \
  "hostname=vm-1
disable_root=false
ssh_authorized_keys.0=$KEY" \
  "$(flat < "$WORK/cidata/user-data")"

expect "v2 gateway4, flow map, network: key, comments" \
  "NIC enp1s0 mac=- name=enp1s0 setname=- dhcp=0 addr=10.1.2.3/16,fd00::3/64 gw=10.1.0.1 dns=10.1.0.1 search=-
NIC second mac=aa:bb:cc:dd:ee:ff name=- setname=- dhcp=1 addr=- gw=- dns=- search=-" \
  "$(net <<'EOF'
# generated
network:
  version: 2
  ethernets:
    enp1s0:
      match: {name: enp1s0}
      addresses: ["10.1.2.3/16", 'fd00::3/64']   # both
      gateway4: 10.1.0.1
      nameservers: {addresses: [10.1.0.1]}
    second:
      match:
        macaddress: AA:BB:CC:DD:EE:FF
      dhcp4: true
EOF
)"

expect "v1 physical + nameserver, netmask" \
  "DNS 1.1.1.1,8.8.8.8 example.org
NIC eth0 mac=52:54:00:6e:30:02 name=eth0 setname=- dhcp=0 addr=192.168.0.1/24 gw=192.168.0.254 dns=192.168.0.254 search=-
NIC eth1 mac=- name=eth1 setname=- dhcp=1 addr=- gw=- dns=- search=-" \
  "$(net <<'EOF'
version: 1
config:
- type: physical
  name: eth0
  mac_address: "52:54:00:6E:30:02"
  subnets:
  - type: static
    address: 192.168.0.1
    netmask: 255.255.255.0
    gateway: 192.168.0.254
    dns_nameservers:
    - 192.168.0.254
- type: physical
  name: eth1
  subnets:
    - type: dhcp
- type: nameserver
  address: [1.1.1.1, 8.8.8.8]
  search: [example.org]
EOF
)"

expect "cloud-config: keys in lists, users, block scalars skipped" \
  "hostname=vm-one
ssh_authorized_keys.0=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOx== me@host
ssh_authorized_keys.1=ssh-rsa AAAAB3Nza== it's mine
users.0=default
users.1.name=root
users.1.ssh_authorized_keys.0=ssh-ed25519 AAAA3== x
write_files.0.path=/x
preserve_hostname=false" \
  "$(flat <<'EOF'
#cloud-config
hostname: vm-one
ssh_authorized_keys:
  - "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOx== me@host"
  - ssh-rsa AAAAB3Nza== it's mine # a comment
users:
  - default
  - name: root
    ssh_authorized_keys: ['ssh-ed25519 AAAA3== x']
runcmd:
  - |
    echo hi: there
    - not an item
write_files:
  - path: /x
    content: |
      a: b

preserve_hostname: false
EOF
)"

expect "no network-config" "" "$(net < /dev/null)"

if [ "$failures" -gt 0 ]; then echo "[test-nocloud-parse] FAIL: $failures" >&2; exit 1; fi
echo "[test-nocloud-parse] PASS" >&2
