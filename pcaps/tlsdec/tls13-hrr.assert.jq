.tls_sessions[0].version == "TLS1.3" and .tls_sessions[0].cipher_suite == "TLS_AES_256_GCM_SHA384"
.tls_sessions[0].decrypted == true and .tls_sessions[0].decryption.auth_failures == 0
(.tls_sessions[0].server_certificates | length) == 2
.calls[0].final_status == 415 and .calls[0].transport == "tls"
