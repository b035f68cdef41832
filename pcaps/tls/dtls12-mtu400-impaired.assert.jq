# dtls12-mtu400-impaired: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions | length == 1
.tls_sessions[0].transport == "udp"
.tls_sessions[0].server == "127.0.0.3:4433"
.tls_sessions[0].first_frame == 1
.tls_sessions[0].version == "DTLS1.2"
.tls_sessions[0].certificate_request == true
# complete despite the lost fragment: the resent flight filled the hole
.tls_sessions[0].server_certificates == ["9f951d5d31d86c40c5c11b5fb34707b146ca5f29", "10b7e0d1b99e2b6d40f80118c06ee482f87763ec"]
.tls_sessions[0].client_certificates == ["66a79fd4ff5611b87794d7e0c71b934227be6a6c", "10b7e0d1b99e2b6d40f80118c06ee482f87763ec"]
.tls_sessions[0].established == true
(.certificates | length) == 3
[.findings[] | select(.code == "DECODE_ERRORS" or .code == "LIMIT_REACHED")] | length == 0
[.findings[] | select(.code | startswith("TLS_") or startswith("CERT_"))] | length == 0
