# one clean 20 ms PCMU stream, found by the heuristic (no SDP); figures = tshark -z rtp,streams
.rtp_streams | length == 1
.rtp_streams[0].id == "rtp-1" and .rtp_streams[0].ssrc == "0x5151c0de"
.rtp_streams[0].src == "127.0.0.1:40102" and .rtp_streams[0].dst == "127.0.0.1:40002"
.rtp_streams[0].payload_type == 0 and .rtp_streams[0].clock_rate == 8000 and .rtp_streams[0].ptime_ms == 20
.rtp_streams[0].packets == 500 and .rtp_streams[0].expected == 500 and .rtp_streams[0].lost == 0
.rtp_streams[0].duplicates == 0 and .rtp_streams[0].out_of_order == 0
.rtp_streams[0].max_delta_ms > 26.65 and .rtp_streams[0].max_delta_ms < 26.67
.rtp_streams[0].jitter_ms < 0.573
.rtp_streams[0].gaps == [] and .rtp_streams[0].periodic_drop == null
.rtp_streams[0].srtp == false and .rtp_streams[0].srtp_evidence == "payload" and .rtp_streams[0].call_id == null
.rtp_streams[0].rtcp.sr == 2
[.findings[] | select(.code == "RTP_LOSS" or .code == "RTP_PERIODIC_DROP" or .code == "IPSEC_MEDIA_DROP")] | length == 0
