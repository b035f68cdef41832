#!/bin/sh
# make-tls-traces.sh: records the TLS test traces in pcaps/tls/ with real `openssl s_server`
# and `openssl s_client` on loopback (client 127.0.0.1, server 127.0.0.2), captured by
# tcpdump -i lo inside a network namespace of its own (tls-x, $NETNS_PREFIX in front, deleted
# at exit), so other programs on the host's loopback never get into a trace. Certificates with chosen properties
# are made fresh by `openssl req`/`ca` into pcaps/tls/pki/ (kept, so a golden's SHA-1s can be
# traced back to a PEM). Validity periods are absolute dates around the goldens' --now
# 2026-01-01T00:00:00Z. Needs root (ip netns, tcpdump). Every step is bounded by a timeout.
# (Traces recorded before 2026-11 were captured on the host's lo; same commands.)
#
#   sh pcaps/make-tls-traces.sh              # all cases
#   sh pcaps/make-tls-traces.sh mtls-ok      # one case (the PKI is reused if present)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/tls
PKI=$OUT/pki
CLIENT=127.0.0.1
SERVER=127.0.0.2
mkdir -p "$OUT" "$PKI"

# ---- PKI ----------------------------------------------------------------------------

ca_conf() { # $1 = CA dir
    cat >"$1/ca.cnf" <<EOF
[ ca ]
default_ca = this
[ this ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[ any ]
organizationName = optional
commonName = supplied
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    : >"$1/index.txt"
    [ -f "$1/serial" ] || echo 1000 >"$1/serial"
}

key() { # $1 = out, $2 = rsa:BITS | ec
    case $2 in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
    rsa:*) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${2#rsa:}" -out "$1" 2>/dev/null ;;
    esac
}

# issue NAME CN KEYTYPE START END "EXTENSION LINES" [ISSUER-DIR]
# Without ISSUER-DIR the certificate is self-signed (openssl ca -selfsign).
issue() {
    name=$1 cn=$2 kt=$3 start=$4 end=$5 ext=$6 issuer=${7:-}
    key "$PKI/$name.key" "$kt"
    openssl req -new -key "$PKI/$name.key" -subj "/O=sipsec test/CN=$cn" -out "$PKI/$name.csr" 2>/dev/null
    printf '[ ext ]\n%s\n' "$ext" >"$PKI/$name.ext"
    if [ -n "$issuer" ]; then
        openssl ca -batch -config "$issuer/ca.cnf" -cert "$issuer/ca.pem" -keyfile "$issuer/ca.key" \
            -startdate "$start" -enddate "$end" -extfile "$PKI/$name.ext" -extensions ext \
            -in "$PKI/$name.csr" -out "$PKI/$name.pem" -notext >/dev/null 2>&1
    else
        mkdir -p "$PKI/self"
        ca_conf "$PKI/self"
        openssl ca -batch -selfsign -config "$PKI/self/ca.cnf" -keyfile "$PKI/$name.key" \
            -startdate "$start" -enddate "$end" -extfile "$PKI/$name.ext" -extensions ext \
            -in "$PKI/$name.csr" -out "$PKI/$name.pem" -notext >/dev/null 2>&1
    fi
}

VALID_FROM=20250101000000Z
VALID_TO=20300101000000Z
CRL='crlDistributionPoints = URI:http://pki.example.com/issuing.crl'
BOTH='extendedKeyUsage = serverAuth,clientAuth'
LEAF='basicConstraints = CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid'

make_pki() {
    [ -f "$PKI/done" ] && return 0
    rm -rf "$PKI"
    mkdir -p "$PKI/root" "$PKI/inter"
    # root CA: self-signed
    ca_conf "$PKI/root"
    key "$PKI/root/ca.key" rsa:2048
    openssl req -new -key "$PKI/root/ca.key" -subj "/O=sipsec test/CN=sipsec Test Root CA" \
        -out "$PKI/root/ca.csr" 2>/dev/null
    openssl ca -batch -selfsign -config "$PKI/root/ca.cnf" -keyfile "$PKI/root/ca.key" \
        -startdate 20240101000000Z -enddate 20400101000000Z -extensions v3_ca \
        -in "$PKI/root/ca.csr" -out "$PKI/root/ca.pem" -notext >/dev/null 2>&1
    # intermediate (issuing) CA
    ca_conf "$PKI/inter"
    key "$PKI/inter/ca.key" rsa:2048
    openssl req -new -key "$PKI/inter/ca.key" -subj "/O=sipsec test/CN=sipsec Test Issuing CA" \
        -out "$PKI/inter/ca.csr" 2>/dev/null
    openssl ca -batch -config "$PKI/root/ca.cnf" -cert "$PKI/root/ca.pem" -keyfile "$PKI/root/ca.key" \
        -startdate 20240101000000Z -enddate 20350101000000Z -extensions v3_ca \
        -in "$PKI/inter/ca.csr" -out "$PKI/inter/ca.pem" -notext >/dev/null 2>&1
    I=$PKI/inter
    # UM server: both EKUs, CRL DP, SAN, RSA 2048
    issue um-server um.example.com rsa:2048 $VALID_FROM $VALID_TO \
        "$LEAF
$BOTH
$CRL
subjectAltName = DNS:um.example.com" "$I"
    # gateway with the "Computer" template: both EKUs
    issue gw-both gw.example.com rsa:2048 $VALID_FROM $VALID_TO \
        "$LEAF
$BOTH
$CRL
subjectAltName = DNS:gw.example.com" "$I"
    # gateway with the "Web Server" template: serverAuth only
    issue gw-serveronly gw2.example.com rsa:2048 $VALID_FROM $VALID_TO \
        "$LEAF
extendedKeyUsage = serverAuth
$CRL
subjectAltName = DNS:gw2.example.com" "$I"
    # self-signed 1024-bit, no EKU, no CRL DP (an old PBX default certificate)
    issue pbx-selfsigned pbx.example.com rsa:1024 $VALID_FROM $VALID_TO \
        "basicConstraints = CA:FALSE
subjectKeyIdentifier = hash"
    # EC P-256, serverAuth only, CRL DP
    issue sbc-ec sbc.example.com ec $VALID_FROM $VALID_TO \
        "$LEAF
extendedKeyUsage = serverAuth
$CRL
subjectAltName = DNS:sbc.example.com" "$I"
    # expired (2020-2021), both EKUs
    issue um-expired um.example.com rsa:2048 20200101000000Z 20210101000000Z \
        "$LEAF
$BOTH
$CRL
subjectAltName = DNS:um.example.com" "$I"
    # not yet valid at 2026-01-01 (from 2027)
    issue um-future um.example.com rsa:2048 20270101000000Z $VALID_TO \
        "$LEAF
$BOTH
$CRL
subjectAltName = DNS:um.example.com" "$I"
    # expires 2026-01-20: 19 days after the goldens' reference time
    issue um-expiring um.example.com rsa:2048 $VALID_FROM 20260120000000Z \
        "$LEAF
$BOTH
$CRL
subjectAltName = DNS:um.example.com" "$I"
    # no EKU extension and no CRL DP, issued by the CA
    issue um-noeku um.example.com rsa:2048 $VALID_FROM $VALID_TO \
        "$LEAF
subjectAltName = DNS:um.example.com" "$I"
    # keep keys, certificates and the extension files; drop CA bookkeeping
    rm -rf "$PKI/self" "$PKI"/*.csr "$PKI"/root/ca.csr "$PKI"/inter/ca.csr
    for d in "$PKI/root" "$PKI/inter"; do
        rm -f "$d"/[0-9]*.pem "$d"/index.txt* "$d"/serial* "$d"/ca.cnf
    done
    touch "$PKI/done"
}

# ---- capture ------------------------------------------------------------------------

. "$HERE/tools/capture-lib.sh"
NS=$(netns_name tls-x)
IN="ip netns exec $NS"

# serve NAME PORT SECONDS "s_server args": s_server for one connection, in the background (SRV)
serve() {
    # shellcheck disable=SC2086
    $IN timeout "$3" openssl s_server -accept "$SERVER:$2" -naccept 1 -quiet $4 \
        >"$OUT/.$1.server.log" 2>&1 </dev/null &
    SRV=$!
}

# call NAME HOST:PORT SECONDS LINGER "s_client args": s_client sends one SIP OPTIONS line,
# waits LINGER seconds and closes
call() {
    # shellcheck disable=SC2086
    (printf 'OPTIONS sip:um.example.com SIP/2.0\r\n\r\n'; sleep "$4") |
        $IN timeout "$3" openssl s_client -connect "$2" $5 >"$OUT/.$1.client.log" 2>&1 ||
        echo "$1: s_client exited $?" >&2
}

# case_done NAME PID...: stop the server (and relay), then the capture; count; drop the logs
case_done() {
    name=$1
    shift
    sleep 0.5
    kill "$@" 2>/dev/null || true
    wait "$@" 2>/dev/null || true
    capture_stop
    capture_count "$name" "$OUT/$name.pcap"
    rm -f "$OUT/.$name.server.log" "$OUT/.$name.client.log"
}

# tls_case NAME PORT "s_server args" "s_client args" [udp]
# The client sends one SIP OPTIONS line and closes; s_server serves one connection.
tls_case() {
    capture_start "$NS" "$OUT/$1.pcap" "host $CLIENT and host $SERVER and ${5:-tcp} port $2" -i lo
    serve "$1" "$2" 15 "$3"
    sleep 1
    call "$1" "$SERVER:$2" 10 1 "$4"
    case_done "$1" "$SRV"
}

# dtls_case NAME PORT "s_server args" "s_client args": as tls_case, over UDP (DTLS).
dtls_case() {
    tls_case "$1" "$2" "$3" "$4" udp
}

# dtls_impaired_case NAME PORT PLAN "s_server args" "s_client args": as dtls_case, but the
# client talks to pcaps/tools/udp-impair.py on $RELAY, which relays to the server and impairs
# the server's datagrams as PLAN says; the capture is the client <-> relay leg.
RELAY=127.0.0.3
dtls_impaired_case() {
    capture_start "$NS" "$OUT/$1.pcap" "host $CLIENT and host $RELAY and udp port $2" -i lo
    serve "$1" "$2" 20 "$4"
    $IN timeout 20 /usr/bin/python3 "$HERE/tools/udp-impair.py" $RELAY "$2" $SERVER "$3" 3 &
    RLY=$!
    sleep 1
    call "$1" "$RELAY:$2" 15 4 "$5"
    case_done "$1" "$SRV" "$RLY"
}

P=$PKI
CHAIN="-cert_chain $P/inter/ca.pem"
TRUST="-CAfile $P/root/ca.pem"

run_case() {
    case $1 in
    mtls-ok) # mutual TLS 1.2 between a gateway (both EKUs) and UM; succeeds
        tls_case mtls-ok 5061 \
            "-tls1_2 -cert $P/um-server.pem -key $P/um-server.key $CHAIN -Verify 2 -purpose sslclient -verify_return_error $TRUST" \
            "-tls1_2 -servername um.example.com -cert $P/gw-both.pem -key $P/gw-both.key $CHAIN $TRUST" ;;
    mtls-no-client-cert) # server requires a client certificate, client has none: fatal alert
        tls_case mtls-no-client-cert 5061 \
            "-tls1_2 -cert $P/um-server.pem -key $P/um-server.key $CHAIN -Verify 2 -purpose sslclient -verify_return_error $TRUST" \
            "-tls1_2 -servername um.example.com $TRUST" ;;
    mtls-client-serverauth-only) # gateway certificate from the "Web Server" template: refused
        tls_case mtls-client-serverauth-only 5061 \
            "-tls1_2 -cert $P/um-server.pem -key $P/um-server.key $CHAIN -Verify 2 -purpose sslclient -verify_return_error $TRUST" \
            "-tls1_2 -servername um.example.com -cert $P/gw-serveronly.pem -key $P/gw-serveronly.key $CHAIN $TRUST" ;;
    tls12-rsa-selfsigned) # RSA key exchange, self-signed 1024-bit certificate without EKU/CRL DP
        tls_case tls12-rsa-selfsigned 443 \
            "-tls1_2 -cipher AES128-SHA:@SECLEVEL=0 -cert $P/pbx-selfsigned.pem -key $P/pbx-selfsigned.key" \
            "-tls1_2 -cipher AES128-SHA:@SECLEVEL=0 -servername pbx.example.com" ;;
    tls12-ecdhe-ec) # ECDHE-ECDSA with an EC P-256 certificate
        tls_case tls12-ecdhe-ec 443 \
            "-tls1_2 -cert $P/sbc-ec.pem -key $P/sbc-ec.key $CHAIN" \
            "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -servername sbc.example.com $TRUST" ;;
    tls13) # TLS 1.3 on 5061 with mutual TLS: certificates and CertificateRequest are encrypted
        tls_case tls13 5061 \
            "-tls1_3 -cert $P/um-server.pem -key $P/um-server.key $CHAIN -Verify 2 -purpose sslclient -verify_return_error $TRUST" \
            "-tls1_3 -servername um.example.com -cert $P/gw-both.pem -key $P/gw-both.key $CHAIN $TRUST" ;;
    tls10-ecdhe) # TLS 1.0, ECDHE-RSA
        tls_case tls10-ecdhe 443 \
            "-tls1 -cipher ALL:@SECLEVEL=0 -cert $P/um-server.pem -key $P/um-server.key $CHAIN" \
            "-tls1 -cipher ECDHE-RSA-AES128-SHA:@SECLEVEL=0 -servername um.example.com" ;;
    tls11-rsa) # TLS 1.1, RSA key exchange
        tls_case tls11-rsa 443 \
            "-tls1_1 -cipher ALL:@SECLEVEL=0 -cert $P/um-server.pem -key $P/um-server.key $CHAIN" \
            "-tls1_1 -cipher AES256-SHA:@SECLEVEL=0 -servername um.example.com" ;;
    server-expired) # expired server certificate; the client does not verify, so it completes
        tls_case server-expired 5061 \
            "-tls1_2 -cert $P/um-expired.pem -key $P/um-expired.key $CHAIN" \
            "-tls1_2 -servername um.example.com" ;;
    server-not-yet-valid)
        tls_case server-not-yet-valid 5061 \
            "-tls1_2 -cert $P/um-future.pem -key $P/um-future.key $CHAIN" \
            "-tls1_2 -servername um.example.com" ;;
    server-expiring)
        tls_case server-expiring 5061 \
            "-tls1_2 -cert $P/um-expiring.pem -key $P/um-expiring.key $CHAIN" \
            "-tls1_2 -servername um.example.com" ;;
    server-noeku-name-mismatch) # no EKU, no CRL DP, and the client asked for another name
        tls_case server-noeku-name-mismatch 5061 \
            "-tls1_2 -cert $P/um-noeku.pem -key $P/um-noeku.key $CHAIN" \
            "-tls1_2 -servername um2.example.com" ;;
    ca-chain-trusted) # mutual TLS, both chains complete; analyzed with --ca-file pki/root/ca.pem
        tls_case ca-chain-trusted 5061 \
            "-tls1_2 -cert $P/um-server.pem -key $P/um-server.key $CHAIN -Verify 2 -purpose sslclient -verify_return_error $TRUST" \
            "-tls1_2 -servername um.example.com -cert $P/gw-both.pem -key $P/gw-both.key $CHAIN $TRUST" ;;
    ca-missing-intermediate) # the server sends its leaf without the issuing CA; the client does not verify
        tls_case ca-missing-intermediate 5061 \
            "-tls1_2 -cert $P/um-server.pem -key $P/um-server.key" \
            "-tls1_2 -servername um.example.com" ;;
    ca-root-not-in-file) # complete chain; analyzed with a --ca-file that holds another root only
        tls_case ca-root-not-in-file 5061 \
            "-tls1_2 -cert $P/gw-both.pem -key $P/gw-both.key $CHAIN" \
            "-tls1_2 -servername gw.example.com" ;;
    dtls12-mtu400-mtls) # DTLS 1.2, MTU 400: both Certificate messages (leaf + issuing CA) in fragments
        dtls_case dtls12-mtu400-mtls 4433 \
            "-dtls1_2 -mtu 400 -cert $P/um-server.pem -key $P/um-server.key $CHAIN -Verify 2 -verify_return_error $TRUST" \
            "-dtls1_2 -mtu 400 -servername um.example.com -cert $P/gw-both.pem -key $P/gw-both.key $CHAIN $TRUST" ;;
    dtls12-mtu400-impaired) # as dtls12-mtu400-mtls through a relay that reorders, duplicates and
        # drops server datagrams: Certificate fragments out of order, twice, one lost and resent
        dtls_impaired_case dtls12-mtu400-impaired 4433 swap:3,dup:5,drop:6 \
            "-dtls1_2 -mtu 400 -cert $P/um-server.pem -key $P/um-server.key $CHAIN -Verify 2 -verify_return_error $TRUST" \
            "-dtls1_2 -mtu 400 -servername um.example.com -cert $P/gw-both.pem -key $P/gw-both.key $CHAIN $TRUST" ;;
    dtls-lost-fragment) # public dtls1_2.pcap without frame 8: a Certificate fragment lost for good
        editcap "$HERE/public/dtls1_2.pcap" "$OUT/dtls-lost-fragment.pcap" 8
        capture_count dtls-lost-fragment "$OUT/dtls-lost-fragment.pcap" ;;
    *) echo "unknown case $1" >&2; exit 64 ;;
    esac
}

make_pki
netns_new "$NS"
ALL="mtls-ok mtls-no-client-cert mtls-client-serverauth-only tls12-rsa-selfsigned tls12-ecdhe-ec tls13
     tls10-ecdhe tls11-rsa server-expired server-not-yet-valid server-expiring server-noeku-name-mismatch
     ca-chain-trusted ca-missing-intermediate ca-root-not-in-file dtls12-mtu400-mtls
     dtls12-mtu400-impaired dtls-lost-fragment"
# shellcheck disable=SC2086 # ALL is a word list
[ $# -gt 0 ] || set -- $ALL
for c in "$@"; do
    run_case "$c"
done
