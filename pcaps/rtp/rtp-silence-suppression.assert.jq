# 1 s of silence every 4 s with the marker bit: gaps without loss, no periodic drop
.rtp_streams[0].packets == 600 and .rtp_streams[0].lost == 0
.rtp_streams[0].gaps | length == 3
[.rtp_streams[0].gaps[] | .lost_packets] == [0, 0, 0]
.rtp_streams[0].max_delta_ms < 30
.rtp_streams[0].periodic_drop == null
[.findings[] | select(.code == "RTP_LOSS" or .code == "RTP_PERIODIC_DROP")] | length == 0
