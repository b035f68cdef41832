# mtls-ok: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions | length == 1
.tls_sessions[0].server == "127.0.0.2:5061"
.tls_sessions[0].version == "TLS1.2"
.tls_sessions[0].cipher_suite == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
.tls_sessions[0].sni == "um.example.com"
.tls_sessions[0].certificate_request == true
.tls_sessions[0].client_certificate_sent == true
(.tls_sessions[0].server_certificates | length) == 2
(.tls_sessions[0].client_certificates | length) == 2
.tls_sessions[0].established == true
# the issuing CA appears in both chains but is listed once
(.certificates | length) == 3
(.certificates[] | select(.subject == "CN=sipsec Test Issuing CA,O=sipsec test") | .is_ca) == true
(.certificates[] | select(.subject == "CN=gw.example.com,O=sipsec test") | .eku) == ["serverAuth", "clientAuth"]
[.findings[] | select(.code | startswith("TLS_") or startswith("CERT_"))] | length == 0
