# capture-lib.sh: network namespaces, tcpdump start/stop and clean-up for the pcaps/make-*.sh
# trace generators. Source it (". "$here/tools/capture-lib.sh"); POSIX sh, needs root, iproute2
# and tcpdump.
#
# Namespaces are global names: NETNS_PREFIX (default empty) goes in front of every name a script
# makes, so two people can run the same generator at once (NETNS_PREFIX=me- sh pcaps/make-...).
# Every namespace made through netns_new / netns_pair is deleted on exit, as is $CAP_TMP when a
# script sets it (capture_tmp).

CAP_NETNS=""
CAP_TMP=""

capture_cleanup() {
    for n in $CAP_NETNS; do ip netns del "$n" 2>/dev/null || true; done
    if [ -n "$CAP_TMP" ]; then rm -rf "$CAP_TMP"; fi
}
trap capture_cleanup EXIT
trap 'exit 130' INT TERM

# netns_name BASE: the name of a namespace this script makes, with NETNS_PREFIX in front
netns_name() {
    printf '%s%s\n' "${NETNS_PREFIX:-}" "$1"
}

# capture_tmp: make a scratch folder, CAP_TMP, deleted on exit
capture_tmp() {
    CAP_TMP=$(mktemp -d)
}

# netns_new NAME [MTU]: a fresh namespace (a stale one of that name is deleted first) with its
# loopback up (at MTU when given), deleted on exit
netns_new() {
    ip netns del "$1" 2>/dev/null || true
    CAP_NETNS="$CAP_NETNS $1"
    ip netns add "$1"
    if [ -n "${2:-}" ]; then ip -n "$1" link set lo mtu "$2"; fi
    ip -n "$1" link set lo up
}

# netns_pair NS-A IF-A "ADDR/LEN..." NS-B IF-B "ADDR/LEN...": two fresh namespaces joined by a
# veth pair IF-A <-> IF-B, each end with its addresses, all links up; waits a second for them
netns_pair() {
    netns_new "$1"
    netns_new "$4"
    ip link add "$2" type veth peer name "$5"
    ip link set "$2" netns "$1"
    ip link set "$5" netns "$4"
    for a in $3; do ip -n "$1" addr add "$a" dev "$2"; done
    for a in $6; do ip -n "$4" addr add "$a" dev "$5"; done
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
    sleep 1
}

# capture_start NS PCAP FILTER TCPDUMP-OPTION...: tcpdump (at most 60 s) writing PCAP from
# inside namespace NS, packet-buffered, whole packets unless the options say -s, only what
# FILTER matches ("" = everything); its pid in CAP_PID. Waits a second so the first packet is
# not missed.
capture_start() {
    cs_ns=$1 cs_pcap=$2 cs_filter=$3
    shift 3
    rm -f "$cs_pcap"
    ip netns exec "$cs_ns" timeout 60 tcpdump -q -U -s 0 "$@" -w "$cs_pcap" ${cs_filter:+"$cs_filter"} \
        >/dev/null 2>&1 &
    CAP_PID=$!
    sleep 1
}

# capture_stop [PID]: a second for the last packets, then stop tcpdump (default $CAP_PID) and
# wait until it has written its file
capture_stop() {
    sleep 1
    kill -INT "${1:-$CAP_PID}" 2>/dev/null || true
    wait "${1:-$CAP_PID}" 2>/dev/null || true
}

# capture_count NAME PCAP: "NAME: N packets"
capture_count() {
    echo "$1: $(tcpdump -r "$2" 2>/dev/null | wc -l) packets"
}

# udp_sink NS ADDR PORT SECONDS: a UDP receiver on ADDR:PORT in namespace NS for SECONDS (or
# until SECONDS without a datagram), so no ICMP port-unreachable answers the media; runs in the
# background, its pid in SINK_PID
udp_sink() {
    ip netns exec "$1" /usr/bin/python3 -c "
import socket, sys, time
addr, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((addr, port)); s.settimeout(secs)
end = time.time() + secs
try:
    while time.time() < end: s.recv(2048)
except OSError: pass
" "$2" "$3" "$4" &
    SINK_PID=$!
}
