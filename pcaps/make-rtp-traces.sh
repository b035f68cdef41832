#!/bin/sh
# make-rtp-traces.sh: records pcaps/rtp/*.pcap from a real RTP sender (tests/tools/rtp_send.py),
# captured with tcpdump on the loopback of a network namespace of our own (sipsec-rtp-lo), and
# the IPsec case over a veth pair between two network namespaces of our own (10.99.0.1 <->
# 10.99.0.2) with ESP and IKE sent by python3-scapy (pcaps/tools/ipsec_traffic.py).
# (Loopback traces recorded before 2026-12 were captured on the host's lo; same commands.)
# Namespace names take $NETNS_PREFIX in front.
# Needs root, tcpdump, iproute2, python3-scapy. Takes about 30 s. Usage: pcaps/make-rtp-traces.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/rtp
send=$here/../tests/tools/rtp_send.py
py=/usr/bin/python3 # Debian's, which has scapy
mkdir -p "$out"
. "$here/tools/capture-lib.sh"
nl=$(netns_name sipsec-rtp-lo) na=$(netns_name sipsec-rtp-a) nb=$(netns_name sipsec-rtp-b)
netns_new "$nl"
pids=""

# capture NAME PORT SENDER-ARGS...: one stream to 127.0.0.1:PORT (+ RTCP on PORT+1)
capture() {
    name=$1 port=$2
    shift 2
    (
        capture_start "$nl" "$out/$name.pcap" "udp and (dst port $port or dst port $((port + 1)))" -i lo
        ip netns exec "$nl" $py "$send" --dst 127.0.0.1:$port --src-port $((port + 100)) "$@"
        capture_stop
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
netns_pair $na sxrtp-a 10.99.0.1/24 $nb sxrtp-b 10.99.0.2/24

# ESP (SPI per direction) every 250 ms and an IKEv2 exchange at start and mid-way.
ipsec_traffic() { # NS SRC DST SPI DURATION
    ip netns exec "$1" $py "$here/tools/ipsec_traffic.py" "$2" "$3" "$4" "$5"
}

rx=40020
capture_start $nb "$out/rtp-ipsec-periodic.pcap" "not arp and not icmp and not ip6" -i sxrtp-b
tp=$CAP_PID
udp_sink $nb 10.99.0.2 $rx 25
sleep 1
ipsec_traffic $na 10.99.0.1 10.99.0.2 0xc0de0001 20 &
ia=$!
ipsec_traffic $nb 10.99.0.2 10.99.0.1 0xc0de0002 20 &
ib=$!
# 1 s lost after every 3 s of audio, the stream joined 1.5 s into a cycle
ip netns exec $na $py "$send" --dst 10.99.0.2:$rx --src-port $rx --bind 10.99.0.1 \
    --duration 20 --pattern 3000:1000 --pattern-offset 1500 --ssrc 0x1b5ec0de
wait $ia $ib
kill $SINK_PID 2>/dev/null || true
capture_stop $tp

for p in $pids; do wait $p; done
ls -l "$out"/*.pcap
