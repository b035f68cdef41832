# a good call over UDP: INVITE with RTP/AVP SDP, 200 with SDP, ACK, BYE
(.calls | length) == 1
.calls[0].transport == "udp"
.calls[0].final_status == 200
.calls[0].established == true
.calls[0].offer.frame == 1
.calls[0].answer.frame == 4
.calls[0].offer.media[0].profile == "RTP/AVP"
.calls[0].offer.media[0].port == 40000
.calls[0].answer.media[0].port == 50000
.calls[0].answer.media[0].address == "127.0.0.2"
.calls[0].security_level == "unsecured"
.calls[0].messages == 7
.input.decode_errors == 0
([.findings[] | select(.code | test("^SIP_|^SDES_"))] | length) == 0
