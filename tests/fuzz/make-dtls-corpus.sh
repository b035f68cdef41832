#!/bin/sh
# make-dtls-corpus.sh: seeds for fuzz_dtls from DTLS traces in pcaps/: each trace's UDP payloads
# as the target reads them (a selector byte: bit 2 set for datagrams from the server port,
# then the datagram, then the 4-byte separator d7 15 d7 15). Needs tshark.
#   sh tests/fuzz/make-dtls-corpus.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/tests/fuzz/corpus/dtls
mkdir -p "$out"
seed() { # PCAP SERVER_PORT NAME
    tshark -n -r "$1" -Y udp -T fields -e udp.srcport -e udp.payload 2>/dev/null |
        /usr/bin/python3 -c '
import sys
port, path = sys.argv[1], sys.argv[2]
with open(path, "wb") as f:
    for line in sys.stdin:
        sport, _, hexp = line.strip().partition("\t")
        f.write(bytes([4 if sport == port else 0]) + bytes.fromhex(hexp.replace(":", "")) + b"\xd7\x15\xd7\x15")
' "$2" "$out/$3.bin"
}
seed "$root/pcaps/public/dtls1_2.pcap" 4400 dtls1_2
seed "$root/pcaps/tls/dtls12-mtu400-mtls.pcap" 4433 mtu400-mtls
seed "$root/pcaps/tls/dtls12-mtu400-impaired.pcap" 4433 mtu400-impaired
