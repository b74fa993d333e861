# network.awk — reads yaml.awk's flat lines of a NoCloud network-config (version 1 or 2, with or
# without a top-level `network:` key) and prints what the guest configures, one line each:
#
#   NIC <id> mac=<mac|-> name=<name|-> setname=<name|-> dhcp=<0|1> addr=<cidr,...|-> gw=<ip|-> dns=<ip,...|-> search=<domain,...|->
#   DNS <ip,...|-> <domain,...|->                (version 1 `type: nameserver` entries)
#
# Version 2: ethernets.<id>.{match.macaddress, match.name, set-name, dhcp4, addresses,
# gateway4, gateway6, routes (to: default | 0.0.0.0/0 | ::/0, via), nameservers.addresses,
# nameservers.search}. Version 1: config entries of type physical (name, mac_address, subnets
# of type static/static6/dhcp/dhcp4 with address (CIDR, or with netmask/prefix), gateway,
# dns_nameservers, dns_search) and of type nameserver (address, search). Other keys are
# ignored. Values holding blanks are dropped, so every field is one word.

function add(arr, id, v) {
  if (v == "" || v ~ /[ \t]/) return
  arr[id] = (arr[id] == "") ? v : arr[id] "," v
}
function nic(id) { if (!(id in seen)) { seen[id] = 1; order[++n] = id } }
function prefix(mask,   a, i, b, bit, p) {
  if (split(mask, a, ".") != 4) return ""
  p = 0
  for (i = 1; i <= 4; i++) {
    b = a[i] + 0
    for (bit = 128; bit >= 1; bit /= 2) if (b >= bit) { p++; b -= bit }
  }
  return p
}
function isdefault(to) { return to == "default" || to == "0.0.0.0/0" || to == "::/0" }
function or_dash(s) { return s == "" ? "-" : s }

{
  i = index($0, "=")
  if (i == 0) next
  k = substr($0, 1, i - 1)
  v = substr($0, i + 1)
  sub(/^network\./, "", k)
  if (k == "version") { version = v; next }

  if (k ~ /^ethernets\.[^.]+\./) {
    rest = substr(k, 11)
    j = index(rest, ".")
    id = substr(rest, 1, j - 1)
    f = substr(rest, j + 1)
    nic(id)
    if (f == "match.macaddress") mac[id] = tolower(v)
    else if (f == "match.name") name[id] = v
    else if (f == "set-name") setname[id] = v
    else if (f == "dhcp4") dhcp[id] = (v ~ /^(true|yes|on|True|TRUE)$/)
    else if (f ~ /^addresses\.[0-9]+$/) add(addr, id, v)
    else if (f == "gateway4" || f == "gateway6") { if (gw[id] == "") gw[id] = v }
    else if (f ~ /^routes\.[0-9]+\.(to|via)$/) {
      r = id SUBSEP substr(f, 8, index(substr(f, 8), ".") - 1)
      if (f ~ /\.to$/) rto[r] = v; else rvia[r] = v
      if (isdefault(rto[r]) && rvia[r] != "" && gw[id] == "") gw[id] = rvia[r]
    }
    else if (f ~ /^nameservers\.addresses\.[0-9]+$/) add(dns, id, v)
    else if (f ~ /^nameservers\.search\.[0-9]+$/) add(search, id, v)
    next
  }

  if (k ~ /^config\.[0-9]+\./) {
    rest = substr(k, 8)
    j = index(rest, ".")
    c = substr(rest, 1, j - 1)
    f = substr(rest, j + 1)
    if (!(c in cseen)) { cseen[c] = 1; corder[++cn] = c }
    if (f == "type") ctype[c] = v
    else if (f == "name") cname[c] = v
    else if (f == "mac_address") cmac[c] = tolower(v)
    else if (f ~ /^address(\.[0-9]+)?$/) add(caddr, c, v)
    else if (f ~ /^search(\.[0-9]+)?$/) add(csearch, c, v)
    else if (f ~ /^subnets\.[0-9]+\./) {
      s = substr(f, 9)
      j = index(s, ".")
      sn = substr(s, 1, j - 1)
      sf = substr(s, j + 1)
      key = c SUBSEP sn
      if (!(key in sseen)) { sseen[key] = 1; sorder[c] = sorder[c] " " sn }
      if (sf ~ /^dns_nameservers(\.[0-9]+)?$/) add(sdns, key, v)
      else if (sf ~ /^dns_search(\.[0-9]+)?$/) add(ssearch, key, v)
      else sval[key, sf] = v
    }
  }
}

END {
  if (version == 1 || (version == "" && cn > 0)) {
    for (i = 1; i <= cn; i++) {
      c = corder[i]
      if (ctype[c] == "nameserver") { add(gdns, 0, caddr[c]); add(gsearch, 0, csearch[c]); continue }
      if (ctype[c] != "physical") continue
      id = cname[c] != "" ? cname[c] : "nic" c
      nic(id)
      mac[id] = cmac[c]
      name[id] = cname[c]
      m = split(sorder[c], subs, " ")
      for (j = 1; j <= m; j++) {
        key = c SUBSEP subs[j]
        t = sval[key, "type"]
        if (t ~ /^dhcp/) { dhcp[id] = 1; continue }
        if (t != "static" && t != "static6") continue
        a = sval[key, "address"]
        if (a != "" && a !~ /\//) {
          if (sval[key, "prefix"] != "") a = a "/" sval[key, "prefix"]
          else if (sval[key, "netmask"] != "") a = a "/" prefix(sval[key, "netmask"])
          else a = a "/" (a ~ /:/ ? 64 : 24)
        }
        add(addr, id, a)
        if (gw[id] == "" && sval[key, "gateway"] != "") gw[id] = sval[key, "gateway"]
        add(dns, id, sdns[key])
        add(search, id, ssearch[key])
      }
    }
    if (gdns[0] != "" || gsearch[0] != "") print "DNS " or_dash(gdns[0]) " " or_dash(gsearch[0])
  }
  for (i = 1; i <= n; i++) {
    id = order[i]
    if (gw[id] ~ /[ \t]/) gw[id] = ""
    print "NIC " id " mac=" or_dash(mac[id]) " name=" or_dash(name[id]) " setname=" or_dash(setname[id]) \
      " dhcp=" (dhcp[id] ? 1 : 0) " addr=" or_dash(addr[id]) " gw=" or_dash(gw[id]) \
      " dns=" or_dash(dns[id]) " search=" or_dash(search[id])
  }
}
