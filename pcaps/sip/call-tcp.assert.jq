# the same call over TCP (sipp -t t1): framing by Content-Length on the reassembled stream
(.calls | length) == 1
.calls[0].transport == "tcp"
.calls[0].final_status == 200
.calls[0].offer.frame == 4
.calls[0].answer.frame == 10
.calls[0].security_level == "unsecured"
.calls[0].messages == 7
.input.decode_errors == 0
([.findings[] | select(.code | test("^SIP_|^SDES_"))] | length) == 0
