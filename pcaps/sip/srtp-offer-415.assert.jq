# an SRTP-only offer (RTP/SAVP + a=crypto) refused with 415 by an end accepting only RTP
(.calls | length) == 1
.calls[0].final_status == 415
.calls[0].final_reason == "Unsupported Media Type"
.calls[0].answer == null
.calls[0].offer.media[0].profile == "RTP/SAVP"
.calls[0].offer.media[0].crypto[0].suite == "AES_CM_128_HMAC_SHA1_80"
.calls[0].offer.media[0].crypto[0].tag == 1
# the key never reaches the report
(tostring | test("PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR") | not)
([.findings[] | select(.code == "SIP_SECURITY_MISMATCH")] | length) == 1
(.findings[] | select(.code == "SIP_SECURITY_MISMATCH") | .frames) == [1, 3]
(.findings[] | select(.code == "SIP_SECURITY_MISMATCH") | .detail | test("Unsecured") and test("SIP Secured") and test("Secured =") and test("encryption required") and test("support, don't require"))
([.findings[] | select(.code == "SDES_KEYS_IN_CLEAR")] | length) == 1
(.findings[] | select(.code == "SDES_KEYS_IN_CLEAR") | .frames) == [1]
([.findings[] | select(.code == "SIP_INVITE_FAILED")] | length) == 0
