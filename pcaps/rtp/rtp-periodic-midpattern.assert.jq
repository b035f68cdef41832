# the 1-s-every-3-s pattern, joined 2.5 s into a cycle, and no IPsec anywhere
.rtp_streams | length == 1
.rtp_streams[0].packets == 600 and .rtp_streams[0].lost == 200
.rtp_streams[0].periodic_drop.count == 4
.rtp_streams[0].periodic_drop.period_ms > 3900 and .rtp_streams[0].periodic_drop.period_ms < 4100
[.findings[] | select(.code == "RTP_PERIODIC_DROP")] | length == 1
[.findings[] | select(.code == "IPSEC_MEDIA_DROP")] | length == 0
.ipsec == []
