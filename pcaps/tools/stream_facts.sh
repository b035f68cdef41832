#!/bin/sh
# stream_facts.sh DIR: reassembly facts for the TCP transfer traces, from the sender's own bytes.
# Each case gets CASE.args (--debug-streams, so sipsec fingerprints the reassembled stream) and
# assert lines saying the client->server stream is exactly xfer.py's pattern of NBYTES bytes
# with no gap: computed here from tools/xfer.py, never from sipsec's output.
set -eu
dir=$1
tools=$(cd "$(dirname "$0")" && pwd)
sha() { # NBYTES -> sha256 of xfer.py's pattern
    python3 - "$tools" "$1" <<'PY'
import hashlib, importlib.util, sys
spec = importlib.util.spec_from_file_location("xfer", sys.argv[1] + "/xfer.py")
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
print(hashlib.sha256(m.pattern(int(sys.argv[2]))).hexdigest())
PY
}
facts() { # CASE NBYTES
    echo "--debug-streams" >"$dir/$1.args"
    {
        echo "# Reassembly (tools/stream_facts.sh): the stream is the sender's $2-byte pattern, whole."
        echo ".stats.debug_streams | length == 1"
        echo ".stats.debug_streams[0].bytes_c2s == $2"
        echo ".stats.debug_streams[0].sha256_c2s == \"$(sha "$2")\""
        echo ".stats.debug_streams[0].bytes_s2c == 17"
        echo ".stats.debug_streams[0].gaps == 0"
        echo ".stats.debug_streams[0].closed_by == \"fin\""
    } >>"$dir/$1.assert.jq"
}
for c in tcp-v4 tcp-v4-ng tcp-v4-vlan tcp-v4-qinq tcp-v4-reordered tcp-v4-truncated; do facts "$c" 20000; done
facts tcp-v6 12000
facts tcp-v4-sll 8000
facts tcp-v4-sll2 8000
# Cut at 96 bytes: no payload byte was recorded, so the whole stream is one gap.
echo "--debug-streams" >"$dir/tcp-v4-snaplen96.args"
{
    echo "# Reassembly (tools/stream_facts.sh): cut segments are missing bytes, reported as a gap."
    echo ".stats.debug_streams[0].bytes_c2s == 0"
    echo ".stats.debug_streams[0].gap_bytes == 8000"
} >>"$dir/tcp-v4-snaplen96.assert.jq"
