#!/bin/sh
# make-sip-traces.sh: records the SIP test traces in pcaps/sip/ with sipp (Debian sip-tester)
# and a small Python sender on loopback (127.0.0.1 caller, 127.0.0.2 callee), captured by
# tcpdump -i lo inside a network namespace of its own (sip-x, or $NETNS_PREFIX in front, deleted
# at exit). Needs root (ip netns, tcpdump). Every step is bounded by a timeout.
# (Traces recorded before 2026-12 were captured on the host's lo; same commands.)
#
#   sh pcaps/make-sip-traces.sh            # all cases
#   sh pcaps/make-sip-traces.sh call-udp   # one case
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/sip
SC=$OUT/scenarios
CALLER=127.0.0.1
CALLEE=127.0.0.2
. "$HERE/tools/capture-lib.sh"
NS=$(netns_name sip-x)
IN="ip netns exec $NS"
netns_new "$NS"

capture() { # $1 = pcap
    capture_start "$NS" "$1" "host $CALLER and host $CALLEE and port 5060" -i lo
}

# $1 case, $2 transport (u1|t1), $3 uas scenario, $4 uac scenario
sipp_case() {
    pcap=$OUT/$1.pcap
    capture "$pcap"
    timeout 20 $IN sipp -sf "$SC/$3" -i $CALLEE -p 5060 -t "$2" -m 1 -timeout 15s -nostdin \
        >/dev/null 2>&1 </dev/null &
    UAS=$!
    sleep 0.5
    timeout 20 $IN sipp $CALLEE:5060 -sf "$SC/$4" -i $CALLER -p 5070 -t "$2" -m 1 -s um -timeout 15s \
        -nostdin >/dev/null 2>&1 </dev/null || echo "$1: uac exited $?" >&2
    wait "$UAS" 2>/dev/null || echo "$1: uas exited $?" >&2
    capture_stop
    capture_count "$1" "$pcap"
}

split_case() {
    pcap=$OUT/tcp-split.pcap
    capture "$pcap"
    timeout 20 $IN sipp -sf "$SC/uas-200.xml" -i $CALLEE -p 5060 -t t1 -m 1 -timeout 15s -nostdin \
        >/dev/null 2>&1 </dev/null &
    UAS=$!
    sleep 0.5
    timeout 20 $IN python3 "$SC/tcp_sender.py" $CALLEE $CALLER || echo "tcp-split: sender exited $?" >&2
    wait "$UAS" 2>/dev/null || echo "tcp-split: uas exited $?" >&2
    capture_stop
    capture_count tcp-split "$pcap"
}

SEL=${1:-}
if [ -z "$SEL" ] || [ "$SEL" = call-udp ]; then sipp_case call-udp u1 uas-200.xml uac-avp.xml; fi
if [ -z "$SEL" ] || [ "$SEL" = call-tcp ]; then sipp_case call-tcp t1 uas-200.xml uac-avp.xml; fi
if [ -z "$SEL" ] || [ "$SEL" = srtp-offer-415 ]; then sipp_case srtp-offer-415 u1 uas-415.xml uac-savp.xml; fi
if [ -z "$SEL" ] || [ "$SEL" = rtp-offer-488 ]; then sipp_case rtp-offer-488 u1 uas-488.xml uac-avp.xml; fi
if [ -z "$SEL" ] || [ "$SEL" = tcp-split ]; then split_case; fi
if [ -z "$SEL" ] || [ "$SEL" = ms-multipart-415 ]; then sipp_case ms-multipart-415 t1 uas-415.xml uac-ms.xml; fi
