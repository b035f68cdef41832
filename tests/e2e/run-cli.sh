#!/bin/sh
# run-cli.sh BIN PCAPDIR: checks the command-line contract of SPEC.md ("Command line", exit
# status) on the traces in PCAPDIR/capture: version, help, usage errors (64), unusable input
# (2) with one line on stderr, empty and truncated captures (0), several files as one capture,
# stdin, -o, and the three output formats. Prints one line per check, then "N passed, M failed";
# exits 1 when M > 0.
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 SIPSEC-BINARY PCAPDIR" >&2
    exit 64
fi
bin=$1 cap=${2%/}/capture
export TZ=UTC
command -v jq >/dev/null 2>&1 || { echo "run-cli: jq is needed (apt-get install jq)" >&2; exit 1; }
[ -x "$bin" ] || { echo "run-cli: $bin is not an executable" >&2; exit 1; }
for t in tcp-v4.pcap udp-frag-v4.pcap empty.pcap tcp-v4-truncated.pcap not-a-capture.pcap; do
    [ -f "$cap/$t" ] || { echo "run-cli: $cap/$t is missing (pcaps/make-capture-traces.sh makes it)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
now="--now 2026-01-01T00:00:00Z"

# run ARGS...: run BIN with ARGS (stdin from /dev/null unless $stdin names a file), leaving
# the exit status in $rc, stdout in $tmp/out, stderr in $tmp/err
stdin=/dev/null
run() {
    timeout 120 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" <"$stdin"
    rc=$?
}
ok() { echo "ok   $1"; pass=$((pass + 1)); }
no() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
lines() { grep -c '' "$1"; }
# check NAME CONDITION-COMMAND... : pass when the command succeeds, else report $why
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else no "$name" "$why"; fi
}
is_rc() { [ "$rc" = "$1" ]; }
one_err_line() { [ -s "$tmp/err" ] && [ "$(lines "$tmp/err")" = 1 ]; }
jqt() { jq -e "$1" "${2:-$tmp/out}" >/dev/null 2>&1; }  # EXPR [FILE]: EXPR is true

# --version: a version number on stdout, exit 0
run --version
why="exit $rc, stdout '$(head -c 80 "$tmp/out")'"
check "--version prints a version, exit 0" eval 'is_rc 0 && grep -q "[0-9]\.[0-9]" "$tmp/out"'

# --help: something on stdout, exit 0, and it names the analyze command
run --help
why="exit $rc, $(wc -c <"$tmp/out") bytes on stdout"
check "--help prints usage, exit 0" eval 'is_rc 0 && grep -q analyze "$tmp/out"'

# unknown option: exit 64, exactly one line on stderr
run analyze --no-such-option "$cap/tcp-v4.pcap"
why="exit $rc, $(lines "$tmp/err") stderr lines: $(head -c 200 "$tmp/err")"
check "unknown option exits 64 with one line on stderr" eval 'is_rc 64 && one_err_line'

run --no-such-option
why="exit $rc, $(lines "$tmp/err") stderr lines"
check "unknown top-level option exits 64 with one line on stderr" eval 'is_rc 64 && one_err_line'

run analyze --format xml "$cap/tcp-v4.pcap"
why="exit $rc, $(lines "$tmp/err") stderr lines"
check "unknown --format value exits 64 with one line on stderr" eval 'is_rc 64 && one_err_line'

run analyze
why="exit $rc, $(lines "$tmp/err") stderr lines"
check "analyze without a file exits 64 with one line on stderr" eval 'is_rc 64 && one_err_line'

# missing file: exit 2, one line naming the file
run analyze --format json "$tmp/no-such-file.pcap"
why="exit $rc, stderr: $(head -c 200 "$tmp/err")"
check "missing file exits 2 with one line naming it" eval 'is_rc 2 && one_err_line && grep -q no-such-file "$tmp/err"'

# not a capture: exit 2, one line
run analyze --format json "$cap/not-a-capture.pcap"
why="exit $rc, stderr: $(head -c 200 "$tmp/err")"
check "non-capture file exits 2 with one line on stderr" eval 'is_rc 2 && one_err_line'

# empty capture: exit 0, packets 0
run analyze --format json $now "$cap/empty.pcap"
why="exit $rc, input: $(jq -c .input "$tmp/out" 2>&1 | head -c 200)"
check "empty pcap exits 0 with packets 0" eval 'is_rc 0 && jqt ".input.packets == 0"'

# truncated mid-record: exit 0, CAPTURE_TRUNCATED, and the packets before the cut
run analyze --format json $now "$cap/tcp-v4.pcap"
full=$(jq '.input.packets' "$tmp/out" 2>/dev/null)
run analyze --format json $now "$cap/tcp-v4-truncated.pcap"
why="exit $rc, packets $(jq .input.packets "$tmp/out" 2>&1) (untruncated $full), codes $(jq -c '[.findings[]?.code]' "$tmp/out" 2>&1)"
check "truncated file exits 0 with CAPTURE_TRUNCATED and the records before the cut" eval \
    'is_rc 0 && jqt "any(.findings[]; .code == \"CAPTURE_TRUNCATED\")" && jqt ".input.packets == ($full - 1)"'

# several files are one capture: packets and bytes add up, files listed in order
run analyze --format json $now "$cap/udp-frag-v4.pcap"
p2=$(jq '.input.packets' "$tmp/out" 2>/dev/null)
# shellcheck disable=SC2034 # b1 and b2 are read inside the eval below
b1=$(jq '.input.bytes' "$tmp/out" 2>/dev/null)
run analyze --format json $now "$cap/tcp-v4.pcap"
# shellcheck disable=SC2034
b2=$(jq '.input.bytes' "$tmp/out" 2>/dev/null)
run analyze --format json $now "$cap/tcp-v4.pcap" "$cap/udp-frag-v4.pcap"
why="exit $rc, input $(jq -c '.input | {files, packets, bytes}' "$tmp/out" 2>&1 | head -c 300); alone: $full + $p2 packets"
check "several files are read as one capture (packets and bytes add up)" eval \
    'is_rc 0 && jqt ".input.packets == ($full + $p2) and .input.bytes == ($b1 + $b2) and (.input.files | length) == 2"'

# stdin with "-"
stdin=$cap/tcp-v4.pcap
run analyze --format json $now -
stdin=/dev/null
why="exit $rc, packets $(jq .input.packets "$tmp/out" 2>&1 | head -c 100)"
check "'-' reads the capture from stdin" eval 'is_rc 0 && jqt ".input.packets == $full"'

# pcapng with interfaces of different link types: by name, read by our reader; from stdin,
# libpcap's alone, reported damaged with what to do; a filter one link type cannot take
ng=${2%/}/pcapng/two-links-sbc.pcapng
run analyze --format json $now "$ng"
why="exit $rc, input $(jq -c '.input | {packets, link_types}' "$tmp/out" 2>&1 | head -c 200)"
check "pcapng with two link types is read whole by name" eval \
    'is_rc 0 && jqt ".input.packets == 30 and .input.link_types == [\"EN10MB\", \"LINUX_SLL2\"]"'
stdin=$ng
run analyze --format json $now -
stdin=/dev/null
why="exit $rc, input $(jq -c '.input | {packets, damage}' "$tmp/out" 2>&1 | head -c 300)"
check "the same pcapng on stdin exits 0, damaged, saying to give it by name" eval \
    'is_rc 0 && jqt ".input.damaged and (.input.damage | test(\"must be given by name\"))"'
run analyze --format json $now -f "ether host 1:2:3:4:5:6" "$ng"
why="exit $rc, $(lines "$tmp/err") stderr lines: $(head -c 200 "$tmp/err")"
check "a filter one of the file's link types cannot take exits 2 with one line" eval \
    'is_rc 2 && one_err_line && grep -q "for link type LINUX_SLL2" "$tmp/err"'

# -o FILE
run analyze --format json $now -o "$tmp/report.json" "$cap/tcp-v4.pcap"
why="exit $rc, stdout $(wc -c <"$tmp/out") bytes, file: $(head -c 100 "$tmp/report.json" 2>&1)"
check "-o FILE writes the report there and nothing on stdout" eval \
    'is_rc 0 && [ ! -s "$tmp/out" ] && jqt ".input.packets == $full" "$tmp/report.json"'

# ndjson: every line is a JSON object with a string "type"; at least one line
run analyze --format ndjson $now "$cap/tcp-v4.pcap"
why="exit $rc, $(lines "$tmp/out") lines, first: $(head -c 150 "$tmp/out")"
check "--format ndjson prints JSON lines each with a type" eval \
    'is_rc 0 && [ -s "$tmp/out" ] && [ "$(jq -c "select(type == \"object\" and (.type | type) == \"string\") | 1" "$tmp/out" 2>/dev/null | grep -c "")" = "$(lines "$tmp/out")" ]'

# text (the default): something for a person, not JSON
run analyze $now "$cap/tcp-v4.pcap"
why="exit $rc, $(wc -c <"$tmp/out") bytes"
check "text format (default) prints a non-empty report" eval 'is_rc 0 && [ -s "$tmp/out" ] && ! jq -e . "$tmp/out" >/dev/null 2>&1'

# text: a TLS session's block points at its findings (#N); each finding's text appears once
tls=${2%/}/tls/mtls-no-client-cert.pcap
if [ -f "$tls" ]; then
    run analyze $now "$tls"
    "$bin" analyze --format json $now "$tls" 2>/dev/null | jq -r '.findings[].summary' >"$tmp/summaries"
    dup=$(while IFS= read -r l; do [ "$(grep -cF -- "$l" "$tmp/out")" = 1 ] || echo "$l"; done <"$tmp/summaries")
    why="exit $rc, $(lines "$tmp/summaries") findings, not printed exactly once: $(printf '%s' "$dup" | head -c 200)"
    check "text prints each finding once; session blocks point at them" eval \
        'is_rc 0 && [ -s "$tmp/summaries" ] && [ -z "$dup" ] && grep -q "^  findings: #[0-9]* \[ERROR\] TLS_CLIENT_CERT_NOT_SENT" "$tmp/out" && grep -q "^  #[0-9]* \[ERROR\] TLS_CLIENT_CERT_NOT_SENT: " "$tmp/out"'
else
    no "text prints each finding once" "$tls is missing"
fi

# TLS decryption options (docs/TLS.md "Decryption")
dir=${cap%/capture}
td=$dir/tlsdec
run analyze --format json --keylog "$tmp/no-such.keylog" "$td/tls12-gcm-415.pcap"
why="exit $rc, stderr: $(head -c 200 "$tmp/err")"
check "--keylog of a missing file exits 2 with one line naming it" eval 'is_rc 2 && one_err_line && grep -q no-such.keylog "$tmp/err"'
run analyze --format json --rsa-key "$td/tls12-gcm-415.keylog" "$td/tls12-gcm-415.pcap"
why="exit $rc, stderr: $(head -c 200 "$tmp/err")"
check "--rsa-key of a file that is no PEM key exits 2 with one line" eval 'is_rc 2 && one_err_line'
run analyze --format json --rsa-key "$dir/tls/pki/sbc-ec.key" "$td/tls12-gcm-415.pcap"
why="exit $rc, stderr: $(head -c 200 "$tmp/err")"
check "--rsa-key of an EC key exits 2 saying only RSA works" eval 'is_rc 2 && one_err_line && grep -q RSA "$tmp/err"'
run analyze --format json $now --keylog "$td/tls12-gcm-415.keylog" --keylog "$td/tls13-chacha-415.keylog" \
    "$td/tls13-chacha-415.pcap"
why="exit $rc, $(jq -c '.tls_sessions[0].decryption' "$tmp/out" 2>&1 | head -c 200)"
check "several --keylog files are one key store" eval 'is_rc 0 && jqt ".tls_sessions[0].decrypted == true"'
run analyze --format json $now --keylog "$td/tls12-gcm-415.keylog" "$td/tls13-chacha-415.pcap"
why="exit $rc, $(jq -c '.stats.tls_decryption' "$tmp/out" 2>&1 | head -c 300)"
check "a key log of another capture: no keys for the session, exit 0" eval \
    'is_rc 0 && jqt ".stats.tls_decryption.sessions_without_keys == 1 and .tls_sessions[0].decryption.keys == null"'
run analyze --format json $now --keylog "$td/tls12-rsa-resume-ticket.keylog" "$td/tls12-rsa-resume-ticket.pcap"
why="exit $rc, $(jq -c '[.tls_sessions[].decryption.keys]' "$tmp/out" 2>&1 | head -c 200)"
check "a resumed TLS 1.2 session decrypts from its own key log line" eval \
    'is_rc 0 && jqt "[.tls_sessions[] | .decryption.keys] == [\"keylog\", \"keylog\"] and all(.tls_sessions[]; .decrypted)"'
run analyze $now --keylog "$td/tls12-gcm-415.keylog" "$td/tls12-gcm-415.pcap"
why="exit $rc, $(grep -i decrypt "$tmp/out" | head -c 200)"
check "the text view counts sessions with keys" eval 'is_rc 0 && grep -q "decryption: keys for 1, no keys for 0, decrypted 1" "$tmp/out"'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
