#!/bin/sh
# make-ipsec-call-traces.sh: records pcaps/rtp/rtp-ipsec-call-hosts.pcap: a sipp call between
# two signaling hosts whose SDP c= lines name other (media) addresses, the media losing 1 s after
# every 3 s of audio between the media addresses, and ESP/IKE only between the signaling hosts.
#
# Two network namespaces of our own joined by a veth pair, each with two addresses:
#   sipmedia-ipa  10.88.0.1 (SIP, the gateway)  10.88.1.1 (its media address)
#   sipmedia-ipb  10.88.0.2 (SIP, the PBX)      10.88.1.2 (its media address)
# sipp (Debian sip-tester) uac-avp-17s.xml -> uas-200.xml over UDP 5060 between 10.88.0.x with
# -mi 10.88.1.x, so the offer says c=10.88.1.1 port 40000 and the answer c=10.88.1.2 port 50000;
# tests/tools/rtp_send.py sends 16 s of G.711 10.88.1.1:40000 -> 10.88.1.2:50000 with the pattern
# 3000:1000; pcaps/tools/ipsec_traffic.py sends IKEv2 and ESP each way between 10.88.0.1 and
# 10.88.0.2 only. Captured with tcpdump on the PBX side.
#
# Needs root, sipp, tcpdump, iproute2, /usr/bin/python3 with python3-scapy.
# Usage: sh pcaps/make-ipsec-call-traces.sh   (about 30 s)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/rtp
sc=$here/sip/scenarios
py=/usr/bin/python3
na=sipmedia-ipa nb=sipmedia-ipb
cleanup() {
    ip netns del $na 2>/dev/null || true
    ip netns del $nb 2>/dev/null || true
}
trap cleanup EXIT
cleanup
ip netns add $na
ip netns add $nb
ip link add smip-a type veth peer name smip-b
ip link set smip-a netns $na
ip link set smip-b netns $nb
ip -n $na addr add 10.88.0.1/24 dev smip-a
ip -n $na addr add 10.88.1.1/24 dev smip-a
ip -n $nb addr add 10.88.0.2/24 dev smip-b
ip -n $nb addr add 10.88.1.2/24 dev smip-b
for n in $na $nb; do ip -n $n link set lo up; done
ip -n $na link set smip-a up
ip -n $nb link set smip-b up
sleep 1

pcap=$out/rtp-ipsec-call-hosts.pcap
timeout 60 ip netns exec $nb tcpdump -q -i smip-b -U -s 0 -w "$pcap" \
    "not arp and not icmp and not ip6" 2>/dev/null &
tp=$!
sleep 1
ip netns exec $na $py "$here/tools/ipsec_traffic.py" 10.88.0.1 10.88.0.2 0x5e550001 22 &
ia=$!
ip netns exec $nb $py "$here/tools/ipsec_traffic.py" 10.88.0.2 10.88.0.1 0x5e550002 22 &
ib=$!
sleep 0.5
timeout 40 ip netns exec $nb sipp -sf "$sc/uas-200.xml" -i 10.88.0.2 -p 5060 -mi 10.88.1.2 -t u1 -m 1 \
    -timeout 35s -nostdin >/dev/null 2>&1 </dev/null &
uas=$!
sleep 0.5
timeout 40 ip netns exec $na sipp 10.88.0.2:5060 -sf "$sc/uac-avp-17s.xml" -i 10.88.0.1 -p 5070 \
    -mi 10.88.1.1 -t u1 -m 1 -s um -timeout 35s -nostdin >/dev/null 2>&1 </dev/null &
uac=$!
sleep 0.5
# the media receiver, so no ICMP port-unreachable answers it
ip netns exec $nb $py -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('10.88.1.2', 50000)); s.settimeout(20)
try:
    while True: s.recv(2048)
except OSError: pass
" &
sink=$!
ip netns exec $na $py "$here/../tests/tools/rtp_send.py" --dst 10.88.1.2:50000 --src-port 40000 \
    --bind 10.88.1.1 --duration 16 --pattern 3000:1000 --pattern-offset 500 --ssrc 0x9a7e0001
wait $uac || echo "uac exited $?" >&2
wait $uas || echo "uas exited $?" >&2
wait $ia $ib
sleep 1
kill $tp $sink 2>/dev/null || true
wait $tp 2>/dev/null || true
echo "rtp-ipsec-call-hosts: $(tcpdump -r "$pcap" 2>/dev/null | wc -l) packets"
