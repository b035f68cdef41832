.stats.tls_decryption.keylog_secrets == 12
.stats.tls_decryption.sessions_with_keys == 5 and .stats.tls_decryption.sessions_unsupported_cipher == 1
[.tls_sessions[] | select(.decryption.unsupported_cipher) | .cipher_suite] == ["0x0003"]
[.tls_sessions[] | select(.decrypted)] | length == 5
[.tls_sessions[] | select(.decrypted | not) | .cipher_suite] == ["0x0003"]
[.tls_sessions[] | .decryption.auth_failures] | add == 0
