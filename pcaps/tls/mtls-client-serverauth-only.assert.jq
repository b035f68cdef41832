# mtls-client-serverauth-only: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions[0].client_certificate_sent == true
.tls_sessions[0].alerts[0].description == "unsupported_certificate"
.tls_sessions[0].alerts[0].from == "server"
.tls_sessions[0].established == false
(.certificates[] | select(.subject == "CN=gw2.example.com,O=sipsec test") | .eku) == ["serverAuth"]
.findings[] | select(.code == "CERT_NO_CLIENT_AUTH_EKU") | .severity == "error" and (.summary | test("both Server Authentication and Client Authentication"))
.findings | map(.code) | index("TLS_HANDSHAKE_ALERT") != null
.findings | map(.code) | index("TLS_SIP_NEVER_STARTED") != null
