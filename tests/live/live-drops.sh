#!/bin/sh
# live-drops.sh SIPSEC ROOT: capture loss is told from network loss. tcpreplay plays 50 clean
# RTP streams (bench/gen.c media: no packet missing in the trace) onto a veth at 10000 packets/s
# while `sipsec live` captures with a tiny buffer (--immediate, -B 64). Half a second into the
# replay sipsec is stopped (SIGSTOP) for 0.6 s: the kernel buffer fills and drops what follows,
# so every stream has a gap of about half a second that the capture made, not the network.
# Every RTP loss sipsec then sees is the capture's, and the events must say so: CAPTURE_DROPPED
# as soon as the drops are seen, the stats' dropped_kernel, each lossy stream's capture_dropped
# next to its lost count, its gap marked as overlapping capture drops, and RTP_LOSS saying the
# capture itself dropped packets meanwhile. (Replaying at top speed instead left the gaps to
# the machine's scheduling: on a busy machine a stream might have no gap at all.)
# Exit 77 without root, ip netns, tcpreplay or cc.
set -u
SIPSEC=$1
ROOT=$2
. "$ROOT/tests/live/lib.sh"
live_require tcpreplay jq cc
live_setup
cc -O2 -o "$LIVE_TMP/gen" "$ROOT/bench/gen.c" || { echo "FAIL: cannot build bench/gen.c"; exit 1; }
# 50 streams x 600 packets (12 s of audio each), replayed in 3 s
"$LIVE_TMP/gen" media "$LIVE_TMP/rtp.pcap" 50 30000 >/dev/null || { echo "FAIL: bench/gen.c"; exit 1; }
out=$LIVE_TMP/out
err=$LIVE_TMP/err
live_start "$out" "$err" --immediate -B 64 --stats-interval 1 --limit udp_idle_ms=1500
in_a tcpreplay -K --pps=10000 -i "$IF_A" "$LIVE_TMP/rtp.pcap" >"$LIVE_TMP/replay.log" 2>&1 &
replay=$!
LIVE_PIDS="$LIVE_PIDS $replay"
sleep 0.5
kill -STOP "$LIVE_PID"
sleep 0.6
kill -CONT "$LIVE_PID"
wait "$replay" || { echo "FAIL: tcpreplay: $(tail -3 "$LIVE_TMP/replay.log")"; exit 1; }
sleep 3 # the streams time out
live_stop INT
[ "$LIVE_RC" = 0 ] && ok "exit 0" || no "exit $LIVE_RC"
check "the kernel dropped packets (stats.capture.dropped_kernel)" "$out" \
    'map(select(.type == "stats" and .interim == false))[0].stats.capture.dropped_kernel > 0'
check "CAPTURE_DROPPED, once, before the end" "$out" \
    '(map(select(.type == "finding" and .code == "CAPTURE_DROPPED")) | length == 1) and
     (map(.type == "finding" and .code == "CAPTURE_DROPPED") | index(true)) <
     (map(.type == "stats" and .interim == false) | index(true))'
check "lossy streams carry the capture's drops next to their loss" "$out" \
    '[.[] | select(.type == "rtp_stream" and .interim == false and .lost > 0)] | length > 0 and
     all(.capture_dropped.kernel > 0)'
check "their gaps are marked as overlapping capture drops" "$out" \
    'any(.[]; .type == "rtp_stream" and .interim == false and .gaps_with_capture_drops > 0)'
check "RTP_LOSS says the capture itself dropped packets" "$out" \
    '[.[] | select(.type == "finding" and .code == "RTP_LOSS")] | length > 0 and
     all(.summary | test("the capture itself dropped [0-9]+ packets meanwhile")) and
     all(.detail | test("capture loss, not network loss"))'
check "interim lines count the interval's capture drops" "$out" \
    'any(.[]; .type == "rtp_stream" and .interim == true and .interval.capture_dropped.kernel > 0)'
live_done
