# server-not-yet-valid: one fact per line (tests/e2e/run-golden.sh)
.findings | map(.code) == ["CERT_NOT_YET_VALID"]
