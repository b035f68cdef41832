# 9 swapped pairs and 6 duplicates: counted, and not loss
.rtp_streams | length == 1
.rtp_streams[0].packets == 506 and .rtp_streams[0].expected == 500
.rtp_streams[0].lost == 0 and .rtp_streams[0].duplicates == 6 and .rtp_streams[0].out_of_order == 9
[.findings[] | select(.code == "RTP_LOSS")] | length == 0
