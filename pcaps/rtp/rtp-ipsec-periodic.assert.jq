# 1 s lost after every 3 s of audio, with ESP and IKE between the same two hosts
.rtp_streams | length == 1
.rtp_streams[0].src == "10.99.0.1:40020" and .rtp_streams[0].dst == "10.99.0.2:40020"
.rtp_streams[0].packets == 750 and .rtp_streams[0].expected == 1000 and .rtp_streams[0].lost == 250
.rtp_streams[0].max_delta_ms > 1020.0 and .rtp_streams[0].max_delta_ms < 1020.1
[.rtp_streams[0].gaps[] | select(.lost_packets == 50)] | length == 5
.rtp_streams[0].periodic_drop.period_ms > 3900 and .rtp_streams[0].periodic_drop.period_ms < 4100
.rtp_streams[0].periodic_drop.gap_ms > 950 and .rtp_streams[0].periodic_drop.gap_ms < 1100
.rtp_streams[0].periodic_drop.count == 5
.ipsec | length == 1
.ipsec[0].hosts == ["10.99.0.1", "10.99.0.2"] and .ipsec[0].ike_packets == 4 and .ipsec[0].esp_packets > 100
[.findings[] | select(.code == "RTP_PERIODIC_DROP")] | length == 1
[.findings[] | select(.code == "IPSEC_MEDIA_DROP")] | length == 1
[.findings[] | select(.code == "IPSEC_MEDIA_DROP")][0].severity == "error"
[.findings[] | select(.code == "IPSEC_MEDIA_DROP")][0].detail | contains("exclude the IP gateway / IP PBX from the IPsec policy")
[.findings[] | select(.code == "IPSEC_MEDIA_DROP")][0].refs.rtp_stream == "rtp-1"
[.findings[] | select(.code == "RTP_LOSS")] | length == 1
