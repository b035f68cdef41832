#!/bin/sh
# bench/tls.sh [SIPSEC]: the TLS benchmark (issue 3), run by `bench/run.sh tls [SIPSEC]`.
# Throughput of `sipsec analyze` on a TLS-heavy trace, against the floor (bench/bare_loop.c,
# a libpcap loop touching every byte) and against tshark extracting the same certificate
# fields (-T fields -e tls.handshake.certificate -e x509...). The trace (bench/gen_tls.c):
# BENCH_TLS_MB (300) MB of TLS 1.2 handshakes over TCP to 5061, 500 connections open at once,
# each with a full chain from pcaps/tls/pki (leaf + issuing CA; one in four mutual TLS with
# the client's chain too), then two 1400-byte application_data records each way and FIN.
#
# Each command runs BENCH_RUNS (3) times on a warm page cache under /usr/bin/time -v; the
# table gives the best wall time and the best CPU time (user + sys: what to compare on a
# machine others load) and the highest peak RSS. tshark reads a BENCH_TSHARK_MB (30) MB sample
# of the same traffic (it needs ~7 MB of memory per MB of trace) and its times are scaled to
# the full file. The load average before and after is printed with the table. Traces go to
# bench/data/ (git-ignored), made once and reused. Not run by CI.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$here/data
sipsec=${1:-$root/build/sipsec}
mb=${BENCH_TLS_MB:-300}
sample_mb=${BENCH_TSHARK_MB:-30}
runs=${BENCH_RUNS:-3}
pki=$root/pcaps/tls/pki

[ -x "$sipsec" ] || { echo "bench: $sipsec not found; build sipsec first (make)" >&2; exit 1; }
for c in cc tshark openssl capinfos /usr/bin/time; do
    command -v "$c" >/dev/null 2>&1 || { echo "bench: $c is needed (bench/run.sh installs it)" >&2; exit 1; }
done
mkdir -p "$data/der"
. "$here/lib.sh"
cc -O2 -Wall -Wextra -o "$data/gen_tls" "$here/gen_tls.c"
cc -O2 -Wall -Wextra -o "$data/bare_loop" "$here/bare_loop.c" -lpcap
for c in um-server sbc-ec gw-serveronly um-noeku um-expiring pbx-selfsigned gw-both; do
    openssl x509 -in "$pki/$c.pem" -outform DER -out "$data/der/$c.der"
done
openssl x509 -in "$pki/inter/ca.pem" -outform DER -out "$data/der/inter.der"

trace() { # MB: the generated trace of that size, made if missing
    f=$data/bench-tls-${1}mb.pcap
    [ -s "$f" ] || "$data/gen_tls" "$f" "$1" 500 "$data/der" >&2
    echo "$f"
}
big=$(trace "$mb")
sample=$(trace "$sample_mb")

# measure LABEL FILE MULT CMD...: time_best (bench/lib.sh) printed as a row; MULT projects a
# sample's times (and its MB and packets) onto the full file. Leaves the best CPU seconds in
# $cpu and the best wall seconds in $wall.
measure() {
    label=$1 file=$2 mult=$3
    shift 3
    time_best "$label" "$file" "$@"
    wall=$(awk -v w="$best_wall" -v s="$mult" 'BEGIN {printf "%.3f", w * s}')
    cpu=$(awk -v c="$best_cpu" -v s="$mult" 'BEGIN {printf "%.3f", c * s}')
    awk -v l="$label" -v w="$wall" -v c="$cpu" -v r="$peak_kb" -v b="$file_bytes" -v p="$file_packets" -v s="$mult" 'BEGIN {
        if (w <= 0) w = 0.001; if (c <= 0) c = 0.001;
        printf "| %s | %.0f | %d | %.2f | %.2f | %.0f | %.1f |\n", l, b * s / 1e6, p * s, w, c, b * s / 1e6 / c, r / 1024 }'
}

scale=$(awk -v a="$(stat -c %s "$big")" -v b="$(stat -c %s "$sample")" 'BEGIN {printf "%.4f", a / b}')
load() { awk '{print $1 ", " $2 ", " $3}' /proc/loadavg; }
{
    echo "Machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GB RAM", $2 / 1e6}' /proc/meminfo); $(uname -sr); $("$sipsec" --version 2>&1 | head -1); $(tshark --version 2>/dev/null | head -1 | cut -d" " -f1-3)."
    echo
    echo "Load average (1, 5, 15 min) before: $(load). Best of $runs runs, warm page cache; MB = 10^6 bytes; MB/s on CPU time."
    echo
    echo "| run | MB | packets | wall s | CPU s | MB/s | peak RSS MB |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    measure "bare libpcap loop" "$big" 1 "$data/bare_loop" "$big"
    bare_w=$wall bare_c=$cpu
    measure "sipsec analyze --format json" "$big" 1 "$sipsec" analyze --format json -o /dev/null "$big"
    sip_w=$wall sip_c=$cpu
    measure "sipsec analyze --format json --ca-file pki/root/ca.pem" "$big" 1 \
        "$sipsec" analyze --format json --ca-file "$pki/root/ca.pem" -o /dev/null "$big"
    measure "sipsec analyze (text)" "$big" 1 "$sipsec" analyze -o /dev/null "$big"
    measure "tshark -T fields -e tls.handshake.certificate -e x509...: $sample_mb MB sample, times x$scale" \
        "$sample" "$scale" tshark -n -r "$sample" -Y tls.handshake.certificate -T fields -E occurrence=a \
        -E aggregator='|' -e frame.number -e tcp.stream -e tls.handshake.certificate -e x509af.serialNumber \
        -e x509sat.printableString -e x509sat.uTF8String -e x509af.utcTime -e x509af.algorithm.id \
        -e x509ce.KeyPurposeId -e x509ce.uniformResourceIdentifier -e x509ce.dNSName -e x509ce.cA
    ts_w=$wall ts_c=$cpu
    echo
    awk -v sw="$sip_w" -v sc="$sip_c" -v bw="$bare_w" -v bc="$bare_c" -v tw="$ts_w" -v tc="$ts_c" 'BEGIN {
        printf "- sipsec against the bare loop: %.2fx on wall time, %.2fx on CPU time (target: within 2.5x).\n", sw / bw, sc / bc
        printf "- tshark against sipsec: %.0fx slower on wall time, %.0fx on CPU time (target: at least 20x).\n", tw / sw, tc / sc }'
    echo "- Load average after: $(load)."
} | tee "$data/results-tls.md"
