.tls_sessions[0].version == "TLS1.3" and .tls_sessions[0].cipher_suite == "TLS_AES_128_GCM_SHA256"
.tls_sessions[0].decrypted == true and .tls_sessions[0].decryption.auth_failures == 0
.tls_sessions[0].certificate_request == true
.tls_sessions[0].client_certificate_sent == true
(.tls_sessions[0].server_certificates | length) == 2 and (.tls_sessions[0].client_certificates | length) == 2
.tls_sessions[0].established == true
.tls_sessions[0].alerts == [{"from": "client", "level": "fatal", "description": "decode_error", "frame": 23}]
[.findings[] | select(.code == "TLS_HANDSHAKE_ALERT")] | length == 0
(.certificates | length) == 3
.calls[0].transport == "tls" and .calls[0].final_status == 415 and .calls[0].messages == 4
[.findings[] | select(.code == "SIP_SECURITY_MISMATCH")] | length == 1
