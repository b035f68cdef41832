# tls12-ecdhe-ec: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions[0].cipher_suite == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
(.certificates[] | select(.subject == "CN=sbc.example.com,O=sipsec test") | [.key_algorithm, .key_bits]) == ["EC", 256]
.findings | map(.code) | index("CERT_WEAK_KEY") == null
.tls_sessions[0].established == true
