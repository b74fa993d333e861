# yaml.awk — flattens the YAML a NoCloud seed holds into one `path=value` line per scalar, for
# the guest's small NoCloud reader (runs under busybox awk; also under mawk/gawk for tests).
#
#   ethernets:                              ethernets.eth0.match.macaddress=52:54:00:6e:30:02
#     eth0:                                 ethernets.eth0.addresses.0=192.168.0.1/24
#       match: {macaddress: "52:54:00:6e:30:02"}
#       addresses: [192.168.0.1/24]
#
# Understood: block maps, block sequences (items numbered from 0, also at their key's indent),
# maps inside sequence items, flow sequences and flow maps on one line (nested too), single- and
# double-quoted scalars, comments, `---`. Block scalars (| and >) are skipped with their lines;
# anchors, aliases, tags and multi-line plain or flow values are not understood (their lines are
# printed as they are or dropped). Paths never contain `=`; values may.

function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

function unquote(s,   q) {
  s = trim(s)
  q = substr(s, 1, 1)
  if ((q == "\"" || q == "'") && length(s) >= 2 && substr(s, length(s), 1) == q) {
    s = substr(s, 2, length(s) - 2)
    if (q == "'") gsub(/''/, "'", s)
    else gsub(/\\"/, "\"", s)
  }
  return s
}

# Drops a comment: `#` at the start or after a blank, outside quotes.
function uncomment(s,   i, c, q, n) {
  q = ""
  n = length(s)
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    if (q != "") { if (c == q) q = ""; continue }
    if ((c == "\"" || c == "'") && (i == 1 || substr(s, i - 1, 1) ~ /[ \t[{,]/)) { q = c; continue }
    if (c == "#" && (i == 1 || substr(s, i - 1, 1) ~ /[ \t]/)) return substr(s, 1, i - 1)
  }
  return s
}

# True when s is `key: value` or `key:`; sets K (unquoted key) and V (the value, trimmed).
function keysplit(s) {
  if (match(s, /^"[^"]*"[ \t]*:([ \t]|$)/) || match(s, /^'[^']*'[ \t]*:([ \t]|$)/) \
      || match(s, /^[A-Za-z0-9_.\/-]+[ \t]*:([ \t]|$)/)) {
    K = substr(s, 1, RLENGTH)
    sub(/[ \t]*:[ \t]*$/, "", K)
    K = unquote(K)
    V = trim(substr(s, RLENGTH + 1))
    return 1
  }
  return 0
}

function join(a, b) { return a == "" ? b : a "." b }

function flowvalue(path, v) {
  if (v ~ /^\[.*\]$/ || v ~ /^\{.*\}$/) flow(path, v)
  else print path "=" unquote(v)
}

function flowitem(path, open, item, n) {
  item = trim(item)
  if (item == "") return
  if (open == "[") { flowvalue(join(path, n), item); return }
  if (keysplit(item)) flowvalue(join(path, K), V)
}

# [a, "b", c] or {k: v, k2: [a, b]}: flow collections, nested ones too.
function flow(path, s,   open, i, c, q, n, item, depth) {
  open = substr(s, 1, 1)
  s = substr(s, 2, length(s) - 2)
  n = 0; item = ""; q = ""; depth = 0
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q != "") { item = item c; if (c == q) q = ""; continue }
    if (c == "\"" || c == "'") { q = c; item = item c; continue }
    if (c == "[" || c == "{") depth++
    if (c == "]" || c == "}") depth--
    if (c == "," && depth == 0) { flowitem(path, open, item, n); n++; item = ""; continue }
    item = item c
  }
  flowitem(path, open, item, n)
}

# A value after `key:` or `- `; INDENT is the indent below which a block scalar ends.
function scalar(path, v, indent) {
  if (v ~ /^[|>]/) { blk = indent; return }
  flowvalue(path, v)
}

BEGIN { d = 0; blk = -1; pending = "" }

{
  line = $0
  sub(/\r$/, "", line)
  match(line, /^ */)
  ind = RLENGTH
  if (blk >= 0) {
    if (line ~ /^[ \t]*$/ || ind > blk) next
    blk = -1
  }
  line = uncomment(line)
  if (line ~ /^[ \t]*$/ || line ~ /^(---|\.\.\.)([ \t]|$)/ || line ~ /^%/) next
  rest = trim(substr(line, ind + 1))
  while (1) {
    while (d > 0 && ind < lind[d]) d--
    if (rest ~ /^-([ \t]|$)/) {
      # A sequence item: the next one of the sequence at this indent, or the first of a new one
      # under the key that just ended with `:`.
      if (!(d > 0 && lind[d] == ind && lseq[d])) {
        d++; lind[d] = ind; lseq[d] = 1; lcnt[d] = -1; lpath[d] = pending
      }
      lcnt[d]++
      item = join(lpath[d], lcnt[d])
      pending = item
      dash = ind
      rest = substr(rest, 2)
      match(rest, /^[ \t]*/)
      ind = ind + 1 + RLENGTH
      rest = substr(rest, RLENGTH + 1)
      if (rest == "") next
      if (rest ~ /^-([ \t]|$)/) continue
      if (keysplit(rest)) { d++; lind[d] = ind; lseq[d] = 0; lpath[d] = item; continue }
      scalar(item, rest, dash)
      next
    }
    if (keysplit(rest)) {
      # A key at a sequence's indent ends that sequence.
      while (d > 0 && lind[d] == ind && lseq[d]) d--
      if (!(d > 0 && lind[d] == ind)) { d++; lind[d] = ind; lseq[d] = 0; lpath[d] = pending }
      p = join(lpath[d], K)
      if (V == "") { pending = p; next }
      scalar(p, V, ind)
      next
    }
    next
  }
}
