#!/bin/sh
# make-sip-fast-corpus.sh: seeds for fuzz_sip_fast, one SIP message per file: the UDP and TCP
# payloads tshark dissects as SIP in the traces under pcaps/ (named TRACE-FRAME.sip).
# Needs tshark.
#   sh tests/fuzz/make-sip-fast-corpus.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/tests/fuzz/corpus/sip_fast
mkdir -p "$out"
for f in "$root"/pcaps/*/*.pcap "$root"/pcaps/*/*.pcapng; do
    keylog=${f%.*}.keylog
    set --
    [ -f "$keylog" ] && set -- -o "tls.keylog_file:$keylog"
    tshark -n -r "$f" "$@" -Y sip -T fields -e frame.number -e udp.payload -e tcp.payload -e tls.segment.data \
        2>/dev/null | /usr/bin/python3 -c '
import sys, os
out, name = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    parts = line.rstrip("\n").split("\t")
    frame, hexes = parts[0], [p for p in parts[1:] if p]
    if not hexes:
        continue
    data = bytes.fromhex(hexes[-1].split(",")[0].replace(":", ""))
    if data[:3] not in (b"SIP", b"INV", b"ACK", b"BYE", b"CAN", b"OPT", b"REG", b"PRA", b"UPD", b"INF", b"SUB", b"NOT", b"REF", b"MES", b"PUB"):
        continue
    with open(os.path.join(out, "%s-%s.sip" % (name, frame)), "wb") as g:
        g.write(data)
' "$out" "$(basename "${f%.*}")"
done
