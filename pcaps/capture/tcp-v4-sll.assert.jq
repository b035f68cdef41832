# Written by pcaps/make-capture-traces.sh from TShark 4.0.17 and capinfos;
# independent of tcp-v4-sll.json. One jq expression per line, each must be true.
.input.packets == 24
.input.link_types == ["LINUX_SLL"]
.input.truncated_packets == 0
.input.first_time | startswith("2026-11-23T02:39:43.443449")
.input.last_time | startswith("2026-11-23T02:39:43.460788")
.stats.tcp_connections == 1
.stats.tcp_packets == .input.packets
.stats.ipv4_packets == .input.packets
# Reassembly (tools/stream_facts.sh): the stream is the sender's 8000-byte pattern, whole.
.stats.debug_streams | length == 1
.stats.debug_streams[0].bytes_c2s == 8000
.stats.debug_streams[0].sha256_c2s == "899b3cc56e8cc65239120644168dd38b33e616aa3502c383f419170ba864cc7f"
.stats.debug_streams[0].bytes_s2c == 17
.stats.debug_streams[0].gaps == 0
.stats.debug_streams[0].closed_by == "fin"
