# server-noeku-name-mismatch: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions[0].sni == "um2.example.com"
.findings[] | select(.code == "CERT_NAME_MISMATCH") | .summary | test("um2.example.com")
.findings[] | select(.code == "CERT_NO_SERVER_AUTH_EKU") | .severity == "warning"
.findings | map(.code) | index("CERT_NO_CRL_DP") != null
