#!/bin/sh
# Runs every libFuzzer target in BUILD for SECONDS each, seeded from its corpus and pcaps/.
set -eu
build=$1
seconds=${2:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
status=0
for target in "$build"/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus="$root/tests/fuzz/corpus/${name#fuzz_}"
    work=$(mktemp -d)
    echo "== $name: ${seconds}s"
    # New inputs go to a scratch dir: the committed corpus stays reviewed.
    if ! "$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
            -print_final_stats=1 "$work" "$corpus" "$root/pcaps" 2>"$work.log"; then
        tail -n 60 "$work.log"
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work.log" || true
    fi
    rm -rf "$work" "$work.log"
done
exit $status
