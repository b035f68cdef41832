# tls10-ecdhe: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions[0].version == "TLS1.0"
.tls_sessions[0].cipher_suite == "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
(.tls_sessions[0].server_certificates | length) == 2
