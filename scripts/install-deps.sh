#!/bin/sh
# Installs the Debian packages sipsec needs to build and test, only when missing.
set -e
PKGS="build-essential cmake pkg-config libpcap-dev libssl-dev libosip2-dev libcmocka-dev jq"
# Fuzzing needs clang; trace regeneration needs the capture tools (optional: SIPSEC_TRACE_TOOLS=1).
PKGS="$PKGS clang"
if [ "${SIPSEC_TRACE_TOOLS:-0}" = 1 ]; then
    PKGS="$PKGS tcpdump tshark sip-tester python3-scapy tcpreplay iproute2 openssl"
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
