# about 2% random loss: RTP_LOSS, but no periodic drop
.rtp_streams | length == 1
.rtp_streams[0].packets == 977 and .rtp_streams[0].expected == 1000 and .rtp_streams[0].lost == 23
.rtp_streams[0].max_delta_ms > 40.1 and .rtp_streams[0].max_delta_ms < 40.2
.rtp_streams[0].periodic_drop == null
[.findings[] | select(.code == "RTP_LOSS")] | length == 1
[.findings[] | select(.code == "RTP_LOSS")][0].refs.rtp_stream == "rtp-1"
[.findings[] | select(.code == "RTP_PERIODIC_DROP" or .code == "IPSEC_MEDIA_DROP")] | length == 0
