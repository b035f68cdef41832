#!/bin/sh
# make-sip-tls-traces.sh: records pcaps/sip/tls-opaque-{rtp,srtp}.pcap, SIP over TLS on 5061 that
# sipsec cannot read (no keys given) followed by media between the same two hosts.
#
# Two network namespaces of our own ($NETNS_PREFIX in front) joined by a veth pair:
# sipmedia-tlsa (10.77.0.1, the phone) and sipmedia-tlsb (10.77.0.2, the PBX); tcpdump captures
# on the PBX side. openssl s_server and s_client (TLS 1.2, so the certificates are visible) carry a SIP INVITE / 100 / 180 / 200 / ACK
# and later BYE / 200 as text; after the 200, tests/tools/rtp_send.py sends 4 s of speech-like
# G.711 each way: in clear for tls-opaque-rtp, protected by libsrtp2 (python3-pylibsrtp,
# AES_CM_128_HMAC_SHA1_80, the key of the SDP's a=crypto) for tls-opaque-srtp.
# tls-opaque-rtp uses mutual TLS (the phone sends a certificate); tls-opaque-srtp only requests
# one and the phone sends none. The TLS keys are written as NSS key logs next to the traces
# (*.keylog) so --keylog can show the SIP once TLS decryption exists.
#
# Needs root, openssl, tcpdump, iproute2, /usr/bin/python3 with python3-pylibsrtp.
# Usage: sh pcaps/make-sip-tls-traces.sh   (about 30 s)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/sip
send=$here/../tests/tools/rtp_send.py
py=/usr/bin/python3
A=10.77.0.1 B=10.77.0.2
. "$here/tools/capture-lib.sh"
na=$(netns_name sipmedia-tlsa) nb=$(netns_name sipmedia-tlsb)
capture_tmp
tmp=$CAP_TMP
mkdir -p "$out"
$py -c 'import pylibsrtp' || { echo "needs python3-pylibsrtp (apt-get install python3-pylibsrtp)" >&2; exit 1; }
netns_pair $na smtls-a $A/24 $nb smtls-b $B/24

# Certificates: the PBX's (serverAuth) and the phone's (clientAuth), self-signed, 2048-bit.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$tmp/pbx.key" -out "$tmp/pbx.crt" \
    -subj "/CN=pbx.example.test" -addext "subjectAltName=DNS:pbx.example.test,IP:$B" \
    -addext "extendedKeyUsage=serverAuth,clientAuth" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$tmp/phone.key" -out "$tmp/phone.crt" \
    -subj "/CN=phone.example.test" -addext "extendedKeyUsage=clientAuth" 2>/dev/null

KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd   # 30 bytes: SRTP master key + salt

sdp() { # ADDR PORT PROFILE [CRYPTO-LINE]
    printf 'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s %s 0\r\na=rtpmap:0 PCMU/8000\r\n' \
        "$1" "$1" "$2" "$3"
    if [ -n "${4:-}" ]; then printf '%s\r\n' "$4"; fi
    return 0
}

# msg START-LINE CSEQ BODY: one SIP message of the call, Content-Length counted here
msg() {
    len=$(printf '%s' "$3" | wc -c)
    totag="" ct=""
    if [ "${1#SIP/}" != "$1" ]; then totag=";tag=pbx1"; fi
    if [ "$len" -gt 0 ]; then ct='Content-Type: application/sdp\r\n'; fi
    printf '%s\r\nVia: SIP/2.0/TLS %s:5061;branch=z9hG4bK-%s\r\nFrom: <sips:phone@example.test>;tag=ph1\r\nTo: <sips:pbx@example.test>%s\r\nCall-ID: opaque-%s@%s\r\nCSeq: %s\r\nContact: <sips:phone@%s:5061;transport=tls>\r\n%bContent-Length: %d\r\n\r\n%s' \
        "$1" "$A" "$2" "$totag" "$case" "$A" "$2" "$A" "$ct" "$len" "$3"
}

record() { # CASE PROFILE CRYPTO SERVER-VERIFY CLIENT-CERT-ARGS SRTP?
    case=$1 verify=$4 client_cert=$5
    pcap=$out/$case.pcap
    body=$(sdp $A 40000 "$2" "$3"; printf x)
    body=${body%x}
    answer=$(sdp $B 40002 "$2" "$3"; printf x)
    answer=${answer%x}
    srtp_args=""
    if [ "$6" = yes ]; then srtp_args="--srtp $KEY"; fi

    capture_start $nb "$pcap" "host $A and host $B and not icmp and not arp" -i smtls-b
    # no receivers: each sender's socket is bound to the port the other end sends to
    # the PBX: 100 + 180 + 200 after the INVITE, 200 to the BYE
    (sleep 1.5; msg "SIP/2.0 100 Trying" "1 INVITE" ""; msg "SIP/2.0 180 Ringing" "1 INVITE" "";
     sleep 0.5; msg "SIP/2.0 200 OK" "1 INVITE" "$answer"; sleep 6.5; msg "SIP/2.0 200 OK" "2 BYE" "";
     sleep 1) |
        timeout 20 ip netns exec $nb openssl s_server -accept 5061 -naccept 1 -quiet -tls1_2 \
            -cert "$tmp/pbx.crt" -key "$tmp/pbx.key" $verify -CAfile "$tmp/phone.crt" >/dev/null 2>&1 &
    srv=$!
    sleep 0.5
    # the phone: INVITE, ACK once answered, BYE after the media
    (sleep 0.5; msg "INVITE sips:pbx@example.test SIP/2.0" "1 INVITE" "$body"; sleep 1.8;
     msg "ACK sips:pbx@example.test SIP/2.0" "1 ACK" ""; sleep 5; msg "BYE sips:pbx@example.test SIP/2.0" "2 BYE" "";
     sleep 1.5) |
        timeout 20 ip netns exec $na openssl s_client -connect $B:5061 -tls1_2 -quiet -no_ign_eof \
            -servername pbx.example.test -keylogfile "$out/$case.keylog" $client_cert >/dev/null 2>&1 &
    cli=$!
    sleep 2.5
    # media: 4 s each way, starting after the 200 OK
    ip netns exec $na $py "$send" --dst $B:40002 --src-port 40000 --bind $A --duration 4 \
        --payload tone --ssrc 0x0a11ce01 $srtp_args &
    m1=$!
    ip netns exec $nb $py "$send" --dst $A:40000 --src-port 40002 --bind $B --duration 4 \
        --payload tone --ssrc 0x0b0b0b02 --seed 3 $srtp_args &
    m2=$!
    wait $m1 $m2
    wait $cli || true
    wait $srv || true
    capture_stop
    capture_count "$case" "$pcap"
}

record tls-opaque-rtp RTP/AVP "" "-Verify 1" "-cert $tmp/phone.crt -key $tmp/phone.key" no
record tls-opaque-srtp RTP/SAVP "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$KEY" "-verify 1" "" yes
