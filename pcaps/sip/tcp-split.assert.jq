# INVITE over three TCP segments (completed in frame 8); ACK and BYE in one segment (frame 16)
(.calls | length) == 1
.calls[0].call_id == "split-1@sipsec.test"
.calls[0].transport == "tcp"
.calls[0].offer.frame == 8
.calls[0].answer.frame == 14
.calls[0].final_status == 200
# INVITE, 100, 180, 200, ACK + BYE (one segment), 200
.calls[0].messages == 7
.input.decode_errors == 0
