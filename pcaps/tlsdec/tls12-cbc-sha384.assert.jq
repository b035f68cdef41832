.tls_sessions[0].cipher_suite == "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"
.tls_sessions[0].decrypted == true and .tls_sessions[0].decryption.auth_failures == 0
.tls_sessions[0].decryption.inner_protocol == "sip"
.calls[0].transport == "tls" and .calls[0].final_status == 415
[.findings[] | select(.code == "SIP_SECURITY_MISMATCH")] | length == 1
