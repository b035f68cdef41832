#!/bin/sh
# live-soak.sh SIPSEC ROOT [SECONDS]: memory stays flat while calls, RTP streams and TLS sessions
# come and go. tcpreplay plays SECONDS (60) of generated traffic (tests/live/soak-trace.py: about
# 1900 packets/s, 45 new calls/streams/sessions a second, some never closed) onto a veth at its
# own pace; `sipsec live` captures the other end with short capture-time timeouts, and its RSS
# is sampled every second. After the warm-up (the 32 s a finished call's shell lingers, plus the
# timeouts) RSS must stay within SOAK_TOLERANCE_KB (768) of its level then, while thousands of
# objects are written and freed. Exit 77 without root, ip netns or tcpreplay.
set -u
SIPSEC=$1
ROOT=$2
SECONDS_RUN=${3:-60}
TOL=${SOAK_TOLERANCE_KB:-768}
. "$ROOT/tests/live/lib.sh"
live_require tcpreplay jq
live_setup
# the TLS records of the template trace came over loopback: up to 64 KiB frames
ip -n "$NS_A" link set "$IF_A" mtu 65535
ip -n "$NS_B" link set "$IF_B" mtu 65535
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
trace=$LIVE_TMP/soak.pcap
$PY "$ROOT/tests/live/soak-trace.py" "$trace" "$SECONDS_RUN" "$ROOT" || { echo "FAIL: soak-trace.py"; exit 1; }
out=$LIVE_TMP/soak.ndjson
err=$LIVE_TMP/soak.err
live_start "$out" "$err" -B 8192 --stats-interval 5 --limit udp_idle_ms=2000 --limit tcp_idle_ms=3000 \
    --limit call_setup_idle_ms=3000 --limit call_idle_ms=5000 --limit calls_max=20000 --limit flows_max=16384 \
    --limit rtp_streams_max=20000 --limit tls_sessions_max=20000 ${SOAK_ARGS:-}
in_a tcpreplay -q -i "$IF_A" "$trace" >"$LIVE_TMP/tcpreplay.log" 2>&1 &
REPLAY=$!
LIVE_PIDS="$LIVE_PIDS $REPLAY"
samples=$LIVE_TMP/rss.txt
: >"$samples"
t=0
while kill -0 "$REPLAY" 2>/dev/null; do
    echo "$t $(awk '/^VmRSS:/ {print $2}' "/proc/$LIVE_PID/status")" >>"$samples"
    sleep 1
    t=$((t + 1))
    [ $t -gt $((SECONDS_RUN + 60)) ] && break
done
wait "$REPLAY"
rrc=$?
sleep 4 # the last streams, calls and connections time out
echo "$t $(awk '/^VmRSS:/ {print $2}' "/proc/$LIVE_PID/status")" >>"$samples"
live_stop INT
[ "$rrc" = 0 ] && ok "tcpreplay played the trace" || no "tcpreplay: $(cat "$LIVE_TMP/tcpreplay.log")"
[ "$LIVE_RC" = 0 ] && ok "SIGINT after the soak: exit 0" || no "SIGINT after the soak: exit $LIVE_RC"

warm=$((SECONDS_RUN / 2 + 8))
[ $warm -gt 40 ] && warm=40
echo "RSS (kB) by second: $(awk '{printf "%s:%s ", $1, $2}' "$samples")"
awk -v w=$warm -v tol=$TOL '
    $1 >= w && base == "" { base = $2 }
    $1 >= w { if ($2 > max) max = $2; if (min == "" || $2 < min) min = $2 }
    END {
        printf "RSS from second %d: %d kB at the start, %d..%d kB after (tolerance %d kB)\n", w, base, min, max, tol
        exit !(base != "" && max - base <= tol)
    }' "$samples" && ok "RSS flat after the warm-up" || no "RSS flat after the warm-up"

n_rtp=$(jq -s 'map(select(.type == "rtp_stream" and .interim == false)) | length' "$out")
n_call=$(jq -s 'map(select(.type == "call")) | length' "$out")
n_tls=$(jq -s 'map(select(.type == "tls_session")) | length' "$out")
drops=$(jq -s -c 'map(select(.type == "stats" and .interim == false))[0].stats.capture' "$out")
echo "written: $n_rtp RTP streams, $n_call calls, $n_tls TLS sessions; capture $drops"
exp_rtp=$((SECONDS_RUN * 10)) exp_call=$((SECONDS_RUN * 25)) exp_tls=$((SECONDS_RUN * 20))
[ "$n_rtp" -ge $((exp_rtp * 9 / 10)) ] && [ "$n_call" -ge $((exp_call * 9 / 10)) ] &&
    [ "$n_tls" -ge $((exp_tls * 9 / 10)) ] && ok "objects came and went (of $exp_rtp, $exp_call, $exp_tls)" ||
    no "objects came and went: $n_rtp/$exp_rtp streams, $n_call/$exp_call calls, $n_tls/$exp_tls sessions"
check "calls ended by timeout too (unanswered INVITEs)" "$out" 'any(.[]; .type == "call" and .ended_by == "timeout")'
check "TLS sessions without a close were ended by the idle timeout" "$out" \
    '[.[] | select(.type == "tls_session")] | length > 0'
check "findings kept streaming (not stored)" "$out" '.[-1].type == "summary" and .[-1].errors >= '$((SECONDS_RUN * 9))
live_done
