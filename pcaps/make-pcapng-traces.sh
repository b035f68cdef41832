#!/bin/sh
# make-pcapng-traces.sh: records pcaps/pcapng/*.pcapng, pcapng files whose interfaces have
# different link types (which libpcap 1.10 refuses to read), from real programs: an SBC's two
# legs captured at once, as a user merging the captures of two interfaces would.
#
#   leg 1, Ethernet: sipp (uac-avp.xml -> uas-200.xml) over UDP 5060 between the namespaces
#     pcapng-gw (10.99.0.1) and pcapng-sbc (10.99.0.2) across a veth pair; tcpdump -i pcapng-v1
#     in pcapng-sbc (DLT EN10MB, microsecond pcap)
#   leg 2, Linux cooked v2: pcaps/tools/tls_sip.py (Python's ssl) SIP over mutual TLS 1.2 on the
#     loopback of pcapng-sbc (127.0.0.1 -> 127.0.0.2:5061), refused with 415, with a key log;
#     tcpdump -i any "tcp port 5061" (DLT LINUX_SLL2, nanosecond pcap)
#   mergecap -w two-links-sbc.pcapng leg1.pcap leg2.pcap: one IDB per input (if_tsresol 6 / 9),
#     packets merged in time order
#
# Variants made from that file: two-links-filter (the same file, -f tcp), two-links-truncated
# (cut 100 bytes before its end, inside the last block), two-links-oversize (a block length in
# the middle rewritten to 0x7ffffff0 by a few lines of Python). Certificates: pcaps/tls/pki.
# Needs root, sipp, tcpdump, mergecap, iproute2, python3. Namespaces ($NETNS_PREFIX in front)
# deleted afterwards.
#
#   sh pcaps/make-pcapng-traces.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/pcapng
SC=$HERE/sip/scenarios
P=$HERE/tls/pki
TOOL=$HERE/tools/tls_sip.py
PY=/usr/bin/python3
. "$HERE/tools/capture-lib.sh"
GW=$(netns_name pcapng-gw) SBC=$(netns_name pcapng-sbc)
mkdir -p "$OUT"
[ -f "$P/done" ] || { echo "no PKI: run pcaps/make-tls-traces.sh first" >&2; exit 1; }

capture_tmp
TMP=$CAP_TMP
netns_pair $GW pcapng-v0 10.99.0.1/24 $SBC pcapng-v1 10.99.0.2/24

capture_start $SBC "$TMP/leg1.pcap" "udp port 5060" -i pcapng-v1
T1=$CAP_PID
capture_start $SBC "$TMP/leg2.pcap" "tcp port 5061" -i any --time-stamp-precision=nano
T2=$CAP_PID

# leg 1: the call from the gateway to the SBC
timeout 20 ip netns exec $SBC sipp -sf "$SC/uas-200.xml" -i 10.99.0.2 -p 5060 -t u1 -m 1 -timeout 15s \
    -nostdin >/dev/null 2>&1 </dev/null &
UAS=$!
sleep 0.5
timeout 20 ip netns exec $GW sipp 10.99.0.2:5060 -sf "$SC/uac-avp.xml" -i 10.99.0.1 -p 5070 -t u1 -m 1 \
    -s um -timeout 15s -nostdin >/dev/null 2>&1 </dev/null &
UAC=$!
sleep 0.3

# leg 2, while leg 1's call runs: the SBC's SIP over TLS towards the UM server
cat "$P/um-server.pem" "$P/inter/ca.pem" >"$TMP/um-chain.pem"
cat "$P/gw-both.pem" "$P/inter/ca.pem" >"$TMP/gw-chain.pem"
rm -f "$OUT/two-links-sbc.keylog"
timeout 20 ip netns exec $SBC $PY "$TOOL" server --listen 127.0.0.2:5061 --cert "$TMP/um-chain.pem" \
    --key "$P/um-server.key" --ca "$P/root/ca.pem" --require-client-cert --tls 1.2 &
S=$!
sleep 0.5
timeout 20 ip netns exec $SBC $PY "$TOOL" client --connect 127.0.0.2:5061 --cert "$TMP/gw-chain.pem" \
    --key "$P/gw-both.key" --tls 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 --sni um.example.com \
    --ruri-host um.example.com --keylog "$OUT/two-links-sbc.keylog" || echo "tls client exited $?" >&2
wait $S || echo "tls server exited $?" >&2
wait $UAC || echo "uac exited $?" >&2
wait $UAS || echo "uas exited $?" >&2
capture_stop "$T1"
capture_stop "$T2"

mergecap -w "$OUT/two-links-sbc.pcapng" "$TMP/leg1.pcap" "$TMP/leg2.pcap"
echo "--keylog two-links-sbc.keylog" >"$OUT/two-links-sbc.args"

# variants
cp "$OUT/two-links-sbc.pcapng" "$OUT/two-links-filter.pcapng"
echo "--keylog two-links-sbc.keylog -f tcp" >"$OUT/two-links-filter.args"
size=$(stat -c %s "$OUT/two-links-sbc.pcapng")
head -c $((size - 100)) "$OUT/two-links-sbc.pcapng" >"$OUT/two-links-truncated.pcapng"
echo "--keylog two-links-sbc.keylog" >"$OUT/two-links-truncated.args"
# the length of the 20th block (little-endian, as mergecap writes on x86) set to 0x7ffffff0
$PY - "$OUT/two-links-sbc.pcapng" "$OUT/two-links-oversize.pcapng" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
off = 0
for _ in range(19):
    off += struct.unpack_from("<I", data, off + 4)[0]
struct.pack_into("<I", data, off + 4, 0x7FFFFFF0)
open(sys.argv[2], "wb").write(data)
print(f"two-links-oversize: block 20 at offset {off}")
PY
echo "--keylog two-links-sbc.keylog" >"$OUT/two-links-oversize.args"

for f in "$OUT"/two-links-*.pcapng; do
    echo "$(basename "$f"): $(capinfos -c -M "$f" 2>/dev/null | awk -F: '/Number of packets/ { print $2 }') packets"
done
