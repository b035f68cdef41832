# pcapng-example.pcapng (MANIFEST 17): two interfaces of different link types, read by sipsec's
# own pcapng reader (libpcap 1.10 refuses the file). Facts: MANIFEST C1, C1b, C6, C8 (tshark).
.input.damaged == false
.input.first_time == "2021-04-25T09:57:39.946616Z" and .input.last_time == "2021-04-25T09:58:02.473774Z"
[.tls_sessions[] | {server, sni, first_frame}] == [{"server": "64.170.98.42:443", "sni": "tools.ietf.org", "first_frame": 35}, {"server": "91.198.174.192:443", "sni": "en.wikipedia.org", "first_frame": 311}]
[.tls_sessions[] | .version] == ["TLS1.2", "TLS1.3"]
[.tls_sessions[] | .cipher_suite] == ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"]
.tls_sessions[0].server_certificates == ["9f79e5e8f0f5bd98f40ada3c098432f79131eb91", "7edc376dcfd45e6ddf082c160df6ac21835b95d4", "9565b778c8a50eb4fefd45c8a658dde2411ead0a", "ad7e1c28b064ef8f6003402014c3d0e3370eb58a"]
# the TLS 1.3 certificates are encrypted: only the Decryption Secrets Block's keys show them
.tls_sessions[1].server_certificates == ["0f7af771ef6d796602b31371057998ba023ca6df", "a031c46782e6e6c662c2c87c76da9aa62ccabd8e"]
[.tls_sessions[] | .alerts[] | [.frame, .from, .description]] == [[249, "client", "close_notify"], [253, "server", "close_notify"], [554, "client", "close_notify"]]
.stats.tls_decryption.pcapng_secrets_blocks == 1
[.tls_sessions[] | .decrypted] == [true, true]
[.tls_sessions[] | .decryption.auth_failures] == [0, 0]
[.certificates[] | .sha1] | length == 6
