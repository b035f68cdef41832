# PCMA starting at sequence 65300: wraps after 236 packets without counting loss
.rtp_streams | length == 1
.rtp_streams[0].payload_type == 8
.rtp_streams[0].packets == 500 and .rtp_streams[0].expected == 500 and .rtp_streams[0].lost == 0
.rtp_streams[0].out_of_order == 0 and .rtp_streams[0].gaps == []
[.findings[] | select(.code == "RTP_LOSS")] | length == 0
