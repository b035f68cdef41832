.tls_sessions[0].decrypted == false
.tls_sessions[0].decryption.keys == "keylog"
.tls_sessions[0].decryption.auth_failures > 0
.tls_sessions[0].decryption.records == 0
[.findings[] | select(.code == "TLS_DECRYPT_FAILED")] | length == 1
[.findings[] | select(.code == "TLS_DECRYPT_FAILED")][0].frames == [8]
[.calls[] | select(.opaque | not)] | length == 0
.calls[0].opaque == true and .calls[0].tls_session == "tls-1"
.stats.tls_decryption.auth_failures == .tls_sessions[0].decryption.auth_failures
.tls_sessions[0].client_certificates | length == 2
.calls[0].security_evidence | test("did not decrypt its records")
