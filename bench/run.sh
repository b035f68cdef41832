#!/bin/sh
# bench/run.sh [sip|media|tls] [SIPSEC]
#
# bench/run.sh sip: a SIP-heavy trace (gen sip: 20000 calls, INVITE/100/180/200/ACK/BYE/200
#   with SDP, 1 in 20 refused 415, 1 in 20 refused 488, over UDP and TCP) against the bare loop
#   and `tshark -n -q -z sip,stat`; then --format ndjson on it and on 10x the calls at the same
#   call rate, to show peak RSS follows live calls, not total calls; then tshark once on the
#   10x file (its start-up no longer weighs there; BENCH_SIP_TSHARK_BIG=0 skips it), and the
#   two ratios of the targets on the 10x file.
# bench/run.sh media: a media-heavy trace (gen media: 4000 concurrent RTP streams, each replaced
#   by a new one after 10 s; 5 million packets, and 2.5 million) against the bare loop and
#   `tshark -n -q --enable-heuristic rtp_udp -z rtp,streams` (on a 250000-packet sample, time
#   scaled); json (every stream kept for the report) and ndjson on both sizes for peak RSS, the
#   ndjson runs with --limit udp_idle_ms=5000 so that ended streams leave the table within the
#   trace's 12.5 / 25 s of capture time (the default 60 s would outlast both). BENCH_TSHARK_FULL=1
#   also runs tshark once on the whole 5-million-packet file.
# bench/run.sh tls: a TLS-heavy trace (bench/gen_tls.c: 30000 TLS 1.2 handshakes with full
#   certificate chains, one in four mutual TLS) against the bare loop and tshark extracting the
#   same certificate fields (-T fields -e tls.handshake.certificate -e x509...): bench/tls.sh.
# All three report wall time and CPU time (user + sys: other work on the machine inflates wall time
# far more than CPU time), and the load average when they ran.
#
# bench/run.sh [SIPSEC]: throughput and peak memory of `sipsec analyze` against the floor (a
# bare libpcap loop touching every byte, bench/bare_loop.c) and against `tshark -r -q`, on a
# generated trace of >= 1 GB (bench/gen.c: 4000 RTP flows + 1000 long TCP connections carrying
# TLS records to 5061) and on one half its size, to show whether peak RSS stays flat; then
# sipsec once more on a variant whose TCP connections close and are replaced every 256
# segments (~2000 connections, each kept in the report as a TLS session).
#
# SIPSEC defaults to build/sipsec (make it first: `make` or cmake --build build). Traces and
# the two helper binaries go to bench/data/ (git-ignored), made once and reused. Each command
# runs BENCH_RUNS (3) times on a warm page cache (the file is read once beforehand); the best
# wall time and the highest peak RSS from /usr/bin/time -v are reported. tshark is much slower, so it reads a 100 MB sample of the same
# traffic and its time is scaled linearly to the full file (said so in the table).
# Needs cc, libpcap-dev, tshark, GNU time; installs them when missing (root, Debian 12).
# Prints a Markdown table (also saved as bench/data/results.md). Not run by CI.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$here/data
big_mb=${BENCH_MB:-1100}          # >= 1 GiB (1.07e9 bytes)
half_mb=$((big_mb / 2))
sample_mb=${BENCH_TSHARK_MB:-100}
runs=${BENCH_RUNS:-3}

need() { # COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need cc gcc
need tshark tshark
[ -x /usr/bin/time ] || need /usr/bin/time time
[ -f /usr/include/pcap/pcap.h ] || need pcap-config libpcap-dev

mode=default
case ${1:-} in sip | media | tls) mode=$1; shift ;; esac
sipsec=${1:-$root/build/sipsec}
[ -x "$sipsec" ] || { echo "bench: $sipsec not found; build sipsec first (make)" >&2; exit 1; }
if [ "$mode" = tls ]; then
    need openssl openssl
    exec sh "$here/tls.sh" "$sipsec"
fi
mkdir -p "$data"
. "$here/lib.sh"
cc -O2 -Wall -Wextra -o "$data/gen" "$here/gen.c"
cc -O2 -Wall -Wextra -o "$data/bare_loop" "$here/bare_loop.c" -lpcap

# cpu LABEL FILE MULT CMD...: time_best (bench/lib.sh), printed as a row with CPU time; MULT
# scales times and the MB/packets columns (a sample projected onto the full file). Leaves the
# scaled CPU seconds in $last_cpu.
cpu() {
    label=$1 file=$2 mult=$3
    shift 3
    time_best "$label" "$file" "$@"
    last_cpu=$(awk -v c="$best_cpu" -v s="$mult" 'BEGIN {print c * s}')
    awk -v l="$label" -v w="$best_wall" -v c="$best_cpu" -v r="$peak_kb" -v b="$file_bytes" -v p="$file_packets" -v s="$mult" 'BEGIN {
        t = c * s; if (t <= 0) t = 0.01;
        printf "| %s | %.0f | %d | %.2f | %.2f | %.0f | %.1f |\n", l, b * s / 1e6, p * s, w * s, t, p * s / t, r / 1024 }'
}

header() {
    echo "Machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo); $(uname -sr); $("$sipsec" --version 2>&1 | head -1); $(tshark --version 2>/dev/null | head -1 | cut -d" " -f1-3). Load average before: $(cut -d" " -f1-3 /proc/loadavg)."
    echo
    echo "Best of $runs runs each (wall and CPU separately), warm page cache. CPU = user + sys."
    echo
    echo "| run | MB | packets | wall s | CPU s | packets/CPU s | peak RSS MB |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
}

if [ "$mode" = sip ]; then
    calls=${BENCH_SIP_CALLS:-20000}
    small=$data/sip-${calls}.pcap big=$data/sip-$((calls * 10)).pcap
    [ -s "$small" ] || "$data/gen" sip "$small" "$calls" >&2
    [ -s "$big" ] || "$data/gen" sip "$big" $((calls * 10)) >&2
    {
        header
        cpu "bare libpcap loop, $calls calls" "$small" 1 "$data/bare_loop" "$small"
        cpu "sipsec analyze --format json, $calls calls" "$small" 1 "$sipsec" analyze --format json -o /dev/null "$small"
        cpu "sipsec analyze --format ndjson, $calls calls" "$small" 1 "$sipsec" analyze --format ndjson -o /dev/null "$small"
        cpu "tshark -n -q -z sip,stat, $calls calls" "$small" 1 tshark -n -q -z sip,stat -r "$small"
        cpu "bare libpcap loop, $((calls * 10)) calls" "$big" 1 "$data/bare_loop" "$big"
        bare_big=$last_cpu
        cpu "sipsec analyze --format ndjson, $((calls * 10)) calls" "$big" 1 "$sipsec" analyze --format ndjson -o /dev/null "$big"
        sip_big=$last_cpu
        if [ "${BENCH_SIP_TSHARK_BIG:-1}" != 0 ]; then
            # once: on the big file tshark needs ~35 s of CPU and ~3.3 GB of memory
            saved_runs=$runs
            runs=1
            cpu "tshark -n -q -z sip,stat, $((calls * 10)) calls (one run)" "$big" 1 tshark -n -q -z sip,stat -r "$big"
            runs=$saved_runs
            tshark_big=$last_cpu
        fi
        echo
        awk -v b="$bare_big" -v s="$sip_big" -v t="${tshark_big:-0}" -v c=$((calls * 10)) 'BEGIN {
            printf "On %d calls, CPU time: sipsec ndjson / bare loop = %.2fx (target <= 2.5x)", c, s / b;
            if (t > 0) printf "; tshark / sipsec ndjson = %.1fx (target >= 20x)", t / s;
            printf ".\n" }'
        echo
        echo "Load average after: $(cut -d" " -f1-3 /proc/loadavg)."
    } | tee "$data/results-sip.md"
    exit 0
fi

if [ "$mode" = media ]; then
    streams=${BENCH_MEDIA_STREAMS:-4000} pkts=${BENCH_MEDIA_PACKETS:-2500000}
    half=$data/media-${streams}-${pkts}-10s.pcap full=$data/media-${streams}-$((pkts * 2))-10s.pcap
    sample=$data/media-${streams}-250000-10s.pcap
    [ -s "$half" ] || "$data/gen" media "$half" "$streams" "$pkts" 10 >&2
    [ -s "$full" ] || "$data/gen" media "$full" "$streams" $((pkts * 2)) 10 >&2
    [ -s "$sample" ] || "$data/gen" media "$sample" "$streams" 250000 10 >&2
    scale=$(awk -v a="$(stat -c %s "$full")" -v b="$(stat -c %s "$sample")" 'BEGIN {printf "%.4f", a / b}')
    {
        header
        cpu "bare libpcap loop, $((pkts * 2)) packets" "$full" 1 "$data/bare_loop" "$full"
        cpu "sipsec analyze --format json, $((pkts * 2)) packets" "$full" 1 "$sipsec" analyze --format json -o /dev/null "$full"
        cpu "sipsec analyze --format ndjson (udp_idle_ms=5000), $((pkts * 2)) packets" "$full" 1 "$sipsec" analyze --format ndjson --limit udp_idle_ms=5000 -o /dev/null "$full"
        cpu "bare libpcap loop, $pkts packets" "$half" 1 "$data/bare_loop" "$half"
        cpu "sipsec analyze --format json, $pkts packets" "$half" 1 "$sipsec" analyze --format json -o /dev/null "$half"
        cpu "sipsec analyze --format ndjson (udp_idle_ms=5000), $pkts packets" "$half" 1 "$sipsec" analyze --format ndjson --limit udp_idle_ms=5000 -o /dev/null "$half"
        cpu "tshark -n -q --enable-heuristic rtp_udp -z rtp,streams: 250000-packet sample, time x$scale (RSS: the sample's)" \
            "$sample" "$scale" tshark -n -q --enable-heuristic rtp_udp -z rtp,streams -r "$sample"
        # The projection multiplies tshark's start-up by the scale: BENCH_TSHARK_FULL=1 also runs
        # it once on the whole file (about 35 s and 1.7 GB here).
        if [ -n "${BENCH_TSHARK_FULL:-}" ]; then
            (runs=1; cpu "tshark, the same command once on the whole file" "$full" 1 \
                tshark -n -q --enable-heuristic rtp_udp -z rtp,streams -r "$full")
        fi
        echo
        echo "Load average after: $(cut -d" " -f1-3 /proc/loadavg)."
    } | tee "$data/results-media.md"
    exit 0
fi

trace() { # MB [SEGMENTS]: path of the generated trace of that size, made if missing
    f=$data/bench-${1}mb${2:+-churn$2}.pcap
    [ -s "$f" ] || "$data/gen" "$f" "$1" 4000 1000 "${2:-0}" >&2
    echo "$f"
}
big=$(trace "$big_mb")
half=$(trace "$half_mb")
sample=$(trace "$sample_mb")
churn=$(trace "$big_mb" 256)

# measure LABEL FILE MULT CMD...: time_best (bench/lib.sh), printed as a row with the best wall
# time (this table predates the CPU column). MULT multiplies the time (and the MB and packets)
# to project a sample's run onto the full file.
measure() {
    label=$1 file=$2 mult=$3
    shift 3
    time_best "$label" "$file" "$@"
    awk -v l="$label" -v w="$best_wall" -v r="$peak_kb" -v b="$file_bytes" -v p="$file_packets" -v s="$mult" 'BEGIN {
        t = w * s; if (t <= 0) t = 0.01;
        printf "| %s | %.0f | %d | %.2f | %.0f | %.0f | %.1f |\n", l, b * s / 1e6, p * s, t, b * s / 1e6 / t, p * s / t, r / 1024 }'
}

big_bytes=$(stat -c %s "$big")
scale=$(awk -v a="$big_bytes" -v b="$(stat -c %s "$sample")" 'BEGIN {printf "%.4f", a / b}')
{
    echo "Machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GB RAM", $2 / 1e6}' /proc/meminfo); $(uname -sr); $("$sipsec" --version 2>&1 | head -1); $(tshark --version 2>/dev/null | head -1 | cut -d" " -f1-3)."
    echo
    echo "Best of $runs runs each, warm page cache. MB = 10^6 bytes of file."
    echo
    echo "| run | MB | packets | wall s | MB/s | packets/s | peak RSS MB |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    measure "bare libpcap loop, $big_mb MB" "$big" 1 "$data/bare_loop" "$big"
    measure "sipsec analyze --format json, $big_mb MB" "$big" 1 "$sipsec" analyze --format json -o /dev/null "$big"
    measure "bare libpcap loop, $half_mb MB" "$half" 1 "$data/bare_loop" "$half"
    measure "sipsec analyze --format json, $half_mb MB" "$half" 1 "$sipsec" analyze --format json -o /dev/null "$half"
    measure "sipsec, $big_mb MB, TCP connections closed and replaced every 256 segments" "$churn" 1 "$sipsec" analyze --format json -o /dev/null "$churn"
    measure "tshark -n -r -q: $sample_mb MB sample, time x$scale to $big_mb MB (RSS: the sample's)" "$sample" "$scale" tshark -n -r "$sample" -q
} | tee "$data/results.md"
