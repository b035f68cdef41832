#!/bin/sh
# bench/live.sh [SIPSEC]: the highest packet rate `sipsec live` keeps up with without kernel drops.
#
# tcpreplay plays a generated trace onto one end of a
# veth pair between two network namespaces made here (live-bench-PID-a/-b, deleted on exit);
# `sipsec live` captures the other end (ndjson to /dev/null, --stats-interval 0) with the
# options given in LIVE_ARGS (default none: 32 MiB kernel buffer, snaplen 262144, immediate
# mode). First at tcpreplay's top speed, then, if the kernel dropped packets there, a binary
# search over --pps (split over BENCH_SENDERS tcpreplay processes, 1) for the highest rate with no kernel drop (BENCH_STEPS trials, 7). Each trial
# reports the rate tcpreplay reached, what pcap_stats counted (received, dropped by the kernel)
# and sipsec's CPU time (user + sys from /proc) per packet. For comparison, the same at top
# speed for `tcpdump -w /dev/null` (the floor: libpcap without analysis).
#
# BENCH_TRACE=media (default): bench/gen.c, 4000 RTP flows + 1000 TCP connections carrying TLS
# records to 5061, three packets in four are RTP; 300 MB, 603480 packets. BENCH_TRACE=signaling:
# tests/live/soak-trace.py, 300 s of real SIP, TLS handshakes with certificates and RTP cut from
# pcaps/, each call, stream and session new (559500 packets).
#
# Needs root, iproute2, tcpreplay, tcpdump, cc, python3. Not run by CI; results also in
# bench/data/live-results.md. Other load on the machine changes the figures: say so.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$here/data
sipsec=${1:-$root/build/sipsec}
steps=${BENCH_STEPS:-7}
senders=${BENCH_SENDERS:-1}
args=${LIVE_ARGS:-}
[ "$(id -u)" -eq 0 ] || { echo "bench/live.sh: needs root" >&2; exit 1; }
[ -x "$sipsec" ] || { echo "bench/live.sh: $sipsec not found; build sipsec first (make)" >&2; exit 1; }
for c in ip tcpreplay tcpdump cc; do
    command -v $c >/dev/null 2>&1 || { echo "bench/live.sh: needs $c" >&2; exit 1; }
done
mkdir -p "$data"
rm -f "$data"/live-replay.*
cc -O2 -Wall -Wextra -o "$data/gen" "$here/gen.c"
mtu=1500
case ${BENCH_TRACE:-media} in
media)
    trace=$data/live-300mb.pcap
    [ -s "$trace" ] || "$data/gen" "$trace" 300 4000 1000 >&2 ;;
signaling)
    # 300 s of tests/live/soak-trace.py: 45 new calls, streams and TLS handshakes a second
    trace=$data/live-signaling.pcap
    [ -s "$trace" ] || python3 "$root/tests/live/soak-trace.py" "$trace" 300 "$root" >&2
    mtu=65535 ;; # its TLS records were captured on loopback: up to 64 KiB frames
*) echo "bench/live.sh: BENCH_TRACE is media or signaling" >&2; exit 64 ;;
esac
npk=$(capinfos -c -M "$trace" 2>/dev/null | awk '/Number of packets/ {print $NF}')

tag=live-bench-$$
A=$tag-a B=$tag-b IA=lb$$a IB=lb$$b
cleanup() {
    for ns in $A $B; do
        for p in $(ip netns pids $ns 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
        ip netns del $ns 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add $A
ip netns add $B
ip link add $IA netns $A type veth peer name $IB netns $B
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set $IA mtu $mtu up
ip -n $B link set $IB mtu $mtu up
cat "$trace" >/dev/null # page cache

# trial WHAT RATE: WHAT is sipsec or tcpdump, RATE a --pps value or "top"; prints one table row
trial() {
    what=$1 rate=$2
    err=$data/live-trial.err
    : >"$err"
    if [ "$what" = sipsec ]; then
        # shellcheck disable=SC2086 # args is a word list
        ip netns exec $B "$sipsec" live -i $IB --stats-interval 0 -o /dev/null --user root $args 2>"$err" &
    else
        ip netns exec $B tcpdump -i $IB -w /dev/null -s 262144 2>"$err" &
    fi
    pid=$!
    i=0
    until grep -q "listening on" "$err" || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
    # -K: the trace is loaded into memory first, so reading it does not limit the rate
    if [ "$rate" = top ]; then opt=--topspeed; else opt=--pps=$((rate / senders)); fi
    k=0 spids=""
    while [ $k -lt "$senders" ]; do
        ip netns exec $A tcpreplay -K $opt -i $IA "$trace" >"$data/live-replay.$k" 2>&1 &
        spids="$spids $!"
        k=$((k + 1))
    done
    for p in $spids; do wait "$p" || true; done
    out=$(cat "$data"/live-replay.*)
    sleep 1
    cpu=$(awk '{print $14 + $15}' /proc/$pid/stat 2>/dev/null || echo 0)
    kill -INT $pid
    wait $pid || true
    sent_pps=$(echo "$out" | awk '/Rated:/ {for (i = 1; i <= NF; i++) if ($i == "pps") s += $(i - 1)} END {print s}')
    if [ "$what" = sipsec ]; then
        recv=$(awk '/capture:/ {for (i = 1; i <= NF; i++) if ($i == "received,") print $(i - 1)}' "$err")
        drop=$(awk '/capture:/ {for (i = 1; i <= NF; i++) if ($i == "dropped" && $(i + 3) == "kernel,") print $(i - 1)}' "$err")
    else
        recv=$(awk '/packets received by filter/ {print $1}' "$err")
        drop=$(awk '/packets dropped by kernel/ {print $1}' "$err")
    fi
    tck=$(getconf CLK_TCK)
    awk -v w="$what" -v r="$rate" -v s="$sent_pps" -v rc="${recv:-0}" -v d="${drop:-0}" -v c="$cpu" \
        -v t="$tck" -v n="$((npk * senders))" 'BEGIN {
        printf "| %s | %s | %.0f | %d | %d | %.2f | %.2f |\n", w, r, s, rc, d, 100.0 * d / (rc ? rc : 1), c / t * 1e6 / n }'
    LAST_DROP=${drop:-0}
    LAST_PPS=${sent_pps%.*}
}

{
    echo "Machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo); $(uname -sr); load average at start $(cut -d' ' -f1-3 /proc/loadavg); $("$sipsec" --version); $(tcpreplay --version 2>&1 | head -1)."
    echo "Trace: $trace (${BENCH_TRACE:-media}), $npk packets, played by $senders tcpreplay -K at once. sipsec options: ${args:-defaults}."
    echo
    echo "| capture | --pps asked | pps sent | received | dropped by kernel | drop % | CPU us/packet |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    trial tcpdump top
    trial sipsec top
    top_pps=$LAST_PPS
    if [ "$LAST_DROP" -gt 0 ]; then
        lo=0 hi=$top_pps best=0
        n=0
        while [ $n -lt "$steps" ]; do
            n=$((n + 1))
            mid=$(((lo + hi) / 2))
            [ $mid -lt 1000 ] && break
            trial sipsec $mid
            if [ "$LAST_DROP" -eq 0 ]; then lo=$mid best=$LAST_PPS; else hi=$mid; fi
        done
        echo
        echo "Highest rate without a kernel drop: about $best packets/s (asked $lo; drops at $hi)."
    else
        echo
        echo "No kernel drop even at tcpreplay's top speed ($top_pps packets/s): sipsec keeps up with all this sender can do."
    fi
} | tee "$data/live-results.md"
