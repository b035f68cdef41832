# ca-missing-intermediate: one fact per line (tests/e2e/run-golden.sh); run with --ca-file pki/root/ca.pem
.tls_sessions | length == 1
.tls_sessions[0].established == true
.tls_sessions[0].server_certificates == ["9f951d5d31d86c40c5c11b5fb34707b146ca5f29"]
(.certificates | length) == 1
.certificates[0].trusted == false
.certificates[0].untrusted_reason == "unable to get local issuer certificate"
[.findings[] | select(.code == "CERT_UNTRUSTED")] | length == 1
(.findings[] | select(.code == "CERT_UNTRUSTED") | .severity) == "error"
(.findings[] | select(.code == "CERT_UNTRUSTED") | .refs) == {"tls_session": "tls-1", "certificate": "9f951d5d31d86c40c5c11b5fb34707b146ca5f29"}
(.findings[] | select(.code == "CERT_UNTRUSTED") | .summary) | test("send its intermediate CA certificate.*CN=sipsec Test Issuing CA.*OpenSSL: unable to get local issuer certificate")
(.findings[] | select(.code == "CERT_UNTRUSTED") | .frames) == [6]
