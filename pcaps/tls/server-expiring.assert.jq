# server-expiring: one fact per line (tests/e2e/run-golden.sh)
.findings | map(.code) == ["CERT_EXPIRES_SOON"]
.findings[0].severity == "warning"
