#!/bin/sh
# run-golden.sh BIN PCAPDIR: end-to-end check of `BIN analyze` on every trace under PCAPDIR.
#
# For each *.pcap / *.pcapng (recursively), CASE being the path without the extension:
#   CASE.args       optional: extra arguments, inserted before the file (word-split; BIN runs
#                   in the trace's folder, so relative paths there are relative to it)
#   CASE.exit       optional: the exit status to expect (default 0). When it is not 0 the run
#                   must print exactly one line on stderr and nothing on stdout; no golden.
#   CASE.json       golden report, compared after normalising both sides: sipsec_version
#                   deleted, input.files reduced to basenames, keys sorted (jq -S)
#   CASE.assert.jq  one jq expression per line (blank lines and # comments skipped); each
#                   must evaluate to true on the report
# A trace with neither CASE.json nor CASE.assert.jq (nor CASE.exit != 0) FAILS: goldens are
# never created silently. A trace is skipped when listed (path relative to the .golden-skip's
# folder, or basename) in a .golden-skip file in PCAPDIR or in the trace's own folder.
#
# UPDATE_GOLDEN=1 rewrites CASE.json (and creates it for traces that have neither golden nor
# assert file) instead of comparing; read every golden you write before committing it.
#
# Every run uses --format json --now 2026-01-01T00:00:00Z and TZ=UTC. Prints one line per
# failure with the reason, then "N passed, M failed"; exits 1 when M > 0.
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 SIPSEC-BINARY PCAPDIR" >&2
    exit 64
fi
bin=$1 dir=${2%/}
export TZ=UTC
command -v jq >/dev/null 2>&1 || { echo "run-golden: jq is needed (apt-get install jq)" >&2; exit 1; }
[ -x "$bin" ] || { echo "run-golden: $bin is not an executable" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ -d "$dir" ] || { echo "run-golden: $dir is not a folder" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
norm='del(.sipsec_version)
      | if (.input.files | type) == "array" then .input.files |= map(tostring | split("/") | last) else . end'

failed_case=""
bad() { # CASE REASON: print why; count each case at most once
    echo "FAIL $1: $2"
    [ "$failed_case" = "$1" ] || fail=$((fail + 1))
    failed_case=$1
}

skipped() { # FILE: listed in PCAPDIR/.golden-skip or in the trace's folder's .golden-skip?
    f=$1
    for s in "$dir/.golden-skip" "$(dirname "$f")/.golden-skip"; do
        [ -f "$s" ] || continue
        base=$(dirname "$s")
        rel=${f#"$base"/}
        if sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$s" | grep -qxF -e "$rel" -e "$(basename "$f")"; then
            return 0
        fi
    done
    return 1
}

# analyze FILE: run BIN on FILE from FILE's folder, naming it by its basename, so messages
# that quote the path are the same wherever the tree is; $args from CASE.args (paths in it
# are relative to that folder too). Sets $rc, $tmp/out, $tmp/err.
analyze() {
    # shellcheck disable=SC2086
    (cd "$(dirname "$1")" &&
        exec timeout 120 "$bin" analyze --format json --now 2026-01-01T00:00:00Z $args \
            "$(basename "$1")") >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
}

find "$dir" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | LC_ALL=C sort >"$tmp/list"
while IFS= read -r f; do
    skipped "$f" && continue
    case_=${f%.*}
    name=${case_#"$dir"/}
    want_exit=0
    [ -f "$case_.exit" ] && want_exit=$(tr -dc 0-9 <"$case_.exit")
    args=""
    [ -f "$case_.args" ] && args=$(sed 's/#.*//' "$case_.args" | tr '\n' ' ')

    if [ "$want_exit" != 0 ]; then
        analyze "$f"
        if [ "$rc" != "$want_exit" ]; then
            bad "$name" "exit status $rc, expected $want_exit ($(head -c 200 "$tmp/err"))"
        elif [ "$(grep -c '' "$tmp/err")" != 1 ] || [ ! -s "$tmp/err" ]; then
            bad "$name" "expected exactly one line on stderr, got $(grep -c '' "$tmp/err")"
        elif [ -s "$tmp/out" ]; then
            bad "$name" "expected nothing on stdout for exit $want_exit"
        else
            pass=$((pass + 1))
        fi
        continue
    fi

    golden=$case_.json asserts=$case_.assert.jq
    if [ ! -f "$golden" ] && [ ! -f "$asserts" ] && [ "${UPDATE_GOLDEN:-0}" != 1 ]; then
        bad "$name" "no golden ($name.json) and no $name.assert.jq; make one with UPDATE_GOLDEN=1 and read it, or list the trace in .golden-skip"
        continue
    fi

    analyze "$f"
    if [ "$rc" != 0 ]; then
        bad "$name" "exit status $rc ($(head -c 200 "$tmp/err"))"
        continue
    fi
    if ! jq -S "$norm" "$tmp/out" >"$tmp/norm" 2>"$tmp/jqerr"; then
        bad "$name" "output is not JSON: $(head -c 200 "$tmp/jqerr")"
        continue
    fi

    ok=1
    if [ -f "$asserts" ]; then
        n=0
        while IFS= read -r expr || [ -n "$expr" ]; do
            n=$((n + 1))
            case $expr in '' | '#'*) continue ;; esac
            r=$(jq -e "$expr" "$tmp/out" 2>&1 | tr '\n' ' ')
            if [ "$r" != "true " ]; then
                bad "$name" "assert line $n: $expr -> ${r:-no output}"
                ok=0
            fi
        done <"$asserts"
    fi

    if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
        if [ -f "$golden" ] || [ ! -f "$asserts" ]; then
            cp "$tmp/norm" "$golden"
            echo "wrote $name.json"
        fi
    elif [ -f "$golden" ]; then
        if ! jq -S . "$golden" >"$tmp/gold" 2>/dev/null; then
            bad "$name" "golden $name.json is not JSON"
            ok=0
        elif ! diff -u "$tmp/gold" "$tmp/norm" >"$tmp/diff"; then
            bad "$name" "report differs from $name.json (- golden, + now):"
            sed -n '3,40p' "$tmp/diff" | sed 's/^/    /'
            ok=0
        fi
    fi
    [ $ok = 1 ] && pass=$((pass + 1))
done <"$tmp/list"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
