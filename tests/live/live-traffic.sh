#!/bin/sh
# live-traffic.sh SIPSEC ROOT: `sipsec live` on a veth while real programs talk across it, with
# assertions on the ndjson events, made while sipsec still runs (streaming), then after SIGINT;
# and the --write files read back by `sipsec analyze` as one capture.
#
# Traffic (clients in one namespace, servers in the other, sipsec capturing the servers' end):
#  - openssl s_server/s_client, mutual TLS 1.2 that succeeds (pcaps/tls/pki certificates);
#  - the same server, a client with no certificate (fatal alert, TLS_CLIENT_CERT_NOT_SENT);
#  - sipp: an INVITE offering SRTP refused with 415 (pcaps/sip/scenarios);
#  - tests/tools/rtp_send.py: 4 s of G.711 losing 5 % of its packets (interim stats, RTP_LOSS).
# Exit 77 without root, ip netns, openssl, sipp or jq.
set -u
SIPSEC=$1
ROOT=$2
. "$ROOT/tests/live/lib.sh"
live_require openssl sipp jq timeout
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
PKI=$ROOT/pcaps/tls/pki
SC=$ROOT/pcaps/sip/scenarios
live_setup
out=$LIVE_TMP/live.ndjson
err=$LIVE_TMP/live.err
chmod 1777 "$LIVE_TMP" # --write files are created after sipsec drops root to nobody

# Short idle timeouts so the RTP stream and the TCP connections end during the test.
live_start "$out" "$err" --stats-interval 1 --limit udp_idle_ms=1500 --limit tcp_idle_ms=3000 \
    --write "$LIVE_TMP/cap" -C 1 -W 50

# --- mutual TLS that succeeds, then a client without a certificate
in_b timeout 20 openssl s_server -accept "$IP_B:5061" -naccept 2 -quiet -tls1_2 \
    -cert "$PKI/um-server.pem" -key "$PKI/um-server.key" -cert_chain "$PKI/inter/ca.pem" \
    -Verify 2 -purpose sslclient -verify_return_error -CAfile "$PKI/root/ca.pem" \
    >"$LIVE_TMP/server.log" 2>&1 </dev/null &
LIVE_PIDS="$LIVE_PIDS $!"
sleep 0.5
(printf 'OPTIONS sip:um.example.com SIP/2.0\r\n\r\n'; sleep 0.5) |
    in_a timeout 10 openssl s_client -connect "$IP_B:5061" -tls1_2 -servername um.example.com \
        -cert "$PKI/gw-both.pem" -key "$PKI/gw-both.key" -cert_chain "$PKI/inter/ca.pem" \
        -CAfile "$PKI/root/ca.pem" >"$LIVE_TMP/client1.log" 2>&1
(sleep 0.5) | in_a timeout 10 openssl s_client -connect "$IP_B:5061" -tls1_2 \
    -servername um.example.com -CAfile "$PKI/root/ca.pem" >"$LIVE_TMP/client2.log" 2>&1

# --- SIP: SRTP offer refused with 415
in_b timeout 20 sipp -sf "$SC/uas-415.xml" -i "$IP_B" -p 5060 -t u1 -m 1 -timeout 15s -nostdin \
    >/dev/null 2>&1 </dev/null &
LIVE_PIDS="$LIVE_PIDS $!"
sleep 0.5
in_a timeout 20 sipp "$IP_B:5060" -sf "$SC/uac-savp.xml" -i "$IP_A" -p 5070 -t u1 -m 1 -s um \
    -timeout 15s -nostdin >/dev/null 2>&1 </dev/null || echo "note: sipp uac exited $?"

# --- RTP with 5 % loss, 4 s
in_a timeout 20 $PY "$ROOT/tests/tools/rtp_send.py" --dst "$IP_B:40000" --src-port 40100 \
    --bind "$IP_A" --duration 4 --random-loss 5 --seed 3

# While sipsec still runs, each object must be out already (streamed as it completed).
s='map(select(.type == "tls_session"))'
wait_jq "$out" "$s | map(select(.established and .certificate_request and (.client_certificates | length) > 0)) | length >= 1" 10 &&
    ok "streamed: the mutual-TLS session, with the client's certificates, at handshake end" ||
    no "streamed: the mutual-TLS session, with the client's certificates, at handshake end"
wait_jq "$out" 'map(select(.type == "finding" and .code == "TLS_CLIENT_CERT_NOT_SENT")) | length == 1' 10 &&
    ok "streamed: TLS_CLIENT_CERT_NOT_SENT for the client without a certificate" ||
    no "streamed: TLS_CLIENT_CERT_NOT_SENT for the client without a certificate"
wait_jq "$out" 'map(select(.type == "certificate" and (.subject | test("CN=um.example.com")))) | length == 1' 5 &&
    ok "streamed: the server certificate, once" || no "streamed: the server certificate, once"
wait_jq "$out" 'map(select(.type == "call" and .final_status == 415 and .ended_by == "final_response")) | length == 1' 10 &&
    ok "streamed: the call refused with 415, at its final response" ||
    no "streamed: the call refused with 415, at its final response"
wait_jq "$out" 'map(select(.type == "finding" and .code == "SIP_SECURITY_MISMATCH")) | length == 1' 5 &&
    ok "streamed: SIP_SECURITY_MISMATCH" || no "streamed: SIP_SECURITY_MISMATCH"
wait_jq "$out" 'map(select(.type == "rtp_stream" and .interim == true)) | length >= 2' 5 &&
    ok "streamed: interim RTP statistics every --stats-interval" ||
    no "streamed: interim RTP statistics every --stats-interval"
# the stream ends by the idle timeout (1.5 s) though no packet comes after it: the tick runs it
wait_jq "$out" 'map(select(.type == "rtp_stream" and .interim == false and .lost > 0 and .dst == "'$IP_B':40000")) | length == 1' 10 &&
    ok "streamed: the RTP stream at its idle timeout, with its loss" ||
    no "streamed: the RTP stream at its idle timeout, with its loss"
wait_jq "$out" 'map(select(.type == "finding" and .code == "RTP_LOSS")) | length == 1' 5 &&
    ok "streamed: RTP_LOSS" || no "streamed: RTP_LOSS"
wait_jq "$out" 'map(select(.type == "stats" and .interim)) | length >= 2' 5 &&
    ok "streamed: periodic stats lines" || no "streamed: periodic stats lines"
# the TLS connections close and time out: their sessions must not be written twice
sleep 1

live_stop INT
[ "$LIVE_RC" = 0 ] && ok "SIGINT: exit 0" || no "SIGINT: exit $LIVE_RC ($(tail -2 "$err"))"
check "every line is one JSON object with a type" "$out" 'all(.[]; type == "object" and (.type | type) == "string")'
check "each TLS session written once" "$out" "$s | (map(.id) | unique | length) == length"
check "two TLS sessions: mutual TLS that worked, and the one without a client certificate" "$out" "$s | length == 2"
check "each certificate written once" "$out" 'map(select(.type == "certificate") | .sha1) | (unique | length) == length'
check "the client certificate gw.example.com seen" "$out" 'any(.[]; .type == "certificate" and (.subject | test("CN=gw.example.com")))'
check "final stats line with capture statistics" "$out" \
    'map(select(.type == "stats" and .interim == false)) | length == 1 and (.[0].stats.capture | .received > 0 and .dropped_kernel == 0 and (.dropped_interface | type) == "number")'
check "summary line last" "$out" '.[-1].type == "summary" and .[-1].errors >= 2'
check "RTP stream reports capture drops next to its loss" "$out" \
    'map(select(.type == "rtp_stream" and .interim == false))[0] | .capture_dropped.kernel == 0 and (.gaps_with_capture_drops == 0)'
grep -q "dropped by the kernel" "$err" && ok "stderr: capture statistics" || no "stderr: capture statistics"

# --- the saved packets: one capture for sipsec analyze, the same facts
files=$(ls "$LIVE_TMP"/cap* 2>/dev/null | sort -V)
[ -n "$files" ] && ok "--write made files ($(echo $files | wc -w))" || no "--write made files"
# shellcheck disable=SC2086
"$SIPSEC" analyze --format json -o "$LIVE_TMP/offline.json" $files 2>"$LIVE_TMP/offline.err"
[ $? = 0 ] && ok "sipsec analyze reads the --write files" || no "sipsec analyze reads the --write files: $(cat "$LIVE_TMP/offline.err")"
live_packets=$(jq -s 'map(select(.type == "stats" and .interim == false))[0].input.packets' "$out")
jq -e --argjson n "$live_packets" '.input.packets == $n' "$LIVE_TMP/offline.json" >/dev/null &&
    ok "the files hold every packet the live run analyzed ($live_packets)" ||
    no "the files hold every packet the live run analyzed ($live_packets vs $(jq .input.packets "$LIVE_TMP/offline.json"))"
jq -e '(.tls_sessions | length) == 2 and (.rtp_streams | length) == 1' "$LIVE_TMP/offline.json" >/dev/null &&
    ok "offline: the same sessions and stream" || no "offline: the same sessions and stream"
# the calls: the 415 and the SIP-over-TLS session seen only as TLS (no keys), with the same verdicts
calls='[.[] | {call_id, opaque, tls_session, final_status, security_level}] | sort_by(.tls_session, .call_id)'
live_calls=$(jq -s -c "map(select(.type == \"call\")) | $calls" "$out")
off_calls=$(jq -c ".calls | $calls" "$LIVE_TMP/offline.json")
[ "$live_calls" = "$off_calls" ] && ok "offline: the same calls ($live_calls)" ||
    no "offline: the same calls: live $live_calls, offline $off_calls"
live_codes=$(jq -s -c '[.[] | select(.type == "finding") | .code] | sort' "$out")
jq -e --argjson c "$live_codes" '[.findings[].code] | sort == $c' "$LIVE_TMP/offline.json" >/dev/null &&
    ok "offline: the same findings ($live_codes)" ||
    no "offline: the same findings: live $live_codes, offline $(jq -c '[.findings[].code] | sort' "$LIVE_TMP/offline.json")"
live_done
