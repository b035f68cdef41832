.tls_sessions[0].version == "TLS1.3" and .tls_sessions[0].decrypted == true
.tls_sessions[0].certificate_request == true
.tls_sessions[0].client_certificate_sent == false
.tls_sessions[0].established == false
[.tls_sessions[0].alerts[] | .description] == ["certificate_required"]
[.findings[] | select(.code == "TLS_CLIENT_CERT_NOT_SENT")] | length == 1
[.findings[] | select(.code == "TLS_HANDSHAKE_ALERT")] | length == 1
[.findings[] | select(.code == "TLS_SIP_NEVER_STARTED")] | length == 1
