# media between 10.88.1.x, IPsec only between the signaling hosts 10.88.0.x: still IPSEC_MEDIA_DROP
(.calls | length) == 1 and (.calls[0].client | startswith("10.88.0.1:")) and (.calls[0].server | startswith("10.88.0.2:"))
.calls[0].answer.media[0].address == "10.88.1.2" and .calls[0].offer.media[0].address == "10.88.1.1"
(.rtp_streams | length) == 1
.rtp_streams[0].src == "10.88.1.1:40000" and .rtp_streams[0].dst == "10.88.1.2:50000"
.rtp_streams[0].call_id == .calls[0].call_id
.rtp_streams[0].packets == 600 and .rtp_streams[0].lost == 200
.rtp_streams[0].periodic_drop.count == 4 and .rtp_streams[0].periodic_drop.period_ms > 3900 and .rtp_streams[0].periodic_drop.period_ms < 4100
(.ipsec | length) == 1 and .ipsec[0].hosts == ["10.88.0.1", "10.88.0.2"] and .ipsec[0].esp_packets > 100 and .ipsec[0].ike_packets > 0
[.findings[] | select(.code == "IPSEC_MEDIA_DROP")] | length == 1
.findings[] | select(.code == "IPSEC_MEDIA_DROP") | .summary | test("between 10.88.0.1 and 10.88.0.2, the hosts of its call's signaling")
.findings[] | select(.code == "IPSEC_MEDIA_DROP") | .detail | test("exclude the IP gateway / IP PBX from the IPsec policy")
.calls[0].call_id as $id | .findings[] | select(.code == "IPSEC_MEDIA_DROP") | .refs.call_id == $id
any(.findings[]; .code == "RTP_PERIODIC_DROP") and any(.findings[]; .code == "RTP_LOSS")
