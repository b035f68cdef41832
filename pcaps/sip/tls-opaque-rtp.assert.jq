# SIP over mutual TLS, not visible without keys, then clear G.711 both ways -> sip-secured
(.tls_sessions | length) == 1 and .tls_sessions[0].version == "TLS1.2" and .tls_sessions[0].established
.tls_sessions[0].certificate_request and .tls_sessions[0].client_certificate_sent
(.calls | length) == 1
.calls[0].opaque and .calls[0].call_id == null and .calls[0].transport == "tls" and .calls[0].tls_session == "tls-1"
.calls[0].offer == null and .calls[0].answer == null and .calls[0].final_status == null
.calls[0].client | startswith("10.77.0.1:")
.calls[0].server == "10.77.0.2:5061"
.calls[0].mutual_tls == true
.calls[0].security_level == "sip-secured"
.calls[0].security_evidence | test("mutual TLS \\(the client sent a certificate\\)") and test("2 in clear")
(.calls[0].rtp_streams | sort) == ["rtp-1", "rtp-2"]
.calls[0].media == {"streams": 2, "srtp": 0, "clear": 2, "undecided": 0}
(.rtp_streams | length) == 2
all(.rtp_streams[]; .packets == 200 and .lost == 0 and .payload_type == 0 and .call_id == null)
all(.rtp_streams[]; .srtp == false and .srtp_evidence == "payload" and (.srtp_detail | test("distributed as clear audio")))
