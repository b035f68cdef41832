.tls_sessions[0].cipher_suite == "TLS_AES_256_GCM_SHA384"
.tls_sessions[0].decrypted == true and .tls_sessions[0].decryption.auth_failures == 0
[.tls_sessions[0].alerts[] | .description] == ["close_notify", "close_notify"]
.tls_sessions[0].client_certificate_sent == true
.calls[0].final_status == 415
