# ca-chain-trusted: one fact per line (tests/e2e/run-golden.sh); run with --ca-file pki/root/ca.pem
.tls_sessions | length == 1
.tls_sessions[0].established == true
.tls_sessions[0].client_certificate_sent == true
(.tls_sessions[0].server_certificates | length) == 2
(.tls_sessions[0].client_certificates | length) == 2
(.certificates | length) == 3
# every certificate verifies against the root in the CA file
all(.certificates[]; .trusted == true)
all(.certificates[]; has("untrusted_reason") | not)
(.certificates[] | select(.sha1 == "9f951d5d31d86c40c5c11b5fb34707b146ca5f29") | .subject) == "CN=um.example.com,O=sipsec test"
(.certificates[] | select(.sha1 == "66a79fd4ff5611b87794d7e0c71b934227be6a6c") | .subject) == "CN=gw.example.com,O=sipsec test"
(.certificates[] | select(.sha1 == "10b7e0d1b99e2b6d40f80118c06ee482f87763ec") | .subject) == "CN=sipsec Test Issuing CA,O=sipsec test"
[.findings[] | select(.code == "CERT_UNTRUSTED")] | length == 0
[.findings[] | select(.code | startswith("TLS_") or startswith("CERT_"))] | length == 0
