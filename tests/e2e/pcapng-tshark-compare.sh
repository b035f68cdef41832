#!/bin/sh
# pcapng-tshark-compare.sh: what sipsec reads from pcapng files through its own reader
# (capture/pcapng_reader.c) against tshark on the same files: the same packets, numbered the same.
# Usage: pcapng-tshark-compare.sh SIPSEC FILE[=KEYLOG]...   (exit 1 on a mismatch, 77 without tshark)
# Per file: the packet count; each TLS session (by its endpoints) with the first frame of its
# TCP connection and its SNI, and no session on one side only; the frames of the TLS alerts; each
# SIP call (by Call-ID) with its first frame and its number of messages. KEYLOG goes to both
# (sipsec --keylog, tshark -o tls.keylog_file); pcapng Decryption Secrets Blocks both read alone.
set -eu
command -v tshark >/dev/null || exit 77
sipsec=$1
shift
status=0
for arg in "$@"; do
    f=${arg%%=*}
    keylog=""
    [ "$f" = "$arg" ] || keylog=${arg#*=}
    if [ -n "$keylog" ]; then
        ours=$(timeout 120 "$sipsec" analyze --format json --keylog "$keylog" "$f") || ours=""
        set -- -o "tls.keylog_file:$keylog"
    else
        ours=$(timeout 120 "$sipsec" analyze --format json "$f") || ours=""
        set --
    fi
    if [ -z "$ours" ]; then
        echo "FAIL $f: no report from sipsec"
        status=1
        continue
    fi
    frames=$(tshark -n -r "$f" "$@" -T fields -e frame.number -e tcp.stream 2>/dev/null) || frames=""
    hellos=$(tshark -n -r "$f" "$@" -Y "tls.handshake.type == 1" -T fields -e tcp.stream -e ip.src \
        -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
        -e tls.handshake.extensions_server_name 2>/dev/null) || hellos=""
    alerts=$(tshark -n -r "$f" "$@" -Y tls.alert_message -T fields -e frame.number 2>/dev/null) || alerts=""
    sip=$(tshark -n -r "$f" "$@" -Y sip -T fields -E occurrence=a -E aggregator='|' -e frame.number \
        -e sip.Call-ID 2>/dev/null) || sip=""
    python3 - "$f" "$ours" "$frames" "$hellos" "$alerts" "$sip" <<'PY' || status=1
import json, sys
name, ours, frames, hellos, alerts, sip = sys.argv[1], json.loads(sys.argv[2]), *sys.argv[3:]
def ep(ip, port):
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
bad = []
rows = [l.split("\t") for l in frames.splitlines() if l]
if ours["input"]["packets"] != len(rows):
    bad.append(f"packets {ours['input']['packets']} != tshark {len(rows)}")
stream_first = {}
for r in rows:
    if len(r) > 1 and r[1]:
        stream_first.setdefault(r[1], int(r[0]))
theirs = {}
for l in hellos.splitlines():
    s, src4, src6, sport, dst4, dst6, dport, sni = (l.split("\t") + [""] * 8)[:8]
    key = (ep(src4 or src6, sport), ep(dst4 or dst6, dport))
    theirs[key] = dict(first=stream_first.get(s), sni=sni or None)
us = {(t["client"], t["server"]): t for t in ours["tls_sessions"] if t.get("transport", "tcp") == "tcp"}
for key, t in theirs.items():
    s = us.get(key)
    if s is None:
        bad.append(f"TLS {key}: tshark has it, sipsec does not")
        continue
    if s["first_frame"] != t["first"]:
        bad.append(f"TLS {key}: first frame {s['first_frame']} != tshark {t['first']}")
    if s["sni"] != t["sni"]:
        bad.append(f"TLS {key}: SNI {s['sni']} != tshark {t['sni']}")
bad += [f"TLS {k}: sipsec has it, tshark does not" for k in us if k not in theirs]
ta = sorted(int(x) for x in alerts.split())
ua = sorted(a["frame"] for t in ours["tls_sessions"] for a in t["alerts"])
if ta != ua:
    bad.append(f"alert frames {ua} != tshark {ta}")
calls = {}
for l in sip.splitlines():
    fr, ids = (l.split("\t") + [""])[:2]
    for cid in ids.split("|"):
        if cid:
            c = calls.setdefault(cid, [int(fr), 0])
            c[1] += 1
uc = {c["call_id"]: c for c in ours["calls"] if c.get("call_id")}
for cid, (first, n) in calls.items():
    c = uc.get(cid)
    if c is None:
        continue  # REGISTER, OPTIONS, ... are not calls
    if c["first_frame"] != first or c["messages"] != n:
        bad.append(f"call {cid}: first frame {c['first_frame']}, {c['messages']} messages != tshark {first}, {n}")
bad += [f"call {cid}: sipsec has it, tshark does not" for cid in uc if cid not in calls]
if bad:
    print(f"FAIL {name}:\n  " + "\n  ".join(bad))
    sys.exit(1)
print(f"ok   {name}: {len(rows)} packets, {len(theirs)} TLS session(s), {len(ta)} alert(s), {len(uc)} call(s)")
PY
done
exit $status
