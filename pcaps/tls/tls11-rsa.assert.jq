# tls11-rsa: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions[0].version == "TLS1.1"
.tls_sessions[0].cipher_suite == "TLS_RSA_WITH_AES_256_CBC_SHA"
