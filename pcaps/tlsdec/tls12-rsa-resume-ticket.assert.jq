(.tls_sessions | length) == 2
[.tls_sessions[] | .cipher_suite] == ["TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"]
[.tls_sessions[] | .decryption.keys] == ["rsa_key", "resumed"]
[.tls_sessions[] | .decrypted] == [true, true]
[.tls_sessions[] | .decryption.auth_failures] == [0, 0]
[.tls_sessions[] | .decryption.inner_protocol] == ["sip", "sip"]
.tls_sessions[1].server_certificates == []
.calls[0].final_status == 415 and .calls[0].tls_session == "tls-1"
.stats.tls_decryption.rsa_keys == 1 and .stats.tls_decryption.keylog_secrets == 0
