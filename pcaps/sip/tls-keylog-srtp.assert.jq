# decrypted SIP: a real secured call, no opaque entry, streams from the SDP
.tls_sessions[0].decrypted == true
(.calls | length) == 1
.calls[0].opaque == false and .calls[0].call_id == "opaque-tls-opaque-srtp@10.77.0.1"
.calls[0].security_level == "secured"
.calls[0].offer.media[0].profile == "RTP/SAVP" and .calls[0].offer.media[0].crypto[0].suite == "AES_CM_128_HMAC_SHA1_80"
all(.rtp_streams[]; .srtp == true and .srtp_evidence == "sdp")
all(.findings[]; .code != "SDES_KEYS_IN_CLEAR")
.input.decode_errors == 0
