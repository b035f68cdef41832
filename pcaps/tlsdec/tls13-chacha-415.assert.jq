.tls_sessions[0].cipher_suite == "TLS_CHACHA20_POLY1305_SHA256"
.tls_sessions[0].decrypted == true and .tls_sessions[0].decryption.auth_failures == 0
.tls_sessions[0].client_certificate_sent == true
.calls[0].final_status == 415 and .calls[0].messages == 4
[.findings[] | select(.code == "SIP_SECURITY_MISMATCH")] | length == 1
