# From the public corpus MANIFEST (tshark 4.0.17); independent of any golden.
.input.packets == 84
(.calls | length) == 1
.calls[0].transport == "tcp"
.calls[0].final_status == 200
([.rtp_streams[].packets] | sort) == [24, 42]
([.rtp_streams[].lost] | add) == 0
# The link both ways: the call lists exactly the streams that name it.
(.calls[0].rtp_streams | sort) == ([.rtp_streams[].id] | sort)
([.rtp_streams[].call_id] | unique) == [.calls[0].call_id]
