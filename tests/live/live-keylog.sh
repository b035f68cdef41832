#!/bin/sh
# live-keylog.sh SIPSEC ROOT: `sipsec live --keylog K` follows K as it grows. K does not exist
# when sipsec starts; SIP-over-TLS calls then start (pcaps/tools/tls_sip.py, Python's ssl, i.e.
# OpenSSL, the client writing K as SSLKEYLOGFILE does), each one's secrets appended to K while
# or after its handshake runs. Asserts in the ndjson that those sessions were decrypted (their
# keys "keylog", the calls inside seen with their 415), that a session whose client logs nothing
# stays opaque, that sessions whose secrets reach K only after their handshake went by (so live
# installs the keys late, at the sequence number the skipped records used) have their calls
# decrypted from their first SIP message on, that K truncated and rewritten by another run is read again from its start, and
# that no secret of K reaches stdout or stderr. Exit 77 without root, ip netns or jq.
set -u
SIPSEC=$1
ROOT=$2
LIVE_TAG=keyfollow-$$
. "$ROOT/tests/live/lib.sh"
live_require jq timeout
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
PKI=$ROOT/pcaps/tls/pki
TOOL=$ROOT/pcaps/tools/tls_sip.py
live_setup
out=$LIVE_TMP/live.ndjson
err=$LIVE_TMP/live.err
K=$LIVE_TMP/keys.log
cat "$PKI/um-server.pem" "$PKI/inter/ca.pem" >"$LIVE_TMP/chain.pem"

live_start "$out" "$err" --keylog "$K" -f "tcp port 5061" --stats-interval 1 --limit tcp_idle_ms=2000
[ -e "$K" ] && no "the key log is absent at start" || ok "the key log is absent at start"
grep -q "lines appended to the --keylog files will be read" "$err" && grep -q "keys.log: not there yet" "$err" &&
    ok "stderr: K not there yet, will be read" || no "stderr says K will be read ($(cat "$err"))"

# call NAME TLS [KEYLOG]: one call (INVITE refused with 415, ACK) over TLS TLS, Call-ID NAME@NAME
call() {
    in_b timeout 15 $PY "$TOOL" server --listen $IP_B:5061 --cert "$LIVE_TMP/chain.pem" \
        --key "$PKI/um-server.key" --tls "$2" 2>>"$LIVE_TMP/tool.err" &
    srv=$!
    sleep 0.3
    # shellcheck disable=SC2086
    in_a timeout 15 $PY "$TOOL" client --connect $IP_B:5061 --tls "$2" --via-host "$1" \
        ${3:+--keylog "$3"} 2>>"$LIVE_TMP/tool.err"
    wait $srv
}
# late NAME TLS: the same call from a client that keeps its secrets in a file of its own during
# the handshake and appends them to K half a second later, before its INVITE
late() {
    in_b timeout 15 $PY "$TOOL" server --listen $IP_B:5061 --cert "$LIVE_TMP/chain.pem" \
        --key "$PKI/um-server.key" --tls "$2" 2>>"$LIVE_TMP/tool.err" &
    srv=$!
    sleep 0.3
    in_a timeout 15 $PY - "$ROOT/pcaps/tools" $IP_B "$LIVE_TMP/$1.keys" "$K" "$2" "$1" <<'PYEOF' 2>>"$LIVE_TMP/tool.err"
import socket, ssl, sys, time
sys.path.insert(0, sys.argv[1])
import tls_sip
host, own, k, ver, gw = sys.argv[2:7]
tls_sip.GW = gw
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
v = ssl.TLSVersion.TLSv1_3 if ver == "1.3" else ssl.TLSVersion.TLSv1_2
ctx.minimum_version = ctx.maximum_version = v
ctx.keylog_filename = own
s = ctx.wrap_socket(socket.create_connection((host, 5061), timeout=5))
time.sleep(0.5)  # the handshake has gone by without keys
with open(own, "rb") as f, open(k, "ab") as out:
    out.write(f.read())
head, body = tls_sip.invite(host, 5061)
s.sendall(head + body)
got = tls_sip.read_message(s, time.time() + 5)
while got and b"SIP/2.0 415" not in got:
    got = tls_sip.read_message(s, time.time() + 5)
s.sendall(tls_sip.ack(host, 5061))
time.sleep(0.2)
try:
    s.unwrap()
except (ssl.SSLError, OSError):
    pass
s.close()
PYEOF
    wait $srv
}
sess_of() { # the tls_session whose call has Call-ID $1
    printf 'map(select(.type == "call" and .call_id == "tlsdec-call-1@%s"))[0].tls_session as $id |
            map(select(.type == "tls_session" and .id == $id))[0]' "$1"
}

# --- TLS 1.3, then TLS 1.2: their secrets reach K only after sipsec started
call gw13 1.3 "$K"
call gw12 1.2 "$K"
[ -s "$K" ] && ok "the client wrote K" || no "the client wrote K"
wait_jq "$out" 'map(select(.type == "call" and (.call_id | startswith("tlsdec-call-1@gw1")))) | length == 2' 8 &&
    ok "both calls inside TLS seen while live runs" || no "both calls inside TLS seen while live runs"
# --- the same, the secrets appended only after the handshake: keys installed late
late late13 1.3
late late12 1.2
wait_jq "$out" 'map(select(.type == "call" and (.call_id | startswith("tlsdec-call-1@late")))) | length == 2' 8 &&
    ok "both calls of late keys seen" || no "both calls of late keys seen"
for gw in gw13 gw12 late13 late12; do
    v=1.$(echo $gw | tr -dc 0-9 | cut -c2)
    check "$gw: TLS $v call inside TLS, its 415 seen" "$out" \
        "map(select(.type == \"call\" and .call_id == \"tlsdec-call-1@$gw\"))[0] |
         .transport == \"tls\" and (.tls_session | type == \"string\") and .final_status == 415 and .messages == 3"
    check "$gw: the TLS $v session line" "$out" "$(sess_of $gw) | .version == \"TLS$v\" and .established"
done
# their lines are written at the client's first protected record: the clients that log as they
# go (gw13, gw12) have logged by then; late13 logs only after its Finished, late12 before its
# INVITE (its first record after both ChangeCipherSpecs)
for gw in gw13 gw12 late12; do
    check "$gw: its line says keys from the key log, decrypted" "$out" \
        "$(sess_of $gw) | .decrypted == true and .decryption.keys == \"keylog\""
done
check "late13: its line says no keys yet (they came after its Finished)" "$out" \
    "$(sess_of late13) | .decrypted == false and .decryption.keys == null"

# --- a client that logs nothing: stays opaque
call gwnone 1.3
wait_jq "$out" 'map(select(.type == "tls_session")) | length == 5' 5 &&
    ok "its session line written while live runs" || no "its session line written while live runs"

# --- K truncated and rewritten by a new run of the client: read again from the start
cp "$K" "$LIVE_TMP/keys.seen"
: >"$K"
call gwrot 1.3 "$K"
wait_jq "$out" 'map(select(.type == "call" and .call_id == "tlsdec-call-1@gwrot")) | length == 1' 8 &&
    ok "after K was truncated: the next call decrypted" || no "after K was truncated: the next call decrypted"

live_stop INT
[ "$LIVE_RC" = 0 ] && ok "SIGINT: exit 0" || no "SIGINT: exit $LIVE_RC ($(cat "$err"))"
check "the session without logged keys: no keys, not decrypted, its call opaque" "$out" \
    '(map(select(.type == "call" and .opaque)) | length == 1) and
     (map(select(.type == "call" and .opaque))[0].tls_session as $id | map(select(.type == "tls_session" and .id == $id))[0] |
      .decrypted == false and .decryption.keys == null)'
check "no call seen inside it" "$out" 'map(select(.type == "call" and .call_id == "tlsdec-call-1@gwnone")) | length == 0'
check "final stats: 5 sessions with keys (2 of them late), 1 without, K followed and restarted" "$out" \
    'map(select(.type == "stats" and .interim == false))[0].stats.tls_decryption |
     .sessions_with_keys == 5 and .sessions_without_keys == 1 and .sessions_keys_late >= 2 and
     .keylog_follow_reads >= 4 and .keylog_follow_restarts >= 1 and .keylog_secrets == 14 and
     .keylog_bad_lines == 0 and .auth_failures == 0'

# --- no secret anywhere in the output
leaked=0
for s in $(cat "$K" "$LIVE_TMP/keys.seen" | awk '!/^#/ && NF == 3 {print $3}'); do
    if grep -qi "$s" "$out" "$err"; then leaked=$((leaked + 1)); fi
done
[ "$leaked" = 0 ] && [ -s "$K" ] && ok "no secret of K in stdout or stderr" || no "$leaked secrets of K in the output"

# --- --immediate: each packet analyzed as it comes, so the ServerHello is often seen before the
# client has logged a secret (it logs SERVER_HANDSHAKE_TRAFFIC_SECRET as it reads the
# ServerHello, its own handshake secret just before its Finished, its application secret after)
out2=$LIVE_TMP/immediate.ndjson
K2=$LIVE_TMP/keys2.log
live_start "$out2" "$err" --immediate --keylog "$K2" -f "tcp port 5061" --stats-interval 0
for i in 1 2 3; do call imm$i 1.3 "$K2"; done
wait_jq "$out2" 'map(select(.type == "call" and (.call_id | startswith("tlsdec-call-1@imm")))) | length == 3' 8 &&
    ok "--immediate: the 3 calls inside TLS 1.3 seen" || no "--immediate: the 3 calls inside TLS 1.3 seen"
for i in 1 2 3; do
    check "--immediate: imm$i's line says keys from the key log, decrypted, server chain read" "$out2" \
        "$(sess_of imm$i) | .decrypted == true and .decryption.keys == \"keylog\" and (.server_certificates | length == 2)"
done
live_stop INT
check "--immediate: final stats, 3 sessions with keys, no authentication failure" "$out2" \
    'map(select(.type == "stats" and .interim == false))[0].stats.tls_decryption |
     .sessions_with_keys == 3 and .sessions_without_keys == 0 and .auth_failures == 0'
for s in $(awk '!/^#/ && NF == 3 {print $3}' "$K2"); do
    grep -qi "$s" "$out2" "$err" && { no "a secret of K2 in the output"; break; }
done

[ -n "${LIVE_DEBUG:-}" ] && { cat "$err"; cat "$LIVE_TMP/tool.err"; jq -c 'select(.type != "stats")' "$out";
    jq -c 'select(.type == "stats" and .interim == false) | .stats.tls_decryption' "$out"; }
live_done
