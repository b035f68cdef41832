#!/bin/sh
# make-pcapng-corpus.sh: hand-built seeds for fuzz_pcapng (the real traces in pcaps/, e.g.
# pcaps/pcapng/two-links-sbc.pcapng, are seeds too): both byte orders, if_tsresol 10^-9 and
# 2^-20, if_tsoffset, EPB, SPB, the obsolete PB, NRB/ISB/DSB blocks, two sections.
#   sh tests/fuzz/make-pcapng-corpus.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/tests/fuzz/corpus/pcapng
mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import struct, sys
out = sys.argv[1]
def blk(t, body, e):
    body += b"\0" * ((-len(body)) % 4)
    n = 12 + len(body)
    return struct.pack(e + "II", t, n) + body + struct.pack(e + "I", n)
def shb(e): return blk(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1), e)
def opt(e, code, val): return struct.pack(e + "HH", code, len(val)) + val + b"\0" * ((-len(val)) % 4)
def idb(e, lt, opts=b""): return blk(1, struct.pack(e + "HHI", lt, 0, 0) + opts + opt(e, 0, b""), e)
def epb(e, i, ts, d): return blk(6, struct.pack(e + "IIIII", i, ts >> 32, ts & 0xFFFFFFFF, len(d), len(d)) + d, e)
def spb(e, d): return blk(3, struct.pack(e + "I", len(d)) + d, e)
def pb(e, i, ts, d): return blk(2, struct.pack(e + "HHIIII", i, 0, ts >> 32, ts & 0xFFFFFFFF, len(d), len(d)) + d, e)
eth = bytes(12) + b"\x08\x00" + bytes.fromhex("450000140000000040110000") + bytes(8)
sll = bytes(14) + b"\x08\x00" + eth[14:]
for e, name in (("<", "le"), (">", "be")):
    f = shb(e) + blk(4, b"\0\0\0\0", e) + idb(e, 1, opt(e, 9, b"\x09") + opt(e, 14, struct.pack(e + "q", 5)))
    f += idb(e, 113, opt(e, 9, b"\x94") + opt(e, 2, b"")) + epb(e, 0, 10**18, eth) + epb(e, 1, 1 << 20, sll)
    f += spb(e, eth) + pb(e, 1, 3, sll) + blk(5, bytes(16), e) + blk(0x0A, struct.pack(e + "II", 0x544C534B, 4) + b"x y\n", e)
    open(f"{out}/two-links-{name}.pcapng", "wb").write(f)
open(f"{out}/two-sections.pcapng", "wb").write(shb("<") + idb("<", 1) + epb("<", 0, 1, eth) +
                                              shb(">") + idb(">", 101) + epb(">", 0, 2, eth[14:]))
PY
ls "$out"
