#!/bin/sh
# rtp-tshark-compare.sh: sipsec's rtp_streams against tshark's "-z rtp,streams" on the same files.
# Usage: rtp-tshark-compare.sh SIPSEC FILE...   (exit 1 on any mismatch, 77 when tshark is missing)
# Per stream (matched by SSRC + endpoints): packets equal; tshark's lost equal to our
# lost - duplicates (tshark prints expected - packets); max delta within 0.01 ms; mean
# jitter within 0.5 ms. Streams tshark finds and we do not (or the reverse) are failures.
set -eu
command -v tshark >/dev/null || exit 77
sipsec=$1
shift
status=0
for f in "$@"; do
    ours=$(timeout 120 "$sipsec" analyze --format json "$f" | jq -c '.rtp_streams') || ours=""
    if [ -z "$ours" ]; then
        echo "FAIL $f: no report from sipsec"
        status=1
        continue
    fi
    theirs=$(tshark -n -r "$f" --enable-heuristic rtp_udp -q -z rtp,streams 2>/dev/null) || theirs=""
    python3 - "$f" "$ours" "$theirs" <<'PY' || status=1
import json, re, sys
name, ours, theirs = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
row = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+0x([0-9A-Fa-f]{8})\s+.*?"
                 r"\s(\d+)\s+(-?\d+) \(\S+%\)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*X?\s*$")
def ep(ip, port):
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
ts = {}
for line in theirs.splitlines():
    m = row.match(line)
    if m:
        key = (m[5].lower(), ep(m[1], m[2]), ep(m[3], m[4]))
        ts[key] = dict(packets=int(m[6]), lost=int(m[7]), max_delta=float(m[10]), jitter=float(m[12]))
us = {(s["ssrc"][2:].lower(), s["src"], s["dst"]): s for s in ours}
bad = []
for key, t in ts.items():
    s = us.get(key)
    if s is None:
        bad.append(f"{key}: tshark has it, sipsec does not")
        continue
    if s["packets"] != t["packets"]:
        bad.append(f"{key}: packets {s['packets']} != tshark {t['packets']}")
    if s["lost"] - s["duplicates"] != t["lost"]:
        bad.append(f"{key}: lost {s['lost']} (dups {s['duplicates']}) != tshark {t['lost']}")
    if abs(s["max_delta_ms"] - t["max_delta"]) > 0.01:
        bad.append(f"{key}: max delta {s['max_delta_ms']} != tshark {t['max_delta']}")
    if abs(s["jitter_ms"] - t["jitter"]) > 0.5:
        bad.append(f"{key}: jitter {s['jitter_ms']} vs tshark {t['jitter']} (> 0.5 ms)")
for key in us:
    if key not in ts:
        bad.append(f"{key}: sipsec has it, tshark does not")
if bad:
    print(f"FAIL {name}:\n  " + "\n  ".join(bad))
    sys.exit(1)
print(f"ok   {name}: {len(ts)} stream(s)")
PY
done
exit $status
