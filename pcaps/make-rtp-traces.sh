#!/bin/sh
# make-rtp-traces.sh: records pcaps/rtp/*.pcap from a real RTP sender (tests/tools/rtp_send.py),
# captured with tcpdump on loopback, and the IPsec case over a veth pair between two network
# namespaces of our own (10.99.0.1 <-> 10.99.0.2) with ESP and IKE sent by python3-scapy.
# Needs root, tcpdump, iproute2, python3-scapy. Takes about 30 s. Usage: pcaps/make-rtp-traces.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/rtp
send=$here/../tests/tools/rtp_send.py
py=/usr/bin/python3 # Debian's, which has scapy
mkdir -p "$out"
pids=""

# capture NAME PORT SENDER-ARGS...: one stream to 127.0.0.1:PORT (+ RTCP on PORT+1)
capture() {
    name=$1 port=$2
    shift 2
    (
        timeout 60 tcpdump -q -i lo -U -w "$out/$name.pcap" \
            "udp and (dst port $port or dst port $((port + 1)))" 2>/dev/null &
        tp=$!
        sleep 1
        $py "$send" --dst 127.0.0.1:$port --src-port $((port + 100)) "$@"
        sleep 1
        kill $tp
        wait $tp 2>/dev/null || true
    ) &
    pids="$pids $!"
}

capture rtp-clean-g711 40002 --duration 10 --rtcp-every 250
capture rtp-random-loss-2pct 40004 --duration 20 --random-loss 2 --seed 7
capture rtp-outage-5s 40006 --duration 15 --outage 5000:5000
capture rtp-seq-wrap 40008 --duration 10 --seq-start 65300 --pt 8
capture rtp-reorder-dup 40010 --duration 10 --swap-every 50 --dup-every 70
capture rtp-silence-suppression 40012 --duration 16 --silence 3000:1000
capture rtp-periodic-midpattern 40014 --duration 16 --pattern 3000:1000 --pattern-offset 2500

# The IPsec case: two namespaces, a veth pair, captured on the receiver's side.
na=sipsec-rtp-a nb=sipsec-rtp-b
cleanup() {
    ip netns del $na 2>/dev/null || true
    ip netns del $nb 2>/dev/null || true
}
trap cleanup EXIT
cleanup
ip netns add $na
ip netns add $nb
ip link add sxrtp-a type veth peer name sxrtp-b
ip link set sxrtp-a netns $na
ip link set sxrtp-b netns $nb
ip -n $na addr add 10.99.0.1/24 dev sxrtp-a
ip -n $nb addr add 10.99.0.2/24 dev sxrtp-b
for n in $na $nb; do ip -n $n link set lo up; done
ip -n $na link set sxrtp-a up
ip -n $nb link set sxrtp-b up
sleep 1

# ESP (SPI per direction) every 250 ms and an IKEv2 exchange at start and mid-way.
ipsec_traffic() { # SRC DST SPI DURATION
    ip netns exec "$1" $py - "$2" "$3" "$4" "$5" <<'PY'
import os, sys, time
from scapy.all import IP, UDP, ESP, ISAKMP, Raw, send, conf
conf.verb = 0
src, dst, spi, dur = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), float(sys.argv[4])
cookie = bytes.fromhex("5a17c0de00000001")
def ike(exch, resp):
    rc = bytes.fromhex("7e57c0de00000002") if resp else bytes(8)
    send(IP(src=src, dst=dst) / UDP(sport=500, dport=500) /
         ISAKMP(init_cookie=cookie, resp_cookie=rc, next_payload=33, version=0x20,
                exch_type=exch, flags=0x20 if resp else 0x08) / Raw(os.urandom(200)))
initiator = src.endswith(".1")
if initiator:
    ike(34, False)          # IKE_SA_INIT request
else:
    time.sleep(0.05)
    ike(34, True)           # IKE_SA_INIT response
start = time.monotonic()
n = 1
while time.monotonic() - start < dur:
    send(IP(src=src, dst=dst) / ESP(spi=spi, seq=n) / Raw(os.urandom(120)))
    n += 1
    if n == 40:
        ike(37, not initiator)  # INFORMATIONAL (keepalive / DPD)
    time.sleep(0.25)
PY
}

rx=40020
timeout 60 ip netns exec $nb tcpdump -q -i sxrtp-b -U -w "$out/rtp-ipsec-periodic.pcap" \
    "not arp and not icmp and not ip6" 2>/dev/null &
tp=$!
# a receiver, so no ICMP port-unreachable answers the media
ip netns exec $nb $py -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('10.99.0.2', $rx)); s.settimeout(25)
end = time.time() + 25
try:
    while time.time() < end: s.recv(2048)
except OSError: pass
" &
sink=$!
sleep 1
ipsec_traffic $na 10.99.0.1 10.99.0.2 0xc0de0001 20 &
ia=$!
ipsec_traffic $nb 10.99.0.2 10.99.0.1 0xc0de0002 20 &
ib=$!
# 1 s lost after every 3 s of audio, the stream joined 1.5 s into a cycle
ip netns exec $na $py "$send" --dst 10.99.0.2:$rx --src-port $rx --bind 10.99.0.1 \
    --duration 20 --pattern 3000:1000 --pattern-offset 1500 --ssrc 0x1b5ec0de
wait $ia $ib
sleep 1
kill $tp $sink 2>/dev/null || true
wait $tp 2>/dev/null || true

for p in $pids; do wait $p; done
ls -l "$out"/*.pcap
