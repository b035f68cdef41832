#!/bin/sh
# make-regress-traces.sh: the regression traces in this folder made from other traces in pcaps/
# (each case's .md says what it reproduces). Needs python3.
#   sh pcaps/regress/make-regress-traces.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python3 - "$here" <<'PY'
import struct, sys

here = sys.argv[1]

def records(b):
    """(offset, length) of each record of a little-endian classic pcap."""
    out, off = [], 24
    while off + 16 <= len(b):
        caplen = struct.unpack_from("<I", b, off + 8)[0]
        out.append((off, caplen))
        off += 16 + caplen
    return out

# rtp-time-backwards.pcap: public/sip-over-tcp.pcap with frame 29 (an RTP packet of the
# 10.33.6.100 -> .101 stream) stamped 0xb1cea3e4 seconds, which libpcap reads as a signed
# 32-bit value: 1928, 83 years before the stream's first packet. As fuzz_pipeline mutated it.
src = bytearray(open(here + "/../public/sip-over-tcp.pcap", "rb").read())
off, _ = records(src)[28]
struct.pack_into("<I", src, off, 0xB1CEA3E4)
open(here + "/rtp-time-backwards.pcap", "wb").write(src)
PY
