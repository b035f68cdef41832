# ca-root-not-in-file: one fact per line (tests/e2e/run-golden.sh); run with --ca-file pki/pbx-selfsigned.pem
.tls_sessions | length == 1
.tls_sessions[0].server_certificates == ["66a79fd4ff5611b87794d7e0c71b934227be6a6c", "10b7e0d1b99e2b6d40f80118c06ee482f87763ec"]
(.certificates | length) == 2
all(.certificates[]; .trusted == false and .untrusted_reason == "unable to get local issuer certificate")
# one finding, on the leaf: the intermediate's problem is the same missing root
[.findings[] | select(.code == "CERT_UNTRUSTED")] | length == 1
(.findings[] | select(.code == "CERT_UNTRUSTED") | .refs.certificate) == "66a79fd4ff5611b87794d7e0c71b934227be6a6c"
(.findings[] | select(.code == "CERT_UNTRUSTED") | .summary) | test("^Add the root CA CN=sipsec Test Root CA,O=sipsec test to the trusted roots")
(.findings[] | select(.code == "CERT_UNTRUSTED") | .summary) | test("OpenSSL: unable to get local issuer certificate")
