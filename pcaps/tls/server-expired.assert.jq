# server-expired: one fact per line (tests/e2e/run-golden.sh)
.findings[] | select(.code == "CERT_EXPIRED") | .severity == "error" and (.refs.certificate | length) == 40
(.findings | map(select(.code == "CERT_EXPIRED")) | length) == 1
.certificates[0].not_after == "2021-01-01T00:00:00.000000Z"
