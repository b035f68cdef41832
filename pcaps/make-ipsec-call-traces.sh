#!/bin/sh
# make-ipsec-call-traces.sh: records pcaps/rtp/rtp-ipsec-call-hosts.pcap: a sipp call between
# two signaling hosts whose SDP c= lines name other (media) addresses, the media losing 1 s after
# every 3 s of audio between the media addresses, and ESP/IKE only between the signaling hosts.
#
# Two network namespaces of our own ($NETNS_PREFIX in front) joined by a veth pair, each with
# two addresses:
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
. "$here/tools/capture-lib.sh"
na=$(netns_name sipmedia-ipa) nb=$(netns_name sipmedia-ipb)
netns_pair $na smip-a "10.88.0.1/24 10.88.1.1/24" $nb smip-b "10.88.0.2/24 10.88.1.2/24"

pcap=$out/rtp-ipsec-call-hosts.pcap
capture_start $nb "$pcap" "not arp and not icmp and not ip6" -i smip-b
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
udp_sink $nb 10.88.1.2 50000 20
ip netns exec $na $py "$here/../tests/tools/rtp_send.py" --dst 10.88.1.2:50000 --src-port 40000 \
    --bind 10.88.1.1 --duration 16 --pattern 3000:1000 --pattern-offset 500 --ssrc 0x9a7e0001
wait $uac || echo "uac exited $?" >&2
wait $uas || echo "uas exited $?" >&2
wait $ia $ib
kill $SINK_PID 2>/dev/null || true
capture_stop
capture_count rtp-ipsec-call-hosts "$pcap"
