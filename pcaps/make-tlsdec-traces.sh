#!/bin/sh
# make-tlsdec-traces.sh: records the TLS decryption traces in pcaps/tlsdec/: SIP over TLS between
# a gateway (client 127.0.0.1) and a UM server (127.0.0.2:5061), made by real TLS stacks that
# write an NSS key log: pcaps/tools/tls_sip.py (Python's ssl, i.e. OpenSSL) and openssl
# s_server / s_client -keylogfile. Each case keeps CASE.pcap, the key log CASE.keylog (the
# secrets are test secrets of throwaway connections) and CASE.args. Certificates come from
# pcaps/tls/pki (pcaps/make-tls-traces.sh). Captured inside a network namespace made here
# (decrypt-x with $NETNS_PREFIX in front, or $NS), deleted afterwards. Needs root. Every step is
# bounded by a timeout.
#
#   sh pcaps/make-tlsdec-traces.sh                  # all cases
#   sh pcaps/make-tlsdec-traces.sh tls12-gcm-415    # one case
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/tlsdec
P=$HERE/tls/pki
TOOL=$HERE/tools/tls_sip.py
. "$HERE/tools/capture-lib.sh"
NS=${NS:-$(netns_name decrypt-x)}
SERVER=127.0.0.2
PY=/usr/bin/python3
mkdir -p "$OUT"
[ -f "$P/done" ] || { echo "no PKI: run pcaps/make-tls-traces.sh first" >&2; exit 1; }

netns_new "$NS"
NX="ip netns exec $NS"

capture() { # $1 = pcap
    capture_start "$NS" "$1" "tcp port 5061" -i lo
}

# leaf + issuing CA, as each side sends its chain
capture_tmp
TMP=$CAP_TMP
cat "$P/um-server.pem" "$P/inter/ca.pem" >"$TMP/um-chain.pem"
cat "$P/gw-both.pem" "$P/inter/ca.pem" >"$TMP/gw-chain.pem"
SRV="--cert $TMP/um-chain.pem --key $P/um-server.key"
MTLS="--ca $P/root/ca.pem --require-client-cert"
GW="--cert $TMP/gw-chain.pem --key $P/gw-both.key"

# py_case NAME "server args" "client args": tls_sip.py on both ends; the client's key log is kept
py_case() {
    name=$1 sargs=$2 cargs=$3
    rm -f "$OUT/$name.keylog"
    capture "$OUT/$name.pcap"
    # shellcheck disable=SC2086
    timeout 20 $NX $PY "$TOOL" server --listen $SERVER:5061 $sargs &
    S=$!
    sleep 0.5
    # shellcheck disable=SC2086
    timeout 20 $NX $PY "$TOOL" client --connect $SERVER:5061 --keylog "$OUT/$name.keylog" $cargs ||
        echo "$name: client exited $?" >&2
    wait $S || echo "$name: server exited $?" >&2
    capture_stop
    echo "--keylog $name.keylog" >"$OUT/$name.args"
    capture_count "$name" "$OUT/$name.pcap"
}

# ossl_case NAME "s_server args" "s_client args" [keyupdate]: openssl s_server and s_client
# -keylogfile, the SIP dialogue from their stdin (client: INVITE, then ACK; server: 100 + 415 a
# second later); with keyupdate each side first sends "k" alone, s_client's and s_server's
# command for a TLS 1.3 KeyUpdate.
ossl_case() {
    name=$1 sargs=$2 cargs=$3 ku=${4:-}
    rm -f "$OUT/$name.keylog"
    $PY "$TOOL" text --ruri-host um.example.com --out-dir "$TMP"
    capture "$OUT/$name.pcap"
    # shellcheck disable=SC2086
    (sleep 2.5; cat "$TMP/responses.txt"; sleep 1; [ -n "$ku" ] && printf 'k\n'; sleep 2) |
        timeout 20 $NX openssl s_server -accept $SERVER:5061 -naccept 1 $sargs >"$TMP/s.log" 2>&1 &
    S=$!
    sleep 1
    # shellcheck disable=SC2086
    (sleep 1; cat "$TMP/invite.txt"; sleep 2; [ -n "$ku" ] && printf 'k\n'; sleep 0.5; cat "$TMP/ack.txt";
     sleep 2) | timeout 20 $NX openssl s_client -connect $SERVER:5061 -servername um.example.com \
        -keylogfile "$OUT/$name.keylog" $cargs >"$TMP/c.log" 2>&1 || echo "$name: s_client exited $?" >&2
    wait $S || echo "$name: s_server exited $?" >&2
    capture_stop
    echo "--keylog $name.keylog" >"$OUT/$name.args"
    capture_count "$name" "$OUT/$name.pcap"
}

OSRV="-cert $P/um-server.pem -key $P/um-server.key -cert_chain $P/inter/ca.pem"
OMTLS="-Verify 2 -verify_return_error -CAfile $P/root/ca.pem"
OGW="-cert $P/gw-both.pem -key $P/gw-both.key -cert_chain $P/inter/ca.pem -CAfile $P/root/ca.pem"

run_case() {
    case $1 in
    tls12-gcm-415) # TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, mutual TLS, SRTP INVITE refused with 415
        py_case tls12-gcm-415 "$SRV $MTLS --tls 1.2" \
            "$GW --tls 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 --sni um.example.com --ruri-host um.example.com" ;;
    tls12-wrong-keylog) # the same call; its key log line carries another run's master secret
        py_case tls12-wrong-keylog "$SRV $MTLS --tls 1.2" \
            "$GW --tls 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 --sni um.example.com --ruri-host um.example.com"
        other=$(awk '$1 == "CLIENT_RANDOM" { print $3; exit }' "$OUT/tls12-gcm-415.keylog")
        awk -v s="$other" '$1 == "CLIENT_RANDOM" { $3 = s } { print }' "$OUT/tls12-wrong-keylog.keylog" \
            >"$TMP/k" && cat "$TMP/k" >"$OUT/tls12-wrong-keylog.keylog" ;;
    tls12-cbc-sha384) # TLS 1.2 ECDHE-RSA-AES256-SHA384 (CBC, HMAC-SHA384, encrypt_then_mac), mutual TLS
        py_case tls12-cbc-sha384 "$SRV $MTLS --tls 1.2" \
            "$GW --tls 1.2 --ciphers ECDHE-RSA-AES256-SHA384 --sni um.example.com --ruri-host um.example.com" ;;
    tls12-rsa-resume-ticket) # RSA key exchange AES256-SHA (extended master secret), then a
        # second connection resuming it by session ticket; decrypted with --rsa-key only
        py_case tls12-rsa-resume-ticket "$SRV --tls 1.2 --accept 2" \
            "--tls 1.2 --ciphers AES256-SHA --sni um.example.com --ruri-host um.example.com --resume"
        echo "--rsa-key $SERVER:5061=../tls/pki/um-server.key" >"$OUT/tls12-rsa-resume-ticket.args" ;;
    tls12-rsa-resume-id) # RSA key exchange AES128-SHA256, resumed by session ID (no tickets)
        py_case tls12-rsa-resume-id "$SRV --tls 1.2 --accept 2 --no-tickets" \
            "--tls 1.2 --ciphers AES128-SHA256 --sni um.example.com --ruri-host um.example.com --resume"
        echo "--rsa-key ../tls/pki/um-server.key" >"$OUT/tls12-rsa-resume-id.args" ;;
    tls13-aes128gcm-415) # TLS 1.3 TLS_AES_128_GCM_SHA256, mutual TLS, KeyUpdate from both sides
        ossl_case tls13-aes128gcm-415 "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 $OSRV $OMTLS" \
            "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 $OGW" keyupdate ;;
    tls13-chacha-415) # TLS 1.3 TLS_CHACHA20_POLY1305_SHA256, mutual TLS
        ossl_case tls13-chacha-415 "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 $OSRV $OMTLS" \
            "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 $OGW" ;;
    tls13-no-client-cert) # TLS 1.3, the server requires a client certificate, the client has none
        ossl_case tls13-no-client-cert "-tls1_3 $OSRV $OMTLS" "-tls1_3 -CAfile $P/root/ca.pem" ;;
    tls13-aes256-python) # TLS 1.3 with Python's default TLS_AES_256_GCM_SHA384 (SHA-384 schedule)
        py_case tls13-aes256-python "$SRV $MTLS --tls 1.3" \
            "$GW --tls 1.3 --sni um.example.com --ruri-host um.example.com" ;;
    tls12-sip-name-mismatch) # the gateway's SIP says gw2.example.com (its certificate: gw.example.com)
        # and addresses the server by IP literal (its certificate has no IP SAN); SNI is right
        py_case tls12-sip-name-mismatch "$SRV $MTLS --tls 1.2" \
            "$GW --tls 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 --sni um.example.com --ruri-host $SERVER --via-host gw2.example.com" ;;
    tls12-sip-record-route) # an SBC (certificate gw.example.com) record-routes as sbc.example.com and
        # routes the INVITE to um.example.com (loose Route) for the pool name in its Request-URI; the
        # 415 copies the Record-Route back
        py_case tls12-sip-record-route "$SRV $MTLS --tls 1.2" \
            "$GW --tls 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 --sni um.example.com --ruri-host um-pool.example.com --record-route sbc.example.com --route um.example.com" ;;
    tls13-ccm) # TLS 1.3 TLS_AES_128_CCM_SHA256 (not in OpenSSL's default list: asked for on both sides)
        ossl_case tls13-ccm "-tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256 $OSRV" \
            "-tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256 -CAfile $P/root/ca.pem" ;;
    tls13-hrr) # TLS 1.3 with a HelloRetryRequest: the server wants P-256, the client's first key share is X25519
        ossl_case tls13-hrr "-tls1_3 -groups P-256 $OSRV" "-tls1_3 -groups X25519:P-256 -CAfile $P/root/ca.pem" ;;
    tls13-dsb) # tls13-aes128gcm-415 with its key log inside, as a pcapng Decryption Secrets Block
        [ -f "$OUT/tls13-aes128gcm-415.pcap" ] || run_case tls13-aes128gcm-415
        editcap --inject-secrets "tls,$OUT/tls13-aes128gcm-415.keylog" "$OUT/tls13-aes128gcm-415.pcap" \
            "$OUT/tls13-dsb.pcapng"
        echo "tls13-dsb: $(capinfos -c "$OUT/tls13-dsb.pcapng" | awk '/Number of packets/ { print $4 }') packets" ;;
    *) echo "unknown case $1" >&2; return 1 ;;
    esac
}

if [ $# -gt 0 ]; then
    for c in "$@"; do run_case "$c"; done
else
    for c in tls12-gcm-415 tls12-wrong-keylog tls12-cbc-sha384 tls12-rsa-resume-ticket tls12-rsa-resume-id \
        tls13-aes128gcm-415 tls13-chacha-415 tls13-no-client-cert tls13-aes256-python tls13-dsb tls12-sip-name-mismatch tls12-sip-record-route tls13-hrr tls13-ccm; do
        run_case $c
    done
fi
