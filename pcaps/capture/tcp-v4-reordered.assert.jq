# Written by pcaps/make-capture-traces.sh from TShark 4.0.17 and capinfos;
# independent of tcp-v4-reordered.json. One jq expression per line, each must be true.
.input.packets == 48
.input.link_types == ["EN10MB"]
.input.truncated_packets == 0
.input.first_time | startswith("2026-11-23T02:39:06.635585")
.input.last_time | startswith("2026-11-23T02:39:06.684667")
.stats.tcp_connections == 1
.stats.tcp_packets == .input.packets
.stats.tcp_gaps == 0
.findings == []
# Reassembly (tools/stream_facts.sh): the stream is the sender's 20000-byte pattern, whole.
.stats.debug_streams | length == 1
.stats.debug_streams[0].bytes_c2s == 20000
.stats.debug_streams[0].sha256_c2s == "ab90c034220e840684a715f269efbaf4092a9967955660af16293399f7b9aaf4"
.stats.debug_streams[0].bytes_s2c == 17
.stats.debug_streams[0].gaps == 0
.stats.debug_streams[0].closed_by == "fin"
