# decrypted SIP: a real call, no opaque entry, streams from the SDP
.tls_sessions[0].decrypted == true
(.calls | length) == 1
.calls[0].opaque == false and .calls[0].call_id == "opaque-tls-opaque-rtp@10.77.0.1"
.calls[0].transport == "tls" and .calls[0].tls_session == "tls-1" and .calls[0].final_status == 200
.calls[0].security_level == "sip-secured"
(.calls[0].rtp_streams | sort) == ["rtp-1", "rtp-2"]
all(.rtp_streams[]; .srtp == false and .srtp_evidence == "sdp" and .call_id == "opaque-tls-opaque-rtp@10.77.0.1")
.input.decode_errors == 0
