.stats.tls_decryption.pcapng_secrets_blocks == 1
.stats.tls_decryption.keylog_secrets == 4
.tls_sessions[0].decrypted == true and .tls_sessions[0].decryption.keys == "keylog"
.tls_sessions[0].client_certificate_sent == true
.calls[0].final_status == 415 and .calls[0].transport == "tls"
[.findings[] | select(.code == "SIP_SECURITY_MISMATCH")] | length == 1
