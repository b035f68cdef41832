# MANIFEST #1: the same lab with SRTP (decrypted SDP: RTP/SAVP + a=crypto): C9h 4 PCMU-shaped
# streams (1118/1118/1118/1123 packets, 0 lost), each payload 160 bytes + a 10-byte auth tag.
(.tls_sessions | length) == 2
all(.tls_sessions[]; .version == "TLS1.0" and .certificate_request and .client_certificate_sent == false)
(.calls | length) == 2
all(.calls[]; .opaque and .call_id == null and .transport == "tls" and (.tls_session | startswith("tls-")))
all(.calls[]; .security_level == "secured" and .mutual_tls == false and (.rtp_streams | length) == 2)
all(.calls[]; .security_evidence | test("all SRTP") and test("10-byte SRTP authentication tag"))
([.rtp_streams[].packets] | sort) == [1118, 1118, 1118, 1123]
all(.rtp_streams[]; .srtp == true and .srtp_evidence == "payload" and (.srtp_detail | test("170 bytes")))
# no SDP is visible, so no finding may claim keys in clear
all(.findings[]; .code != "SDES_KEYS_IN_CLEAR")
