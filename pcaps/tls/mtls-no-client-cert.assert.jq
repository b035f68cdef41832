# mtls-no-client-cert: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions[0].certificate_request == true
.tls_sessions[0].client_certificates == []
.tls_sessions[0].client_certificate_sent == false
.tls_sessions[0].alerts == [{"from": "server", "level": "fatal", "description": "handshake_failure", "frame": 9}]
.tls_sessions[0].established == false
.findings | map(.code) | index("TLS_CLIENT_CERT_NOT_SENT") != null
.findings | map(.code) | index("TLS_HANDSHAKE_ALERT") != null
.findings[] | select(.code == "TLS_SIP_NEVER_STARTED") | .summary | test("client certificate|handshake_failure")
.findings[] | select(.code == "TLS_CLIENT_CERT_NOT_SENT") | .refs.tls_session == "tls-1"
