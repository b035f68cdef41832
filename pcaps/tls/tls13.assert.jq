# tls13: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions[0].version == "TLS1.3"
.tls_sessions[0].cipher_suite == "TLS_AES_256_GCM_SHA384"
.tls_sessions[0].client_certificate_sent == null
.tls_sessions[0].server_certificates == []
.certificates == []
.tls_sessions[0].established == true
.findings | map(.code) | index("TLS_SIP_NEVER_STARTED") == null
