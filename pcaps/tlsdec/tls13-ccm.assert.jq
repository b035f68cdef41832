.tls_sessions[0].cipher_suite == "TLS_AES_128_CCM_SHA256"
.tls_sessions[0].decrypted == true and .tls_sessions[0].decryption.auth_failures == 0
.calls[0].final_status == 415 and .calls[0].messages == 4
