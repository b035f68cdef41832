# Microsoft dialect: multipart/alternative with two SDP parts, ms-* headers, two a=crypto lines,
# ICE candidates, a=encryption:required; refused 415 over TCP
(.calls | length) == 1
.calls[0].transport == "tcp"
.calls[0].final_status == 415
# the first application/sdp part is the offer
.calls[0].offer.frame == 4
.calls[0].offer.media[0].port == 40000
.calls[0].offer.media[0].profile == "RTP/SAVP"
.calls[0].offer.media[0].encryption == "required"
([.calls[0].offer.media[0].crypto[].tag]) == [2, 1]
([.calls[0].offer.media[0].payload_types[].encoding]) == ["x-msrta", "SIREN", "PCMU", "PCMA", "telephone-event"]
(tostring | test("bXlfZmFr|c2Vjb25k") | not)
(.findings[] | select(.code == "SIP_SECURITY_MISMATCH") | .frames) == [4, 8]
(.findings[] | select(.code == "SIP_SECURITY_MISMATCH") | .detail | test("a=encryption:required") and test("encryption required"))
([.findings[] | select(.code == "SDES_KEYS_IN_CLEAR")] | length) == 1
.input.decode_errors == 0
