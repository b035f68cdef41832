# dtls-lost-fragment: one fact per line (tests/e2e/run-golden.sh)
.input.packets == 15
.tls_sessions | length == 1
.tls_sessions[0].server == "165.227.57.17:4400"
.tls_sessions[0].version == "DTLS1.2"
.tls_sessions[0].server_certificates == []
.certificates == []
[.findings[] | select(.code == "DECODE_ERRORS")] | length == 1
(.findings[] | select(.code == "DECODE_ERRORS") | .summary) == "1 DTLS handshake Certificate message was never complete: some of its fragments are missing from the capture"
(.findings[] | select(.code == "DECODE_ERRORS") | .frames) == [9]
# the lost fragment is missing data, not malformed input
.input.decode_errors == 0
