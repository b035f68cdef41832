# tls12-rsa-selfsigned: one fact per line (tests/e2e/run-golden.sh)
.tls_sessions[0].version == "TLS1.2"
.tls_sessions[0].cipher_suite == "TLS_RSA_WITH_AES_128_CBC_SHA"
.certificates[0].self_signed == true
.certificates[0].key_bits == 1024
.certificates[0].eku == null
.findings[] | select(.code == "CERT_NO_SERVER_AUTH_EKU") | .severity == "warning"
.findings | map(.code) | index("CERT_SELF_SIGNED") != null
.findings | map(.code) | index("CERT_WEAK_KEY") != null
.findings | map(.code) | index("CERT_NO_CRL_DP") != null
# 443 is not a SIP port: no SIP finding
.findings | map(.code) | index("TLS_SIP_NEVER_STARTED") == null
