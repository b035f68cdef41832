#!/bin/sh
# run-shared.sh BIN PUBDIR EXPECTDIR: runs `BIN analyze --format json` on the public traces in
# PUBDIR named by the expectation files EXPECTDIR/*.txt and checks the report's input and
# ipsec sections against the facts there (packet counts and link types from capinfos, as in
# PUBDIR/MANIFEST.md; see EXPECTDIR/README.md for the line format). Prints one line per
# failed check, then "N passed, M failed" (one per trace); exits 1 when M > 0.
set -u
if [ $# -ne 3 ]; then
    echo "usage: $0 SIPSEC-BINARY PUBDIR EXPECTDIR" >&2
    exit 64
fi
bin=$1 pub=${2%/} exp=${3%/}
export TZ=UTC
command -v jq >/dev/null 2>&1 || { echo "run-shared: jq is needed (apt-get install jq)" >&2; exit 1; }
[ -x "$bin" ] || { echo "run-shared: $bin is not an executable" >&2; exit 1; }
[ -d "$pub" ] || { echo "run-shared: $pub is not a folder" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0

# jqcheck FILE NAME EXPR: EXPR must be true on the report, else print NAME and the value shown
jqcheck() {
    if ! jq -e "$3" "$tmp/out" >/dev/null 2>&1; then
        echo "FAIL $1: $2 (report: $(jq -c "$4" "$tmp/out" 2>&1 | head -c 300))"
        ok=0
    fi
}

cat "$exp"/*.txt | sed -e 's/#.*//' -e '/^[[:space:]]*$/d' >"$tmp/lines"
while read -r file packets links rest; do
    f=$pub/$file
    ok=1
    if [ ! -f "$f" ]; then
        echo "FAIL $file: not in $pub"
        fail=$((fail + 1))
        continue
    fi
    want_exit=0
    args=""
    for c in $rest; do
        case $c in
        exit=*) want_exit=${c#exit=} ;;
        args=*) args=$(printf '%s' "${c#args=}" | tr ',' ' ') ;;
        esac
    done
    # shellcheck disable=SC2086
    (cd "$pub" && exec timeout 120 "$bin" analyze --format json --now 2026-01-01T00:00:00Z $args "$file") \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" != "$want_exit" ]; then
        echo "FAIL $file: exit status $rc, expected $want_exit ($(head -c 200 "$tmp/err"))"
        fail=$((fail + 1))
        continue
    fi
    if [ "$want_exit" != 0 ]; then
        if [ "$(grep -c '' "$tmp/err")" != 1 ]; then
            echo "FAIL $file: expected one line on stderr, got $(grep -c '' "$tmp/err")"
            fail=$((fail + 1))
        else
            pass=$((pass + 1))
        fi
        continue
    fi
    if ! jq -e 'type == "object"' "$tmp/out" >/dev/null 2>&1; then
        echo "FAIL $file: stdout is not a JSON object"
        fail=$((fail + 1))
        continue
    fi
    jqcheck "$file" "packets $packets" ".input.packets == $packets" .input.packets
    set_=$(printf '%s' "$links" | jq -R -c 'split(",") | sort')
    jqcheck "$file" "link_types $links" "(.input.link_types | sort) == $set_" .input.link_types
    for c in $rest; do
        v=${c#*=}
        case $c in
        exit=* | args=*) ;;
        truncated=*) jqcheck "$file" "$c" ".input.truncated_packets == $v" .input.truncated_packets ;;
        finding=*) jqcheck "$file" "$c" "any(.findings[]?; .code == \"$v\")" '[.findings[]?.code]' ;;
        esp=*) jqcheck "$file" "$c" "([.ipsec[]?.esp_packets] | add // 0) == $v" '[.ipsec[]? | {hosts, esp_packets}]' ;;
        ike=*) jqcheck "$file" "$c" "([.ipsec[]?.ike_packets] | add // 0) == $v" '[.ipsec[]? | {hosts, ike_packets}]' ;;
        spis=*) jqcheck "$file" "$c" "([.ipsec[]?.spis[]?] | unique | length) == $v" '[.ipsec[]?.spis[]?] | unique' ;;
        no_finding=*) jqcheck "$file" "$c" "all(.findings[]?; .code != \"$v\")" '[.findings[]?.code]' ;;
        dtls=*)
            # dtls=SERVER,VERSION,SERVER_CHAIN,CLIENT_CHAIN (chains: SHA-1s joined by +, - for none)
            ds=$(echo "$v" | cut -d, -f1) dv=$(echo "$v" | cut -d, -f2)
            dsc=$(echo "$v" | cut -d, -f3) dcc=$(echo "$v" | cut -d, -f4)
            [ "$dsc" = - ] && dsc=
            [ "$dcc" = - ] && dcc=
            jqcheck "$file" "$c" "any(.tls_sessions[]?; .transport == \"udp\" and .server == \"$ds\" and .version == \"$dv\" and (.server_certificates | join(\"+\")) == \"$dsc\" and (.client_certificates | join(\"+\")) == \"$dcc\")" \
                '[.tls_sessions[]? | select(.transport == "udp") | {server, version, server_certificates, client_certificates}]' ;;
        first=*) jqcheck "$file" "$c" ".input.first_time | startswith(\"$v\")" .input.first_time ;;
        last=*) jqcheck "$file" "$c" ".input.last_time | startswith(\"$v\")" .input.last_time ;;
        assert=*)
            if [ ! -f "$exp/$v" ]; then
                echo "FAIL $file: no assertion file $exp/$v"
                ok=0
            else
                sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$exp/$v" >"$tmp/asserts"
                while IFS= read -r expr; do
                    jqcheck "$file" "$v: $expr" "$expr" '.calls | map({tls_session, security_level, rtp_streams})'
                done <"$tmp/asserts"
            fi ;;
        *) echo "FAIL $file: unknown check '$c' in $exp" ; ok=0 ;;
        esac
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done <"$tmp/lines"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
