# lib.sh: shared by the live-capture tests (sourced). Two network namespaces of our own joined by
# a veth pair: "$NS_A" (10.99.7.1, the clients) and "$NS_B" (10.99.7.2, the servers, where sipsec
# captures on "$IF_B"). Names start with live- and carry the PID, so parallel runs do not meet;
# everything is deleted on exit, failure and signals alike (trap).
#
#   . tests/live/lib.sh; live_require CMD...; live_setup; ... ; live_pass
# Exit 77 (ctest SKIP_RETURN_CODE) when not root, without `ip netns`, or without a needed program.

live_skip() { echo "SKIP: $*"; exit 77; }

live_require() {
    [ "$(id -u)" -eq 0 ] || live_skip "needs root (network namespaces, packet capture)"
    command -v ip >/dev/null 2>&1 || live_skip "needs iproute2 (ip)"
    ip netns list >/dev/null 2>&1 || live_skip "ip netns is not available here"
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || live_skip "needs $c"
    done
}

LIVE_TAG=${LIVE_TAG:-live-$$} # a test may put its own name first
NS_A=$LIVE_TAG-a
NS_B=$LIVE_TAG-b
IF_A=lv$$a
IF_B=lv$$b
IP_A=10.99.7.1
IP_B=10.99.7.2
LIVE_PIDS=""
LIVE_TMP=""

live_cleanup() {
    for p in $LIVE_PIDS; do
        kill "$p" 2>/dev/null
    done
    for p in $LIVE_PIDS; do
        wait "$p" 2>/dev/null
    done
    # processes still inside a namespace would keep its veth alive
    for ns in "$NS_A" "$NS_B"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    [ -n "$LIVE_TMP" ] && [ -z "${LIVE_KEEP:-}" ] && rm -rf "$LIVE_TMP"
}

live_setup() {
    trap 'live_cleanup' EXIT
    trap 'exit 1' INT TERM HUP
    LIVE_TMP=$(mktemp -d /tmp/live-test.XXXXXX)
    chmod 755 "$LIVE_TMP"
    ip netns add "$NS_A" && ip netns add "$NS_B" || { echo "FAIL: cannot create namespaces"; exit 1; }
    ip -n "$NS_A" link set lo up
    ip -n "$NS_B" link set lo up
    ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B" ||
        { echo "FAIL: cannot create the veth pair"; exit 1; }
    ip -n "$NS_A" addr add $IP_A/24 dev "$IF_A"
    ip -n "$NS_B" addr add $IP_B/24 dev "$IF_B"
    # no IPv6 router/neighbour chatter in the captures
    ip netns exec "$NS_A" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
    ip netns exec "$NS_B" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
    ip -n "$NS_A" link set "$IF_A" up
    ip -n "$NS_B" link set "$IF_B" up
}

# in_a / in_b CMD...: run CMD inside a namespace
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# live_start OUT ERR ARGS...: sipsec live -i $IF_B ARGS in NS_B, in the background ($LIVE_PID);
# returns once it says it is listening (or fails after 10 s).
live_start() {
    out=$1 err=$2
    shift 2
    : >"$out"
    : >"$err" # before the background job: its own truncation may come after the wait below
    ip netns exec "$NS_B" "$SIPSEC" live -i "$IF_B" "$@" >"$out" 2>"$err" &
    LIVE_PID=$!
    LIVE_PIDS="$LIVE_PIDS $LIVE_PID"
    i=0
    while ! grep -q "listening on" "$err" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$LIVE_PID" 2>/dev/null; then
            echo "FAIL: sipsec live did not start: $(cat "$err")"
            exit 1
        fi
        sleep 0.1
    done
}

# live_stop SIGNAL: signal sipsec and wait for it; its exit status in $LIVE_RC (124 if it hung)
live_stop() {
    kill -"$1" "$LIVE_PID" 2>/dev/null
    i=0
    while kill -0 "$LIVE_PID" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then
            kill -9 "$LIVE_PID" 2>/dev/null
            wait "$LIVE_PID" 2>/dev/null
            LIVE_RC=124
            return
        fi
        sleep 0.1
    done
    wait "$LIVE_PID"
    LIVE_RC=$?
}

# wait_jq FILE EXPR SECONDS: wait until jq -s EXPR is true on the ndjson written so far
wait_jq() {
    i=0
    while ! jq -e -s "$2" "$1" >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -gt $(($3 * 10)) ] && return 1
        sleep 0.1
    done
    return 0
}

LIVE_PASS=0
LIVE_FAIL=0
ok() { echo "ok   $1"; LIVE_PASS=$((LIVE_PASS + 1)); }
no() { echo "FAIL $1"; LIVE_FAIL=$((LIVE_FAIL + 1)); }
# check NAME FILE EXPR: jq -s EXPR over the whole ndjson file is true
check() {
    if jq -e -s "$3" "$2" >/dev/null 2>&1; then ok "$1"; else no "$1"; fi
}
live_done() {
    echo "$LIVE_PASS passed, $LIVE_FAIL failed"
    [ "$LIVE_FAIL" -eq 0 ]
}
