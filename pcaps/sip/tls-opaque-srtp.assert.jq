# SIP over TLS (client certificate requested, none sent), not visible, then real SRTP -> secured
(.tls_sessions | length) == 1 and .tls_sessions[0].established
.tls_sessions[0].certificate_request and .tls_sessions[0].client_certificate_sent == false
(.calls | length) == 1
.calls[0].opaque and .calls[0].call_id == null and .calls[0].transport == "tls" and .calls[0].tls_session == "tls-1"
.calls[0].mutual_tls == false
.calls[0].security_level == "secured"
.calls[0].security_evidence | test("not mutual TLS") and test("all SRTP") and test("10-byte SRTP authentication tag")
(.calls[0].rtp_streams | sort) == ["rtp-1", "rtp-2"]
.calls[0].media == {"streams": 2, "srtp": 2, "clear": 0, "undecided": 0}
all(.rtp_streams[]; .packets == 200 and .lost == 0 and .srtp == true and .srtp_evidence == "payload")
all(.rtp_streams[]; .srtp_detail == "payload 170 bytes = 160-byte PCMU frame (160 samples) + 10-byte SRTP authentication tag")
all(.findings[]; .code != "SDES_KEYS_IN_CLEAR")
