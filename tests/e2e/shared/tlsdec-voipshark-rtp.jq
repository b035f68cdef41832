# TLS 1.0 TLS_RSA_WITH_AES_256_CBC_SHA (MAC-then-encrypt, chained IV) with the server's RSA key
[.tls_sessions[] | select(.decrypted)] | length == 2
[.tls_sessions[] | .decryption.keys] == ["rsa_key", "rsa_key"]
[.tls_sessions[] | .decryption.auth_failures] == [0, 0]
[.tls_sessions[] | .decryption.inner_protocol] == ["sip", "sip"]
# two calls over TLS, 20 messages in all (tshark: INVITE x2, ACK x2, UPDATE, BYE x2, 100 x2, 180 x3, 200 x5, 401)
[.calls[] | select(.opaque | not)] | length == 2
[.calls[] | .transport] == ["tls", "tls"]
[.calls[] | .messages] | add == 20
# clear RTP offered (m= RTP/AVP x6 in the decrypted SDP): SIP Secured
[.calls[] | .security_level] == ["sip-secured", "sip-secured"]
[.calls[] | .tls_session] | sort == ["tls-1", "tls-2"]
