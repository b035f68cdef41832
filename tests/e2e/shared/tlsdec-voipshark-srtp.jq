# the same PBX with SRTP; a client ACK overtakes the server's segment (frames 40/41), which the
# reassembler reports as a gap: decryption finds the record sequence and CBC IV again after it
[.tls_sessions[] | select(.decrypted)] | length == 2
[.tls_sessions[] | .decryption.auth_failures] == [0, 0]
[.calls[] | select(.opaque | not)] | length == 2
[.calls[] | .messages] | add == 18
# SDES inside TLS (a=crypto in all 6 SDP bodies): Secured, and no SDES_KEYS_IN_CLEAR
[.calls[] | .security_level] == ["secured", "secured"]
[.findings[] | select(.code == "SDES_KEYS_IN_CLEAR")] | length == 0
