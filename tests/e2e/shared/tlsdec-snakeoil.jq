[.tls_sessions[] | .version] == ["SSL3.0", "SSL3.0"]
[.tls_sessions[] | .decrypted] == [true, true]
[.tls_sessions[] | .decryption.keys] == ["rsa_key", "resumed"]
[.tls_sessions[] | .decryption.auth_failures] == [0, 0]
[.tls_sessions[] | .decryption.records_lost] == [0, 0]
.stats.tls_decryption.rsa_keys == 1
