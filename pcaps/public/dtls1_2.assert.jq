# Facts from MANIFEST.md (entry 31, C6d/C7/C8) and capinfos (see dtls1_2.md). One jq expression per line.
.input.packets == 16
.input.link_types == ["EN10MB"]
.stats.dtls_datagrams == 16
.tls_sessions | length == 1
.tls_sessions[0].transport == "udp"
.tls_sessions[0].client == "192.168.17.58:60934"
.tls_sessions[0].server == "165.227.57.17:4400"
.tls_sessions[0].first_frame == 1
.tls_sessions[0].version == "DTLS1.2"
.tls_sessions[0].cipher_suite == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
.tls_sessions[0].certificate_request == false
# the Certificate in five fragments, reassembled
.tls_sessions[0].server_certificates == ["1cb43b5f1de3fe36d595da76210bbf5572a721be"]
.tls_sessions[0].client_certificates == []
.tls_sessions[0].alerts == [{"from": "client", "level": null, "description": "encrypted_alert", "frame": 16}]
.certificates | length == 1
.certificates[0].subject == "O=Internet Widgits Pty Ltd,ST=Some-State,C=AU"
.certificates[0].self_signed == true
.certificates[0].is_ca == true
.certificates[0].key_algorithm == "RSA" and .certificates[0].key_bits == 2048
.certificates[0].eku == null and .certificates[0].crl_distribution_points == []
.certificates[0].not_before == "2017-11-30T19:28:28.000000Z" and .certificates[0].not_after == "2018-11-30T19:28:28.000000Z"
# the certificate's findings name the frame of its last fragment
(.findings[] | select(.code == "CERT_SELF_SIGNED") | .frames) == [10]
# no fragment left over, none counted as malformed
[.findings[] | select(.code == "DECODE_ERRORS")] | length == 0
