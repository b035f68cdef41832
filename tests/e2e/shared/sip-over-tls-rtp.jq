# MANIFEST #2: TLS 1.0 on 5061, 2 sessions, CertificateRequest + empty client Certificate;
# C9h: 4 clear PCMU streams (1194/1195/1195/1195 packets, 0 lost); decrypted SDP is RTP/AVP.
(.tls_sessions | length) == 2
all(.tls_sessions[]; .version == "TLS1.0" and .certificate_request and .client_certificate_sent == false and .established)
(.calls | length) == 2
all(.calls[]; .opaque and .call_id == null and .transport == "tls" and .offer == null and .answer == null)
([.calls[].tls_session] | sort) == ["tls-1", "tls-2"]
all(.calls[]; .security_level == "sip-secured" and .mutual_tls == false and (.rtp_streams | length) == 2)
all(.calls[]; .security_evidence | test("not mutual TLS") and test("in clear"))
([.calls[].rtp_streams[]] | sort) == ([.rtp_streams[].id] | sort)
([.rtp_streams[].packets] | sort) == [1194, 1195, 1195, 1195]
all(.rtp_streams[]; .srtp == false and .srtp_evidence == "payload" and .payload_type == 0 and .lost == 0)
# each entry's streams run between its own two hosts
[.calls[] as $c | .rtp_streams[] | select(.id as $i | $c.rtp_streams | index($i)) | ([.src, .dst] | map(sub(":[0-9]+$"; "")) | sort) == ([$c.client, $c.server] | map(sub(":[0-9]+$"; "")) | sort)] | length == 4 and all
