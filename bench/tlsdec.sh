#!/bin/sh
# bench/tlsdec.sh [SIPSEC]: TLS decryption throughput (MB/s of decrypted application data) of
# `sipsec analyze --keylog` against `tshark -o tls.keylog_file:K -q -z io,stat,0,sip` on the
# same trace and key log, in CPU seconds (user + sys from /usr/bin/time -v, the best of
# BENCH_RUNS=3 runs on a warm page cache), with sipsec without keys as the floor.
#
# Traces are made once into bench/data/ (git-ignored) by bench/tls_load.py (Python ssl) in a
# network namespace (decrypt-bench, loopback MTU 1500), captured by tcpdump: SIP OPTIONS over one
# TLS connection,
#   gcm-1:   TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, one SIP message per record (as stacks send)
#   gcm-24:  the same, 24 messages per 16 KiB record
#   cbc-1:   TLS 1.2 ECDHE-RSA-AES256-SHA384 (CBC + HMAC-SHA384, encrypt_then_mac), one per record
#   tls13-1: TLS 1.3 TLS_AES_256_GCM_SHA384, one per record
# BENCH_TLS_MB (default 64) MB of SIP each. Needs root (namespace, tcpdump), tshark, GNU time.
# Prints a Markdown table (also bench/data/tlsdec.md). Not run by CI.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$here/data
sipsec=${1:-$root/build/sipsec}
mb=${BENCH_TLS_MB:-64}
runs=${BENCH_RUNS:-3}
pki=$root/pcaps/tls/pki
py=/usr/bin/python3
ns=decrypt-bench
mkdir -p "$data"
[ -x "$sipsec" ] || { echo "bench: $sipsec not found; build sipsec first" >&2; exit 1; }

make_trace() { # NAME TLS CIPHERS BATCH
    f=$data/tlsdec-$1.pcap
    [ -s "$f" ] && [ -s "$data/tlsdec-$1.keylog" ] && return 0
    ip netns del $ns 2>/dev/null || true
    ip netns add $ns
    ip netns exec $ns ip link set lo up mtu 1500 # Ethernet-sized segments, as on a span port
    rm -f "$data/tlsdec-$1.keylog"
    ip netns exec $ns tcpdump -i lo -U -s 0 -B 65536 -w "$f" "tcp port 5061" >/dev/null 2>&1 &
    td=$!
    sleep 1
    timeout 120 ip netns exec $ns $py "$here/tls_load.py" server --listen 127.0.0.2:5061 \
        --cert "$pki/um-server.pem" --key "$pki/um-server.key" --tls "$2" &
    srv=$!
    sleep 0.5
    timeout 120 ip netns exec $ns $py "$here/tls_load.py" client --connect 127.0.0.2:5061 \
        --keylog "$data/tlsdec-$1.keylog" --tls "$2" ${3:+--ciphers "$3"} --mb "$mb" --batch "$4"
    wait $srv || true
    sleep 1
    kill $td 2>/dev/null || true
    wait $td 2>/dev/null || true
    ip netns del $ns
}

# cpu CMD...: best user+sys seconds over $runs runs, and peak RSS (KB) of that run
cpu() {
    best="" rss=0 i=0
    while [ $i -lt "$runs" ]; do
        i=$((i + 1))
        /usr/bin/time -v -o "$data/time.txt" "$@" >"$data/out.txt" 2>/dev/null || true
        t=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$data/time.txt")
        r=$(awk -F': ' '/Maximum resident/ { print $2 }' "$data/time.txt")
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t rss=$r; fi
    done
    echo "$best $rss"
}

out=$data/tlsdec.md
{
    echo "| trace | app MB | records | sipsec --keylog CPU s | MB/s | RSS MB | sipsec no keys CPU s | tshark CPU s | MB/s | tshark RSS MB | tshark frames with SIP |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} >"$out"
for spec in "gcm-1 1.2 ECDHE-RSA-AES128-GCM-SHA256 1" "gcm-24 1.2 ECDHE-RSA-AES128-GCM-SHA256 24" \
    "cbc-1 1.2 ECDHE-RSA-AES256-SHA384 1" "tls13-1 1.3 - 1"; do
    # shellcheck disable=SC2086
    set -- $spec
    c=$3
    [ "$c" = - ] && c=""
    make_trace "$1" "$2" "$c" "$4"
    f=$data/tlsdec-$1.pcap k=$data/tlsdec-$1.keylog
    cat "$f" >/dev/null
    "$sipsec" analyze --format json --keylog "$k" "$f" >"$data/report.json"
    app=$(jq '.stats.tls_decryption.app_bytes' "$data/report.json")
    recs=$(jq '.stats.tls_decryption.records_decrypted' "$data/report.json")
    set -- $(cpu "$sipsec" analyze --format json --keylog "$k" "$f")
    s_t=$1 s_rss=$2
    set -- $(cpu "$sipsec" analyze --format json "$f")
    n_t=$1
    set -- $(cpu tshark -n -o "tls.keylog_file:$k" -r "$f" -q -z io,stat,0,sip)
    t_t=$1 t_rss=$2
    tframes=$(awk -F'|' '/<>/ { gsub(/ /, "", $3); print $3; exit }' "$data/out.txt")
    appmb=$(echo "scale=1; $app / 1048576" | bc)
    echo "| $(basename "$f") | $appmb | $recs | $s_t | $(echo "scale=0; $app / 1048576 / $s_t" | bc) | $((s_rss / 1024)) | $n_t | $t_t | $(echo "scale=1; $app / 1048576 / $t_t" | bc) | $((t_rss / 1024)) | ${tframes:-?} |" >>"$out"
done
cat "$out"
