#!/bin/sh
# tlsdec-secrets.sh BIN PCAPDIR: no secret reaches any output. For every case under
# PCAPDIR/tlsdec, runs BIN analyze with the case's .args in text, json and ndjson (stdout and
# stderr together) and looks for every secret of its key log (the secret field, and its first
# 16 hex digits, in either case), the RSA private keys' PEM lines, and the SDES inline key the
# SIP carries. Prints "N passed, M failed" (one per case).
set -u
bin=$1 dir=${2%/}/tlsdec
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
for f in "$dir"/*.pcap "$dir"/*.pcapng; do
    [ -f "$f" ] || continue
    case_=${f%.*}
    name=$(basename "$case_")
    args=""
    [ -f "$case_.args" ] && args=$(sed 's/#.*//' "$case_.args" | tr '\n' ' ')
    : >"$tmp/out"
    for fmt in text json ndjson; do
        # shellcheck disable=SC2086
        (cd "$dir" && timeout 60 "$bin" analyze --format $fmt --now 2026-01-01T00:00:00Z $args "$(basename "$f")") \
            >>"$tmp/out" 2>&1 </dev/null
    done
    : >"$tmp/needles"
    kl=$case_.keylog
    [ -f "$kl" ] || kl=$dir/tls13-aes128gcm-415.keylog # the DSB case carries that key log
    awk 'NF == 3 && $1 !~ /^#/ { print $3; print substr($3, 1, 16) }' "$kl" >>"$tmp/needles"
    for k in $args; do
        case $k in *.key) p=${k#*=}; grep -v -- '-----' "$dir/$p" >>"$tmp/needles" ;; esac
    done
    echo "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR" >>"$tmp/needles"
    if grep -i -F -f "$tmp/needles" "$tmp/out" >"$tmp/hits"; then
        echo "FAIL $name: a secret appears in the output: $(head -c 120 "$tmp/hits")"
        fail=$((fail + 1))
    elif [ ! -s "$tmp/out" ]; then
        echo "FAIL $name: no output"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
