# one 5 s outage: one gap of 250 packets, loss reported, no periodic drop
.rtp_streams[0].packets == 500 and .rtp_streams[0].lost == 250
.rtp_streams[0].gaps | length == 1
.rtp_streams[0].gaps[0].lost_packets == 250
.rtp_streams[0].gaps[0].duration_ms > 5000 and .rtp_streams[0].gaps[0].duration_ms < 5040
.rtp_streams[0].gaps[0].frame == 251
.rtp_streams[0].periodic_drop == null
[.findings[] | select(.code == "RTP_LOSS")] | length == 1
[.findings[] | select(.code == "RTP_PERIODIC_DROP")] | length == 0
