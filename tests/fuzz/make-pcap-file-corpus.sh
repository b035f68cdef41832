#!/bin/sh
# make-pcap-file-corpus.sh: hand-built seeds for fuzz_pcap_file (the traces in pcaps/ are seeds
# too): classic pcap files at the edges of the plain reader's hand-over to libpcap: micro- and
# nanosecond stamps, a record cut in its header and in its data, a capture length over the
# snaplen, big-endian order, a link type other than Ethernet, snaplen 0, negative stamps.
#   sh tests/fuzz/make-pcap-file-corpus.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/tests/fuzz/corpus/pcap_file
mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import struct, sys
out = sys.argv[1]
eth = bytes(12) + b"\x08\x00" + bytes.fromhex("450000200001000040110000c0000201c0000202") + \
      struct.pack(">HHHH", 5060, 5060, 12, 0) + b"OPTI"
def hdr(e="<", magic=0xA1B2C3D4, snap=65535, link=1):
    return struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snap, link)
def rec(d, e="<", sec=1, frac=0, caplen=None, wirelen=None):
    c = len(d) if caplen is None else caplen
    return struct.pack(e + "IIII", sec & 0xFFFFFFFF, frac & 0xFFFFFFFF, c,
                       len(d) if wirelen is None else wirelen) + d
seeds = {
    "micro": hdr() + rec(eth) + rec(eth, sec=2, frac=999999),
    "nano": hdr(magic=0xA1B23C4D) + rec(eth, frac=999999999) + rec(eth, sec=3),
    "cut-header": hdr() + rec(eth) + rec(eth)[:9],
    "cut-data": hdr() + rec(eth) + rec(eth)[:30],
    "over-snaplen": hdr(snap=40) + rec(eth[:40]) + rec(eth),
    "big-endian": hdr(">") + rec(eth, ">"),
    "sll": hdr(link=113) + rec(bytes(16) + eth[14:]),
    "snaplen-0": hdr(snap=0) + rec(eth),
    "negative-stamps": hdr() + rec(eth, sec=0xB1CEA3E4, frac=0xFFFFFFFF),
}
for name, data in seeds.items():
    open(f"{out}/{name}.pcap", "wb").write(data)
PY
