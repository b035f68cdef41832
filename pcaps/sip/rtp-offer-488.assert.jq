# a clear RTP offer refused with 488 (and a Warning) by an end requiring SRTP
(.calls | length) == 1
.calls[0].final_status == 488
.calls[0].offer.media[0].profile == "RTP/AVP"
.calls[0].offer.media[0].crypto == []
([.findings[] | select(.code == "SIP_SECURITY_MISMATCH")] | length) == 1
(.findings[] | select(.code == "SIP_SECURITY_MISMATCH") | .frames) == [1, 3]
(.findings[] | select(.code == "SIP_SECURITY_MISMATCH") | .detail | test("encryption not supported") and test("requires SRTP") and test("SIP Secured"))
([.findings[] | select(.code == "SDES_KEYS_IN_CLEAR")] | length) == 0
