.tls_sessions[0].decrypted == true
.tls_sessions[0].decryption.keys == "keylog"
.tls_sessions[0].decryption.auth_failures == 0
.tls_sessions[0].decryption.inner_protocol == "sip"
.tls_sessions[0].cipher_suite == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
.tls_sessions[0].alerts | map(.description) == ["close_notify", "close_notify"]
(.calls | length) == 1 and .calls[0].opaque == false
.calls[0].transport == "tls" and .calls[0].tls_session == "tls-1"
.calls[0].final_status == 415
.calls[0].offer.media[0].profile == "RTP/SAVP"
[.findings[] | select(.code == "SIP_SECURITY_MISMATCH")] | length == 1
[.findings[] | select(.code == "SDES_KEYS_IN_CLEAR")] | length == 0
.stats.tls_decryption.sessions_with_keys == 1 and .stats.tls_decryption.sessions_without_keys == 0
.stats.tls_decryption.records_decrypted > 0
